// The flags every serving subcommand shares (--listen, --endpoint,
// --tokens_file, --tls_*), and the server they describe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "grpcpp/impl/service_type.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, endpoint);
ABSL_DECLARE_FLAG(std::string, tokens_file);

namespace vanguard {

// Reads --tokens_file; INVALID_ARGUMENT saying what it is when not given.
absl::StatusOr<rpc::TokenStore> TokensFromFlags();
// Starts `services` on --listen, with TLS when --tls_cert and --tls_key are given.
absl::StatusOr<std::unique_ptr<rpc::Server>> StartServerFromFlags(
    std::vector<grpc::Service*> services);
// Where clients reach `server`: --endpoint, else --listen's host with the bound port.
std::string EndpointFromFlags(const rpc::Server& server);

}  // namespace vanguard
