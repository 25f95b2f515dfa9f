// A gRPC server with Vanguard's transport rules: TLS (and mTLS when a client
// CA is given) everywhere except loopback, health checking (liveness and
// readiness) and reflection.
//
//   CommandServiceImpl commands(...);
//   ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
//                    Server::Start({.listen_address = "0.0.0.0:8443",
//                                   .tls_cert_file = "server.pem",
//                                   .tls_key_file = "server.key"},
//                                  {&commands}));
//   server->SetReady(true);
//   ...
//   server->Shutdown(absl::Now() + absl::Seconds(10));
//
// Plaintext is refused (FAILED_PRECONDITION) unless the listen address is
// loopback: 127.0.0.0/8, [::1] or localhost, or insecure_listen says so. With tls_client_ca_file set the
// server requests client certificates and verifies any that is presented
// against that CA (a client without one can still use a bearer token); see
// TokenStore for how a certificate maps to a principal.
//
// The registered services must outlive the Server. Shutdown, Wait and
// health may be called from any thread; Shutdown more than once is harmless.
#pragma once

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/codegen/service_type.h>
#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/server_interceptor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vanguard::rpc {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen_address = "127.0.0.1:0";
  // PEM files. Certificate and key together turn TLS on.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA bundle; set, client certificates are requested and verified (mTLS).
  std::string tls_client_ca_file;
  // Plaintext off loopback, for a process behind something that encrypts for
  // it (a service mesh's sidecar). Never the default.
  bool insecure_listen = false;
  // Largest message received: a request, or one command of a stream. A larger
  // one ends the call RESOURCE_EXHAUSTED before any handler sees it. 1 MiB:
  // no command can be larger, since the log takes no record over
  // eventlog::kMaxRecordValueBytes (900,000 bytes).
  int max_receive_bytes = 1 << 20;
  // Largest message sent: what a gRPC client receives by default.
  int max_send_bytes = 4 << 20;
  // Whether the server is ready (health service "" SERVING) once started; a
  // process that must catch up first starts not ready and calls SetReady.
  bool start_ready = true;
  // Interceptors for every call (e.g. metrics::Metrics::RpcInterceptors()).
  std::function<std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()>
      interceptors;
};

// True for 127.0.0.0/8, ::1 and localhost (host part of a host:port address).
bool IsLoopbackAddress(const std::string& listen_address);

class Server {
 public:
  // Builds and starts the server. INVALID_ARGUMENT for inconsistent TLS
  // options, NOT_FOUND for an unreadable PEM file, FAILED_PRECONDITION for
  // plaintext on a non-loopback address, UNAVAILABLE when the address cannot
  // be bound.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, std::vector<grpc::Service*> services);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the one chosen when the address asked for port 0).
  int port() const { return port_; }

  // Marks every service NOT_SERVING, stops accepting calls and cancels the
  // calls still running at `deadline`. Returns once all calls are done.
  void Shutdown(absl::Time deadline);

  // Blocks until the server has shut down.
  void Wait();

  // Health (grpc.health.v1.Health): the service "liveness" is SERVING while
  // the process serves at all (a liveness probe); the overall service "" is
  // SERVING only while the process is ready for traffic (a readiness probe):
  // SetReady(false) before draining.
  void SetReady(bool ready);

  // The standard grpc.health.v1.Health service's state.
  grpc::HealthCheckServiceInterface* health();

  // A channel to this server's services within the process (no socket, no
  // TLS), for a front end in the same process, e.g. the dashboard's HTTP API.
  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  Server(std::unique_ptr<grpc::Server> server, int port);

  std::unique_ptr<grpc::Server> server_;
  int port_;
  absl::Mutex mutex_;
  bool shut_down_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace vanguard::rpc
