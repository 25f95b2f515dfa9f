// Fuzz target: the reader of stored records — the acceptance rule
// (libs/eventlog/acceptance.h) and the chain verifier (hash_chain.h) that the
// state store, the projectors, verify and audit run over every record they
// read. The input is a sequence of records, each
//   byte     flags: bits 1-2 the partition; bit 0 reseals the value (sets its
//            hash to SHA-256 of its prev_hash and envelope, as a writer
//            would), and with it bit 3 first links it to the key's current
//            head, so that the fuzzer gets past the hash to the rules behind it
//   chunk    the key (2-byte length + bytes)
//   chunk    the value: a serialized Sealed, or any bytes
// read in order with dense offsets per partition. The promises: every record
// is judged, never a crash; the verifier breaks exactly where Accept rejects;
// an accepted record holds its hash, its key and the next version of its
// aggregate; a rejection says why.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/domain/schema.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/hash_chain.h"
#include "tests/fuzz/fuzz_input.h"
#include "vanguard/v1/envelope.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vanguard;
  fuzz::FuzzInput in(data, size);
  constexpr int32_t kPartitions = 4;  // partition = flags >> 1 & 3
  eventlog::ChainVerifier verifier(kPartitions);
  std::map<std::string, eventlog::AggregateHead> heads;
  std::map<int32_t, int64_t> epochs;
  std::map<int32_t, int64_t> next_offset;
  while (!in.empty()) {
    const uint8_t flags = in.TakeByte();
    eventlog::StoredRecord record;
    record.partition = flags >> 1 & 3;
    record.offset = next_offset[record.partition]++;
    record.key = std::string(in.TakeChunk());
    record.value = std::string(in.TakeChunk());
    v1::Sealed sealed;
    if ((flags & 1) && sealed.ParseFromString(record.value)) {
      if (flags & 8) sealed.set_prev_hash(heads[record.key].hash);
      sealed.set_hash(eventlog::ChainHash(sealed.prev_hash(), sealed.envelope()));
      record.value = sealed.SerializeAsString();
    }

    const eventlog::AggregateHead head = heads[record.key];
    eventlog::Judgement j = eventlog::Accept(record, head, epochs[record.partition], kPartitions);
    const std::optional<eventlog::ChainBreak> broken = verifier.Check(record);
    FUZZ_CHECK(j.accepted == !broken.has_value(),
               absl::StrCat("Accept and the verifier disagree at offset ", record.offset));
    if (!j.accepted) {
      FUZZ_CHECK(!j.reason.empty() && broken->reason == j.reason, j.reason);
      FUZZ_CHECK(broken->position.partition == record.partition &&
                     broken->position.offset == record.offset,
                 "the break names another position");
      continue;
    }
    FUZZ_CHECK(j.readable, "accepted an unreadable envelope");
    FUZZ_CHECK(sealed.ParseFromString(record.value) &&
                   j.hash == eventlog::ChainHash(sealed.prev_hash(), j.envelope_bytes) &&
                   j.hash.size() == eventlog::kHashBytes && sealed.prev_hash() == head.hash,
               "accepted a record whose chain does not hold");
    FUZZ_CHECK(j.envelope.aggregate_id() == record.key, "accepted under another key");
    FUZZ_CHECK(j.envelope.aggregate_version() == head.version + 1, "accepted out of order");
    heads[record.key] = {j.envelope.aggregate_version(), j.hash};
    if (j.is_claim) {
      FUZZ_CHECK(j.envelope.owner_claimed().epoch() > epochs[record.partition],
                 "accepted a claim that is not newer");
      epochs[record.partition] = j.envelope.owner_claimed().epoch();
    } else {
      FUZZ_CHECK(j.envelope.claim_epoch() == epochs[record.partition],
                 "accepted an event of another claim epoch");
    }
    // Every reader upcasts what it accepted before applying it.
    (void)domain::Upcast(j.envelope);
  }
  return 0;
}
