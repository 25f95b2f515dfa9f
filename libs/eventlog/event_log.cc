#include "libs/eventlog/event_log.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/eventlog/partitioner.h"

namespace vanguard::eventlog {

absl::Status ValidateRecords(std::span<const Record> records, int32_t partition_count) {
  if (records.empty()) return absl::InvalidArgumentError("records: nothing to append");
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    auto field = [i](const char* name) { return absl::StrCat("records[", i, "].", name); };
    if (r.key.empty()) return absl::InvalidArgumentError(field("key") + ": must not be empty");
    if (r.key.size() > kMaxRecordKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          field("key"), ": ", r.key.size(), " bytes exceeds the limit of ", kMaxRecordKeyBytes));
    }
    if (r.value.empty()) return absl::InvalidArgumentError(field("value") + ": must not be empty");
    if (r.value.size() > kMaxRecordValueBytes) {
      return absl::InvalidArgumentError(absl::StrCat(field("value"), ": ", r.value.size(),
                                                     " bytes exceeds the limit of ",
                                                     kMaxRecordValueBytes));
    }
    if (r.partition && (*r.partition < 0 || *r.partition >= partition_count)) {
      return absl::InvalidArgumentError(absl::StrCat(field("partition"), ": ", *r.partition,
                                                     " is not in [0, ", partition_count, ")"));
    }
  }
  return absl::OkStatus();
}

int32_t PartitionOf(const Record& record, int32_t partition_count) {
  return record.partition ? *record.partition : Murmur2Partition(record.key, partition_count);
}

std::vector<std::pair<std::string, std::string>> CloudEventHeaders(const CloudEvent& event) {
  return {
      {"ce_specversion", "1.0"},
      {"ce_id", event.id},
      {"ce_type", event.type},
      {"ce_source", event.source},
      {"ce_time", absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", event.time, absl::UTCTimeZone())},
      {"content-type", "application/protobuf"},
  };
}

}  // namespace vanguard::eventlog
