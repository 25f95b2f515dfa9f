// The views against an independent recomputation: a random but valid history
// over a tree of six levels (registrations, moves, dissolutions, enrolments,
// transfers, pledges through their whole lifecycle, reviews, funds and their
// reversals, honours and revocations, posts, pairings, meetings) is written
// to an embedded log; the projector's figures for every organisation and
// bucket must equal sums computed naively from the raw events over the final
// tree; and the views must be the same bytes however the log is applied.
#include "libs/views/view_store.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "libs/views/figures.h"
#include "libs/views/testing.h"

namespace vanguard::views {
namespace {

using eventlog::testing::ScopedTempDir;
using views::testing::Expected;
using views::testing::Fact;
using views::testing::Workload;

// The workload in an embedded log of four partitions.
std::unique_ptr<eventlog::EventLog> WriteLog(const std::string& path, const Workload& w) {
  auto log = eventlog::OpenEmbeddedLog({.path = path, .partitions = 4});
  EXPECT_TRUE(log.ok()) << log.status();
  absl::Status appended = views::testing::AppendWorkload(**log, w);
  EXPECT_TRUE(appended.ok()) << appended;
  return *std::move(log);
}

std::vector<eventlog::StoredRecord> ReadPartition(eventlog::EventLog& log, int32_t partition) {
  auto reader = log.OpenReader({{partition, 0}});
  EXPECT_TRUE(reader.ok());
  std::vector<eventlog::StoredRecord> all;
  int64_t end = *log.EndOffset(partition, absl::Now() + absl::Seconds(5));
  while (static_cast<int64_t>(all.size()) < end) {
    auto got = (*reader)->Poll(1000, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(got.ok());
    if (!got.ok() || got->empty()) break;
    for (auto& r : *got) all.push_back(std::move(r));
  }
  return all;
}

std::unique_ptr<ViewStore> OpenViews(const std::string& path, const eventlog::EventLog& log) {
  auto views = ViewStore::Open({.path = path, .log_id = log.log_id(), .partitions = 4});
  EXPECT_TRUE(views.ok()) << views.status();
  return views.ok() ? *std::move(views) : nullptr;
}

class ViewsAgainstANaiveRecomputation : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ViewsAgainstANaiveRecomputation, EveryOrganisationEveryBucket) {
  ScopedTempDir dir;
  Workload w(GetParam());
  w.Generate(3000);
  auto log = WriteLog(dir.path() + "/log", w);

  // In log order, partition after partition, in large batches.
  auto views = OpenViews(dir.path() + "/views", *log);
  ASSERT_NE(views, nullptr);
  for (int32_t p = 0; p < 4; ++p) {
    std::vector<eventlog::StoredRecord> records = ReadPartition(*log, p);
    ASSERT_TRUE(views->Apply(records).ok());
  }
  EXPECT_EQ(views->parked_count(), 0);
  EXPECT_EQ(views->rejected_count(), 0);

  std::vector<Fact> facts = w.FinalFacts();
  const std::vector<std::pair<std::string, std::string>> buckets = {
      {"", ""},          {"campaign-a", ""},    {"", "2010"},   {"", "2011-Q2"},
      {"", "2010-07"},   {"campaign-b", "2011"}, {"", "2010-Q3"}, {"campaign-a", "2010-Q1"},
      {"campaign-b", "2010-11"}};
  auto reader = views->NewReader();
  int compared = 0, nonempty = 0;
  for (const std::string& organisation : w.organisations) {
    for (const auto& [campaign, period] : buckets) {
      v1::Tally want = Expected(w, facts, organisation, campaign, period);
      v1::Tally got = reader->GetTally(OrganisationNode(organisation), campaign, period);
      ASSERT_EQ(got.SerializeAsString(), want.SerializeAsString())
          << organisation << " in (" << campaign << ", " << period << ")\n got: "
          << got.ShortDebugString().substr(0, 1500)
          << "\nwant: " << want.ShortDebugString().substr(0, 1500);
      ++compared;
      nonempty += !IsEmpty(want);
    }
  }
  EXPECT_GT(nonempty, compared / 3) << "the comparison must be about something";

  // Applied in another order (partitions reversed, small random batches, the
  // store reopened between them), the views are the same bytes.
  auto digest = views->Digest();
  ASSERT_TRUE(digest.ok());
  std::mt19937 rng(GetParam() + 1);
  std::string other = dir.path() + "/other";
  for (int32_t p = 3; p >= 0; --p) {
    auto again = OpenViews(other, *log);
    ASSERT_NE(again, nullptr);
    std::vector<eventlog::StoredRecord> records = ReadPartition(*log, p);
    for (size_t at = 0; at < records.size();) {
      size_t n = std::min(records.size() - at, size_t{1} + rng() % 40);
      ASSERT_TRUE(again->Apply(std::span(records).subspan(at, n)).ok());
      at += n;
    }
  }
  auto again = OpenViews(other, *log);
  EXPECT_EQ(*again->Digest(), *digest);
}

// Events of one aggregate, chained, as a writer would append them.
class Chain {
 public:
  explicit Chain(std::string aggregate) : aggregate_(std::move(aggregate)) {}
  eventlog::Record Next(v1::Envelope e) {
    e.set_event_id(absl::StrCat(aggregate_, "-", ++version_));
    e.set_aggregate_id(aggregate_);
    e.set_aggregate_version(version_);
    if (e.schema_version() == 0) e.set_schema_version(1);
    if (e.event_type().empty()) {
      e.set_event_type(std::string(v1::Envelope::descriptor()
                                       ->FindFieldByNumber(e.payload_case())
                                       ->message_type()
                                       ->full_name()));
    }
    auto sealed = eventlog::Seal(e, head_, "/test");
    EXPECT_TRUE(sealed.ok()) << sealed.status();
    head_ = sealed->hash;
    return sealed->record;
  }

 private:
  std::string aggregate_;
  int64_t version_ = 0;
  std::string head_;
};

v1::Envelope Made(const std::string& organisation) {
  v1::Envelope e;
  e.mutable_pledge_made()->mutable_pledger()->set_organisation_id(organisation);
  e.mutable_pledge_made()->set_organisation_id(organisation);
  e.mutable_pledge_made()->set_kind(v1::PLEDGE_KIND_DEED);
  *e.mutable_pledge_made()->mutable_due_on() = views::testing::MakeDate(2010, 12, 31);
  return e;
}

v1::Envelope Approved() {
  v1::Envelope e;
  e.mutable_pledge_approved()->set_comment("同意");
  return e;
}

TEST(ViewStoreTest, AnEventItCannotApplyIsParkedAndItsAggregateWaitsBehindIt) {
  ScopedTempDir dir;
  auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4});
  ASSERT_TRUE(log.ok());
  Chain tree("org-tree"), good("pledge-good"), newer("pledge-newer"), future("future-1");
  v1::Envelope registered;
  registered.mutable_organisation_registered()->set_organisation_id("village");
  registered.mutable_organisation_registered()->set_kind(v1::ORGANISATION_KIND_BRANCH);
  v1::Envelope newer_made = Made("village");
  newer_made.set_schema_version(2);
  v1::Envelope unknown;  // a payload this projector does not know
  unknown.set_event_type("vanguard.v1.PledgeAudited");
  std::vector<eventlog::Record> records = {
      tree.Next(registered), good.Next(Made("village")), newer.Next(newer_made),
      newer.Next(Approved()), future.Next(unknown),       good.Next(Approved())};
  ASSERT_TRUE((*log)->Append(records, absl::Now() + absl::Seconds(10)).ok());
  // A forged record: the good pledge's version 2 again, chained to nothing.
  Chain forged("pledge-good");
  forged.Next(Made("village"));
  ASSERT_TRUE((*log)->Append(std::vector{forged.Next(Approved())}, absl::Now() + absl::Seconds(10)).ok());

  std::string path = dir.path() + "/views";
  {
    auto views = OpenViews(path, **log);
    for (int32_t p = 0; p < 4; ++p) ASSERT_TRUE(views->Apply(ReadPartition(**log, p)).ok());
    EXPECT_EQ(views->parked_count(), 2);
    EXPECT_EQ(views->rejected_count(), 1) << "the forged record";
  }
  // Reopening retries the parked aggregates; this projector still cannot apply them.
  auto views = OpenViews(path, **log);
  auto reader = views->NewReader();
  EXPECT_EQ(reader->parked_count(), 2);
  std::vector<v1::ParkedAggregate> parked = reader->Parked("", 10);
  ASSERT_EQ(parked.size(), 2u);
  EXPECT_EQ(parked[0].aggregate_id(), "future-1");
  EXPECT_THAT(parked[0].reason(), ::testing::HasSubstr("PledgeAudited"));
  EXPECT_EQ(parked[1].aggregate_id(), "pledge-newer");
  EXPECT_THAT(parked[1].reason(), ::testing::HasSubstr("schema version 2"));
  EXPECT_EQ(parked[1].envelopes_size(), 2) << "the approval waits behind the pledge";
  EXPECT_FALSE(reader->GetPledge("pledge-newer").has_value());
  std::optional<v1::PledgeRecord> applied = reader->GetPledge("pledge-good");
  ASSERT_TRUE(applied.has_value()) << "other aggregates go on";
  EXPECT_EQ(applied->state(), v1::PLEDGE_STATE_APPROVED);
  v1::Tally village = reader->GetTally(OrganisationNode("village"), "", "");
  EXPECT_EQ(Count(village, PledgeFigure(v1::PLEDGE_KIND_DEED, v1::PLEDGE_STATE_APPROVED)), 1);
  EXPECT_EQ(Count(village, PledgeFigure(v1::PLEDGE_KIND_DEED, v1::PLEDGE_STATE_UNDER_REVIEW)), 0);
}

// Values outside what the contract defines, as a newer writer or a damaged
// record may hold them: an enum value this projector does not know (past the
// end, negative, huge), a day outside the years 1000 to 9999, a timestamp out
// of range, a pledge of no kind. Each parks its aggregate, naming the field,
// and counts nowhere; the other aggregates go on.
TEST(ViewStoreTest, ValuesOutsideTheContractParkTheirAggregateAndCountNowhere) {
  ScopedTempDir dir;
  auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4});
  ASSERT_TRUE(log.ok());
  Chain tree("org-tree");
  v1::Envelope registered;
  registered.mutable_organisation_registered()->set_organisation_id("village");
  registered.mutable_organisation_registered()->set_kind(v1::ORGANISATION_KIND_BRANCH);
  std::vector<eventlog::Record> records = {tree.Next(registered)};
  auto paid = [](int purpose) {
    v1::Envelope e;
    v1::FundsDisbursed* d = e.mutable_funds_disbursed();
    d->mutable_recipient()->set_organisation_id("village");
    d->set_source_organisation_id("county");
    d->set_purpose(static_cast<v1::FundsPurpose>(purpose));
    d->set_amount_fen(120'000);
    d->set_year(2010);
    *d->mutable_paid_on() = views::testing::MakeDate(2010, 6, 1);
    return e;
  };
  auto appraised = [](int grade) {
    v1::Envelope e;
    v1::MemberAppraised* a = e.mutable_member_appraised();
    a->set_member_id("member-1");
    a->set_organisation_id("village");
    a->set_year(2010);
    a->set_grade(static_cast<v1::AppraisalGrade>(grade));
    return e;
  };
  struct Bad {
    std::string aggregate;
    v1::Envelope event;
    std::string reason;
  };
  std::vector<Bad> bad = {
      {"funds-7", paid(7), "funds_disbursed.purpose: 7 is not a value of FundsPurpose"},
      {"funds-negative", paid(-1), "purpose: -1 is not a value of FundsPurpose"},
      {"funds-huge", paid(2'000'000'000), "purpose: 2000000000 is not a value of FundsPurpose"},
      {"appraisal-5", appraised(5), "member_appraised.grade: 5 is not a value of AppraisalGrade"},
  };
  v1::Envelope late = Made("village");
  *late.mutable_pledge_made()->mutable_due_on() = views::testing::MakeDate(2'000'000, 1, 1);
  bad.push_back(
      {"pledge-late", late, "due_on: 2000000-1-1 is not a day of the years 1000 to 9999"});
  v1::Envelope kindless = Made("village");
  kindless.mutable_pledge_made()->set_kind(v1::PLEDGE_KIND_UNSPECIFIED);
  bad.push_back({"pledge-kindless", kindless, "kind: a pledge must be work or deed, not 0"});
  v1::Envelope far = paid(1);
  far.mutable_occurred_at()->set_seconds(int64_t{1} << 62);
  bad.push_back({"funds-far", far, "occurred_at: 4611686018427387904s 0ns is not a timestamp"});
  for (Bad& b : bad) {
    Chain chain(b.aggregate);
    records.push_back(chain.Next(b.event));
  }
  Chain good("funds-good");
  records.push_back(good.Next(paid(v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY)));
  ASSERT_TRUE((*log)->Append(records, absl::Now() + absl::Seconds(10)).ok());

  auto views = OpenViews(dir.path() + "/views", **log);
  for (int32_t p = 0; p < 4; ++p) ASSERT_TRUE(views->Apply(ReadPartition(**log, p)).ok());
  auto reader = views->NewReader();
  EXPECT_EQ(reader->parked_count(), static_cast<int64_t>(bad.size()));
  std::map<std::string, std::string> reasons;
  for (const v1::ParkedAggregate& parked : reader->Parked("", 100)) {
    reasons[parked.aggregate_id()] = parked.reason();
  }
  for (const Bad& b : bad) {
    ASSERT_TRUE(reasons.contains(b.aggregate)) << b.aggregate << " was applied";
    EXPECT_THAT(reasons[b.aggregate], ::testing::HasSubstr(b.reason)) << b.aggregate;
  }
  // Only the good payment counts: ¥1,200 as a pioneer post subsidy, one
  // disbursement, no appraisal, no pledge.
  v1::Tally village = reader->GetTally(OrganisationNode("village"), "", "");
  EXPECT_EQ(Count(village, kFundsReceivedFen), 120'000);
  EXPECT_EQ(Count(village, kFundsReceivedByPurposeFen + v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY),
            120'000);
  EXPECT_EQ(Count(village, kDisbursements), 1);
  for (int grade = 1; grade <= 4; ++grade) EXPECT_EQ(Count(village, kAppraisalsByGrade + grade), 0);
  EXPECT_EQ(Count(village, kRectificationsIssued), 0);
  EXPECT_EQ(Count(village, PledgeFigure(v1::PLEDGE_KIND_DEED, v1::PLEDGE_STATE_UNDER_REVIEW)), 0);
  EXPECT_LE(village.counts_size(), kFigureCount);
}

// A pioneer post and the subsidy paid to its holder count in the same
// subtrees: the holder's branch shows both, and so do the village general
// branch that established the post and the township above (PostFigures).
TEST(ViewStoreTest, APostAndItsSubsidyCountWhereTheHolderIs) {
  ScopedTempDir dir;
  auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4});
  ASSERT_TRUE(log.ok());
  Chain tree("org-tree"), member("member-1"), post("post-1"), pay("budget-1");
  auto registered = [](const std::string& id, const std::string& parent) {
    v1::Envelope e;
    e.mutable_organisation_registered()->set_organisation_id(id);
    e.mutable_organisation_registered()->set_parent_id(parent);
    return e;
  };
  v1::Envelope enrolled;
  enrolled.mutable_member_enrolled()->set_organisation_id("branch");
  v1::Envelope established;
  established.mutable_pioneer_post_established()->set_organisation_id("village");
  established.mutable_pioneer_post_established()->set_member_id("member-1");
  established.mutable_pioneer_post_established()->set_year(2010);
  v1::Envelope assessed;
  assessed.mutable_pioneer_post_assessed()->set_year(2010);
  assessed.mutable_pioneer_post_assessed()->set_result(v1::ASSESSMENT_RESULT_PASSED);
  v1::Envelope paid;
  v1::FundsDisbursed* d = paid.mutable_funds_disbursed();
  d->mutable_recipient()->set_member_id("member-1");
  d->set_source_organisation_id("township");
  d->set_purpose(v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY);
  d->set_amount_fen(120'000);
  d->set_year(2010);
  *d->mutable_paid_on() = views::testing::MakeDate(2010, 12, 20);
  std::vector<eventlog::Record> records = {tree.Next(registered("township", "")),
                                           tree.Next(registered("village", "township")),
                                           tree.Next(registered("branch", "village")),
                                           member.Next(enrolled),
                                           post.Next(established),
                                           post.Next(assessed),
                                           pay.Next(paid)};
  ASSERT_TRUE((*log)->Append(records, absl::Now() + absl::Seconds(10)).ok());
  auto views = OpenViews(dir.path() + "/views", **log);
  for (int32_t p = 0; p < 4; ++p) ASSERT_TRUE(views->Apply(ReadPartition(**log, p)).ok());
  ASSERT_EQ(views->parked_count(), 0);
  auto reader = views->NewReader();
  for (const char* org : {"branch", "village", "township"}) {
    v1::Tally t = reader->GetTally(OrganisationNode(org), "", "");
    EXPECT_EQ(Count(t, kPostsEstablished), 1) << org;
    EXPECT_EQ(Count(t, kPostsPassed), 1) << org;
    EXPECT_EQ(Count(t, kFundsReceivedByPurposeFen + v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY),
              120'000)
        << org;
  }
}

// A leader review stored in schema version 1 (the quarter implied by the day)
// is upcast before it applies: the views equal those of the same review in
// version 2.
TEST(ViewStoreTest, AnOlderSchemaVersionReplaysIntoTheSameViews) {
  auto build = [](const std::string& path, int32_t version) {
    auto log = eventlog::OpenEmbeddedLog({.path = path + "/log", .partitions = 4});
    EXPECT_TRUE(log.ok());
    Chain tree("org-tree"), review("review-1");
    v1::Envelope town, village, done;
    town.mutable_organisation_registered()->set_organisation_id("town");
    village.mutable_organisation_registered()->set_organisation_id("village");
    village.mutable_organisation_registered()->set_parent_id("town");
    v1::LeaderReviewDone* r = done.mutable_leader_review_done();
    r->mutable_subject()->set_organisation_id("village");
    *r->mutable_reviewed_on() = views::testing::MakeDate(2010, 5, 4);
    done.set_schema_version(version);
    if (version == 2) {
      r->set_year(2010);
      r->set_quarter(2);
    }
    std::vector<eventlog::Record> records = {tree.Next(town), tree.Next(village),
                                             review.Next(done)};
    EXPECT_TRUE((*log)->Append(records, absl::Now() + absl::Seconds(10)).ok());
    auto views = OpenViews(path + "/views", **log);
    for (int32_t p = 0; p < 4; ++p) EXPECT_TRUE(views->Apply(ReadPartition(**log, p)).ok());
    EXPECT_EQ(views->parked_count(), 0);
    return views;
  };
  ScopedTempDir old_dir, new_dir;
  auto old_views = build(old_dir.path(), 1);
  auto new_views = build(new_dir.path(), 2);
  auto old_reader = old_views->NewReader();
  auto new_reader = new_views->NewReader();
  for (const char* period : {"", "2010", "2010-Q2", "2010-05"}) {
    v1::Tally old_tally = old_reader->GetTally(OrganisationNode("town"), "", period);
    EXPECT_EQ(old_tally.SerializeAsString(),
              new_reader->GetTally(OrganisationNode("town"), "", period).SerializeAsString())
        << period;
    EXPECT_EQ(Count(old_tally, kLeaderReviews), 1) << period;
  }
  EXPECT_EQ(Count(old_reader->GetTally(OrganisationNode("town"), "", "2010-Q2"),
                  kOrganisationsReviewed),
            1);
  EXPECT_TRUE(old_reader->Reviewed("", 2010, 2, "village"));
}

TEST(ViewStoreTest, RefusesRecordsOutOfOrderAndViewsOfAnotherLog) {
  ScopedTempDir dir;
  auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log", .partitions = 4});
  ASSERT_TRUE(log.ok());
  Chain good("pledge-good");
  ASSERT_TRUE((*log)->Append(std::vector{good.Next(Made("village"))}, absl::Now() + absl::Seconds(10)).ok());
  auto views = OpenViews(dir.path() + "/views", **log);
  std::vector<eventlog::StoredRecord> records;
  for (int32_t p = 0; p < 4; ++p) {
    for (auto& r : ReadPartition(**log, p)) records.push_back(r);
  }
  ASSERT_EQ(records.size(), 1u);
  records[0].offset = 5;
  EXPECT_EQ(views->Apply(records).code(), absl::StatusCode::kInternal);
  views.reset();
  auto other = ViewStore::Open({.path = dir.path() + "/views", .log_id = "another-log", .partitions = 4});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ViewsAgainstANaiveRecomputation, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace vanguard::views
