// Commands over real gRPC while the embedded log's disk fails: the client gets
// an error naming the cause and nothing is acknowledged; once the disk is
// back, a retry with the same request id applies the command exactly once.
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/storage_faults.h"
#include "services/command/command_services_test_fixture.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::command::testing {
namespace {

using eventlog::testing::FaultInjectingStorage;
using eventlog::testing::FaultSpec;
using eventlog::testing::StorageFault;
using ::testing::HasSubstr;

// How many records of the log carry `request_id`.
int RecordsOf(eventlog::EventLog& log, const std::string& request_id) {
  eventlog::PositionMap from;
  for (int32_t p = 0; p < log.partition_count(); ++p) from[p] = 0;
  auto reader = log.OpenReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  int found = 0;
  while (true) {
    auto records = (*reader)->Poll(1000, absl::Now());
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok() || records->empty()) break;
    for (const eventlog::StoredRecord& r : *records) {
      v1::Sealed sealed;
      v1::Envelope envelope;
      if (sealed.ParseFromString(r.value) && envelope.ParseFromString(sealed.envelope()) &&
          envelope.request_id() == request_id) {
        ++found;
      }
    }
  }
  return found;
}

struct FaultCase {
  const char* name;
  FaultSpec spec;
  bool from_now;  // else: the next operation only
  // The failed write reached the disk before its sync failed: the log finds
  // it on reopening at once, and the writer, reading back, acknowledges it.
  bool durable_anyway = false;
};

class LogStorageFaultTest : public CommandServicesTest,
                            public ::testing::WithParamInterface<FaultCase> {
 protected:
  LogStorageFaultTest() { log_env_ = storage_.env(); }
  ~LogStorageFaultTest() override {
    // The stores close on the storage they were opened with.
    server_.reset();
    services_.reset();
    writer_.reset();
    store_.reset();
    log_.reset();
  }

  FaultInjectingStorage storage_;
};

TEST_P(LogStorageFaultTest, AFailedAppendIsNotAcknowledgedAndARetryAppliesOnce) {
  const FaultCase& c = GetParam();
  const std::string first = EnrolInBranch("enrol-before");
  ASSERT_FALSE(first.empty());

  if (c.from_now) {
    storage_.FailFromNow(c.spec);
  } else {
    storage_.FailNext(1, c.spec);
  }
  v1::EnrolMemberRequest request = EnrolRequest("enrol-during", "branch", "李四");
  Outcome failed = Enrol(kBranchClerk, request);
  if (c.durable_anyway) {
    ASSERT_TRUE(failed.ok()) << failed;
    storage_.Disarm();
    Outcome replayed = Enrol(kBranchClerk, request);
    ASSERT_TRUE(replayed.ok()) << replayed;
    EXPECT_EQ(replayed.result.aggregate_id(), failed.result.aggregate_id());
    EXPECT_TRUE(replayed.result.replayed());
    EXPECT_EQ(RecordsOf(*log_, "enrol-during"), 1);
    EXPECT_EQ(storage_.counts().injected, 1);
    return;
  }
  ASSERT_FALSE(failed.ok()) << "the log's failure was not noticed";
  EXPECT_EQ(failed.code(), grpc::StatusCode::UNAVAILABLE) << failed;
  EXPECT_THAT(failed.status.error_message(), HasSubstr("not accepted"));
  EXPECT_THAT(failed.status.error_message(), HasSubstr("injected fault on "));
  EXPECT_THAT(failed.status.error_message(), HasSubstr("retry with the same request_id"));
  EXPECT_TRUE(failed.result.aggregate_id().empty());
  if (c.from_now) {
    // Still failing: still refused, nothing acknowledged.
    Outcome again = Enrol(kBranchClerk, request);
    EXPECT_EQ(again.code(), grpc::StatusCode::UNAVAILABLE) << again;
  }

  storage_.Disarm();
  Outcome retried = Enrol(kBranchClerk, request);
  ASSERT_TRUE(retried.ok()) << retried;
  Outcome replayed = Enrol(kBranchClerk, request);
  ASSERT_TRUE(replayed.ok()) << replayed;
  EXPECT_EQ(replayed.result.aggregate_id(), retried.result.aggregate_id());
  EXPECT_TRUE(replayed.result.replayed());
  EXPECT_EQ(replayed.result.version(), retried.result.version());
  EXPECT_EQ(replayed.result.consistency_token(), retried.result.consistency_token());

  // Applied once: the member has one event, from this request.
  auto history = store_->History(retried.result.aggregate_id());
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].request_id(), "enrol-during");
  // Written once: a failed write never reached the log, and the retry wrote it.
  int records = RecordsOf(*log_, "enrol-during");
  EXPECT_EQ(records, 1);
  // Others' commands go on as before.
  EXPECT_FALSE(EnrolInBranch("enrol-after").empty());
  eventlog::testing::StorageFaultCounts counts = storage_.counts();
  EXPECT_GE(counts.injected, 1);
  std::cout << c.name << ": " << counts.injected << " faults injected\n";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, LogStorageFaultTest,
    ::testing::Values(
        FaultCase{"NoSpaceOnWalAppend",
                  {.fault = StorageFault::kNoSpace,
                   .ops = eventlog::testing::kAppendOps,
                   .files = eventlog::testing::kWalFiles},
                  false},
        FaultCase{"IOErrorOnWalSync",
                  {.fault = StorageFault::kIOError,
                   .ops = eventlog::testing::kSyncOps,
                   .files = eventlog::testing::kWalFiles},
                  false, /*durable_anyway=*/true},
        FaultCase{"DiskBrokenForAWhile", {.fault = StorageFault::kIOError}, true}),
    [](const ::testing::TestParamInfo<FaultCase>& info) { return std::string(info.param.name); });

// The state store's disk fails after the log took the command: the client
// is not told it succeeded, and the retry finds the command in the log
// rather than writing it again.
class StoreStorageFaultTest : public CommandServicesTest {
 protected:
  StoreStorageFaultTest() { store_env_ = storage_.env(); }
  ~StoreStorageFaultTest() override {
    server_.reset();
    services_.reset();
    writer_.reset();
    store_.reset();
    log_.reset();
  }
  FaultInjectingStorage storage_;
};

TEST_F(StoreStorageFaultTest, ARetryFindsTheCommandTheStoreCouldNotTake) {
  storage_.FailNext(1, {.fault = StorageFault::kIOError,
                        .ops = eventlog::testing::kAppendOps,
                        .files = eventlog::testing::kWalFiles});
  v1::EnrolMemberRequest request = EnrolRequest("enrol-during", "branch", "李四");
  Outcome failed = Enrol(kBranchClerk, request);
  ASSERT_FALSE(failed.ok()) << "the store's failure was not noticed";
  EXPECT_EQ(failed.code(), grpc::StatusCode::UNAVAILABLE) << failed;
  EXPECT_THAT(failed.status.error_message(), HasSubstr("applying to the state store"));
  EXPECT_THAT(failed.status.error_message(), HasSubstr("retry with the same request_id"));

  Outcome retried = Enrol(kBranchClerk, request);
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_TRUE(retried.result.replayed()) << "the retry wrote the command again";
  auto history = store_->History(retried.result.aggregate_id());
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->size(), 1u);
  EXPECT_EQ(RecordsOf(*log_, "enrol-during"), 1);
  EXPECT_EQ(store_->rejected_count(), 0);
  EXPECT_FALSE(EnrolInBranch("enrol-after").empty());
  EXPECT_EQ(storage_.counts().injected, 1);
}

}  // namespace
}  // namespace vanguard::command::testing
