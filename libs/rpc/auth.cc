#include "libs/rpc/auth.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace vanguard::rpc {
namespace {

constexpr char kCertPrefix[] = "cert:";
constexpr char kAuthorizationKey[] = "authorization";
constexpr char kBearerPrefix[] = "bearer ";
constexpr char kCommonNameProperty[] = "x509_common_name";

constexpr Role kAllRoles[] = {Role::kClerk, Role::kReviewer, Role::kDepartment, Role::kAuditor,
                              Role::kAdmin};

absl::Status LineError(int line_number, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("tokens line ", line_number, ": ", what));
}

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status UnknownToken() { return absl::UnauthenticatedError("unknown token"); }

constexpr char kExpiresPrefix[] = "expires=";

// The principal of a line, unless the line has expired at `now`.
absl::StatusOr<Principal> Unexpired(const Principal& principal, absl::Time now) {
  if (principal.expires && now >= *principal.expires) {
    return absl::UnauthenticatedError("token expired");
  }
  return principal;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kClerk:
      return "clerk";
    case Role::kReviewer:
      return "reviewer";
    case Role::kDepartment:
      return "department";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::StatusOr<TokenStore> TokenStore::Load(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read tokens file ", path));
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<TokenStore> store = Parse(text.str());
  if (!store.ok()) {
    return absl::Status(store.status().code(), absl::StrCat(path, ": ", store.status().message()));
  }
  return store;
}

absl::StatusOr<TokenStore> TokenStore::Parse(absl::string_view text) {
  TokenStore store;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 4 && fields.size() != 5) {
      return LineError(line_number,
                       "want <token-sha256|cert:common-name> <principal-id> <roles> "
                       "<organisation-id> [expires=<RFC 3339 time>]");
    }
    Principal principal{.id = std::string(fields[1]), .organisation_id = std::string(fields[3])};
    if (fields.size() == 5) {
      absl::string_view expires = fields[4];
      absl::Time at;
      std::string error;
      if (!absl::ConsumePrefix(&expires, kExpiresPrefix) ||
          !absl::ParseTime(absl::RFC3339_full, expires, &at, &error)) {
        return LineError(line_number,
                         "want expires=<RFC 3339 time> as the fifth field, e.g. "
                         "expires=2027-06-30T16:00:00Z");
      }
      principal.expires = at;
    }
    for (absl::string_view name : absl::StrSplit(fields[2], ',')) {
      bool known = false;
      for (Role role : kAllRoles) {
        if (name == RoleName(role)) {
          principal.roles.insert(role);
          known = true;
        }
      }
      if (!known) return LineError(line_number, absl::StrCat("unknown role \"", name, "\""));
    }
    absl::string_view key = fields[0];
    if (absl::ConsumePrefix(&key, kCertPrefix)) {
      if (key.empty()) return LineError(line_number, "empty certificate common name");
      if (!store.by_certificate_.emplace(std::string(key), std::move(principal)).second) {
        return LineError(line_number, "certificate listed twice");
      }
    } else {
      if (!IsSha256Hex(key)) {
        return LineError(line_number, "first field is neither a SHA-256 hex digest nor cert:<cn>");
      }
      if (!store.by_token_hash_.emplace(absl::AsciiStrToLower(key), std::move(principal)).second) {
        return LineError(line_number, "token hash listed twice");
      }
    }
  }
  return store;
}

std::string TokenStore::HashToken(absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

absl::StatusOr<Principal> TokenStore::FindByToken(absl::string_view token, absl::Time now) const {
  if (token.empty()) return UnknownToken();
  auto it = by_token_hash_.find(HashToken(token));
  if (it == by_token_hash_.end()) return UnknownToken();
  return Unexpired(it->second, now);
}

absl::StatusOr<Principal> TokenStore::FindByCertificate(absl::string_view common_name,
                                                        absl::Time now) const {
  auto it = by_certificate_.find(common_name);
  if (it == by_certificate_.end()) {
    return absl::UnauthenticatedError("unknown client certificate");
  }
  return Unexpired(it->second, now);
}

absl::StatusOr<Principal> TokenStore::Authenticate(const grpc::ServerContext& context) const {
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find(kAuthorizationKey); it != metadata.end()) {
    absl::string_view value(it->second.data(), it->second.size());
    value = absl::StripAsciiWhitespace(value);
    if (!absl::StartsWithIgnoreCase(value, kBearerPrefix)) {
      return absl::UnauthenticatedError("missing bearer token");
    }
    value.remove_prefix(sizeof(kBearerPrefix) - 1);
    return FindByToken(absl::StripAsciiWhitespace(value));
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    std::vector<grpc::string_ref> names = auth->FindPropertyValues(kCommonNameProperty);
    if (!names.empty()) {
      return FindByCertificate(absl::string_view(names.front().data(), names.front().size()));
    }
  }
  return absl::UnauthenticatedError("missing bearer token");
}

}  // namespace vanguard::rpc
