// PledgeService through gRPC: the whole lifecycle, both sides, and scopes.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(CommandServicesTest, APledgeGoesThroughItsWholeLifecycle) {
  // The general branch pledges; its superior, the township, reviews.
  Outcome made = Make(kGeneralClerk, MakeRequest("make-1", OrganisationPledger("general")));
  ASSERT_TRUE(made.ok()) << made;
  const std::string pledge_id = made.result.aggregate_id();
  EXPECT_EQ(pledge_id, writer::DerivedId("plg-", "clerk-general", "make-1"));
  EXPECT_EQ(made.result.version(), 1);

  v1::SendBackPledgeRequest send_back;
  send_back.set_request_id("send-back-1");
  send_back.set_pledge_id(pledge_id);
  send_back.set_comment("请补充路灯安装内容");
  Outcome sent_back = SendBack(kTownReviewer, send_back);
  ASSERT_TRUE(sent_back.ok()) << sent_back;
  EXPECT_EQ(sent_back.result.version(), 2);

  Outcome revised = Revise(kGeneralClerk, ReviseRequest("revise-1", pledge_id));
  ASSERT_TRUE(revised.ok()) << revised;
  EXPECT_EQ(revised.result.version(), 3);

  Outcome approved = Approve(kTownReviewer, ApproveRequest("approve-1", pledge_id));
  ASSERT_TRUE(approved.ok()) << approved;
  EXPECT_EQ(approved.result.version(), 4);

  const int64_t records = TotalRecords();
  Outcome too_late = Revise(kGeneralClerk, ReviseRequest("revise-2", pledge_id));
  EXPECT_EQ(too_late.code(), grpc::StatusCode::FAILED_PRECONDITION) << too_late;
  EXPECT_THAT(too_late.status.error_message(), HasSubstr("approved"));
  EXPECT_EQ(TotalRecords(), records);

  v1::ReportPledgeProgressRequest report;
  report.set_request_id("report-1");
  report.set_pledge_id(pledge_id);
  *report.mutable_as_of() = domain::ToDate(Today());
  *report.mutable_achieved() = Kilometres(4000);
  report.set_description("已完成 4 公里");
  Outcome reported = Report(kGeneralClerk, report);
  ASSERT_TRUE(reported.ok()) << reported;
  EXPECT_EQ(reported.result.version(), 5);

  v1::AssessPledgeRequest assess;
  assess.set_request_id("assess-1");
  assess.set_pledge_id(pledge_id);
  assess.set_year(static_cast<int32_t>(Today().year()));
  assess.set_quarter((Today().month() - 1) / 3 + 1);
  assess.set_rating(v1::RATING_GOOD);
  Outcome assessed = Assess(kTownReviewer, assess);
  ASSERT_TRUE(assessed.ok()) << assessed;
  EXPECT_EQ(assessed.result.version(), 6);

  v1::FulfilPledgeRequest fulfil;
  fulfil.set_request_id("fulfil-1");
  fulfil.set_pledge_id(pledge_id);
  *fulfil.mutable_achieved() = Kilometres(10000);
  fulfil.set_description("村道全部硬化");
  Outcome fulfilled = Fulfil(kGeneralClerk, fulfil);
  ASSERT_TRUE(fulfilled.ok()) << fulfilled;
  EXPECT_EQ(fulfilled.result.version(), 7);

  v1::EvaluatePledgeRequest evaluate;
  evaluate.set_request_id("evaluate-1");
  evaluate.set_pledge_id(pledge_id);
  evaluate.set_year(static_cast<int32_t>(Today().year()));
  evaluate.set_rating(v1::RATING_EXCELLENT);
  evaluate.mutable_mass_counts()->set_satisfied(42);
  evaluate.mutable_mass_counts()->set_basically_satisfied(3);
  Outcome evaluated = Evaluate(kTownReviewer, evaluate);
  ASSERT_TRUE(evaluated.ok()) << evaluated;
  EXPECT_EQ(evaluated.result.version(), 8);
  EXPECT_EQ(evaluated.result.aggregate_id(), pledge_id);
}

TEST_F(CommandServicesTest, AMembersPledgeIsReviewedByItsBranchAndWithdrawn) {
  const std::string member_id = EnrolInBranch("enrol-1");
  Outcome made = Make(kBranchClerk, MakeRequest("make-1", MemberPledger(member_id)));
  ASSERT_TRUE(made.ok()) << made;
  const std::string pledge_id = made.result.aggregate_id();

  // The reviewer named at making is the member's own branch, not the township.
  const int64_t records = TotalRecords();
  Outcome wrong_reviewer = Approve(kTownReviewer, ApproveRequest("approve-1", pledge_id));
  EXPECT_EQ(wrong_reviewer.code(), grpc::StatusCode::PERMISSION_DENIED) << wrong_reviewer;
  EXPECT_EQ(TotalRecords(), records);
  Outcome approved = Approve(kBranchReviewer, ApproveRequest("approve-1", pledge_id));
  ASSERT_TRUE(approved.ok()) << approved;
  EXPECT_EQ(approved.result.version(), 2);

  v1::WithdrawPledgeRequest withdraw;
  withdraw.set_request_id("withdraw-1");
  withdraw.set_pledge_id(pledge_id);
  withdraw.set_reason("外出务工，无法履诺");
  Outcome withdrawn = Withdraw(kBranchClerk, withdraw);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn;
  EXPECT_EQ(withdrawn.result.version(), 3);

  withdraw.set_request_id("withdraw-2");
  Outcome again = Withdraw(kBranchClerk, withdraw);
  EXPECT_EQ(again.code(), grpc::StatusCode::FAILED_PRECONDITION) << again;
}

TEST_F(CommandServicesTest, PledgeCommandsOutsideTheScopeOrOnNothingFail) {
  const int64_t records = TotalRecords();
  Outcome out_of_scope = Make(kBranchClerk, MakeRequest("make-1", OrganisationPledger("general")));
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  EXPECT_THAT(out_of_scope.status.error_message(),
              HasSubstr("organisation general is outside the scope of principal clerk-branch"));

  Outcome no_member = Make(kBranchClerk, MakeRequest("make-2", MemberPledger("mbr-nobody")));
  EXPECT_EQ(no_member.code(), grpc::StatusCode::NOT_FOUND) << no_member;

  Outcome no_pledge = Approve(kTownReviewer, ApproveRequest("approve-1", "plg-nothing"));
  EXPECT_EQ(no_pledge.code(), grpc::StatusCode::NOT_FOUND) << no_pledge;
  EXPECT_THAT(no_pledge.status.error_message(), HasSubstr("pledge plg-nothing not found"));
  EXPECT_EQ(TotalRecords(), records);

  // A subordinate organisation is not the pledger's side of its superior's pledge.
  Outcome made = Make(kGeneralClerk, MakeRequest("make-3", OrganisationPledger("general")));
  ASSERT_TRUE(made.ok()) << made;
  v1::WithdrawPledgeRequest withdraw;
  withdraw.set_request_id("withdraw-1");
  withdraw.set_pledge_id(made.result.aggregate_id());
  withdraw.set_reason("不再需要");
  const int64_t after_make = TotalRecords();
  Outcome branch_withdraws = Withdraw(kBranchClerk, withdraw);
  EXPECT_EQ(branch_withdraws.code(), grpc::StatusCode::PERMISSION_DENIED) << branch_withdraws;
  EXPECT_THAT(branch_withdraws.status.error_message(), HasSubstr("outside the scope"));

  v1::ApprovePledgeRequest stale = ApproveRequest("approve-2", made.result.aggregate_id());
  stale.set_expected_version(0);
  Outcome aborted = Approve(kTownReviewer, stale);
  ASSERT_EQ(aborted.code(), grpc::StatusCode::ABORTED) << aborted;
  ASSERT_TRUE(rpc::ErrorInfoOf(aborted.status).has_value());
  EXPECT_EQ(rpc::ErrorInfoOf(aborted.status)->metadata().at("current_version"), "1");
  EXPECT_EQ(TotalRecords(), after_make);
}

}  // namespace
}  // namespace vanguard::command::testing
