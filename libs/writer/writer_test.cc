#include "libs/writer/writer.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_info.pb.h"
#include "gtest/gtest.h"
#include "libs/domain/org_tree.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"
#include "libs/writer/test_commands.h"
#include "vanguard/v1/token.pb.h"

namespace vanguard::writer {
namespace {

using ::testing::HasSubstr;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

using testing::Clerk;
using testing::Count;
using testing::Register;
using testing::Request;

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(); }

  void Restart() {
    writer_.reset();
    store_.reset();
    log_.reset();
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log"});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store = StateStore::Open({.path = dir_.path() + "/state", .log_id = log_->log_id()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto writer = Writer::Start(log_.get(), store_.get(), {.endpoint = "127.0.0.1:1"}, Soon());
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);
  }

  int64_t TotalRecords() {
    int64_t total = 0;
    for (int32_t p = 0; p < log_->partition_count(); ++p) total += *log_->EndOffset(p, Soon());
    return total;
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, StartingClaimsEveryPartition) {
  EXPECT_EQ(TotalRecords(), eventlog::kDefaultPartitions);
  for (int32_t p = 0; p < log_->partition_count(); ++p) {
    EXPECT_EQ(store_->LatestClaim(p).epoch, 1);
    EXPECT_EQ(store_->LatestClaim(p).endpoint, "127.0.0.1:1");
  }
  Restart();
  EXPECT_EQ(store_->LatestClaim(0).epoch, 2) << "a restart claims anew, above the last epoch";
}

TEST_F(WriterTest, ExecutesACommandAndReturnsVersionAndToken) {
  auto result =
      writer_->Execute(Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->aggregate_id, kOrgTreeId);
  EXPECT_EQ(result->version, 1);
  EXPECT_FALSE(result->replayed);
  v1::ConsistencyToken token;
  ASSERT_TRUE(token.ParseFromString(result->consistency_token));
  EXPECT_EQ(token.log_id(), log_->log_id());
  ASSERT_EQ(token.positions_size(), 1);
  EXPECT_EQ(token.positions(0).partition(), writer_->PartitionOf(kOrgTreeId));
  EXPECT_EQ(token.positions(0).offset(), 2) << "after the claim and the event";

  auto history = store_->History(kOrgTreeId);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  const v1::Envelope& e = history->front();
  EXPECT_EQ(e.event_type(), "vanguard.v1.OrganisationRegistered");
  EXPECT_EQ(e.request_id(), "r1");
  EXPECT_EQ(e.actor().principal_id(), "clerk-1");
  EXPECT_EQ(e.claim_epoch(), 1);
  EXPECT_EQ(e.org_tree_version(), 0);
  auto report = eventlog::VerifyLog(*log_, Soon());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->breaks.empty());
}

TEST_F(WriterTest, ARetryReturnsTheFirstResultAndAppendsNothing) {
  Command command = Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY);
  auto first = writer_->Execute(command, Soon());
  ASSERT_TRUE(first.ok()) << first.status();
  int64_t records = TotalRecords();
  auto retry = writer_->Execute(command, Soon());
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->version, first->version);
  EXPECT_EQ(retry->consistency_token, first->consistency_token);
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(WriterTest, AReusedRequestIdWithAnotherRequestIsAlreadyExists) {
  ASSERT_TRUE(
      writer_->Execute(Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon())
          .ok());
  int64_t records = TotalRecords();
  auto reused =
      writer_->Execute(Register("r1", "city", "", "市委", v1::ORGANISATION_LEVEL_CITY), Soon());
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kAlreadyExists) << reused.status();
  EXPECT_THAT(reused.status().message(), HasSubstr("request_id"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(WriterTest, ACallerTheDecisionRefusesLearnsNothingOfRetriesOrVersions) {
  Command command = Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY);
  ASSERT_TRUE(writer_->Execute(command, Soon()).ok());
  Command outsider = command;
  outsider.expected_version = 7;
  outsider.decide = [](const DecisionInput&) -> absl::StatusOr<std::vector<v1::Envelope>> {
    return absl::PermissionDeniedError("county is outside the scope of clerk-1");
  };
  EXPECT_EQ(writer_->Execute(outsider, Soon()).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(WriterTest, TheSameRequestIdFromAnotherPrincipalIsAnotherRequest) {
  Command command = Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY);
  ASSERT_TRUE(writer_->Execute(command, Soon()).ok());
  Command other = command;
  other.context.principal_id = "clerk-2";
  EXPECT_EQ(writer_->Execute(other, Soon()).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(WriterTest, AnExpiredDeadlineRunsNothing) {
  int64_t records = TotalRecords();
  auto late = writer_->Execute(Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY),
                               absl::Now() - absl::Seconds(1));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(WriterTest, AnExpectedVersionMismatchIsAbortedWithTheCurrentVersion) {
  ASSERT_TRUE(
      writer_->Execute(Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon())
          .ok());
  Command stale = Register("r2", "town", "county", "乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP);
  stale.expected_version = 0;
  auto aborted = writer_->Execute(stale, Soon());
  ASSERT_EQ(aborted.status().code(), absl::StatusCode::kAborted) << aborted.status();
  auto payload = aborted.status().GetPayload("type.googleapis.com/google.rpc.ErrorInfo");
  ASSERT_TRUE(payload.has_value());
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*payload)));
  EXPECT_EQ(info.reason(), "VERSION_MISMATCH");
  EXPECT_EQ(info.metadata().at("current_version"), "1");
  stale.expected_version = 1;
  EXPECT_TRUE(writer_->Execute(stale, Soon()).ok());
}

TEST_F(WriterTest, ARejectedDecisionAppendsNothingAndItsRetryIsDecidedAfresh) {
  int64_t records = TotalRecords();
  Command orphan = Register("r1", "town", "county", "乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP);
  EXPECT_EQ(writer_->Execute(orphan, Soon()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(TotalRecords(), records);
  ASSERT_TRUE(
      writer_->Execute(Register("r0", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon())
          .ok());
  auto retried = writer_->Execute(orphan, Soon());
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->replayed);
}

TEST_F(WriterTest, IdempotencySurvivesARestartAndARebuiltStateStore) {
  Command command = Register("r1", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY);
  auto first = writer_->Execute(command, Soon());
  ASSERT_TRUE(first.ok()) << first.status();
  Restart();
  auto after_restart = writer_->Execute(command, Soon());
  ASSERT_TRUE(after_restart.ok()) << after_restart.status();
  EXPECT_TRUE(after_restart->replayed);
  EXPECT_EQ(after_restart->consistency_token, first->consistency_token);

  // The state store is a projection of the log: rebuilt from nothing, it answers the same.
  writer_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_.path() + "/state");
  Restart();
  auto rebuilt = writer_->Execute(command, Soon());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_TRUE(rebuilt->replayed);
  EXPECT_EQ(rebuilt->version, 1);
  auto tree_read = writer_->ReadTree(
      [](const domain::OrgTree& tree) { EXPECT_TRUE(tree.IsLive("county")); }, Soon());
  EXPECT_TRUE(tree_read.ok());
}

TEST_F(WriterTest, ConcurrentCommandsOnOneAggregateAreSerialized) {
  ASSERT_TRUE(
      writer_->Execute(Register("r0", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon())
          .ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string id = absl::StrCat("town-", t, "-", i);
        auto r = writer_->Execute(Register(absl::StrCat("r-", id), id, "county", "乡党委",
                                           v1::ORGANISATION_LEVEL_TOWNSHIP),
                                  Soon());
        if (r.ok()) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_EQ(store_->Head(kOrgTreeId).version, 81);
  auto report = eventlog::VerifyLog(*log_, Soon());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->breaks.empty());
}

// A command on an aggregate of the caller's choosing whose decision reports
// how many events of its aggregate it saw.
TEST_F(WriterTest, CommandsQueuedBehindAWriteAreDecidedInOrderAndWrittenTogether) {
  // Two aggregates of one partition.
  const std::string a = "acc-a";
  std::string b;
  for (int i = 0; b.empty(); ++i) {
    std::string id = absl::StrCat("acc-b", i);
    if (writer_->PartitionOf(id) == writer_->PartitionOf(a)) b = id;
  }
  // The first command holds the partition while the others queue behind it.
  absl::Notification release;
  std::atomic<int> seen0{-1}, seen1{-1}, seen2{-1}, seen_b{-1}, seen_dup{-1};
  std::vector<absl::StatusOr<CommandResult>> results(6, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    results[0] = writer_->Execute(Count(a, "r0", &seen0, [&] { release.WaitForNotification(); }),
                                  Soon());
  });
  absl::SleepFor(absl::Milliseconds(100));
  Command second = Count(a, "r2", &seen2);
  second.expected_version = 2;  // the version the group's first command on `a` leaves
  std::vector<Command> queued = {Count(a, "r1", &seen1), second, Count(b, "r1", &seen_b),
                                 Count(a, "r1", &seen_dup), Count(a, "r2", &seen_dup)};
  queued[4].fingerprint = Fingerprint(Request("another", "request", ""));
  for (size_t i = 0; i < queued.size(); ++i) {
    threads.emplace_back([&, i] { results[i + 1] = writer_->Execute(queued[i], Soon()); });
    absl::SleepFor(absl::Milliseconds(20));  // queued in this order
  }
  release.Notify();
  for (auto& thread : threads) thread.join();

  for (int i = 0; i < 4; ++i) ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
  EXPECT_EQ(seen0.load(), 0);
  EXPECT_EQ(seen1.load(), 1) << "sees the command written before it";
  EXPECT_EQ(seen2.load(), 2) << "sees the command of its own group decided before it";
  EXPECT_EQ(seen_b.load(), 0);
  EXPECT_EQ(results[1]->version, 2);
  EXPECT_EQ(results[2]->version, 3);
  EXPECT_EQ(results[3]->version, 1);
  ASSERT_TRUE(results[4].ok()) << results[4].status();
  EXPECT_TRUE(results[4]->replayed) << "the same request twice in a group is written once";
  EXPECT_EQ(results[4]->consistency_token, results[1]->consistency_token);
  EXPECT_EQ(results[5].status().code(), absl::StatusCode::kAlreadyExists) << results[5].status();
  // The group's events follow each other in the partition, chained.
  auto offset = [](const CommandResult& r) { return r.positions.begin()->second; };
  EXPECT_EQ(offset(*results[2]), offset(*results[1]) + 1);
  EXPECT_EQ(offset(*results[3]), offset(*results[2]) + 1);
  EXPECT_EQ(store_->Head(a).version, 3);
  auto report = eventlog::VerifyLog(*log_, Soon());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->breaks.empty());
  EXPECT_EQ(store_->rejected_count(), 0);
}

TEST_F(WriterTest, AFailingCommandInAGroupFailsNothingElse) {
  absl::Notification release;
  std::atomic<int> seen{-1};
  std::vector<absl::StatusOr<CommandResult>> results(3, absl::UnknownError("not run"));
  std::thread first([&] {
    results[0] =
        writer_->Execute(Count("acc-x", "r0", &seen, [&] { release.WaitForNotification(); }), Soon());
  });
  absl::SleepFor(absl::Milliseconds(100));
  Command refused = Count("acc-x", "r1", &seen);
  refused.decide = [](const DecisionInput&) -> absl::StatusOr<std::vector<v1::Envelope>> {
    return absl::FailedPreconditionError("refused");
  };
  std::thread second([&] { results[1] = writer_->Execute(refused, Soon()); });
  absl::SleepFor(absl::Milliseconds(20));
  std::thread third([&] { results[2] = writer_->Execute(Count("acc-x", "r2", &seen), Soon()); });
  absl::SleepFor(absl::Milliseconds(20));
  release.Notify();
  first.join();
  second.join();
  third.join();
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(results[2].ok()) << results[2].status();
  EXPECT_EQ(results[2]->version, 2);
  EXPECT_EQ(seen.load(), 1);
}

// Two writers over the test broker: a newer claim fences the older owner out.
TEST(WriterFencingTest, AnOlderOwnerCanAppendButNeverWins) {
  auto broker = eventlog::TestBroker::Start({.brokers = 1});
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto open_log = [&] {
    return eventlog::OpenKafkaLog(
        {.brokers = (*broker)->bootstrap_servers(), .fetch_wait_max_ms = 10}, Soon());
  };
  eventlog::testing::ScopedTempDir dir;
  auto log_a = open_log();
  auto log_b = open_log();
  ASSERT_TRUE(log_a.ok() && log_b.ok());
  auto store_a = StateStore::Open({.path = dir.path() + "/a", .log_id = (*log_a)->log_id()});
  auto store_b = StateStore::Open({.path = dir.path() + "/b", .log_id = (*log_b)->log_id()});
  ASSERT_TRUE(store_a.ok() && store_b.ok());
  auto a = Writer::Start(log_a->get(), store_a->get(), {.endpoint = "a:1"}, Soon());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(
      (*a)->Execute(Register("r0", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY), Soon())
          .ok());

  // B takes over the tree's partition while A still believes it owns it.
  int32_t tree_partition = (*a)->PartitionOf(kOrgTreeId);
  auto b = Writer::Start(log_b->get(), store_b->get(),
                         {.endpoint = "b:1",
                          .ownership = WriterOptions::Ownership::kListed,
                          .owned_partitions = {tree_partition}},
                         Soon());
  ASSERT_TRUE(b.ok()) << b.status();

  auto from_a = (*a)->Execute(
      Register("r1", "town-a", "county", "甲乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP), Soon());
  EXPECT_EQ(from_a.status().code(), absl::StatusCode::kUnavailable) << from_a.status();
  auto again_a = (*a)->Execute(
      Register("r1", "town-a", "county", "甲乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP), Soon());
  EXPECT_EQ(again_a.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(again_a.status().message(), HasSubstr("b:1"));

  auto from_b = (*b)->Execute(
      Register("r2", "town-b", "county", "乙乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP), Soon());
  ASSERT_TRUE(from_b.ok()) << from_b.status();
  EXPECT_EQ(from_b->version, 2) << "A's late event was rejected: B's is the tree's version 2";
  (*b)->ReadTree(
          [](const domain::OrgTree& tree) {
            EXPECT_FALSE(tree.Exists("town-a"));
            EXPECT_TRUE(tree.Exists("town-b"));
          },
          Soon())
      .IgnoreError();
}


TEST(WriterOutageTest, WhileTheLogDoesNotAnswerCommandsFailFastThenResumeWithoutDoubling) {
  auto broker = eventlog::TestBroker::Start({.brokers = 1});
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto log = eventlog::OpenKafkaLog(
      {.brokers = (*broker)->bootstrap_servers(), .fetch_wait_max_ms = 10}, Soon());
  ASSERT_TRUE(log.ok()) << log.status();
  eventlog::testing::ScopedTempDir dir;
  auto store = StateStore::Open({.path = dir.path(), .log_id = (*log)->log_id()});
  ASSERT_TRUE(store.ok()) << store.status();
  auto writer = Writer::Start(log->get(), store->get(), {.endpoint = "a:1"}, Soon());
  ASSERT_TRUE(writer.ok()) << writer.status();
  Command county = Register("r0", "county", "", "县委", v1::ORGANISATION_LEVEL_COUNTY);
  ASSERT_TRUE((*writer)->Execute(county, Soon()).ok());

  ASSERT_TRUE((*broker)->SetBrokerDown(1).ok());
  // The first command waits for the log until just before its deadline; its
  // record stays in flight and its outcome unknown.
  Command town_a = Register("r1", "town-a", "county", "甲乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP);
  absl::Time start = absl::Now();
  auto unknown = (*writer)->Execute(town_a, start + absl::Seconds(1));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnavailable) << unknown.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  // The partition is in doubt: the next command is refused at once, undecided.
  Command town_b = Register("r2", "town-b", "county", "乙乡党委", v1::ORGANISATION_LEVEL_TOWNSHIP);
  start = absl::Now();
  auto refused = (*writer)->Execute(town_b, start + absl::Seconds(1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("not settled"));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(200));

  // Back: retries with the same request ids find the late write once and
  // decide the other on the state that includes it.
  ASSERT_TRUE((*broker)->SetBrokerUp(1).ok());
  auto retry = [&](const Command& command) {
    return testing::RetryWhileUnavailable(**writer, command);
  };
  auto a = retry(town_a);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->version, 2) << "the write in flight landed and was found, not written again";
  auto b = retry(town_b);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->version, 3);
  EXPECT_EQ((*store)->rejected_count(), 0) << "nothing was decided on a store without town-a";
  auto report = eventlog::VerifyLog(**log, Soon());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->breaks.empty());
}

}  // namespace
}  // namespace vanguard::writer
