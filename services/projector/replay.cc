#include "services/projector/replay.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::projector {

absl::StatusOr<ReplayResult> Replay(eventlog::EventLog& log, views::ViewStore& views,
                                    const ReplayOptions& options) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + absl::Hours(24);
  eventlog::PositionMap from = views.positions();
  eventlog::PositionMap ends;
  ReplayProgress progress;
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    ASSIGN_OR_RETURN(ends[p], log.EndOffset(p, deadline));
    if (options.until) {
      auto it = options.until->find(p);
      int64_t until = it == options.until->end() ? 0 : it->second;
      if (until > ends[p]) {
        return absl::InvalidArgumentError(absl::StrCat("replay: partition ", p, " ends at ",
                                                       ends[p], ", before ", until));
      }
      ends[p] = until;
    }
    progress.records_total += std::max<int64_t>(0, ends[p] - from[p]);
  }
  if (options.as_of) views.StopAtFirstRecordedAfter(*options.as_of);
  ReplayResult result;
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    int64_t next = from[p];
    ASSIGN_OR_RETURN(std::unique_ptr<eventlog::LogReader> reader, log.OpenReader({{p, next}}));
    bool cut = false;
    while (next < ends[p] && !cut) {
      ASSIGN_OR_RETURN(std::vector<eventlog::StoredRecord> records,
                       reader->Poll(options.max_batch, absl::Now() + absl::Seconds(30)));
      if (records.empty()) {
        return absl::UnavailableError(absl::StrCat("replay: partition ", p, " stopped at offset ",
                                                   next, " before its end ", ends[p]));
      }
      size_t keep = 0;
      while (keep < records.size() && records[keep].offset < ends[p]) ++keep;
      records.resize(keep);
      if (!records.empty()) {
        RETURN_IF_ERROR(views.Apply(records));
        // The store stops the partition at its first accepted record
        // recorded after as_of (StopAtFirstRecordedAfter).
        const int64_t reached = views.positions()[p];
        cut = reached <= records.back().offset;
        result.records_read += reached - next;
        next = reached;
        progress.records_read = result.records_read;
        progress.elapsed = absl::Now() - start;
        if (options.progress) options.progress(progress);
      }
    }
    result.stopped_at[p] = next;
  }
  return result;
}

}  // namespace vanguard::projector
