// Replay from the log alone: a full replay equals the live views, and a replay
// as of an instant equals a live projector stopped at that instant.
#include "services/projector/replay.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "libs/views/testing.h"
#include "services/projector/projector.h"

namespace vanguard::projector {
namespace {

using eventlog::testing::ScopedTempDir;

std::unique_ptr<views::ViewStore> Views(const std::string& path, const eventlog::EventLog& log) {
  auto views = views::ViewStore::Open(
      {.path = path, .log_id = log.log_id(), .partitions = log.partition_count()});
  EXPECT_TRUE(views.ok()) << views.status();
  return *std::move(views);
}

TEST(ReplayTest, AsOfAnInstantEqualsALiveProjectorStoppedThenAndFullEqualsLive) {
  ScopedTempDir dir;
  auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log"});
  ASSERT_TRUE(log.ok());
  views::testing::Workload workload(12, /*max_organisations=*/300, /*restructure_percent=*/20);
  workload.Generate(6'000);
  // The first half recorded on 2010-10-11, the rest from 2010-10-13 (Shanghai noon).
  const absl::Time day1 = absl::FromUnixSeconds(1286769600);  // 2010-10-11T04:00:00Z
  const absl::Time instant = day1 + absl::Hours(36);
  size_t half = workload.events.size() / 2;
  for (size_t i = 0; i < workload.events.size(); ++i) {
    absl::Time at = (i < half ? day1 : day1 + absl::Hours(48)) + absl::Seconds(i);
    workload.events[i].mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(at));
  }
  std::span<const v1::Envelope> events = workload.events;
  std::map<std::string, std::string> heads;

  // Live: a projector that has read the first half only.
  ASSERT_TRUE(views::testing::AppendEvents(**log, events.first(half), heads).ok());
  auto live = Views(dir.path() + "/live", **log);
  {
    auto projector = Projector::Start(**log, *live);
    ASSERT_TRUE(projector.ok());
    ASSERT_TRUE((*projector)->WaitCaughtUp(absl::Now() + absl::Seconds(60)));
  }
  std::string then = *live->Digest();

  // The rest of the history, chained on from the first half.
  ASSERT_TRUE(views::testing::AppendEvents(**log, events.subspan(half), heads).ok());

  auto as_of = Views(dir.path() + "/as-of", **log);
  auto replayed = Replay(**log, *as_of, {.as_of = instant});
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->records_read, static_cast<int64_t>(half));
  EXPECT_EQ(*as_of->Digest(), then);

  {
    auto projector = Projector::Start(**log, *live);
    ASSERT_TRUE(projector.ok());
    ASSERT_TRUE((*projector)->WaitCaughtUp(absl::Now() + absl::Seconds(60)));
  }
  auto full = Views(dir.path() + "/full", **log);
  int64_t progress_calls = 0;
  auto all = Replay(**log, *full, {.max_batch = 500, .progress = [&](const ReplayProgress& p) {
                                     ++progress_calls;
                                     EXPECT_LE(p.records_read, p.records_total);
                                   }});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->records_read, static_cast<int64_t>(workload.events.size()));
  EXPECT_GT(progress_calls, 1);
  EXPECT_EQ(*full->Digest(), *live->Digest());
  EXPECT_NE(*full->Digest(), then);
}

}  // namespace
}  // namespace vanguard::projector
