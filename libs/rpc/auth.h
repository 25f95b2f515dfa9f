// Who is calling: principals, their roles, and how a call proves who it is.
//
// Principals are listed in a tokens file, one per line:
//
//   # <sha256-hex of bearer token> <principal-id> <role,role,...> <organisation-id>
//   9f86d081884c7d65...0f00a08 clerk-7 clerk yuxia
//   # cert:<client certificate common name> <principal-id> <roles> <organisation-id>
//   cert:water-bureau dept-water department,auditor county-water
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

#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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
  // neither, "unknown token" when the token (or certificate) is not listed;
  // the token itself never appears in an error.
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(const grpc::ServerContext& context) const;

  // Lookups behind Authenticate, for callers that hold the credentials.
  [[nodiscard]] absl::StatusOr<Principal> FindByToken(absl::string_view token) const;
  [[nodiscard]] absl::StatusOr<Principal> FindByCertificate(absl::string_view common_name) const;

  size_t size() const { return by_token_hash_.size() + by_certificate_.size(); }

 private:
  // Keyed by the token's lower-case hex SHA-256.
  absl::flat_hash_map<std::string, Principal> by_token_hash_;
  // Keyed by the client certificate's common name.
  absl::flat_hash_map<std::string, Principal> by_certificate_;
};

}  // namespace vanguard::rpc
