// The writer on an embedded log whose disk fails mid-group. A change of the
// tree is written alone, so a group can hold several writes; when one of them
// fails and the read-back cannot settle it, the commands after it in the
// group are not decided on a store that may lack it: they are UNAVAILABLE,
// and their retries, once the disk heals, are decided on what the log holds.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/storage_faults.h"
#include "libs/eventlog/testing.h"
#include "libs/writer/test_commands.h"
#include "libs/writer/writer.h"

namespace vanguard::writer {
namespace {

using eventlog::testing::FaultInjectingStorage;
using eventlog::testing::StorageFault;
using testing::Count;
using ::testing::HasSubstr;
using testing::Register;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

TEST(WriterLogFaultsTest, CommandsAfterAnUnsettledWriteInTheirGroupAreNotDecided) {
  eventlog::testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  auto log = eventlog::OpenEmbeddedLog(
      {.path = dir.path() + "/log", .partitions = 4, .env = storage.env()});
  ASSERT_TRUE(log.ok()) << log.status();
  auto store = StateStore::Open(
      {.path = dir.path() + "/state", .log_id = (*log)->log_id(), .partitions = 4});
  ASSERT_TRUE(store.ok()) << store.status();
  // The disk fails right after the first append that follows `arm`.
  std::atomic<bool> arm{false};
  auto writer = Writer::Start(log->get(), store->get(),
                              {.endpoint = "127.0.0.1:1",
                               .on_append =
                                   [&](size_t, absl::Duration) {
                                     if (arm.exchange(false)) {
                                       storage.FailFromNow({.fault = StorageFault::kIOError});
                                     }
                                   }},
                              Soon());
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(
      (*writer)
          ->Execute(Register("r0", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon())
          .ok());

  // An aggregate of the tree's partition holds it while two changes of the
  // tree queue behind it, the second under the first: one group of two writes.
  const int32_t tree_partition = (*writer)->PartitionOf(kOrgTreeId);
  std::string holder;
  for (int i = 0; holder.empty(); ++i) {
    std::string id = absl::StrCat("holder-", i);
    if ((*writer)->PartitionOf(id) == tree_partition) holder = id;
  }
  absl::Notification release;
  std::atomic<int> seen{-1};
  Command town = Register("r1", "town-a", "county", "甲乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP);
  Command village = Register("r2", "village-a", "town-a", "甲村党支部",
                             v1::ORGANISATION_LEVEL_GRASSROOTS, v1::ORGANISATION_KIND_BRANCH);
  std::vector<absl::StatusOr<CommandResult>> results(3, absl::UnknownError("not run"));
  arm = true;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    results[0] = (*writer)->Execute(
        Count(holder, "h0", &seen, [&] { release.WaitForNotification(); }), Soon());
  });
  absl::SleepFor(absl::Milliseconds(100));
  threads.emplace_back([&] { results[1] = (*writer)->Execute(town, Soon()); });
  absl::SleepFor(absl::Milliseconds(50));
  threads.emplace_back([&] { results[2] = (*writer)->Execute(village, Soon()); });
  absl::SleepFor(absl::Milliseconds(50));
  release.Notify();
  for (auto& thread : threads) thread.join();

  ASSERT_TRUE(results[0].ok()) << results[0].status();
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kUnavailable) << results[1].status();
  // Decided on a tree that may lack town-a, the village would be refused as
  // if its parent did not exist: a definite answer nobody can give yet.
  EXPECT_EQ(results[2].status().code(), absl::StatusCode::kUnavailable) << results[2].status();
  EXPECT_THAT(results[2].status().message(), HasSubstr("not settled"));

  // Healed: the retries apply once each, on the tree the log holds.
  storage.Disarm();
  auto retry = [&](const Command& command) {
    return testing::RetryWhileUnavailable(**writer, command);
  };
  auto town_again = retry(town);
  ASSERT_TRUE(town_again.ok()) << town_again.status();
  auto village_again = retry(village);
  ASSERT_TRUE(village_again.ok()) << village_again.status();
  EXPECT_EQ(village_again->version, town_again->version + 1);
  EXPECT_EQ((*store)->rejected_count(), 0);
  auto report = eventlog::VerifyLog(**log, Soon());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->breaks.empty());
}

}  // namespace
}  // namespace vanguard::writer
