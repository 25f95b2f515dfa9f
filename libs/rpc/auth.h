// Who is calling: principals, their roles, and how a call proves who it is.
//
// Principals are listed in a tokens file, one per line:
//
//   # <sha256-hex of bearer token> <principal-id> <role,role,...> <organisation-id> [expires=<time>]
//   9f86d081884c7d65...0f00a08 clerk-7 clerk yuxia
//   60303ae22b998861...57ab3a0 clerk-8 clerk yuxia expires=2027-06-30T16:00:00Z
//   # cert:<client certificate common name> <principal-id> <roles> <organisation-id> [expires=<time>]
//   cert:water-bureau dept-water department,auditor county-water
//
// The optional fifth field ends a line's validity: an RFC 3339 time (with its
// offset, e.g. 2027-07-01T00:00:00+08:00); from then on the token (or
// certificate) is UNAUTHENTICATED "token expired". A line without it never
// expires.
//
// Roles are clerk, reviewer, department, auditor and admin. Only hashes of
// bearer tokens are stored (make one with `printf %s TOKEN | sha256sum`, or
// TokenStore::HashToken), so the file does not hold secrets.
//
//   ASSIGN_OR_RETURN(TokenStore tokens, TokenStore::Load("/etc/vanguard/tokens"));
//   // in a handler:
//   absl::StatusOr<Principal> principal = tokens.Authenticate(*context);
//   if (!principal.ok()) return ToGrpcStatus(principal.status());
//   if (!principal->HasRole(Role::kClerk)) ... PERMISSION_DENIED ...
//
// Thread safety: a TokenStore is immutable once built; any number of threads
// may call its const methods concurrently.
#pragma once

#include <grpcpp/server_context.h>

#include <optional>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vanguard::rpc {

enum class Role { kClerk, kReviewer, kDepartment, kAuditor, kAdmin };

// The name of a role as written in the tokens file, e.g. "clerk".
const char* RoleName(Role role);

// An authenticated caller.
struct Principal {
  std::string id;
  std::set<Role> roles;
  // The organisation the principal acts for; it scopes what the roles allow.
  std::string organisation_id;
  // When the line that names the principal stops being accepted; none: never.
  std::optional<absl::Time> expires;

  bool HasRole(Role role) const { return roles.contains(role); }
};

// The principals a server accepts, keyed by bearer-token hash and by client
// certificate common name.
class TokenStore {
 public:
  // Reads and parses a tokens file; NOT_FOUND when it cannot be read.
  [[nodiscard]] static absl::StatusOr<TokenStore> Load(const std::string& path);
  // Parses the text of a tokens file. A malformed line, an unknown role or a
  // key listed twice is INVALID_ARGUMENT naming the line number.
  [[nodiscard]] static absl::StatusOr<TokenStore> Parse(absl::string_view text);

  // Lower-case hex SHA-256 of a bearer token, as the tokens file holds it.
  static std::string HashToken(absl::string_view token);

  // The principal making the call: by the `authorization: Bearer <token>`
  // metadata when present, otherwise by the verified client certificate's
  // common name. UNAUTHENTICATED "missing bearer token" when the call has
  // neither, "unknown token" when the token is not listed, "unknown client
  // certificate" when the certificate is not, "token expired" when its line
  // has expired; neither the token nor its hash ever appears in an error.
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(const grpc::ServerContext& context) const;

  // Lookups behind Authenticate, for callers that hold the credentials.
  [[nodiscard]] absl::StatusOr<Principal> FindByToken(absl::string_view token,
                                                      absl::Time now = absl::Now()) const;
  [[nodiscard]] absl::StatusOr<Principal> FindByCertificate(absl::string_view common_name,
                                                            absl::Time now = absl::Now()) const;

  size_t size() const { return by_token_hash_.size() + by_certificate_.size(); }

 private:
  // Keyed by the token's lower-case hex SHA-256.
  absl::flat_hash_map<std::string, Principal> by_token_hash_;
  // Keyed by the client certificate's common name.
  absl::flat_hash_map<std::string, Principal> by_certificate_;
};

}  // namespace vanguard::rpc
