#include "services/projector/replay.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::projector {
namespace {

// When the record's event was recorded, from its hashed envelope; nullopt for
// a record that is not a readable event (the acceptance rule rejects it).
std::optional<absl::Time> RecordedAt(const eventlog::StoredRecord& record) {
  v1::Sealed sealed;
  v1::Envelope envelope;
  if (!sealed.ParseFromString(record.value) || !envelope.ParseFromString(sealed.envelope()) ||
      !envelope.has_recorded_at()) {
    return std::nullopt;
  }
  return absl::FromUnixSeconds(envelope.recorded_at().seconds()) +
         absl::Nanoseconds(envelope.recorded_at().nanos());
}

}  // namespace

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
      for (; keep < records.size() && records[keep].offset < ends[p]; ++keep) {
        if (!options.as_of) continue;
        std::optional<absl::Time> recorded = RecordedAt(records[keep]);
        if (recorded && *recorded > *options.as_of) {
          cut = true;
          break;
        }
      }
      records.resize(keep);
      if (!records.empty()) {
        RETURN_IF_ERROR(views.Apply(records));
        next = records.back().offset + 1;
        result.records_read += static_cast<int64_t>(records.size());
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
