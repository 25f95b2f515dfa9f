#include "libs/domain/leader_review.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

DoLeaderReview ReviewOf(v1::Subject subject) {
  return DoLeaderReview{.leader_name = "县委副书记 王某",
                        .subject = subject,
                        .campaign_id = "cxzy-2010",
                        .achievements = "承诺事项推进有力",
                        .problems = "群众知晓率不高",
                        .suggestions = "加大公开力度",
                        .rating = v1::RATING_GOOD};
}

class LeaderReviewTest : public CampaignTest {
 protected:
  absl::Status Review(const DoLeaderReview& command, std::string actor,
                      const Member* member = nullptr, absl::Time now = Now()) {
    return ApplyTo(review_, Decide(review_, command, tree_, member, As(actor, now)), &log_);
  }

  LeaderReview review_;
  std::vector<v1::Envelope> log_;
};

TEST_F(LeaderReviewTest, SuperiorReviewsAnOrganisationInTheCurrentQuarter) {
  ASSERT_TRUE(Review(ReviewOf(OrganisationSubject("v")), "t").ok());
  const v1::LeaderReviewDone& event = log_.back().leader_review_done();
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.LeaderReviewDone");
  EXPECT_EQ(event.reviewer_organisation_id(), "t");
  EXPECT_EQ(event.year(), 2010);
  EXPECT_EQ(event.quarter(), 2);
  EXPECT_EQ(event.reviewed_on().month(), 6);
  EXPECT_EQ(event.reviewed_on().day(), 15);
}

TEST_F(LeaderReviewTest, QuarterFollowsTheShanghaiCalendarAtNewYear) {
  const absl::Time instant =
      absl::FromCivil(absl::CivilSecond(2025, 12, 31, 16, 30, 0), absl::UTCTimeZone());
  DoLeaderReview command = ReviewOf(OrganisationSubject("v"));
  command.reviewed_at = instant;
  ASSERT_TRUE(Review(command, "t", nullptr, instant).ok());
  const v1::LeaderReviewDone& event = log_.back().leader_review_done();
  EXPECT_EQ(event.year(), 2026);
  EXPECT_EQ(event.quarter(), 1);
  EXPECT_EQ(event.reviewed_on().month(), 1);
  EXPECT_EQ(event.reviewed_on().day(), 1);
}

TEST_F(LeaderReviewTest, LastShanghaiMinuteOfTheYearIsStillQ4) {
  const absl::Time instant =
      absl::FromCivil(absl::CivilSecond(2025, 12, 31, 15, 59, 0), absl::UTCTimeZone());
  DoLeaderReview command = ReviewOf(OrganisationSubject("v"));
  command.reviewed_at = instant;
  ASSERT_TRUE(Review(command, "t", nullptr, instant).ok());
  EXPECT_EQ(log_.back().leader_review_done().year(), 2025);
  EXPECT_EQ(log_.back().leader_review_done().quarter(), 4);
}

TEST_F(LeaderReviewTest, ReviewIsNotInTheFuture) {
  DoLeaderReview command = ReviewOf(OrganisationSubject("v"));
  command.reviewed_at = Now() + absl::Minutes(1);
  EXPECT_THAT(std::string(Review(command, "t").message()), StartsWith("reviewed_at: "));
  command.reviewed_at = Now() - absl::Hours(24 * 100);
  ASSERT_TRUE(Review(command, "t").ok());
  EXPECT_EQ(log_.back().leader_review_done().quarter(), 1);
}

TEST_F(LeaderReviewTest, ReviewerIsAStrictAncestorOfTheOrganisation) {
  EXPECT_EQ(Review(ReviewOf(OrganisationSubject("v")), "v").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Review(ReviewOf(OrganisationSubject("v")), "s").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Review(ReviewOf(OrganisationSubject("v")), "x").ok());
}

TEST_F(LeaderReviewTest, MemberIsReviewedByTheirOrganisationOrAbove) {
  Member member = Enrolled("b");
  EXPECT_EQ(Review(ReviewOf(MemberSubject("m")), "s", &member).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Review(ReviewOf(MemberSubject("m")), "b", &member).ok());
}

TEST_F(LeaderReviewTest, SubjectMustExist) {
  EXPECT_EQ(Review(ReviewOf(OrganisationSubject("nowhere")), "t").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Review(ReviewOf(MemberSubject("m")), "t", nullptr).code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(Review(ReviewOf(v1::Subject()), "t").message()), StartsWith("subject: "));
}

TEST_F(LeaderReviewTest, IsDoneOnce) {
  ASSERT_TRUE(Review(ReviewOf(OrganisationSubject("v")), "t").ok());
  EXPECT_EQ(Review(ReviewOf(OrganisationSubject("v")), "t").code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(LeaderReviewTest, NeedsALeaderAContentAndARating) {
  DoLeaderReview command = ReviewOf(OrganisationSubject("v"));
  command.leader_name = "";
  EXPECT_THAT(std::string(Review(command, "t").message()), StartsWith("leader_name: "));
  command = ReviewOf(OrganisationSubject("v"));
  command.achievements = command.problems = command.suggestions = "";
  EXPECT_THAT(std::string(Review(command, "t").message()), StartsWith("achievements: "));
  command.problems = "台账不全";
  command.rating = v1::RATING_UNSPECIFIED;
  EXPECT_THAT(std::string(Review(command, "t").message()), StartsWith("rating: "));
  command.rating = v1::RATING_FAIR;
  EXPECT_TRUE(Review(command, "t").ok());
}

TEST_F(LeaderReviewTest, ReplayRebuildsTheReview) {
  ASSERT_TRUE(Review(ReviewOf(OrganisationSubject("v")), "t").ok());
  LeaderReview replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 1);
  EXPECT_EQ(replayed.done().quarter(), 2);
  EXPECT_EQ(
      Decide(replayed, ReviewOf(OrganisationSubject("v")), tree_, nullptr, As("t")).status().code(),
      absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace vanguard::domain
