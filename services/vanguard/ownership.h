// How a writer process comes to own partitions: every partition of the
// embedded log, or on Kafka what the consumer group assigns it (claimed in
// the log as the group moves partitions around).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_log.h"
#include "libs/eventlog/group_membership.h"
#include "libs/writer/writer.h"

namespace vanguard {

// On the embedded log, acquires every partition and returns null; on Kafka,
// joins the writers' group (flags --group, --instance_id,
// --session_timeout_ms) and returns the membership, which releases the
// partitions when destroyed.
absl::StatusOr<std::unique_ptr<eventlog::GroupMembership>> TakeOwnership(eventlog::EventLog& log,
                                                                         writer::Writer& writer);

}  // namespace vanguard
