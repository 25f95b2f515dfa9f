#include "libs/eventlog/acceptance.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/partitioner.h"
#include "libs/eventlog/testing.h"

namespace vanguard::eventlog {
namespace {

using ::testing::HasSubstr;

constexpr int32_t kCount = 12;  // the log's partitions

StoredRecord Stored(const SealedRecord& sealed, int32_t partition) {
  return {
      .partition = partition, .offset = 0, .key = sealed.record.key, .value = sealed.record.value};
}

// In the partition its key belongs to, as a writer places it.
StoredRecord Home(const SealedRecord& sealed) {
  return Stored(sealed, Murmur2Partition(sealed.record.key, kCount));
}

SealedRecord Event(const std::string& aggregate, int64_t version, int64_t epoch,
                   const std::string& prev_hash = "") {
  v1::Envelope e = testing::SampleEnvelope(aggregate, version);
  e.set_claim_epoch(epoch);
  return *Seal(e, prev_hash, "/t");
}

SealedRecord Claim(int32_t partition, int64_t epoch, int64_t version = 1,
                   const std::string& prev_hash = "") {
  v1::Envelope e = testing::SampleEnvelope(ClaimAggregateId(partition), version);
  e.set_event_type("vanguard.v1.OwnerClaimed");
  e.set_claim_epoch(epoch);
  auto* claim = e.mutable_owner_claimed();
  claim->set_partition(partition);
  claim->set_endpoint("10.0.0.1:7000");
  claim->set_epoch(epoch);
  return *Seal(e, prev_hash, "/t");
}

TEST(AcceptTest, AcceptsTheNextEventUnderTheLatestClaim) {
  SealedRecord first = Event("pledge-1", 1, 3);
  Judgement j = Accept(Home(first), {}, 3, kCount);
  EXPECT_TRUE(j.accepted) << j.reason;
  EXPECT_EQ(j.hash, first.hash);
  EXPECT_EQ(j.envelope.aggregate_version(), 1);
  EXPECT_TRUE(
      Accept(Home(Event("pledge-1", 2, 3, first.hash)), {1, first.hash}, 3, kCount).accepted);
}

TEST(AcceptTest, RejectsAnEventOfAnOlderOrNewerEpoch) {
  Judgement stale = Accept(Home(Event("pledge-1", 1, 2)), {}, 3, kCount);
  EXPECT_FALSE(stale.accepted);
  EXPECT_THAT(stale.reason, HasSubstr("claim epoch 2"));
  EXPECT_FALSE(Accept(Home(Event("pledge-1", 1, 4)), {}, 3, kCount).accepted);
}

TEST(AcceptTest, RejectsAVersionOrPrevHashThatIsNotTheHeads) {
  SealedRecord first = Event("pledge-1", 1, 0);
  EXPECT_FALSE(Accept(Home(first), {1, first.hash}, 0, kCount).accepted)
      << "a replayed first event";
  SealedRecord forked = Event("pledge-1", 2, 0, std::string(kHashBytes, 'x'));
  Judgement j = Accept(Home(forked), {1, first.hash}, 0, kCount);
  EXPECT_FALSE(j.accepted);
  EXPECT_THAT(j.reason, HasSubstr("prev_hash"));
}

TEST(AcceptTest, AClaimMustRaiseTheEpochOfItsOwnPartition) {
  Judgement first = Accept(Stored(Claim(5, 1), 5), {}, 0, kCount);
  EXPECT_TRUE(first.accepted) << first.reason;
  EXPECT_TRUE(first.is_claim);
  SealedRecord one = Claim(5, 1);
  Judgement same = Accept(Stored(Claim(5, 1, 2, one.hash), 5), {1, one.hash}, 1, kCount);
  EXPECT_FALSE(same.accepted);
  EXPECT_THAT(same.reason, HasSubstr("not above"));
  EXPECT_TRUE(Accept(Stored(Claim(5, 7, 2, one.hash), 5), {1, one.hash}, 1, kCount).accepted);
  Judgement elsewhere = Accept(Stored(Claim(5, 2), 6), {}, 0, kCount);
  EXPECT_FALSE(elsewhere.accepted);
  EXPECT_THAT(elsewhere.reason, HasSubstr("partition"));
}

// A record outside its key's partition (a foreign producer's, placed by
// another partitioner) is rejected by every reader alike, even when its chain
// holds; a claim names its partition itself.
TEST(AcceptTest, RejectsAnEventOutsideItsKeysPartition) {
  SealedRecord first = Event("pledge-1", 1, 0);
  const int32_t home = Murmur2Partition("pledge-1", kCount);
  EXPECT_TRUE(Accept(Stored(first, home), {}, 0, kCount).accepted);
  Judgement elsewhere = Accept(Stored(first, (home + 1) % kCount), {}, 0, kCount);
  EXPECT_FALSE(elsewhere.accepted);
  EXPECT_THAT(elsewhere.reason,
              HasSubstr(absl::StrCat("belongs in partition ", home, " of 12, not in partition ",
                                     (home + 1) % kCount)));
  ChainVerifier verifier(kCount);
  ASSERT_TRUE(verifier.Check(Stored(first, (home + 1) % kCount)).has_value());
}

}  // namespace
}  // namespace vanguard::eventlog
