// One suite, both backends: the promises of event_log.h.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/event_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/partitioner.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"

namespace vanguard::eventlog {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using testing::RawRecord;
using ::testing::UnorderedElementsAre;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

// Opens one backend, and can close and open it again on the same data.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual absl::StatusOr<std::unique_ptr<EventLog>> Open(int32_t partitions) = 0;
};

class EmbeddedBackend : public Backend {
 public:
  absl::StatusOr<std::unique_ptr<EventLog>> Open(int32_t partitions) override {
    return OpenEmbeddedLog({.path = dir_.path() + "/log", .partitions = partitions});
  }

 private:
  testing::ScopedTempDir dir_;
};

class KafkaBackend : public Backend {
 public:
  KafkaBackend() {
    auto broker = TestBroker::Start({.brokers = 3, .partitions = kDefaultPartitions});
    EXPECT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
  }
  absl::StatusOr<std::unique_ptr<EventLog>> Open(int32_t partitions) override {
    return OpenKafkaLog({.brokers = broker_->bootstrap_servers(),
                         .partitions = partitions,
                         .fetch_wait_max_ms = 10,
                         .delivery_timeout = absl::Seconds(10)},
                        Soon());
  }
  TestBroker& broker() { return *broker_; }

 private:
  std::unique_ptr<TestBroker> broker_;
};

enum class Kind { kEmbedded, kKafka };

void PrintTo(Kind kind, std::ostream* out) {
  *out << (kind == Kind::kEmbedded ? "embedded" : "kafka");
}

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kEmbedded ? "Embedded" : "Kafka";
}

class EventLogConformanceTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kEmbedded) {
      backend_ = std::make_unique<EmbeddedBackend>();
    } else {
      backend_ = std::make_unique<KafkaBackend>();
    }
    Reopen();
  }

  void Reopen() {
    log_.reset();
    auto log = backend_->Open(kDefaultPartitions);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  std::vector<Position> AppendOrDie(std::vector<Record> records) {
    auto positions = log_->Append(records, Soon());
    EXPECT_TRUE(positions.ok()) << positions.status();
    return positions.ok() ? *positions : std::vector<Position>{};
  }

  // Every record of `partition` from `from` to the current end.
  std::vector<StoredRecord> ReadAll(int32_t partition, int64_t from = 0) {
    auto end = log_->EndOffset(partition, Soon());
    EXPECT_TRUE(end.ok()) << end.status();
    std::vector<StoredRecord> out;
    auto reader = log_->OpenReader({{partition, from}});
    EXPECT_TRUE(reader.ok()) << reader.status();
    while (reader.ok() && static_cast<int64_t>(out.size()) < *end - from) {
      auto got = (*reader)->Poll(1000, absl::Now() + absl::Seconds(10));
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || got->empty()) break;
      out.insert(out.end(), got->begin(), got->end());
    }
    return out;
  }

  std::map<int32_t, int64_t> EndOffsets() {
    std::map<int32_t, int64_t> ends;
    for (int32_t p = 0; p < log_->partition_count(); ++p) {
      auto end = log_->EndOffset(p, Soon());
      EXPECT_TRUE(end.ok()) << end.status();
      ends[p] = end.value_or(-1);
    }
    return ends;
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<EventLog> log_;
};

TEST_P(EventLogConformanceTest, RecordsGoToTheirKeysMurmur2PartitionWithDenseOffsets) {
  std::vector<Record> records;
  for (int i = 0; i < 60; ++i) records.push_back(RawRecord(absl::StrCat("pledge-", i), "x"));
  std::vector<Position> positions = AppendOrDie(records);
  ASSERT_EQ(positions.size(), records.size());
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(positions[i].partition, Murmur2Partition(records[i].key, kDefaultPartitions));
    offsets[positions[i].partition].push_back(positions[i].offset);
  }
  EXPECT_GT(offsets.size(), 6u) << "60 keys should spread over most of 12 partitions";
  for (const auto& [partition, got] : offsets) {
    std::vector<int64_t> dense(got.size());
    for (size_t i = 0; i < dense.size(); ++i) dense[i] = static_cast<int64_t>(i);
    EXPECT_EQ(got, dense) << "partition " << partition;
    EXPECT_EQ(EndOffsets()[partition], static_cast<int64_t>(got.size()));
  }
}

TEST_P(EventLogConformanceTest, KeepsTheOrderOfOneKeyAcrossCallsAndBatches) {
  int sequence = 0;
  for (int batch : {1, 5, 1, 20, 3}) {
    std::vector<Record> records;
    for (int i = 0; i < batch; ++i)
      records.push_back(RawRecord("pledge-7", absl::StrCat(sequence++)));
    AppendOrDie(records);
  }
  std::vector<StoredRecord> stored = ReadAll(Murmur2Partition("pledge-7", kDefaultPartitions));
  ASSERT_EQ(stored.size(), 30u);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(stored[i].offset, i);
    EXPECT_EQ(stored[i].key, "pledge-7");
    EXPECT_EQ(stored[i].value, absl::StrCat(i));
  }
}

TEST_P(EventLogConformanceTest, ReadsBackTheExactBytesWithCloudEventHeaders) {
  std::vector<SealedRecord> chain = testing::SampleChain("org-tree", 3);
  std::vector<Record> records;
  for (const auto& sealed : chain) records.push_back(sealed.record);
  std::vector<Position> positions = AppendOrDie(records);
  std::vector<StoredRecord> stored = ReadAll(positions[0].partition);
  ASSERT_EQ(stored.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(stored[i].value, chain[i].record.value);
    EXPECT_EQ(absl::ToUnixMillis(stored[i].timestamp),
              absl::ToUnixMillis(chain[i].record.cloud_event.time));
    std::map<std::string, std::string> headers(stored[i].headers.begin(), stored[i].headers.end());
    EXPECT_EQ(headers["ce_specversion"], "1.0");
    EXPECT_EQ(headers["ce_id"], chain[i].record.cloud_event.id);
    EXPECT_EQ(headers["ce_type"], "vanguard.v1.OrganisationRegistered");
    EXPECT_EQ(headers["ce_source"], "/vanguard/test");
    EXPECT_THAT(headers["ce_time"], HasSubstr("T"));
    EXPECT_EQ(headers["content-type"], "application/protobuf");
  }
  auto report = VerifyLog(*log_, Soon());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->records, 3);
  EXPECT_TRUE(report->breaks.empty());
}

TEST_P(EventLogConformanceTest, WhatWasAcknowledgedSurvivesReopening) {
  std::vector<Record> records;
  for (int i = 0; i < 40; ++i)
    records.push_back(RawRecord(absl::StrCat("member-", i % 7), absl::StrCat(i)));
  AppendOrDie(records);
  std::map<int32_t, int64_t> before = EndOffsets();
  std::string log_id = log_->log_id();
  Reopen();
  EXPECT_EQ(log_->log_id(), log_id);
  EXPECT_EQ(EndOffsets(), before);
  int32_t partition = Murmur2Partition("member-3", kDefaultPartitions);
  std::vector<StoredRecord> stored = ReadAll(partition);
  EXPECT_EQ(static_cast<int64_t>(stored.size()), before[partition]);
  // Appending goes on where the log ended.
  std::vector<Position> next = AppendOrDie({RawRecord("member-3", "after")});
  EXPECT_EQ(next[0], (Position{partition, before[partition]}));
}

TEST_P(EventLogConformanceTest, ConcurrentAppendersGetDistinctDenseOffsetsInTheirOrder) {
  constexpr int kThreads = 8;
  constexpr int kAppends = 40;
  std::vector<std::vector<Position>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        std::vector<Record> batch = {RawRecord(absl::StrCat("writer-", t), absl::StrCat(i))};
        if (i % 4 == 0)
          batch.push_back(RawRecord(absl::StrCat("writer-", t), absl::StrCat(i, "b")));
        auto positions = log_->Append(batch, Soon());
        ASSERT_TRUE(positions.ok()) << positions.status();
        got[t].insert(got[t].end(), positions->begin(), positions->end());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<int32_t, std::set<int64_t>> seen;
  for (int t = 0; t < kThreads; ++t) {
    for (size_t i = 1; i < got[t].size(); ++i) {
      EXPECT_EQ(got[t][i].partition, got[t][0].partition);
      EXPECT_LT(got[t][i - 1].offset, got[t][i].offset) << "writer " << t << " reordered";
    }
    for (const Position& p : got[t]) EXPECT_TRUE(seen[p.partition].insert(p.offset).second);
  }
  for (const auto& [partition, offsets] : seen) {
    EXPECT_EQ(*offsets.rbegin() + 1, static_cast<int64_t>(offsets.size()))
        << "gap in " << partition;
    EXPECT_EQ(EndOffsets()[partition], static_cast<int64_t>(offsets.size()));
  }
}

TEST_P(EventLogConformanceTest, RejectsEmptyAndOversizedRecordsWritingNothing) {
  AppendOrDie({RawRecord("org-tree", "first")});
  std::map<int32_t, int64_t> before = EndOffsets();
  struct Case {
    std::vector<Record> records;
    std::string field;
  };
  Record out_of_range = RawRecord("org-tree", "x");
  out_of_range.partition = kDefaultPartitions;
  std::vector<Case> cases = {
      {{}, "records"},
      {{RawRecord("", "x")}, "records[0].key"},
      {{RawRecord("org-tree", "ok"), RawRecord("org-tree", "")}, "records[1].value"},
      {{RawRecord("org-tree", std::string(kMaxRecordValueBytes + 1, 'v'))}, "records[0].value"},
      {{RawRecord(std::string(kMaxRecordKeyBytes + 1, 'k'), "x")}, "records[0].key"},
      {{out_of_range}, "records[0].partition"},
  };
  for (const Case& c : cases) {
    auto positions = log_->Append(c.records, Soon());
    EXPECT_EQ(positions.status().code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(positions.status().message(), HasSubstr(c.field));
  }
  EXPECT_EQ(EndOffsets(), before);
  // The largest allowed value goes through.
  std::vector<Position> big =
      AppendOrDie({RawRecord("big", std::string(kMaxRecordValueBytes, 'v'))});
  EXPECT_EQ(ReadAll(big[0].partition, big[0].offset).at(0).value.size(), kMaxRecordValueBytes);
}

TEST_P(EventLogConformanceTest, CommitsAndReadsPositionsPerConsumer) {
  auto none = log_->CommittedPositions("projector-a", Soon());
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(log_->CommitPositions("projector-a", {{0, 5}, {3, 7}}, Soon()).ok());
  ASSERT_TRUE(log_->CommitPositions("projector-b", {{1, 1}}, Soon()).ok());
  ASSERT_TRUE(log_->CommitPositions("projector-a", {{3, 9}}, Soon()).ok());
  Reopen();
  auto a = log_->CommittedPositions("projector-a", Soon());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(*a, UnorderedElementsAre(Pair(0, 5), Pair(3, 9)));
  auto b = log_->CommittedPositions("projector-b", Soon());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(*b, UnorderedElementsAre(Pair(1, 1)));
}

TEST_P(EventLogConformanceTest, AReaderAtTheEndWaitsForTheNextRecord) {
  int32_t partition = Murmur2Partition("campaign-1", kDefaultPartitions);
  auto reader = log_->OpenReader({{partition, 0}});
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto nothing = (*reader)->Poll(10, absl::Now() + absl::Milliseconds(200));
  ASSERT_TRUE(nothing.ok()) << nothing.status();
  EXPECT_TRUE(nothing->empty());

  std::thread appender([&] {
    absl::SleepFor(absl::Milliseconds(200));
    AppendOrDie({RawRecord("campaign-1", "launched")});
  });
  absl::Time start = absl::Now();
  auto got = (*reader)->Poll(10, absl::Now() + absl::Seconds(15));
  appender.join();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().value, "launched");
  EXPECT_LT(absl::Now() - start, absl::Seconds(10)) << "woke only at the deadline";
  EXPECT_THAT((*reader)->positions(), UnorderedElementsAre(Pair(partition, 1)));
}

TEST_P(EventLogConformanceTest, AReaderPastTheEndFailsLoudly) {
  AppendOrDie({RawRecord("org-tree", "only")});
  int32_t partition = Murmur2Partition("org-tree", kDefaultPartitions);
  auto reader = log_->OpenReader({{partition, 5}});
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto got = (*reader)->Poll(10, absl::Now() + absl::Seconds(10));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kOutOfRange) << got.status();
  EXPECT_EQ(log_->OpenReader({{-1, 0}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->EndOffset(kDefaultPartitions, Soon()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(EventLogConformanceTest, RefusesAnotherPartitionCount) {
  log_.reset();
  auto other = backend_->Open(kDefaultPartitions + 1);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition) << other.status();
  EXPECT_THAT(other.status().message(), HasSubstr("partitions"));
}

INSTANTIATE_TEST_SUITE_P(Backends, EventLogConformanceTest,
                         ::testing::Values(Kind::kEmbedded, Kind::kKafka), KindName);

// Kafka only: a cluster that cannot be reached gives UNAVAILABLE by the deadline.

TEST(KafkaLogTest, OpeningWithoutABrokerIsUnavailableByTheDeadline) {
  absl::Time start = absl::Now();
  auto log = OpenKafkaLog({.brokers = "127.0.0.1:1"}, absl::Now() + absl::Seconds(2));
  EXPECT_EQ(log.status().code(), absl::StatusCode::kUnavailable) << log.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
}

TEST(KafkaLogTest, AppendingWhileEveryBrokerIsDownIsUnavailableByTheDeadlineThenRecovers) {
  auto broker = TestBroker::Start({.brokers = 1});
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto log = OpenKafkaLog({.brokers = (*broker)->bootstrap_servers(), .fetch_wait_max_ms = 10},
                          absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(log.ok()) << log.status();
  Record first = RawRecord("pledge-1", "before");
  ASSERT_TRUE((*log)->Append({&first, 1}, absl::Now() + absl::Seconds(10)).ok());

  ASSERT_TRUE((*broker)->SetBrokerDown(1).ok());
  Record during = RawRecord("pledge-1", "during");
  absl::Time start = absl::Now();
  auto failed = (*log)->Append({&during, 1}, absl::Now() + absl::Seconds(1));
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  EXPECT_THAT(failed.status().message(), HasSubstr("may still be written"));
  EXPECT_LT(took, absl::Milliseconds(1500));

  // While "during" is in flight, its partition fails fast and writes nothing:
  // memory stays bounded and no end offset is given that it could pass later.
  const int32_t partition = Murmur2Partition("pledge-1", kDefaultPartitions);
  Record queued = RawRecord("pledge-1", "never written");
  start = absl::Now();
  auto refused = (*log)->Append({&queued, 1}, absl::Now() + absl::Seconds(1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("nothing of this call was written"));
  auto end = (*log)->EndOffset(partition, absl::Now() + absl::Seconds(1));
  EXPECT_EQ(end.status().code(), absl::StatusCode::kUnavailable) << end.status();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(100));
  Record elsewhere = RawRecord("pledge-2", "elsewhere");
  if (Murmur2Partition("pledge-2", kDefaultPartitions) != partition) {
    auto tried = (*log)->Append({&elsewhere, 1}, absl::Now() + absl::Milliseconds(200));
    EXPECT_THAT(tried.status().message(), HasSubstr("may still be written"))
        << "other partitions still try";
  }

  // Once the broker is back the record in flight lands, and the partition
  // takes appends again by itself.
  ASSERT_TRUE((*broker)->SetBrokerUp(1).ok());
  Record after = RawRecord("pledge-1", "after");
  absl::StatusOr<std::vector<Position>> ok = absl::UnavailableError("not tried");
  for (absl::Time give_up = absl::Now() + absl::Seconds(20); !ok.ok() && absl::Now() < give_up;) {
    ok = (*log)->Append({&after, 1}, absl::Now() + absl::Seconds(5));
    if (!ok.ok()) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(ok.ok()) << ok.status();
  end = (*log)->EndOffset(partition, absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_EQ(*end, ok->front().offset + 1);
  // The record whose outcome was unknown was delivered once (idempotent
  // producer), before the later one: nothing lost, nothing doubled.
  auto reader = (*log)->OpenReader({{ok->front().partition, 0}});
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> values;
  while (values.size() < static_cast<size_t>(ok->front().offset + 1)) {
    auto got = (*reader)->Poll(10, absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_FALSE(got->empty());
    for (const auto& r : *got) values.push_back(r.value);
  }
  EXPECT_EQ(values, (std::vector<std::string>{"before", "during", "after"}));
}

TEST(KafkaLogTest, AFatalProducerErrorFailsOneCallThenANewProducerGoesOn) {
  auto broker = TestBroker::Start({.brokers = 1});
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto log = OpenKafkaLog({.brokers = (*broker)->bootstrap_servers(), .fetch_wait_max_ms = 10},
                          absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(log.ok()) << log.status();
  Record before = RawRecord("pledge-1", "before");
  ASSERT_TRUE((*log)->Append({&before, 1}, Soon()).ok());

  ASSERT_TRUE(internal::FailProducerForTesting(**log).ok());
  Record lost = RawRecord("pledge-1", "refused");
  auto refused = (*log)->Append({&lost, 1}, Soon());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("replaced"));

  Record after = RawRecord("pledge-1", "after");
  auto ok = (*log)->Append({&after, 1}, Soon());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->front().offset, 1) << "the refused record was never written";
  auto reader = (*log)->OpenReader({{ok->front().partition, 0}});
  ASSERT_TRUE(reader.ok());
  auto got = (*reader)->Poll(10, absl::Now() + absl::Seconds(10));
  ASSERT_TRUE(got.ok());
  while (got->size() < 2) {
    auto more = (*reader)->Poll(10, absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(more.ok() && !more->empty());
    got->insert(got->end(), more->begin(), more->end());
  }
  EXPECT_EQ((*got)[0].value, "before");
  EXPECT_EQ((*got)[1].value, "after");
}

}  // namespace
}  // namespace vanguard::eventlog
