// Replicas of the projector, each with its own positions and no consumer
// group, build the same views from the same history: two replicas reading
// the Kafka log (librdkafka's mock cluster) at the same time, and one reading
// the same history from the embedded log, end with equal digests.
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"
#include "libs/views/testing.h"
#include "libs/views/view_store.h"
#include "services/projector/projector.h"

namespace vanguard {
namespace {

using eventlog::testing::ScopedTempDir;

struct Replica {
  std::unique_ptr<views::ViewStore> views;
  std::unique_ptr<projector::Projector> projector;
};

Replica StartReplica(eventlog::EventLog& log, const std::string& path) {
  Replica r;
  auto views = views::ViewStore::Open(
      {.path = path, .log_id = log.log_id(), .partitions = log.partition_count()});
  EXPECT_TRUE(views.ok()) << views.status();
  r.views = *std::move(views);
  auto projector = projector::Projector::Start(log, *r.views, {.max_batch = 300});
  EXPECT_TRUE(projector.ok()) << projector.status();
  r.projector = *std::move(projector);
  return r;
}

TEST(ReplicasTest, EveryReplicaOfEitherBackendBuildsTheSameViews) {
  ScopedTempDir dir;
  views::testing::Workload workload(31, /*max_organisations=*/300, /*restructure_percent=*/20);
  workload.Generate(4'000);

  auto broker = eventlog::TestBroker::Start({.brokers = 3, .partitions = 12});
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto kafka = eventlog::OpenKafkaLog({.brokers = (*broker)->bootstrap_servers(), .linger_ms = 5},
                                      absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(kafka.ok()) << kafka.status();
  auto embedded = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log"});
  ASSERT_TRUE(embedded.ok());

  // The replicas start before the history is written, and follow it.
  Replica a = StartReplica(**kafka, dir.path() + "/a");
  Replica b = StartReplica(**kafka, dir.path() + "/b");
  ASSERT_TRUE(views::testing::AppendWorkload(**kafka, workload).ok());
  ASSERT_TRUE(views::testing::AppendWorkload(**embedded, workload).ok());
  Replica c = StartReplica(**embedded, dir.path() + "/c");

  for (Replica* r : {&a, &b, &c}) {
    ASSERT_TRUE(r->projector->WaitCaughtUp(absl::Now() + absl::Minutes(2)))
        << r->projector->status();
    r->projector->Stop();
  }
  EXPECT_EQ(a.views->parked_count() + a.views->rejected_count(), 0);
  auto digest = a.views->Digest();
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*b.views->Digest(), *digest);
  EXPECT_EQ(*c.views->Digest(), *digest) << "the embedded log's offsets and partitions are Kafka's";
}

}  // namespace
}  // namespace vanguard
