// The state store on storage that fails: a full disk and I/O errors while an
// Apply writes. A failed Apply says why and changes nothing (a batch is all or
// nothing: positions, heads, events and requests together); the next Apply
// after the fault succeeds; the store then equals one built without faults.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/partitioner.h"
#include "libs/eventlog/storage_faults.h"
#include "libs/eventlog/testing.h"
#include "libs/writer/state_store.h"

namespace vanguard::writer {
namespace {

using eventlog::testing::FaultInjectingStorage;
using eventlog::testing::FaultSpec;
using eventlog::testing::StorageFault;
using ::testing::HasSubstr;

constexpr int32_t kPartitions = 4;
constexpr int kAggregatesPerPartition = 3;
constexpr int kChain = 10;
constexpr size_t kBatch = 5;

// The k-th aggregate of a partition: an id a writer puts there.
std::string AggregateId(int32_t partition, int k) {
  for (int n = 0;; ++n) {
    std::string id = absl::StrCat("agg-", partition, "-", k, "-", n);
    if (eventlog::Murmur2Partition(id, kPartitions) == partition) return id;
  }
}

// Per partition, the records of its aggregates interleaved, with dense offsets.
std::vector<std::vector<eventlog::StoredRecord>> History() {
  std::vector<std::vector<eventlog::StoredRecord>> partitions(kPartitions);
  for (int32_t p = 0; p < kPartitions; ++p) {
    std::vector<std::vector<eventlog::SealedRecord>> chains;
    for (int k = 0; k < kAggregatesPerPartition; ++k) {
      chains.push_back(eventlog::testing::SampleChain(AggregateId(p, k), kChain));
    }
    for (int v = 0; v < kChain; ++v) {
      for (const auto& chain : chains) {
        partitions[p].push_back({.partition = p,
                                 .offset = static_cast<int64_t>(partitions[p].size()),
                                 .key = chain[v].record.key,
                                 .value = chain[v].record.value});
      }
    }
  }
  return partitions;
}

// What a reader of the store can see, for comparing two stores.
std::string Describe(const StateStore& store) {
  std::string out;
  for (int32_t p = 0; p < kPartitions; ++p) {
    absl::StrAppend(&out, "partition ", p, " at ", store.position(p), "\n");
    for (int k = 0; k < kAggregatesPerPartition; ++k) {
      std::string id = AggregateId(p, k);
      eventlog::AggregateHead head = store.Head(id);
      absl::StrAppend(&out, id, " v", head.version, " ", absl::BytesToHexString(head.hash), ":");
      auto history = store.History(id);
      EXPECT_TRUE(history.ok()) << history.status();
      if (!history.ok()) continue;
      for (const v1::Envelope& e : *history) {
        std::optional<RequestRecord> request = store.FindRequest(id, e.request_id());
        absl::StrAppend(&out, " ", e.aggregate_version(), "@",
                        request ? absl::StrCat(request->partition, "/", request->first_offset)
                                : "no-request");
      }
      absl::StrAppend(&out, "\n");
    }
  }
  absl::StrAppend(&out, "rejected ", store.rejected_count(), "\n");
  return out;
}

struct FaultCase {
  const char* name;
  StorageFault fault;
  uint32_t ops;
  int64_t after_bytes;  // < 0: fail the next write instead
  absl::StatusCode code;
};

class StateStoreFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(StateStoreFaultTest, AFailedApplyChangesNothingAndTheNextSucceeds) {
  const FaultCase& c = GetParam();
  const auto history = History();
  eventlog::testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  StateStoreOptions options{
      .path = dir.path() + "/state", .log_id = "log-a", .partitions = kPartitions,
      .env = storage.env()};
  auto store = StateStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  int faults = 0;
  std::vector<size_t> applied(kPartitions, 0);
  for (int round = 0;; ++round) {
    int32_t p = round % kPartitions;
    if (applied[p] >= history[p].size()) break;
    size_t end = std::min(applied[p] + kBatch, history[p].size());
    std::span<const eventlog::StoredRecord> batch(history[p].data() + applied[p],
                                                  end - applied[p]);
    if (round % 2 == 1) {
      // A fault mid-write: the batch fails whole.
      std::string before = Describe(**store);
      FaultSpec spec{.fault = c.fault, .ops = c.ops, .files = eventlog::testing::kWalFiles};
      if (c.after_bytes >= 0) {
        storage.FailAfterBytes(c.after_bytes + (61 * round) % 600, spec);
      } else {
        storage.FailNext(1, spec);
      }
      auto failed = (*store)->Apply(p, batch);
      ASSERT_FALSE(failed.ok()) << "round " << round << ": the fault was not noticed";
      EXPECT_EQ(failed.status().code(), c.code) << failed.status();
      EXPECT_THAT(failed.status().message(), HasSubstr("applying to the state store"));
      EXPECT_THAT(failed.status().message(), HasSubstr("injected fault on "));
      EXPECT_EQ(Describe(**store), before) << "round " << round;
      ++faults;
      storage.Disarm();
    }
    auto done = (*store)->Apply(p, batch);
    ASSERT_TRUE(done.ok()) << "round " << round << ": " << done.status();
    EXPECT_EQ(done->size(), batch.size());
    applied[p] = end;
    EXPECT_EQ((*store)->position(p), static_cast<int64_t>(end));
  }
  std::string described = Describe(**store);

  // The same records applied on a healthy disk give the same store.
  eventlog::testing::ScopedTempDir reference_dir;
  auto reference =
      StateStore::Open({.path = reference_dir.path(), .log_id = "log-a", .partitions = kPartitions});
  ASSERT_TRUE(reference.ok());
  for (int32_t p = 0; p < kPartitions; ++p) ASSERT_TRUE((*reference)->Apply(p, history[p]).ok());
  EXPECT_EQ(described, Describe(**reference));
  EXPECT_EQ((*store)->rejected_count(), 0);

  store->reset();
  auto reopened = StateStore::Open(
      {.path = dir.path() + "/state", .log_id = "log-a", .partitions = kPartitions});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Describe(**reopened), described);
  eventlog::testing::StorageFaultCounts counts = storage.counts();
  // At least one a failed Apply; RocksDB's own recovery may meet more before the disarm.
  EXPECT_GE(counts.injected, faults);
  std::cout << c.name << ": " << faults << " failed applies, " << counts.injected
            << " faults injected (" << counts.append_faults
            << " appends, " << counts.torn_writes << " torn writes), "
            << kPartitions * kAggregatesPerPartition * kChain << " events applied\n";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, StateStoreFaultTest,
    ::testing::Values(
        FaultCase{"NoSpaceOnWalAppend", StorageFault::kNoSpace, eventlog::testing::kAppendOps, -1,
                  absl::StatusCode::kResourceExhausted},
        FaultCase{"IOErrorOnWalAppend", StorageFault::kIOError, eventlog::testing::kAppendOps, -1,
                  absl::StatusCode::kUnavailable},
        FaultCase{"TornWalWrite", StorageFault::kIOError, eventlog::testing::kAllOps, 40,
                  absl::StatusCode::kUnavailable},
        FaultCase{"NoSpaceTornWalWrite", StorageFault::kNoSpace, eventlog::testing::kAllOps, 200,
                  absl::StatusCode::kResourceExhausted}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return std::string(info.param.name); });

// A disk that stays broken: Apply keeps failing without changing anything,
// reads keep answering from what was applied, and the store heals with the disk.
TEST(StateStoreFaultTest, ABrokenDiskFailsEveryApplyUntilItHeals) {
  const auto history = History();
  eventlog::testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  auto store = StateStore::Open({.path = dir.path(), .log_id = "log-a",
                                 .partitions = kPartitions, .env = storage.env()});
  ASSERT_TRUE(store.ok()) << store.status();
  std::span<const eventlog::StoredRecord> all(history[1]);
  ASSERT_TRUE((*store)->Apply(1, all.subspan(0, 6)).ok());
  storage.FailFromNow({.fault = StorageFault::kIOError});
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto failed = (*store)->Apply(1, all.subspan(6, 6));
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  }
  EXPECT_EQ((*store)->position(1), 6);
  storage.Disarm();
  auto healed = (*store)->Apply(1, all.subspan(6, 6));
  ASSERT_TRUE(healed.ok()) << healed.status();
  EXPECT_EQ((*store)->position(1), 12);
  EXPECT_EQ((*store)->Head(AggregateId(1, 0)).version, 4);
}

}  // namespace
}  // namespace vanguard::writer
