#include "services/vanguard/ownership.h"

#include <iostream>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "services/vanguard/log_flags.h"

ABSL_DECLARE_FLAG(std::string, group);
ABSL_DECLARE_FLAG(std::string, instance_id);
ABSL_DECLARE_FLAG(int32_t, session_timeout_ms);

namespace vanguard {

absl::StatusOr<std::unique_ptr<eventlog::GroupMembership>> TakeOwnership(eventlog::EventLog& log,
                                                                         writer::Writer& writer) {
  if (absl::GetFlag(FLAGS_log) != "kafka") {
    std::vector<int32_t> all;
    for (int32_t p = 0; p < log.partition_count(); ++p) all.push_back(p);
    if (absl::Status s = writer.Acquire(all, absl::Now() + absl::Minutes(1)); !s.ok()) return s;
    return nullptr;
  }
  writer::Writer* w = &writer;
  return eventlog::GroupMembership::Join(
      {.brokers = absl::GetFlag(FLAGS_brokers),
       .topic = absl::GetFlag(FLAGS_topic),
       .group_id = absl::GetFlag(FLAGS_group),
       .instance_id = absl::GetFlag(FLAGS_instance_id),
       .session_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_session_timeout_ms))},
      [w](const std::vector<int32_t>& partitions) {
        if (absl::Status s = w->Acquire(partitions, absl::Now() + absl::Seconds(30)); !s.ok()) {
          std::cerr << "vanguard: claiming assigned partitions: " << s << std::endl;
        }
      },
      [w](const std::vector<int32_t>& partitions) { w->Release(partitions); });
}

}  // namespace vanguard
