// Replay: rebuilds the views from offset zero, from the log alone, into a
// store of its own — the whole log, or only what the system had recorded at
// a past instant.
//
//   ASSIGN_OR_RETURN(auto views, views::ViewStore::Open({.path = out, ...}));
//   ASSIGN_OR_RETURN(ReplayResult r, Replay(*log, *views, {.as_of = instant}));
//   ASSIGN_OR_RETURN(std::string digest, views->Digest());
//
// "Recorded at an instant" reads each event's hashed `recorded_at`: in every
// partition, the replay stops at the first accepted event recorded after
// `as_of` (a partition's accepted events are recorded in order by its one
// owner; a rejected record, e.g. of a fenced owner whose clock runs ahead,
// stops nothing), so the views are those of a projector that had read the
// log as it stood then. Records
// appended while the replay runs are left out: it replays the log as it was
// when the replay began. A store that already holds positions is continued.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/views/view_store.h"

namespace vanguard::projector {

struct ReplayProgress {
  int64_t records_read = 0;
  // Records the replay will read at most (the log's end when it began).
  int64_t records_total = 0;
  absl::Duration elapsed;
};

struct ReplayOptions {
  std::optional<absl::Time> as_of;
  // Stop every partition at this offset (default: where the log ends when
  // the replay begins), e.g. at the positions of live views to compare with.
  std::optional<eventlog::PositionMap> until;
  size_t max_batch = 50'000;
  // Called after every applied batch.
  std::function<void(const ReplayProgress&)> progress;
};

struct ReplayResult {
  int64_t records_read = 0;
  // Per partition, where the replay stopped (the end, or the first record
  // recorded after as_of).
  eventlog::PositionMap stopped_at;
};

[[nodiscard]] absl::StatusOr<ReplayResult> Replay(eventlog::EventLog& log, views::ViewStore& views,
                                                  const ReplayOptions& options = {});

}  // namespace vanguard::projector
