// The acceptance rule: the one test every reader of the log applies.
//
// An event is accepted when its hash chain holds, it sits in the partition
// its key belongs to (Murmur2Partition, as Vanguard's writers place it; a
// foreign producer's record placed by another partitioner is rejected by
// every reader alike), its version is the aggregate's head + 1, its prev_hash
// is the head's hash, and its claim epoch is the partition's latest claim.
// An OwnerClaimed record is accepted when its own chain holds and its epoch
// is above the partition's latest claim. Anything else is rejected: recorded
// with the reason, and the reader moves on. The state store, the projectors,
// verify and audit all call Accept(), so every reader agrees on the history
// without coordinating.
//
//   Judgement j = Accept(record, heads[record.key], epochs[record.partition],
//                        log.partition_count());
//   if (j.accepted) { heads[record.key] = {j.envelope.aggregate_version(), j.hash}; ... }
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "libs/eventlog/event_log.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::eventlog {

// The last accepted event of an aggregate; version 0 and an empty hash before its first.
struct AggregateHead {
  int64_t version = 0;
  std::string hash;
};

struct Judgement {
  bool accepted = false;
  std::string reason;     // why it was rejected
  bool readable = false;  // the envelope parsed (envelope is meaningful)
  v1::Envelope envelope;
  std::string envelope_bytes;  // as stored and hashed
  std::string hash;            // the record's hash: the aggregate's new head when accepted
  bool is_claim = false;       // an OwnerClaimed record; envelope.owner_claimed() holds it
};

// `head` is the head of the record's aggregate (its key); `partition_epoch`
// the epoch of the latest accepted claim of the record's partition (0 before
// any); `partition_count` the log's.
Judgement Accept(const StoredRecord& record, const AggregateHead& head, int64_t partition_epoch,
                 int32_t partition_count);

// The aggregate id of the claims of `partition`.
std::string ClaimAggregateId(int32_t partition);

}  // namespace vanguard::eventlog
