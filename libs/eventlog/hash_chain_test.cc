#include "libs/eventlog/hash_chain.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"

namespace vanguard::eventlog {
namespace {

using ::testing::HasSubstr;
using testing::SampleChain;
using testing::SampleEnvelope;

StoredRecord AsStored(const Record& record, int64_t offset) {
  return {.partition = 0, .offset = offset, .key = record.key, .value = record.value};
}

TEST(ChainHashTest, IsSha256OfPrevHashThenEnvelope) {
  // SHA-256("abc"), split between the two inputs.
  EXPECT_EQ(absl::BytesToHexString(ChainHash("a", "bc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ChainHash("", "abc"), ChainHash("ab", "c"));
}

TEST(SealTest, SealsTheStoredBytesAfterThePreviousHash) {
  std::vector<SealedRecord> chain = SampleChain("org-tree", 2);
  v1::Sealed first, second;
  ASSERT_TRUE(first.ParseFromString(chain[0].record.value));
  ASSERT_TRUE(second.ParseFromString(chain[1].record.value));
  EXPECT_EQ(first.prev_hash(), "");
  EXPECT_EQ(first.hash(), ChainHash("", first.envelope()));
  EXPECT_EQ(second.prev_hash(), first.hash());
  EXPECT_EQ(second.hash(), ChainHash(first.hash(), second.envelope()));
  EXPECT_EQ(chain[1].hash, second.hash());
  EXPECT_EQ(chain[0].record.key, "org-tree");
  EXPECT_EQ(chain[0].record.cloud_event.type, "vanguard.v1.OrganisationRegistered");
}

TEST(SealTest, RefusesIncompleteEnvelopesAndMalformedHashes) {
  v1::Envelope no_id = SampleEnvelope("org-tree", 1);
  no_id.clear_event_id();
  EXPECT_THAT(Seal(no_id, "", "/t").status().message(), HasSubstr("event_id"));
  v1::Envelope no_version = SampleEnvelope("org-tree", 1);
  no_version.set_aggregate_version(0);
  EXPECT_THAT(Seal(no_version, "", "/t").status().message(), HasSubstr("aggregate_version"));
  v1::Envelope no_aggregate = SampleEnvelope("org-tree", 1);
  no_aggregate.clear_aggregate_id();
  EXPECT_THAT(Seal(no_aggregate, "", "/t").status().message(), HasSubstr("aggregate_id"));
  EXPECT_EQ(Seal(SampleEnvelope("org-tree", 2), "short", "/t").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ChainVerifierTest, AcceptsAnIntactChain) {
  ChainVerifier verifier(1);  // AsStored puts every record in partition 0
  std::vector<SealedRecord> chain = SampleChain("pledge-1", 5);
  for (size_t i = 0; i < chain.size(); ++i) {
    EXPECT_EQ(verifier.Check(AsStored(chain[i].record, i)), std::nullopt);
  }
}

TEST(ChainVerifierTest, NamesAFlippedByte) {
  std::vector<SealedRecord> chain = SampleChain("pledge-1", 3);
  StoredRecord tampered = AsStored(chain[1].record, 1);
  v1::Sealed sealed;
  ASSERT_TRUE(sealed.ParseFromString(tampered.value));
  std::string envelope = sealed.envelope();
  envelope[envelope.size() - 3] ^= 0x01;  // inside the village's name
  sealed.set_envelope(envelope);
  tampered.value = sealed.SerializeAsString();

  ChainVerifier verifier(1);  // AsStored puts every record in partition 0
  EXPECT_EQ(verifier.Check(AsStored(chain[0].record, 0)), std::nullopt);
  auto broken = verifier.Check(tampered);
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->position.offset, 1);
  EXPECT_EQ(broken->aggregate_id, "pledge-1");
  EXPECT_THAT(broken->reason, HasSubstr("altered"));
}

TEST(ChainVerifierTest, NamesAMissingEventAndAForgedPrevHash) {
  std::vector<SealedRecord> chain = SampleChain("pledge-1", 3);
  ChainVerifier dropped(1);
  EXPECT_EQ(dropped.Check(AsStored(chain[0].record, 0)), std::nullopt);
  auto gap = dropped.Check(AsStored(chain[2].record, 1));
  ASSERT_TRUE(gap.has_value());
  EXPECT_EQ(gap->version, 3);
  EXPECT_THAT(gap->reason, HasSubstr("version 3 follows version 1"));

  // A forger who re-hashes correctly still cannot name the real head.
  auto forged = Seal(SampleEnvelope("pledge-1", 2, "伪造"), std::string(kHashBytes, 'f'), "/evil");
  ASSERT_TRUE(forged.ok());
  ChainVerifier verifier(1);  // AsStored puts every record in partition 0
  EXPECT_EQ(verifier.Check(AsStored(chain[0].record, 0)), std::nullopt);
  auto broken = verifier.Check(AsStored(forged->record, 1));
  ASSERT_TRUE(broken.has_value());
  EXPECT_THAT(broken->reason, HasSubstr("prev_hash"));
  // The genuine second event still chains: the forgery never became the head.
  EXPECT_EQ(verifier.Check(AsStored(chain[1].record, 2)), std::nullopt);
}

TEST(ChainVerifierTest, NamesGarbageAndAKeyThatLies) {
  ChainVerifier verifier(1);  // AsStored puts every record in partition 0
  auto garbage = verifier.Check({.partition = 2, .offset = 9, .key = "x", .value = "\xff\xff"});
  ASSERT_TRUE(garbage.has_value());
  EXPECT_EQ(garbage->position, (Position{2, 9}));
  std::vector<SealedRecord> chain = SampleChain("pledge-1", 1);
  StoredRecord moved = AsStored(chain[0].record, 0);
  moved.key = "pledge-2";
  auto lie = verifier.Check(moved);
  ASSERT_TRUE(lie.has_value());
  EXPECT_THAT(lie->reason, HasSubstr("key"));
}

TEST(VerifyLogTest, WalksEveryPartitionAndReportsEachBreakInOrder) {
  testing::ScopedTempDir dir;
  auto log = OpenEmbeddedLog({.path = dir.path(), .partitions = 4});
  ASSERT_TRUE(log.ok()) << log.status();
  for (const char* aggregate : {"pledge-1", "pledge-2", "member-9", "org-tree"}) {
    for (const SealedRecord& sealed : SampleChain(aggregate, 4)) {
      ASSERT_TRUE((*log)->Append({&sealed.record, 1}, absl::InfiniteFuture()).ok());
    }
  }
  auto clean = VerifyLog(**log, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->records, 16);
  EXPECT_TRUE(clean->breaks.empty());

  auto forged = Seal(SampleEnvelope("member-9", 5), std::string(kHashBytes, 0), "/evil");
  ASSERT_TRUE(forged.ok());
  auto at = (*log)->Append({&forged->record, 1}, absl::InfiniteFuture());
  ASSERT_TRUE(at.ok());
  auto report = VerifyLog(**log, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->records, 17);
  ASSERT_EQ(report->breaks.size(), 1u);
  EXPECT_EQ(report->breaks[0].position, at->front());
  EXPECT_EQ(report->breaks[0].aggregate_id, "member-9");
  EXPECT_EQ(report->breaks[0].version, 5);
}

}  // namespace
}  // namespace vanguard::eventlog
