// The write side's state store: a projection of the log kept in RocksDB.
//
// For every aggregate it keeps the accepted events (the stored envelope bytes)
// and the head (version, hash); for every (aggregate, request id) the position
// and fingerprint of the command's events, so retries are answered from it;
// for every partition the latest accepted claim, the position applied so far,
// and the records rejected by the acceptance rule with their reasons. Records
// of a partition are applied in offset order, each batch in one WriteBatch
// together with the new position, so a crash neither loses nor doubles an
// application. Everything here can be rebuilt by applying the log from zero.
//
//   ASSIGN_OR_RETURN(auto store, StateStore::Open({.path = dir, .log_id = log.log_id(),
//                                                  .partitions = 12}));
//   ASSIGN_OR_RETURN(std::vector<AppliedEvent> applied, store->Apply(p, records));
//
// Thread safety: Apply calls for one partition must not overlap; reads may run
// concurrently with anything.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/event_log.h"
#include "vanguard/v1/envelope.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace vanguard::writer {

struct StateStoreOptions {
  std::string path;
  std::string log_id;  // a store built from another log is refused
  int32_t partitions = eventlog::kDefaultPartitions;
  // Tests only: the storage to open on (eventlog::testing::FaultInjectingStorage);
  // null is the local disk.
  rocksdb::Env* env = nullptr;
};

// Where a command's events landed, and what the command was.
struct RequestRecord {
  int32_t partition = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t last_version = 0;  // the aggregate's version after the command
  std::string fingerprint;
};

struct Claim {
  int64_t epoch = 0;  // 0: never claimed
  std::string endpoint;
};

// An event the acceptance rule let in, as Apply reports it.
struct AppliedEvent {
  eventlog::Position position;
  v1::Envelope envelope;
};

class StateStore {
 public:
  static absl::StatusOr<std::unique_ptr<StateStore>> Open(const StateStoreOptions& options);
  virtual ~StateStore() = default;

  // Applies records of `partition` that start exactly at position(partition),
  // returning the accepted ones.
  virtual absl::StatusOr<std::vector<AppliedEvent>> Apply(
      int32_t partition, std::span<const eventlog::StoredRecord> records) = 0;

  // The next offset of `partition` to apply.
  virtual int64_t position(int32_t partition) const = 0;
  virtual eventlog::AggregateHead Head(const std::string& aggregate_id) const = 0;
  // The aggregate's accepted events, by version.
  virtual absl::StatusOr<std::vector<v1::Envelope>> History(
      const std::string& aggregate_id) const = 0;
  virtual std::optional<RequestRecord> FindRequest(const std::string& aggregate_id,
                                                   const std::string& request_id) const = 0;
  virtual Claim LatestClaim(int32_t partition) const = 0;
  // The recorded time of the partition's last accepted event (InfinitePast before any).
  virtual absl::Time LastRecordedAt(int32_t partition) const = 0;
  virtual int64_t rejected_count() const = 0;
};

}  // namespace vanguard::writer
