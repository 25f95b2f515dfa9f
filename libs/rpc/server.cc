#include "libs/rpc/server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"

namespace vanguard::rpc {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The host part of "host:port", "[v6]:port" or a bare host.
std::string HostOf(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  size_t colon = address.rfind(':');
  // More than one colon without brackets is a bare IPv6 address.
  if (colon == std::string::npos || address.find(':') != colon) return address;
  return address.substr(0, colon);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> CredentialsFor(
    const ServerOptions& options) {
  const bool has_cert = !options.tls_cert_file.empty();
  const bool has_key = !options.tls_key_file.empty();
  if (has_cert != has_key) {
    return absl::InvalidArgumentError("tls_cert_file and tls_key_file go together");
  }
  if (!has_cert) {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("tls_client_ca_file needs tls_cert_file and tls_key_file");
    }
    if (!IsLoopbackAddress(options.listen_address) && !options.insecure_listen) {
      return absl::FailedPreconditionError(absl::StrCat("plaintext is allowed on loopback only; ",
                                                        options.listen_address,
                                                        " needs tls_cert_file and tls_key_file"));
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadPem(options.tls_key_file));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(options.tls_cert_file));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls_client_ca_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(options.tls_client_ca_file));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

constexpr char kLivenessService[] = "liveness";

bool IsLoopbackAddress(const std::string& listen_address) {
  std::string host = absl::AsciiStrToLower(HostOf(listen_address));
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    in6_addr loopback = IN6ADDR_LOOPBACK_INIT;
    return std::memcmp(&v6, &loopback, sizeof(v6)) == 0;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      std::vector<grpc::Service*> services) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, CredentialsFor(options));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, credentials, &port);
  builder.SetMaxReceiveMessageSize(options.max_receive_bytes);
  builder.SetMaxSendMessageSize(options.max_send_bytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.interceptors) builder.experimental().SetInterceptorCreators(options.interceptors());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address));
  }
  std::unique_ptr<Server> started(new Server(std::move(server), port));
  if (grpc::HealthCheckServiceInterface* health = started->health()) {
    health->SetServingStatus(kLivenessService, true);
  }
  started->SetReady(options.start_ready);
  return started;
}

void Server::SetReady(bool ready) {
  if (grpc::HealthCheckServiceInterface* health_service = health()) {
    health_service->SetServingStatus("", ready);
  }
}

Server::Server(std::unique_ptr<grpc::Server> server, int port)
    : server_(std::move(server)), port_(port) {}

Server::~Server() { Shutdown(absl::Now()); }

void Server::Shutdown(absl::Time deadline) {
  {
    absl::MutexLock lock(&mutex_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (grpc::HealthCheckServiceInterface* health_service = health()) health_service->Shutdown();
  server_->Shutdown(absl::ToChronoTime(deadline));
}

void Server::Wait() { server_->Wait(); }

grpc::HealthCheckServiceInterface* Server::health() { return server_->GetHealthCheckService(); }

std::shared_ptr<grpc::Channel> Server::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

}  // namespace vanguard::rpc
