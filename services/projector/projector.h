// The projector: follows the log and applies it to the views, on a thread of
// its own, from the positions the views recorded.
//
//   ASSIGN_OR_RETURN(auto views, views::ViewStore::Open({...}));
//   ASSIGN_OR_RETURN(auto projector, Projector::Start(*log, *views));
//   projector->WaitCaughtUp(absl::Now() + absl::Seconds(30));  // readiness
//   ...
//   projector->Stop();  // or the destructor
//
// A transient log error (UNAVAILABLE) is retried with backoff; anything else
// stops the projector, and status() says why. Every projector replica builds
// the complete view set from its own positions: there is no consumer group.
//
// Thread safety: all methods may be called from any thread; the log and the
// views must outlive the projector.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/views/view_store.h"

namespace vanguard::projector {

struct ProjectorOptions {
  // Records applied per WriteBatch at most.
  size_t max_batch = 10'000;
  // How long one poll of the log waits for new records.
  absl::Duration poll_wait = absl::Milliseconds(100);
};

class Projector {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Projector>> Start(
      eventlog::EventLog& log, views::ViewStore& views, ProjectorOptions options = {});
  ~Projector();

  // Stops consuming; what was applied stays applied.
  void Stop();
  // OK while running (or stopped on request); the error that stopped it otherwise.
  absl::Status status() const;
  // Waits until the views have applied everything the log held when called.
  // False on a deadline, or when the projector stopped on an error.
  bool WaitCaughtUp(absl::Time deadline) const;

 private:
  Projector(eventlog::EventLog& log, views::ViewStore& views, ProjectorOptions options)
      : log_(log), views_(views), options_(options) {}
  void Run();
  void Fail(absl::Status status);

  eventlog::EventLog& log_;
  views::ViewStore& views_;
  const ProjectorOptions options_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace vanguard::projector
