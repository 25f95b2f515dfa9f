#include "services/vanguard/server_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include <iostream>

ABSL_FLAG(std::string, listen, "127.0.0.1:7400", "Address the gRPC services listen on");
ABSL_FLAG(std::string, endpoint, "",
          "Where clients reach this process, named in partition claims (default: the listen "
          "address with the bound port)");
ABSL_FLAG(std::string, tokens_file, "",
          "Bearer tokens: one '<sha256-hex> <principal> <roles> <organisation>' per line");
ABSL_FLAG(std::string, tls_cert, "", "Server certificate (PEM); TLS is required off loopback");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "", "CA of client certificates (mTLS identities)");
ABSL_FLAG(std::string, metrics_listen, "",
          "Where Prometheus scrapes /metrics (host:port; port 0 picks one); empty: off");

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
    std::vector<grpc::Service*> services, metrics::Metrics& metrics) {
  return rpc::Server::Start({.listen_address = absl::GetFlag(FLAGS_listen),
                             .tls_cert_file = absl::GetFlag(FLAGS_tls_cert),
                             .tls_key_file = absl::GetFlag(FLAGS_tls_key),
                             .tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca),
                             .interceptors = metrics.RpcInterceptors()},
                            std::move(services));
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

std::string EndpointFromFlags(const rpc::Server& server) {
  std::string endpoint = absl::GetFlag(FLAGS_endpoint);
  if (!endpoint.empty()) return endpoint;
  std::string listen = absl::GetFlag(FLAGS_listen);
  return absl::StrCat(listen.substr(0, listen.rfind(':')), ":", server.port());
}

}  // namespace vanguard
