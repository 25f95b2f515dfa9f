#include "libs/domain/pledge.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vanguard::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::Date MakeDate(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// 2010-06-15 10:00 in Shanghai.
absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2010, 6, 15, 2, 0, 0), absl::UTCTimeZone());
}

Context As(std::string organisation_id, absl::Time now = Now()) {
  return Context{.principal_id = "someone", .actor_organisation_id = organisation_id, .now = now};
}

v1::Target Kilometres(int64_t milli) {
  v1::Target target;
  target.set_description("硬化村道 89.7 公里");
  target.mutable_measure()->mutable_quantity()->set_value_milli(milli);
  target.mutable_measure()->mutable_quantity()->set_unit("km");
  return target;
}

v1::Measure AchievedKilometres(int64_t milli, std::string unit = "km") {
  v1::Measure measure;
  measure.mutable_quantity()->set_value_milli(milli);
  measure.mutable_quantity()->set_unit(unit);
  return measure;
}

v1::Subject OrganisationPledger(std::string id) {
  v1::Subject subject;
  subject.set_organisation_id(id);
  return subject;
}

MakePledge VillagePledge() {
  return MakePledge{.campaign_id = "cxzy-2010",
                    .pledger = OrganisationPledger("v"),
                    .kind = v1::PLEDGE_KIND_DEED,
                    .theme = v1::PLEDGE_THEME_PEOPLES_WISHES,
                    .text = "年内硬化村道",
                    .target = Kilometres(89700),
                    .due_on = MakeDate(2010, 12, 31)};
}

class PledgeTest : public ::testing::Test {
 protected:
  // City c (root) → county x → township t → general branch v → branch b;
  // member m belongs to b. The village v pledges; its reviewer is t.
  void SetUp() override {
    Register("c", "", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_CITY);
    Register("x", "c", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_COUNTY);
    Register("t", "x", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_TOWNSHIP);
    Register("v", "t", v1::ORGANISATION_KIND_GENERAL_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS);
    Register("b", "v", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS);
    v1::MemberAttributes attributes;
    attributes.set_name("李四");
    attributes.set_category(v1::MEMBER_CATEGORY_RURAL);
    absl::StatusOr<std::vector<v1::Envelope>> enrolled = Decide(
        member_, EnrolMember{.organisation_id = "b", .attributes = attributes}, tree_, As("b"));
    ASSERT_TRUE(enrolled.ok()) << enrolled.status();
    member_.Apply(enrolled->front());
  }

  void Register(std::string id, std::string parent, v1::OrganisationKind kind,
                v1::OrganisationLevel level) {
    absl::StatusOr<std::vector<v1::Envelope>> events =
        Decide(tree_,
               RegisterOrganisation{.organisation_id = id,
                                    .parent_id = parent,
                                    .name = "党组织 " + id,
                                    .kind = kind,
                                    .level = level,
                                    .sector = v1::SECTOR_VILLAGE},
               As(""));
    ASSERT_TRUE(events.ok()) << events.status();
    tree_.Apply(events->front());
  }

  absl::Status Record(const absl::StatusOr<std::vector<v1::Envelope>>& events) {
    if (!events.ok()) return events.status();
    for (const v1::Envelope& event : *events) {
      pledge_.Apply(event);
      log_.push_back(event);
    }
    return absl::OkStatus();
  }

  absl::Status Make(const MakePledge& command, std::string actor = "v") {
    return Record(Decide(pledge_, command, tree_, &member_, As(actor)));
  }

  template <typename Command>
  absl::Status Do(const Command& command, std::string actor, absl::Time now = Now()) {
    return Record(Decide(pledge_, command, As(actor, now)));
  }

  void MakeAndApprove() {
    ASSERT_TRUE(Make(VillagePledge()).ok());
    ASSERT_TRUE(Do(ApprovePledge{.comment = "同意"}, "t").ok());
  }

  FulfilPledge Fulfilment() {
    return FulfilPledge{.achieved = AchievedKilometres(90000), .description = "全部完工"};
  }

  OrgTree tree_;
  Member member_;
  Pledge pledge_;
  std::vector<v1::Envelope> log_;
};

// --- Making ----------------------------------------------------------------

TEST_F(PledgeTest, OrganisationPledgeIsReviewedByItsParent) {
  ASSERT_TRUE(Make(VillagePledge()).ok());
  const v1::Envelope& envelope = log_.back();
  EXPECT_EQ(envelope.event_type(), "vanguard.v1.PledgeMade");
  EXPECT_EQ(envelope.aggregate_id(), "");
  EXPECT_EQ(envelope.pledge_made().organisation_id(), "v");
  EXPECT_EQ(envelope.pledge_made().reviewer_organisation_id(), "t");
  EXPECT_EQ(pledge_.status(), Pledge::Status::kUnderReview);
}

TEST_F(PledgeTest, MemberPledgeIsReviewedByTheMembersOrganisation) {
  MakePledge command = VillagePledge();
  command.pledger.set_member_id("m");
  ASSERT_TRUE(Make(command, "b").ok());
  EXPECT_EQ(pledge_.organisation_id(), "b");
  EXPECT_EQ(pledge_.reviewer_organisation_id(), "b");
}

TEST_F(PledgeTest, MemberPledgeNeedsACurrentMember) {
  MakePledge command = VillagePledge();
  command.pledger.set_member_id("m");
  EXPECT_EQ(Record(Decide(pledge_, command, tree_, nullptr, As("b"))).code(),
            absl::StatusCode::kNotFound);
  Member left = member_;
  absl::StatusOr<std::vector<v1::Envelope>> events =
      Decide(left, RecordMemberLeft{.reason = v1::LEAVE_REASON_DECEASED}, As("b"));
  ASSERT_TRUE(events.ok());
  left.Apply(events->front());
  EXPECT_EQ(Record(Decide(pledge_, command, tree_, &left, As("b"))).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PledgeTest, PledgerMustBeALiveOrganisationWithASuperior) {
  MakePledge command = VillagePledge();
  command.pledger = OrganisationPledger("nowhere");
  EXPECT_EQ(Make(command, "nowhere").code(), absl::StatusCode::kNotFound);
  command.pledger = OrganisationPledger("c");
  absl::Status status = Make(command, "c");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("no superior"));
  command.pledger = v1::Subject();
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("pledger: "));
  // A dissolved organisation pledges nothing.
  absl::StatusOr<std::vector<v1::Envelope>> dissolved =
      Decide(tree_, DissolveOrganisation{.organisation_id = "b"}, As(""));
  ASSERT_TRUE(dissolved.ok());
  tree_.Apply(dissolved->front());
  command.pledger = OrganisationPledger("b");
  EXPECT_EQ(Make(command, "b").code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PledgeTest, OnlyThePledgersOrganisationMakesThePledge) {
  EXPECT_EQ(Make(VillagePledge(), "t").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Make(VillagePledge(), "v").ok());
}

TEST_F(PledgeTest, AMadePledgeIsMadeOnce) {
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_EQ(Make(VillagePledge()).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(PledgeTest, KindTextAndCampaignAreRequired) {
  MakePledge command = VillagePledge();
  command.kind = v1::PLEDGE_KIND_UNSPECIFIED;
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("kind: "));
  command = VillagePledge();
  command.text = "";
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("text: "));
  command = VillagePledge();
  command.campaign_id = "";
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("campaign_id: "));
  command = VillagePledge();
  command.kind = v1::PLEDGE_KIND_WORK;
  EXPECT_TRUE(Make(command).ok());
}

TEST_F(PledgeTest, TargetNeedsAPositiveMeasure) {
  MakePledge command = VillagePledge();
  command.target = Kilometres(0);
  EXPECT_THAT(std::string(Make(command).message()),
              StartsWith("target.measure.quantity.value_milli: "));
  command.target = Kilometres(-5);
  EXPECT_EQ(Make(command).code(), absl::StatusCode::kInvalidArgument);
  command.target = Kilometres(1);
  command.target.mutable_measure()->mutable_quantity()->clear_unit();
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("target.measure.quantity.unit: "));
  command.target = Kilometres(1);
  command.target.clear_measure();
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("target.measure: "));
  command.target = Kilometres(1);
  command.target.clear_description();
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("target.description: "));
  command.target = Kilometres(1);
  command.target.mutable_measure()->set_amount_fen(0);
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("target.measure.amount_fen: "));
  command.target.mutable_measure()->set_amount_fen(20000000);
  EXPECT_TRUE(Make(command).ok());
}

TEST_F(PledgeTest, DueDateIsNotBeforeTheShanghaiDayOfMaking) {
  MakePledge command = VillagePledge();
  command.due_on = MakeDate(2010, 6, 14);
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("due_on: "));
  command.due_on = MakeDate(2010, 2, 30);
  EXPECT_THAT(std::string(Make(command).message()), StartsWith("due_on: "));
  // 2010-06-14 17:00 UTC is already 06-15 in Shanghai.
  const absl::Time late_evening_utc =
      absl::FromCivil(absl::CivilSecond(2010, 6, 14, 17, 0, 0), absl::UTCTimeZone());
  command.due_on = MakeDate(2010, 6, 14);
  EXPECT_EQ(Record(Decide(pledge_, command, tree_, nullptr, As("v", late_evening_utc))).code(),
            absl::StatusCode::kInvalidArgument);
  command.due_on = MakeDate(2010, 6, 15);
  EXPECT_TRUE(Record(Decide(pledge_, command, tree_, nullptr, As("v", late_evening_utc))).ok());
}

// --- Reviewing -------------------------------------------------------------

TEST_F(PledgeTest, ApprovalNeedsTheReviewerAndAPledgeUnderReview) {
  EXPECT_EQ(Do(ApprovePledge{}, "t").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Make(VillagePledge()).ok());
  absl::Status status = Do(ApprovePledge{}, "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()), HasSubstr("superior"));
  EXPECT_EQ(Do(ApprovePledge{}, "v").code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Do(ApprovePledge{}, "t").ok());
  EXPECT_EQ(log_.back().pledge_approved().reviewer_organisation_id(), "t");
  EXPECT_EQ(Do(ApprovePledge{}, "t").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(pledge_.ever_approved());
}

TEST_F(PledgeTest, SendingBackNeedsACommentAndTheReviewer) {
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_THAT(std::string(Do(SendBackPledge{}, "t").message()), StartsWith("comment: "));
  EXPECT_EQ(Do(SendBackPledge{.comment = "目标不具体"}, "x").code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Do(SendBackPledge{.comment = "目标不具体"}, "t").ok());
  EXPECT_EQ(pledge_.status(), Pledge::Status::kSentBack);
  EXPECT_EQ(Do(ApprovePledge{}, "t").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(SendBackPledge{.comment = "再改"}, "t").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PledgeTest, OnlyASentBackPledgeIsRevisedAndReturnsToReview) {
  RevisePledge revision{.kind = v1::PLEDGE_KIND_DEED,
                        .text = "年内硬化村道 90 公里",
                        .target = Kilometres(90000),
                        .due_on = MakeDate(2010, 11, 30),
                        .comment = "已细化"};
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_EQ(Do(revision, "v").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Do(SendBackPledge{.comment = "目标不具体"}, "t").ok());
  EXPECT_EQ(Do(revision, "t").code(), absl::StatusCode::kPermissionDenied);
  RevisePledge bad = revision;
  bad.target = Kilometres(0);
  EXPECT_EQ(Do(bad, "v").code(), absl::StatusCode::kInvalidArgument);
  bad = revision;
  bad.due_on = MakeDate(2010, 6, 1);
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("due_on: "));
  ASSERT_TRUE(Do(revision, "v").ok());
  EXPECT_EQ(pledge_.status(), Pledge::Status::kUnderReview);
  EXPECT_EQ(pledge_.text(), "年内硬化村道 90 公里");
  EXPECT_EQ(pledge_.due_on().month(), 11);
  ASSERT_TRUE(Do(ApprovePledge{}, "t").ok());
  absl::Status status = Do(revision, "v");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "pledge is approved; only a pledge that is sent back can be revised");
}

// --- Fulfilling ------------------------------------------------------------

TEST_F(PledgeTest, ProgressIsReportedOnApprovedPledgesInTheTargetsMeasure) {
  ReportPledgeProgress report{.as_of = MakeDate(2010, 5, 31),
                              .achieved = AchievedKilometres(30000),
                              .description = "完成 30 公里"};
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_EQ(Do(report, "v").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Do(ApprovePledge{}, "t").ok());
  EXPECT_EQ(Do(report, "t").code(), absl::StatusCode::kPermissionDenied);
  ReportPledgeProgress bad = report;
  bad.achieved = AchievedKilometres(30000, "m");
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("achieved.quantity.unit: "));
  bad.achieved.set_amount_fen(100);
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("achieved: "));
  bad = report;
  bad.as_of = MakeDate(2010, 6, 30);
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("as_of: "));
  bad = report;
  bad.evidence.emplace_back().set_description("照片");
  bad.evidence.back().set_sha256("short");
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("evidence[0].sha256: "));
  bad.evidence.back().set_sha256(std::string(32, '\x01'));
  ASSERT_TRUE(Do(bad, "v").ok());
  EXPECT_EQ(pledge_.achieved().quantity().value_milli(), 30000);
  EXPECT_EQ(pledge_.status(), Pledge::Status::kApproved);
}

TEST_F(PledgeTest, AssessmentIsQuarterlyByTheReviewer) {
  AssessPledge assessment{.year = 2010, .quarter = 2, .rating = v1::RATING_GOOD};
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_EQ(Do(assessment, "t").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Do(ApprovePledge{}, "t").ok());
  EXPECT_EQ(Do(assessment, "v").code(), absl::StatusCode::kPermissionDenied);
  AssessPledge bad = assessment;
  bad.quarter = 5;
  EXPECT_THAT(std::string(Do(bad, "t").message()), StartsWith("quarter: "));
  bad.quarter = 3;  // 2010 Q3 has not begun on 2010-06-15
  EXPECT_THAT(std::string(Do(bad, "t").message()), StartsWith("year: "));
  bad = assessment;
  bad.rating = v1::RATING_UNSPECIFIED;
  EXPECT_THAT(std::string(Do(bad, "t").message()), StartsWith("rating: "));
  ASSERT_TRUE(Do(assessment, "t").ok());
  EXPECT_TRUE(pledge_.AssessedFor(2010, 2));
  EXPECT_EQ(log_.back().pledge_assessed().assessor_organisation_id(), "t");
  EXPECT_EQ(Do(assessment, "t").code(), absl::StatusCode::kFailedPrecondition);
  assessment.quarter = 1;
  EXPECT_TRUE(Do(assessment, "t").ok());
}

TEST_F(PledgeTest, FulfilmentNeedsAnApprovedPledgeAndADescription) {
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_EQ(Do(Fulfilment(), "v").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Do(ApprovePledge{}, "t").ok());
  EXPECT_EQ(Do(Fulfilment(), "t").code(), absl::StatusCode::kPermissionDenied);
  FulfilPledge bad = Fulfilment();
  bad.description = "";
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("description: "));
  bad = Fulfilment();
  bad.fulfilled_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Do(bad, "v").message()), StartsWith("fulfilled_on: "));
  bad.achieved = AchievedKilometres(1, "mile");
  bad.fulfilled_on.reset();
  EXPECT_EQ(Do(bad, "v").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(Do(Fulfilment(), "v").ok());
  EXPECT_EQ(pledge_.status(), Pledge::Status::kFulfilled);
  EXPECT_EQ(log_.back().pledge_fulfilled().fulfilled_on().day(), 15);
}

TEST_F(PledgeTest, NothingButEvaluationFollowsFulfilment) {
  MakeAndApprove();
  ASSERT_TRUE(Do(Fulfilment(), "v").ok());
  EXPECT_EQ(Do(Fulfilment(), "v").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      Do(ReportPledgeProgress{.as_of = MakeDate(2010, 6, 1), .achieved = AchievedKilometres(1)},
         "v")
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(AssessPledge{.year = 2010, .quarter = 2, .rating = v1::RATING_GOOD}, "t").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(WithdrawPledge{.reason = "x"}, "v").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(SendBackPledge{.comment = "x"}, "t").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Do(EvaluatePledge{.year = 2010, .rating = v1::RATING_EXCELLENT}, "t").ok());
}

TEST_F(PledgeTest, WithdrawalNeedsAReasonAndAnOpenPledge) {
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_THAT(std::string(Do(WithdrawPledge{}, "v").message()), StartsWith("reason: "));
  EXPECT_EQ(Do(WithdrawPledge{.reason = "规划调整"}, "t").code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Do(WithdrawPledge{.reason = "规划调整"}, "v").ok());
  EXPECT_EQ(pledge_.status(), Pledge::Status::kWithdrawn);
  EXPECT_EQ(Do(WithdrawPledge{.reason = "again"}, "v").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(ApprovePledge{}, "t").code(), absl::StatusCode::kFailedPrecondition);
}

// --- Evaluating ------------------------------------------------------------

TEST_F(PledgeTest, OnlyAnApprovedPledgeIsEvaluated) {
  EvaluatePledge evaluation{.year = 2010, .rating = v1::RATING_GOOD};
  ASSERT_TRUE(Make(VillagePledge()).ok());
  EXPECT_EQ(Do(evaluation, "t").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Do(WithdrawPledge{.reason = "规划调整"}, "v").ok());
  absl::Status status = Do(evaluation, "t");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("never approved"));
}

TEST_F(PledgeTest, AWithdrawnApprovedPledgeIsStillEvaluated) {
  MakeAndApprove();
  ASSERT_TRUE(Do(WithdrawPledge{.reason = "规划调整"}, "v").ok());
  EXPECT_TRUE(Do(EvaluatePledge{.year = 2010, .rating = v1::RATING_FAIR}, "t").ok());
}

TEST_F(PledgeTest, EvaluationIsOnceByTheReviewerAndEndsTheLifecycle) {
  MakeAndApprove();
  EvaluatePledge evaluation{.year = 2010, .rating = v1::RATING_GOOD};
  evaluation.mass_counts.set_satisfied(40);
  evaluation.mass_counts.set_basically_satisfied(8);
  evaluation.mass_counts.set_unsatisfied(2);
  EXPECT_EQ(Do(evaluation, "v").code(), absl::StatusCode::kPermissionDenied);
  EvaluatePledge bad = evaluation;
  bad.year = 2011;
  EXPECT_THAT(std::string(Do(bad, "t").message()), StartsWith("year: "));
  bad = evaluation;
  bad.rating = v1::RATING_UNSPECIFIED;
  EXPECT_THAT(std::string(Do(bad, "t").message()), StartsWith("rating: "));
  bad = evaluation;
  bad.mass_counts.set_unsatisfied(-1);
  EXPECT_THAT(std::string(Do(bad, "t").message()), StartsWith("mass_counts: "));
  ASSERT_TRUE(Do(evaluation, "t").ok());
  EXPECT_TRUE(pledge_.evaluated());
  EXPECT_EQ(log_.back().pledge_evaluated().mass_counts().satisfied(), 40);
  EXPECT_EQ(Do(evaluation, "t").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Do(Fulfilment(), "v").code(), absl::StatusCode::kFailedPrecondition);
}

// --- Replay ----------------------------------------------------------------

TEST_F(PledgeTest, ReplayingTheEventsRebuildsTheSamePledge) {
  ASSERT_TRUE(Make(VillagePledge()).ok());
  ASSERT_TRUE(Do(SendBackPledge{.comment = "目标不具体"}, "t").ok());
  ASSERT_TRUE(Do(RevisePledge{.kind = v1::PLEDGE_KIND_WORK,
                              .text = "修订后的承诺",
                              .target = Kilometres(50000),
                              .due_on = MakeDate(2010, 12, 1)},
                 "v")
                  .ok());
  ASSERT_TRUE(Do(ApprovePledge{}, "t").ok());
  ASSERT_TRUE(Do(ReportPledgeProgress{.as_of = MakeDate(2010, 6, 14),
                                      .achieved = AchievedKilometres(20000)},
                 "v")
                  .ok());
  ASSERT_TRUE(Do(AssessPledge{.year = 2010, .quarter = 2, .rating = v1::RATING_GOOD}, "t").ok());
  ASSERT_TRUE(
      Do(FulfilPledge{.achieved = AchievedKilometres(50000), .description = "完工"}, "v").ok());
  ASSERT_TRUE(Do(EvaluatePledge{.year = 2010, .rating = v1::RATING_EXCELLENT}, "t").ok());
  ASSERT_EQ(log_.size(), 8u);
  for (const v1::Envelope& event : log_) {
    EXPECT_THAT(event.event_type(), StartsWith("vanguard.v1.Pledge"));
  }

  Pledge replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  v1::Envelope foreign;
  foreign.mutable_member_left();
  replayed.Apply(foreign);
  EXPECT_EQ(replayed.version(), 8);
  EXPECT_EQ(replayed.status(), Pledge::Status::kFulfilled);
  EXPECT_TRUE(replayed.evaluated());
  EXPECT_TRUE(replayed.AssessedFor(2010, 2));
  EXPECT_EQ(replayed.kind(), v1::PLEDGE_KIND_WORK);
  EXPECT_EQ(replayed.text(), "修订后的承诺");
  EXPECT_EQ(replayed.target().measure().quantity().value_milli(), 50000);
  EXPECT_EQ(replayed.achieved().quantity().value_milli(), 50000);
  EXPECT_EQ(replayed.reviewer_organisation_id(), "t");
}

}  // namespace
}  // namespace vanguard::domain
