#include "services/vanguard/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7400", "Address the gRPC services listen on");
ABSL_FLAG(std::string, endpoint, "",
          "Where clients reach this process, named in partition claims (default: the listen "
          "address with the bound port)");
ABSL_FLAG(std::string, tokens_file, "",
          "Bearer tokens: one '<sha256-hex> <principal> <roles> <organisation>' per line");
ABSL_FLAG(std::string, tls_cert, "", "Server certificate (PEM); TLS is required off loopback");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "", "CA of client certificates (mTLS identities)");

namespace vanguard {

absl::StatusOr<rpc::TokenStore> TokensFromFlags() {
  if (absl::GetFlag(FLAGS_tokens_file).empty()) {
    return absl::InvalidArgumentError(
        "--tokens_file: who may call; one '<sha256-hex of token> <principal> <roles> "
        "<organisation>' per line (`vanguard demo` writes one for its seed principals)");
  }
  return rpc::TokenStore::Load(absl::GetFlag(FLAGS_tokens_file));
}

absl::StatusOr<std::unique_ptr<rpc::Server>> StartServerFromFlags(
    std::vector<grpc::Service*> services) {
  return rpc::Server::Start({.listen_address = absl::GetFlag(FLAGS_listen),
                             .tls_cert_file = absl::GetFlag(FLAGS_tls_cert),
                             .tls_key_file = absl::GetFlag(FLAGS_tls_key),
                             .tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca)},
                            std::move(services));
}

std::string EndpointFromFlags(const rpc::Server& server) {
  std::string endpoint = absl::GetFlag(FLAGS_endpoint);
  if (!endpoint.empty()) return endpoint;
  std::string listen = absl::GetFlag(FLAGS_listen);
  return absl::StrCat(listen.substr(0, listen.rfind(':')), ":", server.port());
}

}  // namespace vanguard
