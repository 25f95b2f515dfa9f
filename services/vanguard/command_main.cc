// `vanguard command`: the command services over gRPC, writing to the log.
//
// On the embedded log the process owns every partition. On Kafka, replicas
// share the partitions through a consumer group; each claims in the log what
// the group assigns it, and answers UNAVAILABLE (naming the owner) for the rest.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/eventlog/group_membership.h"
#include "libs/log/log.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/command/command_services.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/ownership.h"
#include "services/vanguard/server_flags.h"
#include "services/vanguard/stores.h"
#include "services/vanguard/subcommands.h"

ABSL_FLAG(std::string, group, "vanguard-command", "Consumer group the command replicas share");
ABSL_FLAG(std::string, instance_id, "", "Static group membership id (e.g. the pod name)");
ABSL_FLAG(int32_t, session_timeout_ms, 10000,
          "How long a silent replica keeps its partitions before the group moves them");

namespace vanguard {
namespace {

int Fail(const absl::Status& status) {
  log::Error("command", "stopped", {{"error", status.ToString()}});
  return 1;
}

}  // namespace

int RunCommand(const SignalWaiter& wait_for_signal) {
  auto tokens = TokensFromFlags();
  if (!tokens.ok()) return Fail(tokens.status());
  auto log = OpenLogFromFlags();
  if (!log.ok()) return Fail(log.status());
  // Partitions are claimed once the endpoint that claims name is known.
  metrics::Metrics metrics;
  auto writer = StartWriterFromFlags(
      **log, {.ownership = writer::WriterOptions::Ownership::kNone,
              .on_append = [&metrics](size_t records, absl::Duration took) {
                metrics.RecordAppend(records, took);
              }});
  if (!writer.ok()) return Fail(writer.status());
  auto limiter = RateLimiterFromFlags();
  if (!limiter.ok()) return Fail(limiter.status());
  auto keys = OpenKeysFromFlags();
  if (!keys.ok()) return Fail(keys.status());
  command::CommandServices services(writer->writer.get(), &*tokens,
                                    {.rate_limiter = limiter->get(),
                                     .max_commands_per_stream = MaxCommandsPerStreamFromFlags()},
                                    keys->get());
  AddStoreGauges(metrics, {{"state", absl::GetFlag(FLAGS_data_dir) + "/state"}});
  if (absl::GetFlag(FLAGS_log) == "embedded") {
    AddStoreGauges(metrics, {{"log", absl::GetFlag(FLAGS_data_dir) + "/log"}});
  }
  auto server = StartServerFromFlags(services.services(), metrics);
  if (!server.ok()) return Fail(server.status());
  std::string endpoint = EndpointFromFlags(**server);
  writer->writer->set_endpoint(endpoint);

  auto membership = TakeOwnership(**log, *writer->writer);
  if (!membership.ok()) return Fail(membership.status());
  // The first line of stdout is the address, for scripts and tests; the
  // metrics' address follows when they are on.
  std::cout << endpoint << std::endl;
  if (absl::Status served = ServeMetricsFromFlags(metrics); !served.ok()) return Fail(served);
  // Ready once the writer owns what the group gave it.
  (*server)->SetReady(true);
  log::Info("command", "ready", {{"endpoint", endpoint}, {"log_id", (*log)->log_id()}});
  int signal = wait_for_signal();
  Drain(**server, "command", signal);
  membership->reset();
  log::Info("command", "stopped");
  return 0;
}

}  // namespace vanguard
