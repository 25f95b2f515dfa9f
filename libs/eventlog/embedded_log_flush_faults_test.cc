// The embedded log when RocksDB's background work fails: a memtable flush
// that cannot write its table file (a full disk, an I/O error) stops every
// later write. The append that meets it fails naming the cause, the log stays
// closed while the disk fails, and once the disk is back the next append
// succeeds with every acknowledged record in place. Slow: each case writes
// past a 64 MiB memtable.
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/storage_faults.h"
#include "libs/eventlog/testing.h"

namespace vanguard::eventlog {
namespace {

using ::testing::HasSubstr;
using testing::FaultInjectingStorage;
using testing::RawRecord;
using testing::StorageFault;

absl::Time Soon() { return absl::Now() + absl::Seconds(60); }

// value prefix → how many records carry it.
std::map<std::string, int> Tally(EventLog& log) {
  PositionMap from;
  for (int32_t p = 0; p < log.partition_count(); ++p) from[p] = 0;
  auto reader = log.OpenReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::map<std::string, int> found;
  while (true) {
    auto records = (*reader)->Poll(50, absl::Now());
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok() || records->empty()) break;
    for (const StoredRecord& r : *records) ++found[r.value.substr(0, r.value.find('|'))];
  }
  return found;
}

std::vector<Record> Batch(int n) {
  // 800 KB a record: a 64 MiB memtable fills in about 80 appends.
  return {RawRecord(absl::StrCat("aggregate-", n % 7),
                    absl::StrCat("batch-", n, "|", std::string(800'000, 'x')))};
}

struct FlushFault {
  const char* name;
  StorageFault fault;
  uint32_t ops;  // creating the table file, or writing into it
};

class FlushFaultTest : public ::testing::TestWithParam<FlushFault> {};

TEST_P(FlushFaultTest, AFailedFlushStopsAppendsUntilTheDiskIsBack) {
  const StorageFault fault = GetParam().fault;
  testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  auto log = OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 2, .env = storage.env()});
  ASSERT_TRUE(log.ok()) << log.status();
  storage.FailFromNow({.fault = fault, .ops = GetParam().ops, .files = testing::kTableFiles});
  std::vector<int> acknowledged, failed;
  int n = 0;
  absl::Status first_failure;
  for (; n < 240 && first_failure.ok(); ++n) {
    auto appended = (*log)->Append(Batch(n), Soon());
    if (appended.ok()) {
      acknowledged.push_back(n);
    } else {
      first_failure = appended.status();
      failed.push_back(n);
    }
  }
  ASSERT_FALSE(first_failure.ok()) << "no append failed: the flush never ran";
  EXPECT_THAT(first_failure.message(), HasSubstr("injected fault on "));
  EXPECT_THAT(first_failure.message(), HasSubstr(".sst"));
  EXPECT_EQ(first_failure.code(), fault == StorageFault::kNoSpace
                                      ? absl::StatusCode::kResourceExhausted
                                      : absl::StatusCode::kUnavailable)
      << first_failure;
  // While the disk fails the log stays closed and says why.
  auto refused = (*log)->Append(Batch(n), Soon());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  failed.push_back(n++);

  storage.Disarm();
  auto healed = (*log)->Append(Batch(n), Soon());
  ASSERT_TRUE(healed.ok()) << healed.status();
  acknowledged.push_back(n++);
  std::map<std::string, int> found = Tally(**log);
  for (int a : acknowledged) EXPECT_EQ(found[absl::StrCat("batch-", a)], 1) << a;
  size_t extra = 0;
  for (int f : failed) extra += found.contains(absl::StrCat("batch-", f)) ? 1 : 0;
  EXPECT_EQ(found.size(), acknowledged.size() + extra) << "records nobody appended";
  log->reset();
  auto reopened = OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 2});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Tally(**reopened), found);
  testing::StorageFaultCounts counts = storage.counts();
  std::cout << GetParam().name << ": "
            << acknowledged.size() << " appends acknowledged, " << failed.size() << " failed, "
            << counts.injected << " faults injected (" << counts.append_faults << " appends, "
            << counts.sync_faults << " syncs, " << counts.create_faults << " creations)\n";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FlushFaultTest,
    ::testing::Values(
        FlushFault{"NoSpaceOnTableFiles", StorageFault::kNoSpace, testing::kAllOps},
        FlushFault{"IOErrorOnTableFiles", StorageFault::kIOError, testing::kAllOps},
        FlushFault{"IOErrorWritingTables", StorageFault::kIOError, testing::kAppendOps}),
    [](const ::testing::TestParamInfo<FlushFault>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vanguard::eventlog
