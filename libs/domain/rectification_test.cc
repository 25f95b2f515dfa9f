#include "libs/domain/rectification.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

IssueRectification FromReview() {
  IssueRectification command{.responsible = OrganisationSubject("v"),
                             .campaign_id = "cxzy-2010",
                             .problem = "承诺公开不及时",
                             .required_action = "十日内上墙公开",
                             .deadline = MakeDate(2010, 6, 25)};
  command.source.set_kind(v1::REFERENCE_KIND_LEADER_REVIEW);
  command.source.set_id("review-1");
  return command;
}

class RectificationTest : public CampaignTest {
 protected:
  absl::Status Issue(const IssueRectification& command, std::string actor = "t",
                     const Member* member = nullptr) {
    return ApplyTo(item_, Decide(item_, command, tree_, member, As(actor)), &log_);
  }

  absl::Status Close(std::string actor = "v", std::string resolution = "已上墙公开") {
    return ApplyTo(item_, Decide(item_, CloseRectification{.resolution = resolution}, As(actor)),
                   &log_);
  }

  Rectification item_;
  std::vector<v1::Envelope> log_;
};

TEST_F(RectificationTest, ReviewerIssuesAnItemWithADeadline) {
  ASSERT_TRUE(Issue(FromReview()).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.RectificationIssued");
  EXPECT_EQ(log_.back().rectification_issued().issuer_organisation_id(), "t");
  EXPECT_EQ(item_.status(), Rectification::Status::kOpen);
}

TEST_F(RectificationTest, DeadlineIsNotBeforeTheDayOfIssue) {
  IssueRectification command = FromReview();
  command.deadline = MakeDate(2010, 6, 14);
  EXPECT_THAT(std::string(Issue(command).message()), StartsWith("deadline: "));
  command.deadline = MakeDate(2010, 6, 15);
  EXPECT_TRUE(Issue(command).ok());
}

TEST_F(RectificationTest, DeadlineMustBeARealDay) {
  IssueRectification command = FromReview();
  command.deadline = MakeDate(2010, 2, 30);
  EXPECT_THAT(std::string(Issue(command).message()), StartsWith("deadline: "));
}

TEST_F(RectificationTest, SourceIsSomethingThatFindsProblems) {
  IssueRectification command = FromReview();
  command.source.set_kind(v1::REFERENCE_KIND_PLEDGE);
  EXPECT_THAT(std::string(Issue(command).message()), StartsWith("source.kind: "));
  command.source.set_kind(v1::REFERENCE_KIND_INSPECTION);
  command.source.set_id("");
  EXPECT_THAT(std::string(Issue(command).message()), StartsWith("source.id: "));
  command.source.set_id("inspection-1");
  EXPECT_TRUE(Issue(command).ok());
}

TEST_F(RectificationTest, ProblemAndActionAreRequired) {
  IssueRectification command = FromReview();
  command.problem = "";
  EXPECT_THAT(std::string(Issue(command).message()), StartsWith("problem: "));
  command = FromReview();
  command.required_action = "";
  EXPECT_THAT(std::string(Issue(command).message()), StartsWith("required_action: "));
}

TEST_F(RectificationTest, IssuerIsASuperiorOfTheResponsible) {
  EXPECT_EQ(Issue(FromReview(), "v").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Issue(FromReview(), "s").code(), absl::StatusCode::kPermissionDenied);
  Member member = Enrolled("b");
  IssueRectification command = FromReview();
  command.responsible = MemberSubject("m");
  EXPECT_TRUE(Issue(command, "b", &member).ok());
}

TEST_F(RectificationTest, IsIssuedOnce) {
  ASSERT_TRUE(Issue(FromReview()).ok());
  EXPECT_EQ(Issue(FromReview()).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(RectificationTest, ClosingTwiceIsAnError) {
  ASSERT_TRUE(Issue(FromReview()).ok());
  ASSERT_TRUE(Close().ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.RectificationClosed");
  EXPECT_EQ(log_.back().rectification_closed().closed_on().day(), 15);
  EXPECT_EQ(item_.status(), Rectification::Status::kClosed);
  EXPECT_EQ(Close().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(RectificationTest, ClosingNeedsAnOpenItemAResolutionAndTheRightActor) {
  EXPECT_EQ(Close().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Issue(FromReview()).ok());
  EXPECT_THAT(std::string(Close("v", "").message()), StartsWith("resolution: "));
  EXPECT_EQ(Close("s").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Close("t").ok());
}

TEST_F(RectificationTest, ClosingIsNotDatedInTheFuture) {
  ASSERT_TRUE(Issue(FromReview()).ok());
  CloseRectification command{.closed_on = MakeDate(2010, 6, 16), .resolution = "已整改"};
  EXPECT_THAT(std::string(Decide(item_, command, As("v")).status().message()),
              StartsWith("closed_on: "));
  command.closed_on = MakeDate(2010, 6, 15);
  EXPECT_TRUE(Decide(item_, command, As("v")).ok());
}

TEST_F(RectificationTest, ReplayRebuildsTheItem) {
  ASSERT_TRUE(Issue(FromReview()).ok());
  ASSERT_TRUE(Close().ok());
  Rectification replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 2);
  EXPECT_EQ(replayed.status(), Rectification::Status::kClosed);
  EXPECT_EQ(replayed.issuer_organisation_id(), "t");
  EXPECT_EQ(Decide(replayed, CloseRectification{.resolution = "再次"}, As("v")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vanguard::domain
