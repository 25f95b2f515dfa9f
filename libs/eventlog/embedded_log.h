// The embedded event log: RocksDB in this process, the default backend.
//
// Same partitions, dense offsets and positions as the Kafka log, for one
// machine. An Append returns only after a synced write-ahead-log write, so a
// process killed with SIGKILL (or a power cut) loses nothing acknowledged.
// Concurrent appenders are gathered into one synced WriteBatch (group commit):
// one caller writes for everyone waiting, which is how throughput passes the
// fsync wall. RocksDB allows one writing process per directory, so the log is
// shared within a process only; multi-process deployments use Kafka.
//
//   ASSIGN_OR_RETURN(auto log, OpenEmbeddedLog({.path = "/var/lib/vanguard/log"}));
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_log.h"

namespace vanguard::eventlog {

struct EmbeddedLogOptions {
  std::string path;  // a directory; created when missing
  // Fixed when the log is created; opening an existing log with another count
  // fails with FAILED_PRECONDITION.
  int32_t partitions = kDefaultPartitions;
};

absl::StatusOr<std::unique_ptr<EventLog>> OpenEmbeddedLog(const EmbeddedLogOptions& options);

namespace internal {
// Tampers with a stored record, as an intruder with the disk would: flips one
// byte inside its sealed envelope, where only the hash chain can tell. For
// tests of verification; the log must not be open.
absl::Status FlipStoredByteForTesting(const std::string& path, int32_t partition, int64_t offset);
}  // namespace internal

}  // namespace vanguard::eventlog
