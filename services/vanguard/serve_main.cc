// `vanguard serve`: everything in one process on one port and one data
// directory — the command services writing to the log, the projector
// following it into the views, the ViewService and the AuditService — on the
// embedded log by default, or on Kafka with --log kafka --brokers ...
// SIGTERM (or SIGINT) drains in-flight calls, stops the projector after what
// it applied, closes the stores and exits 0.
#include <atomic>
#include <iostream>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/views/view_store.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/audit/audit_service.h"
#include "services/command/command_services.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/ownership.h"
#include "services/vanguard/server_flags.h"
#include "services/vanguard/stores.h"
#include "services/vanguard/subcommands.h"

namespace vanguard {
namespace {

int Fail(const absl::Status& status) {
  log::Error("serve", "stopped", {{"error", status.ToString()}});
  return 1;
}

}  // namespace

int RunServe(const SignalWaiter& wait_for_signal) {
  auto tokens = TokensFromFlags();
  if (!tokens.ok()) return Fail(tokens.status());
  auto log = OpenLogFromFlags();
  if (!log.ok()) return Fail(log.status());
  auto views = OpenViewsFromFlags(**log);
  if (!views.ok()) return Fail(views.status());
  metrics::Metrics metrics;
  auto writer = StartWriterFromFlags(
      **log, {.ownership = writer::WriterOptions::Ownership::kNone,
              .on_append = [&metrics](size_t records, absl::Duration took) {
                metrics.RecordAppend(records, took);
              }});
  if (!writer.ok()) return Fail(writer.status());
  auto projector = projector::Projector::Start(**log, **views);
  if (!projector.ok()) return Fail(projector.status());

  auto limiter = RateLimiterFromFlags();
  if (!limiter.ok()) return Fail(limiter.status());
  auto keys = OpenKeysFromFlags();
  if (!keys.ok()) return Fail(keys.status());
  command::CommandServices commands(writer->writer.get(), &*tokens,
                                    {.rate_limiter = limiter->get(),
                                     .max_commands_per_stream = MaxCommandsPerStreamFromFlags()},
                                    keys->get());
  query::ViewServiceImpl queries(**views, *tokens);
  queries.set_key_store(keys->get());
  audit::AuditServiceImpl audit(**log, *tokens, views->get());
  audit.set_key_store(keys->get());
  std::vector<grpc::Service*> services = commands.services();
  services.push_back(&queries);
  services.push_back(&audit);
  AddViewGauges(metrics, **views, **log);
  AddStoreGauges(metrics, {{"views", ViewsDirFromFlags()},
                           {"state", absl::GetFlag(FLAGS_data_dir) + "/state"},
                           {"keys", KeysDirFromFlags()},
                           {"log", absl::GetFlag(FLAGS_data_dir) + "/log"}});
  auto server = StartServerFromFlags(services, metrics);
  if (!server.ok()) return Fail(server.status());
  std::string endpoint = EndpointFromFlags(**server);
  writer->writer->set_endpoint(endpoint);
  auto membership = TakeOwnership(**log, *writer->writer);
  if (!membership.ok()) return Fail(membership.status());

  // The first line of stdout is the address, for scripts and tests; the
  // metrics' address follows when they are on.
  std::cout << endpoint << std::endl;
  if (absl::Status served = ServeMetricsFromFlags(metrics); !served.ok()) return Fail(served);
  auto dashboard = StartDashboardFromFlags(**server, *tokens, "live");
  if (!dashboard.ok()) return Fail(dashboard.status());
  log::Info("serve", "serving commands, views and audit",
            {{"endpoint", endpoint}, {"log_id", (*log)->log_id()},
             {"data_dir", absl::GetFlag(FLAGS_data_dir)}});
  // Ready once the writer owns its partitions (above) and the views have
  // caught up with the log as it was; not ready again while draining.
  std::atomic<bool> stopping{false};
  std::thread readiness([&] {
    while (!stopping && !(*projector)->WaitCaughtUp(absl::Now() + absl::Milliseconds(500))) {
    }
    if (stopping) return;
    (*server)->SetReady(true);
    log::Info("serve", "ready", {{"endpoint", endpoint}});
  });
  int signal = wait_for_signal();
  stopping = true;
  readiness.join();
  Drain(**server, "serve", signal);
  membership->reset();
  (*projector)->Stop();
  if (!(*projector)->status().ok()) return Fail((*projector)->status());
  log::Info("serve", "stopped");
  return 0;
}

}  // namespace vanguard
