// The embedded log on storage that fails: a full disk and I/O errors while an
// append writes, syncs or creates files. A failed append says why, the log
// keeps every acknowledged record and each failed batch whole or not at all,
// and the next append after the fault succeeds.
#include <iostream>
#include <map>
#include <memory>
#include <set>
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
using testing::FaultSpec;
using testing::RawRecord;
using testing::StorageFault;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

// Everything the log holds: value → position.
std::map<std::string, Position> ReadAll(EventLog& log) {
  PositionMap from;
  for (int32_t p = 0; p < log.partition_count(); ++p) from[p] = 0;
  auto reader = log.OpenReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::map<std::string, Position> found;
  while (true) {
    auto records = (*reader)->Poll(1000, absl::Now());
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok() || records->empty()) break;
    for (const StoredRecord& r : *records) found[r.value] = {r.partition, r.offset};
  }
  return found;
}

// What the test appended: the acknowledged batches and the failed ones.
struct Ledger {
  std::vector<std::vector<std::string>> acknowledged;
  std::vector<std::vector<std::string>> failed;

  // The log holds every acknowledged record, each failed batch whole or not
  // at all, and nothing else; returns how many failed batches it holds.
  int Check(const std::map<std::string, Position>& found) const {
    size_t expected = 0;
    for (const auto& batch : acknowledged) {
      for (const std::string& value : batch) EXPECT_TRUE(found.contains(value)) << value;
      expected += batch.size();
    }
    int held = 0;
    for (const auto& batch : failed) {
      size_t present = 0;
      for (const std::string& value : batch) present += found.contains(value) ? 1 : 0;
      EXPECT_TRUE(present == 0 || present == batch.size())
          << present << " of " << batch.size() << " records of a failed batch";
      if (present == batch.size()) {
        ++held;
        expected += batch.size();
      }
    }
    EXPECT_EQ(found.size(), expected) << "the log holds records nobody appended";
    return held;
  }
};

std::vector<Record> Batch(const std::string& tag, int size) {
  std::vector<Record> records;
  for (int i = 0; i < size; ++i) {
    records.push_back(RawRecord(absl::StrCat("aggregate-", i % 5), absl::StrCat(tag, "/", i)));
  }
  return records;
}

std::vector<std::string> Values(const std::vector<Record>& records) {
  std::vector<std::string> values;
  for (const Record& r : records) values.push_back(r.value);
  return values;
}

struct FaultCase {
  const char* name;
  StorageFault fault;
  uint32_t ops;
  uint32_t files;
  int64_t after_bytes;  // < 0: fail the next operation instead
  absl::StatusCode code;
};

class EmbeddedLogFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(EmbeddedLogFaultTest, AFailedAppendSaysWhyKeepsTheLogWholeAndTheNextSucceeds) {
  const FaultCase& c = GetParam();
  testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  auto log = OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4, .env = storage.env()});
  ASSERT_TRUE(log.ok()) << log.status();
  Ledger ledger;
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Record> healthy = Batch(absl::StrCat("ok-", round), 3 + round % 3);
    auto appended = (*log)->Append(healthy, Soon());
    ASSERT_TRUE(appended.ok()) << "round " << round << ": " << appended.status();
    ledger.acknowledged.push_back(Values(healthy));
    // Every earlier failed batch is in the log whole (its bytes reached the disk) or not at all.
    ledger.Check(ReadAll(**log));

    FaultSpec spec{.fault = c.fault, .ops = c.ops, .files = c.files};
    if (c.after_bytes >= 0) {
      storage.FailAfterBytes(c.after_bytes + 37 * round, spec);
    } else {
      storage.FailNext(1, spec);
    }
    std::vector<Record> doomed = Batch(absl::StrCat("failed-", round), 4);
    auto failed = (*log)->Append(doomed, Soon());
    ASSERT_FALSE(failed.ok()) << "round " << round << ": the fault was not noticed";
    EXPECT_EQ(failed.status().code(), c.code) << failed.status();
    EXPECT_THAT(failed.status().message(), HasSubstr("appending"));
    EXPECT_THAT(failed.status().message(), HasSubstr("injected fault on "));
    ledger.failed.push_back(Values(doomed));
    storage.Disarm();
  }
  std::vector<Record> last = Batch("last", 3);
  ASSERT_TRUE((*log)->Append(last, Soon()).ok());
  ledger.acknowledged.push_back(Values(last));
  std::map<std::string, Position> before = ReadAll(**log);
  int held = ledger.Check(before);
  log->reset();

  // Opened again on a healthy disk, the log holds exactly what it served.
  auto reopened = OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(ReadAll(**reopened), before);
  testing::StorageFaultCounts counts = storage.counts();
  EXPECT_GE(counts.injected, kRounds);
  std::cout << c.name << ": " << kRounds << " rounds, " << counts.injected << " faults injected ("
            << counts.append_faults << " appends, " << counts.sync_faults << " syncs, "
            << counts.create_faults << " creations, " << counts.torn_writes
            << " torn writes); failed batches found whole after reopening: " << held << "\n";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, EmbeddedLogFaultTest,
    ::testing::Values(
        FaultCase{"NoSpaceOnWalAppend", StorageFault::kNoSpace, testing::kAppendOps,
                  testing::kWalFiles, -1, absl::StatusCode::kResourceExhausted},
        FaultCase{"IOErrorOnWalAppend", StorageFault::kIOError, testing::kAppendOps,
                  testing::kWalFiles, -1, absl::StatusCode::kUnavailable},
        FaultCase{"NoSpaceOnWalSync", StorageFault::kNoSpace, testing::kSyncOps,
                  testing::kWalFiles, -1, absl::StatusCode::kResourceExhausted},
        FaultCase{"IOErrorOnWalSync", StorageFault::kIOError, testing::kSyncOps,
                  testing::kWalFiles, -1, absl::StatusCode::kUnavailable},
        FaultCase{"TornWalWrite", StorageFault::kIOError, testing::kAllOps, testing::kWalFiles,
                  50, absl::StatusCode::kUnavailable},
        FaultCase{"NoSpaceTornWalWrite", StorageFault::kNoSpace, testing::kAllOps,
                  testing::kWalFiles, 120, absl::StatusCode::kResourceExhausted}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return std::string(info.param.name); });

// A disk that stays broken: the log cannot reopen and says so, changes
// nothing, and serves again once the disk is back.
TEST(EmbeddedLogFaultTest, ABrokenDiskKeepsTheLogClosedUntilItHeals) {
  testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  auto log = OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4, .env = storage.env()});
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE((*log)->Append(Batch("before", 3), Soon()).ok());
  storage.FailFromNow({.fault = StorageFault::kIOError});
  auto first = (*log)->Append(Batch("first", 2), Soon());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable) << first.status();
  auto second = (*log)->Append(Batch("second", 2), Soon());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("cannot be reopened yet"));
  // Closed: reads and positions say so rather than serving a stale end.
  auto reader = (*log)->OpenReader({{0, 0}, {1, 0}, {2, 0}, {3, 0}});
  ASSERT_TRUE(reader.ok());
  auto polled = (*reader)->Poll(10, absl::Now());
  EXPECT_EQ(polled.status().code(), absl::StatusCode::kUnavailable) << polled.status();
  EXPECT_THAT(polled.status().message(), HasSubstr("closed after a storage failure"));
  EXPECT_EQ((*log)->CommitPositions("views", {{0, 0}}, Soon()).code(),
            absl::StatusCode::kUnavailable);

  storage.Disarm();
  std::vector<Record> after = Batch("after", 3);
  auto healed = (*log)->Append(after, Soon());
  ASSERT_TRUE(healed.ok()) << healed.status();
  std::map<std::string, Position> found = ReadAll(**log);
  Ledger ledger{.acknowledged = {Values(Batch("before", 3)), Values(after)},
                .failed = {Values(Batch("first", 2)), Values(Batch("second", 2))}};
  ledger.Check(found);
  EXPECT_TRUE((*log)->CommitPositions("views", {{0, 1}}, Soon()).ok());
  EXPECT_GE(storage.counts().injected, 2);
}

// An append whose sync failed, on a disk that still fails when the log
// reopens: the batch may or may not be in the write-ahead log, so the log's
// end is unknown. EndOffset and a read at the end say so (UNAVAILABLE) rather
// than answer the old end, which a writer would take for "the batch is not
// there" and decide the next command on a head that may lack it. Once the disk
// heals, the end is known again, with the batch if it reached the disk.
TEST(EmbeddedLogFaultTest, AnUnknownOutcomeIsUnavailableUntilTheLogReopens) {
  testing::ScopedTempDir dir;
  FaultInjectingStorage storage;
  auto log = OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4, .env = storage.env()});
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<Record> before = Batch("before", 5);
  ASSERT_TRUE((*log)->Append(before, Soon()).ok());
  PositionMap ends;
  for (int32_t p = 0; p < 4; ++p) ends[p] = *(*log)->EndOffset(p, Soon());

  // The sync fails, and so does every sync of the reopen that follows it.
  storage.FailFromNow({.fault = StorageFault::kIOError, .ops = testing::kSyncOps});
  std::vector<Record> doomed = Batch("doomed", 4);
  auto failed = (*log)->Append(doomed, Soon());
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  for (int32_t p = 0; p < 4; ++p) {
    auto end = (*log)->EndOffset(p, Soon());
    EXPECT_EQ(end.status().code(), absl::StatusCode::kUnavailable)
        << "partition " << p << ": "
        << (end.ok() ? absl::StrCat("answered ", *end) : end.status().ToString());
    EXPECT_THAT(end.status().message(), HasSubstr("unknown"));
  }
  auto reader = (*log)->OpenReader(ends);
  ASSERT_TRUE(reader.ok());
  auto at_end = (*reader)->Poll(10, absl::Now());
  EXPECT_EQ(at_end.status().code(), absl::StatusCode::kUnavailable)
      << (at_end.ok() ? absl::StrCat(at_end->size(), " records, OK") : at_end.status().ToString());

  storage.Disarm();
  int64_t total = 0;
  for (int32_t p = 0; p < 4; ++p) {
    auto end = (*log)->EndOffset(p, Soon());
    ASSERT_TRUE(end.ok()) << end.status();
    total += *end;
  }
  std::map<std::string, Position> found = ReadAll(**log);
  Ledger ledger{.acknowledged = {Values(before)}, .failed = {Values(doomed)}};
  int held = ledger.Check(found);
  EXPECT_EQ(total, static_cast<int64_t>(found.size())) << "the ends and the records disagree";
  std::cout << "failed batch found whole after healing: " << held << "\n";
}

}  // namespace
}  // namespace vanguard::eventlog
