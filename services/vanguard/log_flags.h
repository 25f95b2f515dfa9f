// The flags that choose and open the event log, shared by every subcommand.
#pragma once

#include <memory>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "libs/eventlog/event_log.h"

ABSL_DECLARE_FLAG(std::string, log);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(std::string, brokers);
ABSL_DECLARE_FLAG(std::string, topic);
ABSL_DECLARE_FLAG(int32_t, partitions);

namespace vanguard {

// Opens the log that --log names: "embedded" (RocksDB under --data_dir/log) or
// "kafka" (--brokers, --topic).
absl::StatusOr<std::unique_ptr<eventlog::EventLog>> OpenLogFromFlags();

}  // namespace vanguard
