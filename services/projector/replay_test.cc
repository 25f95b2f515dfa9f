// Replay from the log alone: a full replay equals the live views, and a replay
// as of an instant equals a live projector stopped at that instant.
#include "services/projector/replay.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
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

// A record the acceptance rule rejects never cuts an as-of replay, whatever
// its recorded_at: here, in every partition, a forged record (a version
// that follows nothing) stamped two days after the instant sits between
// events recorded before it. Every reader rejects it; the replay as of the
// instant still holds the events after it, as the live projector did.
TEST(ReplayTest, ARejectedRecordRecordedLaterDoesNotCutAnAsOfReplay) {
  ScopedTempDir dir;
  auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log"});
  ASSERT_TRUE(log.ok());
  views::testing::Workload workload(5, /*max_organisations=*/200, /*restructure_percent=*/20);
  workload.Generate(3'000);
  const absl::Time day1 = absl::FromUnixSeconds(1286769600);  // 2010-10-11T04:00:00Z
  const absl::Time instant = day1 + absl::Hours(36);
  for (size_t i = 0; i < workload.events.size(); ++i) {
    workload.events[i].mutable_recorded_at()->set_seconds(
        absl::ToUnixSeconds(day1 + absl::Seconds(i)));
  }
  std::span<const v1::Envelope> events = workload.events;
  const size_t half = events.size() / 2;
  std::map<std::string, std::string> heads;
  ASSERT_TRUE(views::testing::AppendEvents(**log, events.first(half), heads).ok());
  // One forged record in every partition, recorded after the instant.
  std::vector<eventlog::Record> forged;
  std::set<int32_t> covered;
  for (int i = 0; static_cast<int32_t>(covered.size()) < (*log)->partition_count(); ++i) {
    v1::Envelope e;
    e.set_aggregate_id(absl::StrCat("forged-", i));
    e.set_event_id(absl::StrCat("forged-event-", i));
    e.set_aggregate_version(7);
    e.set_event_type("vanguard.v1.OrganisationRenamed");
    e.mutable_organisation_renamed()->set_name("伪造");
    e.mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(instant + absl::Hours(48)));
    auto sealed = eventlog::Seal(e, "", "/forger");
    ASSERT_TRUE(sealed.ok());
    if (covered.insert(eventlog::PartitionOf(sealed->record, (*log)->partition_count())).second) {
      forged.push_back(sealed->record);
    }
  }
  ASSERT_TRUE((*log)->Append(forged, absl::Now() + absl::Seconds(10)).ok());
  ASSERT_TRUE(views::testing::AppendEvents(**log, events.subspan(half), heads).ok());

  auto live = Views(dir.path() + "/live", **log);
  {
    auto projector = Projector::Start(**log, *live);
    ASSERT_TRUE(projector.ok());
    ASSERT_TRUE((*projector)->WaitCaughtUp(absl::Now() + absl::Seconds(60)));
  }
  EXPECT_EQ(live->rejected_count(), static_cast<int64_t>(forged.size()));
  auto as_of = Views(dir.path() + "/as-of", **log);
  auto replayed = Replay(**log, *as_of, {.as_of = instant});
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->records_read, static_cast<int64_t>(events.size() + forged.size()));
  EXPECT_EQ(*as_of->Digest(), *live->Digest());
}

}  // namespace
}  // namespace vanguard::projector
