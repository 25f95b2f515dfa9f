// The hash chain: every event is sealed to its aggregate's previous one.
//
// A record's value is a vanguard.v1.Sealed { envelope, prev_hash, hash } where
// hash = SHA-256(prev_hash ‖ envelope) over the envelope's bytes exactly as
// stored (protobuf serialization is not canonical, so stored bytes are never
// re-serialized). prev_hash is the hash of the aggregate's previous event, and
// empty for its first. Altering, dropping or inserting an event breaks the
// chain of its aggregate at that point, and VerifyLog names where.
//
//   ASSIGN_OR_RETURN(SealedRecord sealed, Seal(envelope, head.hash, "/vanguard/command"));
//   ASSIGN_OR_RETURN(auto positions, log.Append({&sealed.record, 1}, deadline));
//   head.hash = sealed.hash;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/event_log.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::eventlog {

inline constexpr size_t kHashBytes = 32;

// SHA-256(prev_hash ‖ envelope_bytes).
std::string ChainHash(std::string_view prev_hash, std::string_view envelope_bytes);

struct SealedRecord {
  Record record;     // key = aggregate id; value = the serialized Sealed
  std::string hash;  // the new head hash of the aggregate
};

// Serializes `envelope` once and seals it after `prev_hash`. `source` is the
// writer's CloudEvents source, e.g. "/vanguard/command". Fails with
// INVALID_ARGUMENT when the envelope lacks its event id, aggregate id, version
// or event type, or when prev_hash is neither empty nor 32 bytes.
absl::StatusOr<SealedRecord> Seal(const v1::Envelope& envelope, std::string_view prev_hash,
                                  std::string_view source);

// A point where the chain does not hold.
struct ChainBreak {
  Position position;
  std::string aggregate_id;  // the record's key where the envelope is unreadable
  int64_t version = 0;       // 0 where the envelope is unreadable
  std::string reason;
};

// Checks records one at a time with the acceptance rule (acceptance.h); the
// records of each partition must come in offset order (an aggregate lives in
// one partition). A record that is not accepted does not become its
// aggregate's head, so every later event of that aggregate is reported too.
class ChainVerifier {
 public:
  explicit ChainVerifier(int32_t partition_count) : partition_count_(partition_count) {}
  std::optional<ChainBreak> Check(const StoredRecord& record);

 private:
  int32_t partition_count_;
  absl::flat_hash_map<std::string, AggregateHead> heads_;
  absl::flat_hash_map<int32_t, int64_t> epochs_;  // latest accepted claim per partition
};

struct VerifyReport {
  int64_t records = 0;
  std::vector<ChainBreak> breaks;  // in (partition, offset) order; the first is breaks.front()
};

// Walks every partition of `log` from offset 0 to its current end.
absl::StatusOr<VerifyReport> VerifyLog(EventLog& log, absl::Time deadline);

}  // namespace vanguard::eventlog
