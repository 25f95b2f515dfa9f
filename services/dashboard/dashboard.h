// The leaders' dashboard on its own HTTP port: the single-page app in
// `static_dir` (index.html, app.js, style.css, echarts.min.js) and the JSON
// API of json_api.h under /api/, served by civetweb.
//
//   ASSIGN_OR_RETURN(auto dashboard,
//                    Dashboard::Start({.listen_address = "127.0.0.1:7480"},
//                                     server->InProcessChannel(), tokens));
//   std::cout << "dashboard http://127.0.0.1:" << dashboard->port() << "/\n";
//
// The page asks for a bearer token and sends it with every API call; the
// ViewService decides what it may read. Plain HTTP carries that token, so
// the dashboard listens on loopback only (FAILED_PRECONDITION otherwise):
// reach it through an SSH tunnel, `kubectl port-forward` or a TLS proxy.
//
// Thread safety: requests are answered on civetweb's threads; the channel's
// server and the tokens must outlive the Dashboard. Destroying it stops the
// server after the requests in flight (each ViewService read has a 10 s
// deadline).
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/rpc/auth.h"
#include "services/dashboard/json_api.h"

struct mg_connection;
struct mg_context;

namespace vanguard::dashboard {

// Where the build puts the page and ECharts (services/dashboard/www in the build tree).
extern const char kDefaultStaticDir[];

struct DashboardOptions {
  // host:port on loopback; port 0 picks a free port (see port()).
  std::string listen_address = "127.0.0.1:0";
  std::string static_dir = kDefaultStaticDir;
  // What the served views are, shown on the page: "live" or "replay".
  std::string store = "live";
};

class Dashboard {
 public:
  // INVALID_ARGUMENT when static_dir has no index.html, FAILED_PRECONDITION
  // off loopback, UNAVAILABLE when the address cannot be bound.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Dashboard>> Start(
      const DashboardOptions& options, std::shared_ptr<grpc::ChannelInterface> views,
      const rpc::TokenStore& tokens);

  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  int port() const { return port_; }

 private:
  Dashboard(std::shared_ptr<grpc::ChannelInterface> views, const rpc::TokenStore& tokens,
            std::string store);
  static int HandleApi(mg_connection* connection, void* self);

  JsonApi api_;
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace vanguard::dashboard
