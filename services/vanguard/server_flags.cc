#include "services/vanguard/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "libs/log/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7400", "Address the gRPC services listen on");
ABSL_FLAG(std::string, endpoint, "",
          "Where clients reach this process, named in partition claims (default: the listen "
          "address with the bound port)");
ABSL_FLAG(std::string, tokens_file, "",
          "Bearer tokens: one '<sha256-hex> <principal> <roles> <organisation>' per line");
ABSL_FLAG(std::string, tls_cert, "", "Server certificate (PEM); TLS is required off loopback");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "", "CA of client certificates (mTLS identities)");
ABSL_FLAG(bool, insecure_listen, false,
          "Serve plaintext gRPC on a --listen address off loopback, without --tls_cert: only "
          "behind something that encrypts for this process (a service mesh's sidecar); bearer "
          "tokens cross the network in the clear otherwise");
ABSL_FLAG(double, rate_limit_per_principal, 1000,
          "Commands a second each principal may sustain on this process (unary, and each "
          "command of a Submit stream; reads are not counted); more is RESOURCE_EXHAUSTED with "
          "a retry delay. 0: no limit");
ABSL_FLAG(int32_t, rate_burst, 10000,
          "Commands a principal may send at once after being idle (e.g. a spreadsheet's rows "
          "through Submit) before --rate_limit_per_principal applies");
ABSL_FLAG(int64_t, max_commands_per_stream, 1'000'000,
          "Commands one Submit stream takes; a longer stream ends RESOURCE_EXHAUSTED after "
          "answering that many, and the client sends the rest on a new stream");
ABSL_FLAG(int32_t, drain_seconds, 20,
          "On SIGTERM: how long calls in flight may take to finish before they are cancelled");
ABSL_FLAG(std::string, metrics_listen, "",
          "Where Prometheus scrapes /metrics (host:port; port 0 picks one); empty: off");
ABSL_FLAG(std::string, http_listen, "",
          "Where the leaders' dashboard (HTTP, loopback only) listens, e.g. 127.0.0.1:7480; "
          "port 0 picks one; empty: off");
ABSL_FLAG(std::string, http_dir, "",
          "The dashboard's page and ECharts (default: where the build puts them)");

namespace vanguard {

absl::StatusOr<rpc::TokenStore> TokensFromFlags() {
  if (absl::GetFlag(FLAGS_tokens_file).empty()) {
    return absl::InvalidArgumentError(
        "--tokens_file: who may call; one '<sha256-hex of token> <principal> <roles> "
        "<organisation>' per line (`vanguard demo` writes one for its seed principals)");
  }
  return rpc::TokenStore::Load(absl::GetFlag(FLAGS_tokens_file));
}

absl::StatusOr<std::unique_ptr<rpc::RateLimiter>> RateLimiterFromFlags() {
  const double per_second = absl::GetFlag(FLAGS_rate_limit_per_principal);
  const int32_t burst = absl::GetFlag(FLAGS_rate_burst);
  if (!(per_second >= 0) || burst < 1) {
    return absl::InvalidArgumentError(
        "--rate_limit_per_principal must be 0 (no limit) or more, --rate_burst 1 or more");
  }
  if (per_second == 0) return nullptr;
  return std::make_unique<rpc::RateLimiter>(
      rpc::RateLimitOptions{.per_second = per_second, .burst = static_cast<double>(burst)});
}

int64_t MaxCommandsPerStreamFromFlags() {
  return std::max<int64_t>(1, absl::GetFlag(FLAGS_max_commands_per_stream));
}

absl::StatusOr<std::unique_ptr<rpc::Server>> StartServerFromFlags(
    std::vector<grpc::Service*> services, metrics::Metrics& metrics) {
  const rpc::ServerOptions options{.listen_address = absl::GetFlag(FLAGS_listen),
                                   .tls_cert_file = absl::GetFlag(FLAGS_tls_cert),
                                   .tls_key_file = absl::GetFlag(FLAGS_tls_key),
                                   .tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca),
                                   .insecure_listen = absl::GetFlag(FLAGS_insecure_listen),
                                   .start_ready = false,
                                   .interceptors = metrics.RpcInterceptors()};
  auto server = rpc::Server::Start(options, std::move(services));
  if (server.ok() && options.tls_cert_file.empty() &&
      !rpc::IsLoopbackAddress(options.listen_address)) {
    log::Warn("server", "plaintext off loopback (--insecure_listen)",
              {{"listen", options.listen_address}});
  }
  return server;
}

void AddViewGauges(metrics::Metrics& metrics, const views::ViewStore& views,
                   eventlog::EventLog& log) {
  metrics.AddGauge("vanguard_views_parked_aggregates",
                   "Aggregates whose events wait because the views cannot apply them", {},
                   [&views] { return static_cast<double>(views.parked_count()); });
  metrics.AddGauge("vanguard_views_rejected_records",
                   "Records the acceptance rule rejected", {},
                   [&views] { return static_cast<double>(views.rejected_count()); });
  metrics.AddGauge("vanguard_projector_applied_events",
                   "Events the projector applied since the process started", {},
                   [&views] { return static_cast<double>(views.applied_count()); });
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    metrics::Labels partition = {{"partition", absl::StrCat(p)}};
    metrics.AddGauge("vanguard_views_position", "Next offset of the partition the views apply",
                     partition, [&views, p] { return static_cast<double>(views.positions()[p]); });
    metrics.AddGauge("vanguard_projector_lag_records",
                     "Records of the partition the views have not applied yet", partition,
                     [&views, &log, p] {
                       // Short: a scrape must answer even while the broker does not.
                       absl::StatusOr<int64_t> end =
                           log.EndOffset(p, absl::Now() + absl::Milliseconds(200));
                       return end.ok() ? static_cast<double>(*end - views.positions()[p]) : -1.0;
                     });
  }
}

absl::Status ServeMetricsFromFlags(metrics::Metrics& metrics) {
  std::string listen = absl::GetFlag(FLAGS_metrics_listen);
  if (listen.empty()) return absl::OkStatus();
  absl::StatusOr<int> port = metrics.Serve(listen);
  if (!port.ok()) return port.status();
  std::cout << "metrics " << listen.substr(0, listen.rfind(':')) << ":" << *port << std::endl;
  return absl::OkStatus();
}

void AddStoreGauges(metrics::Metrics& metrics,
                    const std::vector<std::pair<std::string, std::string>>& stores) {
  for (const auto& [store, dir] : stores) {
    metrics.AddGauge("vanguard_store_bytes", "Bytes on disk of a RocksDB store of this process",
                     {{"store", store}}, [dir = dir] {
                       std::error_code error;
                       uintmax_t bytes = 0;
                       for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
                            !error && it != std::filesystem::recursive_directory_iterator();
                            it.increment(error)) {
                         std::error_code size_error;
                         if (it->is_regular_file(size_error)) {
                           const uintmax_t size = it->file_size(size_error);
                           if (!size_error) bytes += size;
                         }
                       }
                       return static_cast<double>(bytes);
                     });
  }
}

void Drain(rpc::Server& server, const std::string& component, int signal) {
  const absl::Duration grace = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  server.SetReady(false);
  log::Info(component, "draining", {{"signal", absl::StrCat(signal)},
                                    {"grace_seconds", absl::StrCat(absl::ToInt64Seconds(grace))}});
  const absl::Time started = absl::Now();
  server.Shutdown(started + grace);
  log::Info(component, "drained",
            {{"took_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - started))}});
}

absl::StatusOr<std::unique_ptr<dashboard::Dashboard>> StartDashboardFromFlags(
    rpc::Server& server, const rpc::TokenStore& tokens, const std::string& store) {
  std::string listen = absl::GetFlag(FLAGS_http_listen);
  if (listen.empty()) return nullptr;
  dashboard::DashboardOptions options{.listen_address = listen, .store = store};
  if (!absl::GetFlag(FLAGS_http_dir).empty()) options.static_dir = absl::GetFlag(FLAGS_http_dir);
  auto started = dashboard::Dashboard::Start(options, server.InProcessChannel(), tokens);
  if (!started.ok()) return started.status();
  std::cout << "dashboard http://" << listen.substr(0, listen.rfind(':')) << ":"
            << (*started)->port() << "/" << std::endl;
  return started;
}

std::string EndpointFromFlags(const rpc::Server& server) {
  std::string endpoint = absl::GetFlag(FLAGS_endpoint);
  if (!endpoint.empty()) return endpoint;
  std::string listen = absl::GetFlag(FLAGS_listen);
  return absl::StrCat(listen.substr(0, listen.rfind(':')), ":", server.port());
}

}  // namespace vanguard
