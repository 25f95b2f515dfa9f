// The event log: the only source of truth, partitioned like a Kafka topic.
//
// Two backends implement it with one set of promises (the conformance suite in
// event_log_conformance_test.cc holds both to them):
//   - the embedded log (embedded_log.h): RocksDB in this process, the default;
//   - the Kafka log (kafka_log.h): a topic on a Kafka cluster, through librdkafka.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, OpenEmbeddedLog({.path = dir}));
//   ASSIGN_OR_RETURN(Record record, Seal(envelope, head_hash));
//   ASSIGN_OR_RETURN(std::vector<Position> at, log->Append({&record, 1}, deadline));
//   ASSIGN_OR_RETURN(auto reader, log->OpenReader({{at[0].partition, 0}}));
//   ASSIGN_OR_RETURN(std::vector<StoredRecord> got, reader->Poll(100, deadline));
//
// Promises of every backend:
//   - A record goes to the partition of its key (Kafka's murmur2, partitioner.h)
//     unless it names one. Offsets in a partition are dense: 0, 1, 2, ...
//   - Append returns only once every record of the call is durable (synced to
//     disk, or acknowledged by all in-sync replicas). Records of one call that
//     share a partition keep their order (on the embedded log they also get
//     consecutive offsets; on Kafka another producer's records may come between).
//   - A failed Append may still have written some records (a Kafka delivery can
//     be in flight when the deadline passes): its status says so, and the caller
//     must find out by reading back. It never reports success for a record that
//     is not durable.
//   - Append, EndOffset, CommitPositions and CommittedPositions are thread-safe
//     and return by the deadline (UNAVAILABLE when the log cannot be reached).
//   - EndOffset is never passed later by a record of an Append of this log
//     object that already returned: while such records may still be written,
//     it fails with UNAVAILABLE (and so may Append to their partition), so a
//     caller that read back to the end has seen everything it wrote.
//   - A LogReader is used by one thread at a time; the log outlives its readers.
//   - A reader positioned at an offset that is no longer in the log fails with
//     OUT_OF_RANGE; it never skips silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vanguard::eventlog {

inline constexpr std::string_view kDefaultTopic = "vanguard.events.v1";
inline constexpr int32_t kDefaultPartitions = 12;

// The largest value a record may carry: below librdkafka's message.max.bytes
// (1,000,000), which counts the key, headers and framing too.
inline constexpr size_t kMaxRecordValueBytes = 900'000;
inline constexpr size_t kMaxRecordKeyBytes = 1'024;

// The CloudEvents attributes of a record (Kafka binding, binary mode): headers
// ce_specversion, ce_id, ce_type, ce_source, ce_time and content-type, so that
// other consumers can route events without Vanguard's code.
struct CloudEvent {
  std::string id;      // the event id
  std::string type;    // the payload's protobuf name, e.g. "vanguard.v1.PledgeMade"
  std::string source;  // the writer, e.g. "/vanguard/command"
  absl::Time time;     // recorded-at; also the record's timestamp
};

// One record to append.
struct Record {
  std::string key;                   // the aggregate id
  std::optional<int32_t> partition;  // set only where the partition is the subject (OwnerClaimed)
  std::string value;                 // a serialized vanguard.v1.Sealed, stored byte for byte
  CloudEvent cloud_event;
};

struct Position {
  int32_t partition = 0;
  int64_t offset = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

// A record as read back.
struct StoredRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  absl::Time timestamp;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Partition → the next offset to read (or, when committed, the next to apply).
using PositionMap = std::map<int32_t, int64_t>;

class LogReader {
 public:
  virtual ~LogReader() = default;

  // Returns up to `max_records` records, in offset order within each partition,
  // as soon as at least one is available; an empty vector once `deadline`
  // passes with nothing new.
  virtual absl::StatusOr<std::vector<StoredRecord>> Poll(size_t max_records,
                                                         absl::Time deadline) = 0;

  // The next offset this reader will return, per assigned partition.
  virtual PositionMap positions() const = 0;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Names this log (one embedded store, or one topic of one cluster). Positions
  // and tokens carry it, so that they are never applied to another log.
  virtual const std::string& log_id() const = 0;
  virtual int32_t partition_count() const = 0;

  // Appends `records` and returns each one's position, in the same order, once
  // all are durable. Invalid records (empty or oversized key or value, a
  // partition out of range) fail the whole call with INVALID_ARGUMENT before
  // anything is written.
  virtual absl::StatusOr<std::vector<Position>> Append(std::span<const Record> records,
                                                       absl::Time deadline) = 0;

  // A reader of the given partitions, each from the given offset.
  virtual absl::StatusOr<std::unique_ptr<LogReader>> OpenReader(const PositionMap& from) = 0;

  // The offset the next record appended to `partition` will get.
  virtual absl::StatusOr<int64_t> EndOffset(int32_t partition, absl::Time deadline) = 0;

  // Durably records how far `consumer` has got; CommittedPositions returns the
  // latest commit (partitions never committed are absent).
  virtual absl::Status CommitPositions(std::string_view consumer, const PositionMap& positions,
                                       absl::Time deadline) = 0;
  virtual absl::StatusOr<PositionMap> CommittedPositions(std::string_view consumer,
                                                         absl::Time deadline) = 0;
};

// The checks every backend applies to an Append before writing anything.
absl::Status ValidateRecords(std::span<const Record> records, int32_t partition_count);

// The partition a record goes to.
int32_t PartitionOf(const Record& record, int32_t partition_count);

// The CloudEvents headers (binary mode) of a record, as both backends store them.
std::vector<std::pair<std::string, std::string>> CloudEventHeaders(const CloudEvent& event);

}  // namespace vanguard::eventlog
