#include "libs/eventlog/acceptance.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/partitioner.h"

namespace vanguard::eventlog {

std::string ClaimAggregateId(int32_t partition) { return absl::StrCat("partition-", partition); }

Judgement Accept(const StoredRecord& record, const AggregateHead& head, int64_t partition_epoch,
                 int32_t partition_count) {
  Judgement j;
  auto reject = [&](std::string reason) {
    j.reason = std::move(reason);
    return std::move(j);
  };
  v1::Sealed sealed;
  if (!sealed.ParseFromString(record.value)) return reject("the value is not a sealed record");
  j.hash = sealed.hash();
  j.envelope_bytes = sealed.envelope();
  j.readable = j.envelope.ParseFromString(j.envelope_bytes);
  if (ChainHash(sealed.prev_hash(), sealed.envelope()) != sealed.hash()) {
    return reject("the stored hash is not SHA-256 of prev_hash and the envelope: altered bytes");
  }
  if (!j.readable) return reject("the envelope does not parse");
  const v1::Envelope& e = j.envelope;
  if (e.aggregate_id() != record.key) {
    return reject(
        absl::StrCat("the record's key differs from its aggregate id ", e.aggregate_id()));
  }
  if (!e.has_owner_claimed()) {
    const int32_t home = Murmur2Partition(record.key, partition_count);
    if (home != record.partition) {
      return reject(absl::StrCat("the key belongs in partition ", home, " of ", partition_count,
                                 ", not in partition ", record.partition));
    }
  }
  if (e.aggregate_version() != head.version + 1) {
    return reject(
        absl::StrCat("version ", e.aggregate_version(), " follows version ", head.version));
  }
  if (sealed.prev_hash() != head.hash) {
    return reject(absl::StrCat("prev_hash ", absl::BytesToHexString(sealed.prev_hash()),
                               " is not the hash of version ", head.version));
  }
  if (e.has_owner_claimed()) {
    j.is_claim = true;
    const v1::OwnerClaimed& claim = e.owner_claimed();
    if (claim.partition() != record.partition) {
      return reject(absl::StrCat("a claim of partition ", claim.partition(), " in partition ",
                                 record.partition));
    }
    if (claim.epoch() <= partition_epoch) {
      return reject(absl::StrCat("claim epoch ", claim.epoch(), " is not above the latest ",
                                 partition_epoch));
    }
  } else if (e.claim_epoch() != partition_epoch) {
    return reject(absl::StrCat("written under claim epoch ", e.claim_epoch(),
                               "; the partition's latest claim is ", partition_epoch));
  }
  j.accepted = true;
  return j;
}

}  // namespace vanguard::eventlog
