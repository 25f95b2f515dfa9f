// ReviewService through gRPC: leader reviews, mass evaluations, member
// appraisals and rectifications, and who may do them.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/member_appraisal.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

v1::DoLeaderReviewRequest LeaderReviewRequest(const std::string& request_id, v1::Subject subject) {
  v1::DoLeaderReviewRequest request;
  request.set_request_id(request_id);
  request.set_leader_name("镇党委书记 王某");
  *request.mutable_subject() = std::move(subject);
  request.set_campaign_id("campaign-2024");
  request.set_achievements("承诺践诺扎实");
  request.set_problems("台账不全");
  request.set_rating(v1::RATING_GOOD);
  return request;
}

TEST_F(CommandServicesTest, AReviewerReviewsSubordinatesAndTheirMembers) {
  const std::string member_id = EnrolInBranch("enrol-1");
  v1::DoLeaderReviewRequest review =
      LeaderReviewRequest("review-1", OrganisationPledger("general"));
  Outcome reviewed = Call(reviews_, &ReviewStub::DoLeaderReview, kTownReviewer, review);
  ASSERT_TRUE(reviewed.ok()) << reviewed;
  EXPECT_EQ(reviewed.result.aggregate_id(), writer::DerivedId("rev-", "reviewer-town", "review-1"));
  EXPECT_FALSE(reviewed.result.replayed());
  Outcome retried = Call(reviews_, &ReviewStub::DoLeaderReview, kTownReviewer, review);
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_TRUE(retried.result.replayed());
  EXPECT_EQ(retried.result.aggregate_id(), reviewed.result.aggregate_id());

  Outcome of_member = Call(reviews_, &ReviewStub::DoLeaderReview, kTownReviewer,
                           LeaderReviewRequest("review-2", MemberPledger(member_id)));
  ASSERT_TRUE(of_member.ok()) << of_member;

  v1::DoMassEvaluationRequest evaluation;
  evaluation.set_request_id("evaluation-1");
  *evaluation.mutable_subject() = OrganisationPledger("general");
  evaluation.set_campaign_id("campaign-2024");
  evaluation.set_period(v1::REPORT_PERIOD_HALF_YEAR);
  evaluation.set_year(static_cast<int32_t>(Today().year()));
  evaluation.mutable_counts()->set_satisfied(40);
  evaluation.mutable_counts()->set_basically_satisfied(8);
  evaluation.mutable_counts()->set_unsatisfied(2);
  Outcome evaluated = Call(reviews_, &ReviewStub::DoMassEvaluation, kTownReviewer, evaluation);
  ASSERT_TRUE(evaluated.ok()) << evaluated;

  // The member's own branch appraises; the aggregate is (member, year).
  v1::AppraiseMemberRequest appraisal;
  appraisal.set_request_id("appraise-1");
  appraisal.set_member_id(member_id);
  appraisal.set_campaign_id("campaign-2024");
  appraisal.set_year(static_cast<int32_t>(Today().year()));
  appraisal.set_grade(v1::APPRAISAL_GRADE_EXCELLENT);
  appraisal.set_report_submitted(true);
  Outcome appraised = Call(reviews_, &ReviewStub::AppraiseMember, kBranchReviewer, appraisal);
  ASSERT_TRUE(appraised.ok()) << appraised;
  EXPECT_EQ(appraised.result.aggregate_id(),
            domain::MemberAppraisalId(member_id, static_cast<int32_t>(Today().year())));
  const int64_t records = TotalRecords();
  appraisal.set_request_id("appraise-2");
  Outcome twice = Call(reviews_, &ReviewStub::AppraiseMember, kBranchReviewer, appraisal);
  EXPECT_EQ(twice.code(), grpc::StatusCode::ALREADY_EXISTS) << twice;
  EXPECT_THAT(twice.status.error_message(), HasSubstr("already appraised"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, ReviewsOfNonSubordinatesOrByClerksAreDenied) {
  const int64_t records = TotalRecords();
  // The general branch is the village branch's superior, not its subordinate.
  Outcome upwards = Call(reviews_, &ReviewStub::DoLeaderReview, kBranchReviewer,
                         LeaderReviewRequest("review-1", OrganisationPledger("general")));
  EXPECT_EQ(upwards.code(), grpc::StatusCode::PERMISSION_DENIED) << upwards;
  EXPECT_THAT(upwards.status.error_message(), HasSubstr("organisation general is outside"));
  // In scope, but an organisation does not lead-review itself.
  Outcome itself = Call(reviews_, &ReviewStub::DoLeaderReview, kTownReviewer,
                        LeaderReviewRequest("review-2", OrganisationPledger("town")));
  EXPECT_EQ(itself.code(), grpc::StatusCode::PERMISSION_DENIED) << itself;
  Outcome clerk = Call(reviews_, &ReviewStub::DoLeaderReview, kCountyClerk,
                       LeaderReviewRequest("review-3", OrganisationPledger("general")));
  EXPECT_EQ(clerk.code(), grpc::StatusCode::PERMISSION_DENIED) << clerk;
  EXPECT_THAT(clerk.status.error_message(), HasSubstr("needs the role reviewer"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, ARectificationIsIssuedAndClosedOnce) {
  Outcome reviewed = Call(reviews_, &ReviewStub::DoLeaderReview, kTownReviewer,
                          LeaderReviewRequest("review-1", OrganisationPledger("general")));
  ASSERT_TRUE(reviewed.ok()) << reviewed;

  v1::IssueRectificationRequest issue;
  issue.set_request_id("issue-1");
  *issue.mutable_responsible() = OrganisationPledger("general");
  issue.mutable_source()->set_kind(v1::REFERENCE_KIND_LEADER_REVIEW);
  issue.mutable_source()->set_id(reviewed.result.aggregate_id());
  issue.set_campaign_id("campaign-2024");
  issue.set_problem("台账不全");
  issue.set_required_action("一个月内补齐承诺台账");
  *issue.mutable_deadline() = domain::ToDate(Today() + 30);
  const int64_t records = TotalRecords();
  Outcome out_of_scope = Call(reviews_, &ReviewStub::IssueRectification, kBranchReviewer, issue);
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  EXPECT_EQ(TotalRecords(), records);
  Outcome issued = Call(reviews_, &ReviewStub::IssueRectification, kTownReviewer, issue);
  ASSERT_TRUE(issued.ok()) << issued;
  EXPECT_EQ(issued.result.aggregate_id(), writer::DerivedId("rct-", "reviewer-town", "issue-1"));

  v1::CloseRectificationRequest close;
  close.set_request_id("close-1");
  close.set_rectification_id(issued.result.aggregate_id());
  close.set_resolution("台账已补齐");
  close.add_evidence()->set_description("台账照片");
  Outcome closed = Call(reviews_, &ReviewStub::CloseRectification, kTownReviewer, close);
  ASSERT_TRUE(closed.ok()) << closed;
  EXPECT_EQ(closed.result.version(), 2);
  close.set_request_id("close-2");
  Outcome twice = Call(reviews_, &ReviewStub::CloseRectification, kTownReviewer, close);
  EXPECT_EQ(twice.code(), grpc::StatusCode::FAILED_PRECONDITION) << twice;
  close.set_request_id("close-3");
  close.set_rectification_id("rct-nowhere");
  Outcome nowhere = Call(reviews_, &ReviewStub::CloseRectification, kTownReviewer, close);
  EXPECT_EQ(nowhere.code(), grpc::StatusCode::NOT_FOUND) << nowhere;
}

}  // namespace
}  // namespace vanguard::command::testing
