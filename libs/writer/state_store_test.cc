#include "libs/writer/state_store.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/partitioner.h"
#include "libs/eventlog/testing.h"

namespace vanguard::writer {
namespace {

using ::testing::HasSubstr;

std::vector<eventlog::StoredRecord> AsStored(const std::vector<eventlog::SealedRecord>& chain,
                                             int32_t partition, int64_t first_offset) {
  std::vector<eventlog::StoredRecord> out;
  for (size_t i = 0; i < chain.size(); ++i) {
    out.push_back({.partition = partition,
                   .offset = first_offset + static_cast<int64_t>(i),
                   .key = chain[i].record.key,
                   .value = chain[i].record.value});
  }
  return out;
}

// pledge-1's partition of four, where a writer puts it (the acceptance rule
// rejects a record elsewhere).
const int32_t kHome = eventlog::Murmur2Partition("pledge-1", 4);

class StateStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<StateStore> Open(const std::string& log_id = "log-a") {
    auto store = StateStore::Open({.path = dir_.path(), .log_id = log_id, .partitions = 4});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  eventlog::testing::ScopedTempDir dir_;
};

TEST_F(StateStoreTest, AppliesAcceptedEventsWithHeadsHistoryAndRequests) {
  auto store = Open();
  std::vector<eventlog::SealedRecord> chain = eventlog::testing::SampleChain("pledge-1", 3);
  auto applied = store->Apply(kHome, AsStored(chain, kHome, 0));
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->size(), 3u);
  EXPECT_EQ(store->position(kHome), 3);
  EXPECT_EQ(store->Head("pledge-1").version, 3);
  EXPECT_EQ(store->Head("pledge-1").hash, chain[2].hash);
  auto history = store->History("pledge-1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].aggregate_version(), 2);
  v1::Sealed sealed;
  ASSERT_TRUE(sealed.ParseFromString(chain[0].record.value));
  v1::Envelope first;
  ASSERT_TRUE(first.ParseFromString(sealed.envelope()));
  auto request = store->FindRequest("pledge-1", first.request_id());
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->partition, kHome);
  EXPECT_EQ(request->first_offset, 0);
  EXPECT_EQ(request->last_version, 1);
  EXPECT_FALSE(store->FindRequest("pledge-1", "never").has_value());
}

TEST_F(StateStoreTest, RecordsRejectionsAndKeepsTheHead) {
  auto store = Open();
  std::vector<eventlog::SealedRecord> chain = eventlog::testing::SampleChain("pledge-1", 2);
  // Version 2 arrives first: rejected; then 1 and a replay of 1.
  std::vector<eventlog::StoredRecord> records = AsStored({chain[1], chain[0], chain[0]}, kHome, 0);
  auto applied = store->Apply(kHome, records);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->size(), 1u);
  EXPECT_EQ(store->rejected_count(), 2);
  EXPECT_EQ(store->Head("pledge-1").version, 1);
  EXPECT_EQ(store->position(kHome), 3);
}

TEST_F(StateStoreTest, RefusesRecordsOutOfOrderAndAnotherLog) {
  {
    auto store = Open();
    std::vector<eventlog::SealedRecord> chain = eventlog::testing::SampleChain("pledge-1", 1);
    EXPECT_EQ(store->Apply(1, AsStored(chain, 1, 5)).status().code(), absl::StatusCode::kInternal);
    ASSERT_TRUE(store->Apply(1, AsStored(chain, 1, 0)).ok());
  }
  auto reopened = Open();
  EXPECT_EQ(reopened->position(1), 1);
  EXPECT_EQ(reopened->Head("pledge-1").version, 1);
  reopened.reset();
  auto other = StateStore::Open({.path = dir_.path(), .log_id = "log-b", .partitions = 4});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), HasSubstr("log-a"));
}

}  // namespace
}  // namespace vanguard::writer
