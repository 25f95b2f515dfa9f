// The views on storage that fails: a full disk and I/O errors while Apply
// writes. A failed Apply says why; the store then refuses to apply until it is
// reopened (its in-memory tree ran ahead of the disk), and once reopened it
// holds exactly the batches applied before the fault: the batch is all or
// nothing. Applying on from its positions gives the digest of views built on
// a healthy disk.
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/storage_faults.h"
#include "libs/eventlog/testing.h"
#include "libs/views/testing.h"
#include "libs/views/view_store.h"

namespace vanguard::views {
namespace {

using eventlog::testing::FaultInjectingStorage;
using eventlog::testing::FaultSpec;
using eventlog::testing::ScopedTempDir;
using eventlog::testing::StorageFault;
using ::testing::HasSubstr;

constexpr int32_t kPartitions = 4;

// A random valid history of `events` events, per partition, as the log stores it.
std::vector<std::vector<eventlog::StoredRecord>> History(const std::string& dir, int events,
                                                         std::string& log_id) {
  testing::Workload w(/*seed=*/11);
  w.Generate(events);
  auto log = eventlog::OpenEmbeddedLog({.path = dir, .partitions = kPartitions});
  EXPECT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(testing::AppendWorkload(**log, w).ok());
  log_id = (*log)->log_id();
  std::vector<std::vector<eventlog::StoredRecord>> out(kPartitions);
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto reader = (*log)->OpenReader({{p, 0}});
    int64_t end = *(*log)->EndOffset(p, absl::Now() + absl::Seconds(5));
    while (static_cast<int64_t>(out[p].size()) < end) {
      auto got = (*reader)->Poll(1000, absl::Now() + absl::Seconds(5));
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || got->empty()) break;
      for (auto& r : *got) out[p].push_back(std::move(r));
    }
  }
  return out;
}

struct FaultCase {
  const char* name;
  StorageFault fault;
  uint32_t ops;
  uint32_t files;
  int64_t after_bytes;  // < 0: fail the next operation instead
  absl::StatusCode code;
};

class ViewStoreFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(ViewStoreFaultTest, AFailedApplyIsAllOrNothingAndReopeningRecovers) {
  const FaultCase& c = GetParam();
  ScopedTempDir dir;
  std::string log_id;
  const auto history = History(dir.path() + "/log", 1500, log_id);
  FaultInjectingStorage storage;
  const ViewStoreOptions options{.path = dir.path() + "/views",
                                 .log_id = log_id,
                                 .partitions = kPartitions,
                                 .env = storage.env()};
  auto views = ViewStore::Open(options);
  ASSERT_TRUE(views.ok()) << views.status();
  int faults = 0, reopens = 0;
  for (int round = 0;; ++round) {
    eventlog::PositionMap at = (*views)->positions();
    int32_t p = round % kPartitions;
    size_t from = static_cast<size_t>(at[p]);
    bool done = true;
    for (int32_t q = 0; q < kPartitions; ++q) {
      done = done && at[q] == static_cast<int64_t>(history[q].size());
    }
    if (done) break;
    if (from == history[p].size()) continue;
    std::span<const eventlog::StoredRecord> batch =
        std::span(history[p]).subspan(from, std::min<size_t>(40, history[p].size() - from));
    if (round % 3 != 2) {
      absl::Status applied = (*views)->Apply(batch);
      ASSERT_TRUE(applied.ok()) << "round " << round << ": " << applied;
      continue;
    }
    FaultSpec spec{.fault = c.fault, .ops = c.ops, .files = c.files};
    if (c.after_bytes >= 0) {
      storage.FailAfterBytes(c.after_bytes + (97 * round) % 1500, spec);
    } else {
      storage.FailNext(1, spec);
    }
    absl::Status failed = (*views)->Apply(batch);
    ASSERT_FALSE(failed.ok()) << "round " << round << ": the fault was not noticed";
    ++faults;
    EXPECT_EQ(failed.code(), c.code) << failed;
    EXPECT_THAT(failed.message(), HasSubstr("writing the views"));
    EXPECT_THAT(failed.message(), HasSubstr("injected fault on "));
    EXPECT_EQ((*views)->positions(), at) << "a failed batch moved the positions";
    storage.Disarm();
    // The tree in memory ran ahead of the disk: no more applying until reopened.
    absl::Status refused = (*views)->Apply(batch);
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
    EXPECT_THAT(refused.message(), HasSubstr("must be reopened"));
    views->reset();
    views = ViewStore::Open(options);
    ASSERT_TRUE(views.ok()) << views.status();
    ++reopens;
    EXPECT_EQ((*views)->positions(), at) << "the failed batch is in the reopened views";
  }
  auto digest = (*views)->Digest();
  ASSERT_TRUE(digest.ok()) << digest.status();
  views->reset();

  // Views built in one go on a healthy disk, and ours reopened there: one digest.
  auto reference = ViewStore::Open(
      {.path = dir.path() + "/reference", .log_id = log_id, .partitions = kPartitions});
  ASSERT_TRUE(reference.ok());
  for (int32_t p = 0; p < kPartitions; ++p) ASSERT_TRUE((*reference)->Apply(history[p]).ok());
  EXPECT_EQ(*(*reference)->Digest(), *digest);
  auto healthy = ViewStore::Open(
      {.path = dir.path() + "/views", .log_id = log_id, .partitions = kPartitions});
  ASSERT_TRUE(healthy.ok()) << healthy.status();
  EXPECT_EQ(*(*healthy)->Digest(), *digest);
  EXPECT_GT(faults, 5);
  eventlog::testing::StorageFaultCounts counts = storage.counts();
  std::cout << c.name << ": " << faults << " failed batches, " << counts.injected
            << " faults injected (" << counts.append_faults << " appends, "
            << counts.sync_faults << " syncs, " << counts.torn_writes << " torn writes), "
            << reopens << " reopens\n";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ViewStoreFaultTest,
    ::testing::Values(
        FaultCase{"NoSpaceOnWalAppend", StorageFault::kNoSpace, eventlog::testing::kAppendOps,
                  eventlog::testing::kWalFiles, -1, absl::StatusCode::kResourceExhausted},
        FaultCase{"IOErrorOnWalAppend", StorageFault::kIOError, eventlog::testing::kAppendOps,
                  eventlog::testing::kWalFiles, -1, absl::StatusCode::kUnavailable},
        FaultCase{"TornWalWrite", StorageFault::kIOError, eventlog::testing::kAllOps,
                  eventlog::testing::kWalFiles, 100, absl::StatusCode::kUnavailable}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return std::string(info.param.name); });

// A disk that stays broken refuses the reopen cleanly; the store opens once it heals.
TEST(ViewStoreFaultTest, ReopeningOnABrokenDiskFailsCleanly) {
  ScopedTempDir dir;
  std::string log_id;
  const auto history = History(dir.path() + "/log", 300, log_id);
  FaultInjectingStorage storage;
  const ViewStoreOptions options{.path = dir.path() + "/views",
                                 .log_id = log_id,
                                 .partitions = kPartitions,
                                 .env = storage.env()};
  auto views = ViewStore::Open(options);
  ASSERT_TRUE(views.ok()) << views.status();
  ASSERT_TRUE((*views)->Apply(history[0]).ok());
  eventlog::PositionMap at = (*views)->positions();
  storage.FailFromNow({.fault = StorageFault::kNoSpace});
  EXPECT_EQ((*views)->Apply(history[1]).code(), absl::StatusCode::kResourceExhausted);
  views->reset();
  auto refused = ViewStore::Open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("opening the views"));
  storage.Disarm();
  auto healed = ViewStore::Open(options);
  ASSERT_TRUE(healed.ok()) << healed.status();
  EXPECT_EQ((*healed)->positions(), at);
  EXPECT_TRUE((*healed)->Apply(history[1]).ok());
}

}  // namespace
}  // namespace vanguard::views
