// `vanguard projector`: follows the log into the per-level views (RocksDB
// under --views_dir) and serves them through the ViewService (gRPC), with the
// AuditService's history read from the log itself. Every replica builds the
// complete view set from its own positions.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/views/view_store.h"
#include "services/audit/audit_service.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/server_flags.h"
#include "services/vanguard/stores.h"
#include "services/vanguard/subcommands.h"

ABSL_FLAG(bool, exit_when_caught_up, false,
          "Apply everything the log holds, print \"digest <sha256>\" of the views and exit");
ABSL_FLAG(int32_t, max_batch, 10000, "Records applied per write at most");
ABSL_FLAG(bool, read_only, false,
          "Serve the views in --views_dir as they are (a replay, a copy) without following a log");

namespace vanguard {
namespace {

int Fail(const absl::Status& status) {
  log::Error("projector", "stopped", {{"error", status.ToString()}});
  return 1;
}

}  // namespace

// Serves a store as it is: a replay (as of an instant), a copy.
int ServeReadOnly(const SignalWaiter& wait_for_signal) {
  auto views = views::ViewStore::Open({.path = ViewsDirFromFlags(), .read_only = true});
  if (!views.ok()) return Fail(views.status());
  auto tokens = TokensFromFlags();
  if (!tokens.ok()) return Fail(tokens.status());
  query::ViewServiceImpl service(**views, *tokens);
  metrics::Metrics metrics;
  auto server = StartServerFromFlags({&service}, metrics);
  if (!server.ok()) return Fail(server.status());
  std::string endpoint = EndpointFromFlags(**server);
  std::cout << endpoint << std::endl;
  auto dashboard = StartDashboardFromFlags(**server, *tokens, "replay");
  if (!dashboard.ok()) return Fail(dashboard.status());
  (*server)->SetReady(true);
  log::Info("projector", "ready: serving read-only views",
            {{"endpoint", endpoint}, {"views_dir", ViewsDirFromFlags()},
             {"log_id", (*views)->log_id()}});
  Drain(**server, "projector", wait_for_signal());
  return 0;
}

int RunProjector(const SignalWaiter& wait_for_signal) {
  if (absl::GetFlag(FLAGS_read_only)) return ServeReadOnly(wait_for_signal);
  auto log = OpenLogFromFlags();
  if (!log.ok()) return Fail(log.status());
  auto views = OpenViewsFromFlags(**log);
  if (!views.ok()) return Fail(views.status());
  auto projector = projector::Projector::Start(
      **log, **views, {.max_batch = static_cast<size_t>(absl::GetFlag(FLAGS_max_batch))});
  if (!projector.ok()) return Fail(projector.status());

  if (absl::GetFlag(FLAGS_exit_when_caught_up)) {
    if (!(*projector)->WaitCaughtUp(absl::Now() + absl::Minutes(30))) {
      return Fail((*projector)->status().ok()
                      ? absl::DeadlineExceededError("the views did not catch up in 30 minutes")
                      : (*projector)->status());
    }
    (*projector)->Stop();
    auto digest = (*views)->Digest();
    if (!digest.ok()) return Fail(digest.status());
    std::cout << "digest " << *digest << std::endl;
    std::cerr << "vanguard projector: caught up; " << (*views)->applied_count()
              << " events applied in this run, " << (*views)->parked_count() << " parked, "
              << (*views)->rejected_count() << " rejected" << std::endl;
    return 0;
  }

  auto tokens = TokensFromFlags();
  if (!tokens.ok()) return Fail(tokens.status());
  auto keys = FollowKeysFromFlags();
  if (!keys.ok()) return Fail(keys.status());
  query::ViewServiceImpl service(**views, *tokens);
  service.set_key_store(keys->get());
  audit::AuditServiceImpl audit(**log, *tokens, views->get());
  audit.set_key_store(keys->get());
  metrics::Metrics metrics;
  AddViewGauges(metrics, **views, **log);
  AddStoreGauges(metrics, {{"views", ViewsDirFromFlags()}});
  auto server = StartServerFromFlags({&service, &audit}, metrics);
  if (!server.ok()) return Fail(server.status());
  std::string endpoint = EndpointFromFlags(**server);
  std::cout << endpoint << std::endl;
  if (absl::Status served = ServeMetricsFromFlags(metrics); !served.ok()) return Fail(served);
  auto dashboard = StartDashboardFromFlags(**server, *tokens, "live");
  if (!dashboard.ok()) return Fail(dashboard.status());
  log::Info("projector", "serving the views and the audit history",
            {{"endpoint", endpoint}, {"log_id", (*log)->log_id()}});
  // A projector that stopped on an error must not leave stale views served
  // as if they were live: the process stops, and its supervisor restarts it.
  // Ready once the views have caught up with the log as it was.
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    bool ready = false;
    while (!done && (*projector)->status().ok()) {
      if (!ready && (*projector)->WaitCaughtUp(absl::Now() + absl::Milliseconds(200))) {
        ready = true;
        (*server)->SetReady(true);
        log::Info("projector", "ready: caught up", {{"endpoint", endpoint}});
      } else {
        absl::SleepFor(absl::Milliseconds(200));
      }
    }
    if (!done) kill(getpid(), SIGTERM);
  });
  int signal = wait_for_signal();
  done = true;
  watcher.join();
  Drain(**server, "projector", signal);
  (*projector)->Stop();
  if (!(*projector)->status().ok()) return Fail((*projector)->status());
  return 0;
}

}  // namespace vanguard
