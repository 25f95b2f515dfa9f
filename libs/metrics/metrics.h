// Prometheus metrics of a Vanguard process, declared in one place and served
// on their own port at /metrics.
//
//   metrics::Metrics metrics;
//   rpc::Server::Start({..., .interceptors = metrics.RpcInterceptors()}, services);
//   metrics.AddGauge("vanguard_views_parked_aggregates", "...", {}, [&] { return ...; });
//   ASSIGN_OR_RETURN(int port, metrics.Serve("127.0.0.1:9400"));
//
// Per RPC: vanguard_rpc_calls_total{method,code} and
// vanguard_rpc_duration_seconds{method} (a histogram); per append to the
// log, vanguard_log_append_seconds and vanguard_log_appended_records_total. Gauges are functions
// read at scrape time, so they never go stale. No label carries an aggregate
// id: cardinality stays bounded.
//
// Thread safety: everything may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace vanguard::metrics {

using Labels = std::map<std::string, std::string>;

class Metrics {
 public:
  Metrics();
  ~Metrics();

  void RecordCall(const std::string& method, grpc::StatusCode code, absl::Duration took);
  // One append to the event log: vanguard_log_append_seconds and
  // vanguard_log_appended_records_total.
  void RecordAppend(size_t records, absl::Duration took);

  // A gauge whose value `read` gives at each scrape.
  void AddGauge(const std::string& name, const std::string& help, const Labels& labels,
                std::function<double()> read);

  // For rpc::ServerOptions::interceptors: counts and times every call.
  std::function<std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()>
  RpcInterceptors();

  // The text exposition, as /metrics serves it.
  std::string Text() const;

  // Serves /metrics on `listen` (host:port; port 0 picks one) and returns the port.
  absl::StatusOr<int> Serve(const std::string& listen);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vanguard::metrics
