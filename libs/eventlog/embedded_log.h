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
// When the disk fails (full, or an I/O error) the append that meets it fails
// with RESOURCE_EXHAUSTED or UNAVAILABLE naming the cause, and RocksDB refuses
// every later write; so the log reopens its database at once and, while that
// fails, before each later append (until then appends and reads answer
// UNAVAILABLE). A batch whose write failed may have reached the disk anyway
// (its sync failed after the write): after the reopen it is in the log, whole,
// as a failed Kafka append may still have been written; the caller reads back.
// Acknowledged records are never lost: a reopen that finds fewer fails with
// DATA_LOSS.
//
//   ASSIGN_OR_RETURN(auto log, OpenEmbeddedLog({.path = "/var/lib/vanguard/log"}));
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_log.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace vanguard::eventlog {

struct EmbeddedLogOptions {
  std::string path;  // a directory; created when missing
  // Fixed when the log is created; opening an existing log with another count
  // fails with FAILED_PRECONDITION.
  int32_t partitions = kDefaultPartitions;
  // Tests only: the storage to open on (testing::FaultInjectingStorage in
  // storage_faults.h); null is the local disk.
  rocksdb::Env* env = nullptr;
};

absl::StatusOr<std::unique_ptr<EventLog>> OpenEmbeddedLog(const EmbeddedLogOptions& options);

namespace internal {
// Tampers with a stored record, as an intruder with the disk would: flips one
// byte inside its sealed envelope, where only the hash chain can tell. For
// tests of verification; the log must not be open.
absl::Status FlipStoredByteForTesting(const std::string& path, int32_t partition, int64_t offset);
}  // namespace internal

}  // namespace vanguard::eventlog
