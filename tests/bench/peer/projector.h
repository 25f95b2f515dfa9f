// The roll-up projector of the PostgreSQL peer: a thread that polls the
// events table in position order and, in one transaction with its
// checkpoint, adds each event to the counters of the organisation concerned
// and of every ancestor: rollup(org_id, figure) for pledges_made,
// pledges_approved, pledges_fulfilled and funds_received_fen.
//
// Why it does not simply read `position > checkpoint`: a bigserial position
// is drawn when a row is inserted, not when it commits, so a writer may
// commit position 11 while position 10 is still in flight; a reader that
// moved its checkpoint past 11 would never see 10. The projector therefore
// reads only up to a safe position, below which every transaction that drew a
// position has ended (see SafePosition in projector.cc).
//
// Thread safety: the positions may be read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "tests/bench/peer/connection.h"

namespace vanguard::bench::pg {

class Projector {
 public:
  // Connects and starts the thread, from the stored checkpoint.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Projector>> Start(
      const std::string& conninfo);
  ~Projector();  // stops the thread

  // Every event at or below this position is in the roll-ups.
  int64_t ProjectedPosition() const { return projected_.load(); }

 private:
  explicit Projector(std::unique_ptr<Connection> db) : db_(std::move(db)) {}
  void Loop();
  // Projects one batch; false when there was nothing to project.
  absl::StatusOr<bool> Step();
  absl::StatusOr<int64_t> SafePosition();

  std::unique_ptr<Connection> db_;
  std::atomic<int64_t> projected_{0};
  // A position not yet known safe, and a transaction id drawn after it.
  int64_t safe_ = 0;
  int64_t fence_position_ = 0;
  int64_t fence_xid_ = 0;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace vanguard::bench::pg
