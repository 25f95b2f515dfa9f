// The flags every serving subcommand shares (--listen, --endpoint,
// --tokens_file, --tls_*), and the server they describe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "grpcpp/impl/service_type.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/rate_limiter.h"
#include "libs/eventlog/event_log.h"
#include "libs/metrics/metrics.h"
#include "libs/rpc/server.h"
#include "libs/views/view_store.h"
#include "services/dashboard/dashboard.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, endpoint);
ABSL_DECLARE_FLAG(std::string, tokens_file);

namespace vanguard {

// Reads --tokens_file; INVALID_ARGUMENT saying what it is when not given.
absl::StatusOr<rpc::TokenStore> TokensFromFlags();
// The per-principal command rate limit of --rate_limit_per_principal and
// --rate_burst; nullptr when the limit is off (0). INVALID_ARGUMENT for a
// negative rate or a burst below 1.
absl::StatusOr<std::unique_ptr<rpc::RateLimiter>> RateLimiterFromFlags();
// --max_commands_per_stream (at least 1).
int64_t MaxCommandsPerStreamFromFlags();
// Starts `services` on --listen, with TLS when --tls_cert and --tls_key are
// given, every call counted and timed in `metrics`; not ready (health "")
// until the process calls SetReady(true).
absl::StatusOr<std::unique_ptr<rpc::Server>> StartServerFromFlags(
    std::vector<grpc::Service*> services, metrics::Metrics& metrics);

// Adds the views' gauges (parked, rejected, applied, per-partition position
// and lag behind `log`) to `metrics`; both must outlive it.
void AddViewGauges(metrics::Metrics& metrics, const views::ViewStore& views,
                   eventlog::EventLog& log);

// Serves /metrics on --metrics_listen when it is set, and prints
// "metrics HOST:PORT" as the next line of stdout.
absl::Status ServeMetricsFromFlags(metrics::Metrics& metrics);
// Gauges vanguard_store_bytes{store} of the named directories, read at scrape time.
void AddStoreGauges(metrics::Metrics& metrics,
                    const std::vector<std::pair<std::string, std::string>>& stores);

// The end of a serving process: readiness goes false, calls in flight get
// --drain_seconds to finish, the rest are cancelled.
void Drain(rpc::Server& server, const std::string& component, int signal);

// The leaders' dashboard on --http_listen, reading `server`'s ViewService
// in-process as the browser's principal, and prints "dashboard
// http://HOST:PORT/" as the next line of stdout; nullptr when --http_listen
// is empty. `store` is what the page says the views are ("live", "replay").
absl::StatusOr<std::unique_ptr<dashboard::Dashboard>> StartDashboardFromFlags(
    rpc::Server& server, const rpc::TokenStore& tokens, const std::string& store);

// Where clients reach `server`: --endpoint, else --listen's host with the bound port.
std::string EndpointFromFlags(const rpc::Server& server);

}  // namespace vanguard
