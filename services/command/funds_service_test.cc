// FundsService through gRPC: pioneer posts, pairings and budgets, the
// department rule, and the rules a budget keeps serially.
#include <map>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/budget.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

int32_t ThisYear() { return static_cast<int32_t>(Today().year()); }

class FundsServiceTest : public CommandServicesTest {
 protected:
  void SetUp() override {
    CommandServicesTest::SetUp();
    if (HasFatalFailure()) return;
    RegisterWaterBureau();
  }

  // A pioneer post of the village branch held by a newly enrolled member.
  v1::EstablishPioneerPostRequest PostRequest(const std::string& request_id,
                                              const std::string& member_id) {
    v1::EstablishPioneerPostRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id("branch");
    request.set_member_id(member_id);
    request.set_campaign_id("campaign-2024");
    request.set_year(ThisYear());
    request.set_post("党员示范岗");
    request.set_duty("带头修缮村道");
    return request;
  }

  // Establishes a post held by a new member and assesses it; the post's id.
  std::string AssessedPost(const std::string& name, v1::AssessmentResult result) {
    const std::string member_id = EnrolInBranch(absl::StrCat("enrol-", name));
    Outcome established = Call(funds_, &FundsStub::EstablishPioneerPost, kBranchClerk,
                               PostRequest(absl::StrCat("post-", name), member_id));
    EXPECT_TRUE(established.ok()) << established;
    v1::AssessPioneerPostRequest assess;
    assess.set_request_id(absl::StrCat("assess-", name));
    assess.set_post_id(established.result.aggregate_id());
    assess.set_year(ThisYear());
    assess.set_result(result);
    Outcome assessed = Call(funds_, &FundsStub::AssessPioneerPost, kTownReviewer, assess);
    EXPECT_TRUE(assessed.ok()) << assessed;
    holders_[established.result.aggregate_id()] = member_id;
    return established.result.aggregate_id();
  }

  std::map<std::string, std::string> holders_;  // post id → the member holding it

  v1::AllocateBudgetRequest AllocateRequest(const std::string& request_id,
                                            const std::string& source, v1::FundsPurpose purpose,
                                            int64_t amount_fen) {
    v1::AllocateBudgetRequest request;
    request.set_request_id(request_id);
    request.set_source_organisation_id(source);
    request.set_purpose(purpose);
    request.set_year(ThisYear());
    request.set_amount_fen(amount_fen);
    request.set_description("年度经费");
    return request;
  }

  // A disbursement from the water bureau's budget of `purpose`.
  v1::DisburseFundsRequest DisburseRequest(const std::string& request_id, v1::FundsPurpose purpose,
                                           int64_t amount_fen) {
    v1::DisburseFundsRequest request;
    request.set_request_id(request_id);
    request.set_source_organisation_id("water");
    request.set_purpose(purpose);
    request.set_year(ThisYear());
    request.mutable_recipient()->set_organisation_id("branch");
    request.set_amount_fen(amount_fen);
    request.set_description("雨厦抽水站");
    return request;
  }

  // The subsidy of `post_id` to its holder.
  v1::DisburseFundsRequest SubsidyRequest(const std::string& request_id,
                                          const std::string& post_id) {
    v1::DisburseFundsRequest request =
        DisburseRequest(request_id, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY, 60000);
    auto holder = holders_.find(post_id);
    request.mutable_recipient()->set_member_id(holder == holders_.end() ? "mbr-nobody"
                                                                        : holder->second);
    request.mutable_reference()->set_kind(v1::REFERENCE_KIND_PIONEER_POST);
    request.mutable_reference()->set_id(post_id);
    request.set_description("先锋岗补助");
    return request;
  }

  Outcome Allocate(const std::string& token, const v1::AllocateBudgetRequest& request) {
    return Call(funds_, &FundsStub::AllocateBudget, token, request);
  }
  Outcome Disburse(const std::string& token, const v1::DisburseFundsRequest& request) {
    return Call(funds_, &FundsStub::DisburseFunds, token, request);
  }
};

TEST_F(FundsServiceTest, ABudgetPaysUpToTheLastFenAndReversesNoMoreThanWasPaid) {
  Outcome allocated =
      Allocate(kWaterDepartment,
               AllocateRequest("alloc-1", "water", v1::FUNDS_PURPOSE_CO_BUILDING, 8000000));
  ASSERT_TRUE(allocated.ok()) << allocated;
  EXPECT_EQ(allocated.result.aggregate_id(),
            domain::BudgetId("water", v1::FUNDS_PURPOSE_CO_BUILDING, ThisYear()));

  const int64_t records = TotalRecords();
  Outcome overdrawn =
      Disburse(kWaterDepartment, DisburseRequest("pay-1", v1::FUNDS_PURPOSE_CO_BUILDING, 8000001));
  EXPECT_EQ(overdrawn.code(), grpc::StatusCode::FAILED_PRECONDITION) << overdrawn;
  EXPECT_THAT(overdrawn.status.error_message(), HasSubstr("8000000 fen left"));
  EXPECT_EQ(TotalRecords(), records);

  // A rejected command is not in the log: its retry is decided afresh.
  v1::DisburseFundsRequest pay = DisburseRequest("pay-2", v1::FUNDS_PURPOSE_CO_BUILDING, 8000000);
  Outcome paid = Disburse(kWaterDepartment, pay);
  ASSERT_TRUE(paid.ok()) << paid;
  EXPECT_EQ(paid.result.version(), 2);
  EXPECT_FALSE(paid.result.replayed());
  {
    // The retry answers the payment's id too, for a later reversal.
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kWaterDepartment));
    v1::DisburseFundsResponse retried;
    ASSERT_TRUE(funds_->DisburseFunds(&context, pay, &retried).ok());
    EXPECT_TRUE(retried.result().replayed());
    EXPECT_EQ(retried.result().version(), 2);
    EXPECT_EQ(retried.disbursement_id(), writer::DerivedId("dsb-", "dept-water", "pay-2"));
  }

  v1::ReverseFundsRequest reverse;
  reverse.set_request_id("reverse-1");
  reverse.set_source_organisation_id("water");
  reverse.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
  reverse.set_year(ThisYear());
  reverse.set_disbursement_id(writer::DerivedId("dsb-", "dept-water", "pay-2"));
  reverse.set_amount_fen(8000001);
  reverse.set_reason("金额有误");
  Outcome too_much = Call(funds_, &FundsStub::ReverseFunds, kWaterDepartment, reverse);
  EXPECT_EQ(too_much.code(), grpc::StatusCode::FAILED_PRECONDITION) << too_much;
  reverse.set_amount_fen(1000000);
  Outcome reversed = Call(funds_, &FundsStub::ReverseFunds, kWaterDepartment, reverse);
  ASSERT_TRUE(reversed.ok()) << reversed;
  EXPECT_EQ(reversed.result.version(), 3);
  reverse.set_request_id("reverse-2");
  reverse.set_amount_fen(7000001);
  Outcome beyond_rest = Call(funds_, &FundsStub::ReverseFunds, kWaterDepartment, reverse);
  EXPECT_EQ(beyond_rest.code(), grpc::StatusCode::FAILED_PRECONDITION) << beyond_rest;
}

TEST_F(FundsServiceTest, ADepartmentSpendsOnlyItsOwnBudget) {
  ASSERT_TRUE(Allocate(kCountyDepartment, AllocateRequest("alloc-county", "county",
                                                          v1::FUNDS_PURPOSE_CO_BUILDING, 100000))
                  .ok());
  const int64_t records = TotalRecords();
  Outcome foreign_allocation =
      Allocate(kWaterDepartment,
               AllocateRequest("alloc-1", "county", v1::FUNDS_PURPOSE_CO_BUILDING, 100000));
  EXPECT_EQ(foreign_allocation.code(), grpc::StatusCode::PERMISSION_DENIED) << foreign_allocation;
  EXPECT_THAT(foreign_allocation.status.error_message(), HasSubstr("spends only the budgets of"));
  v1::DisburseFundsRequest foreign_payment =
      DisburseRequest("pay-1", v1::FUNDS_PURPOSE_CO_BUILDING, 100);
  foreign_payment.set_source_organisation_id("county");
  Outcome denied = Disburse(kWaterDepartment, foreign_payment);
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;

  // Budgets are the department's: a clerk or a reviewer may not spend them.
  Outcome clerk = Allocate(kWaterClerk,
                           AllocateRequest("alloc-2", "water", v1::FUNDS_PURPOSE_CO_BUILDING, 100));
  EXPECT_EQ(clerk.code(), grpc::StatusCode::PERMISSION_DENIED) << clerk;
  EXPECT_THAT(clerk.status.error_message(), HasSubstr("needs the role department"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(FundsServiceTest, APostIsPaidOnlyWhenPassedAndOnceAYear) {
  ASSERT_TRUE(
      Allocate(kWaterDepartment,
               AllocateRequest("alloc-1", "water", v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY, 600000))
          .ok());
  const std::string passed = AssessedPost("passed", v1::ASSESSMENT_RESULT_PASSED);
  const std::string failed = AssessedPost("failed", v1::ASSESSMENT_RESULT_FAILED);
  ASSERT_FALSE(HasFailure());

  Outcome paid = Disburse(kWaterDepartment, SubsidyRequest("subsidy-1", passed));
  ASSERT_TRUE(paid.ok()) << paid;

  const int64_t records = TotalRecords();
  Outcome twice = Disburse(kWaterDepartment, SubsidyRequest("subsidy-2", passed));
  EXPECT_EQ(twice.code(), grpc::StatusCode::FAILED_PRECONDITION) << twice;
  Outcome failed_post = Disburse(kWaterDepartment, SubsidyRequest("subsidy-3", failed));
  EXPECT_EQ(failed_post.code(), grpc::StatusCode::FAILED_PRECONDITION) << failed_post;
  Outcome no_post = Disburse(kWaterDepartment, SubsidyRequest("subsidy-4", "pst-nowhere"));
  EXPECT_EQ(no_post.code(), grpc::StatusCode::NOT_FOUND) << no_post;
  v1::DisburseFundsRequest to_someone_else = SubsidyRequest("subsidy-5", failed);
  to_someone_else.mutable_reference()->set_id(passed);  // another member's post
  Outcome not_holder = Disburse(kWaterDepartment, to_someone_else);
  EXPECT_EQ(not_holder.code(), grpc::StatusCode::FAILED_PRECONDITION) << not_holder;
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(FundsServiceTest, OfTwoConcurrentPaymentsOfAPostExactlyOneSucceeds) {
  ASSERT_TRUE(
      Allocate(kWaterDepartment,
               AllocateRequest("alloc-1", "water", v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY, 600000))
          .ok());
  const std::string post = AssessedPost("passed", v1::ASSESSMENT_RESULT_PASSED);
  ASSERT_FALSE(HasFailure());

  Outcome first;
  Outcome second;
  std::thread a([&] { first = Disburse(kWaterDepartment, SubsidyRequest("subsidy-a", post)); });
  std::thread b([&] { second = Disburse(kWaterDepartment, SubsidyRequest("subsidy-b", post)); });
  a.join();
  b.join();
  EXPECT_NE(first.ok(), second.ok()) << first << " / " << second;
  const Outcome& loser = first.ok() ? second : first;
  EXPECT_EQ(loser.code(), grpc::StatusCode::FAILED_PRECONDITION) << loser;
}

TEST_F(FundsServiceTest, PostsAndPairingsNeedTheirRolesAndScopes) {
  const std::string member_id = EnrolInBranch("enrol-1");
  const int64_t records = TotalRecords();
  Outcome reviewer = Call(funds_, &FundsStub::EstablishPioneerPost, kTownReviewer,
                          PostRequest("post-1", member_id));
  EXPECT_EQ(reviewer.code(), grpc::StatusCode::PERMISSION_DENIED) << reviewer;
  Outcome out_of_scope =
      Call(funds_, &FundsStub::EstablishPioneerPost, kWaterClerk, PostRequest("post-2", member_id));
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  EXPECT_THAT(out_of_scope.status.error_message(), HasSubstr("organisation branch is outside"));
  EXPECT_EQ(TotalRecords(), records);

  Outcome established = Call(funds_, &FundsStub::EstablishPioneerPost, kBranchClerk,
                             PostRequest("post-3", member_id));
  ASSERT_TRUE(established.ok()) << established;
  EXPECT_EQ(established.result.aggregate_id(), writer::DerivedId("pst-", "clerk-branch", "post-3"));
  v1::AssessPioneerPostRequest assess;
  assess.set_request_id("assess-1");
  assess.set_post_id(established.result.aggregate_id());
  assess.set_year(ThisYear());
  assess.set_result(v1::ASSESSMENT_RESULT_PASSED);
  Outcome clerk_assesses = Call(funds_, &FundsStub::AssessPioneerPost, kBranchClerk, assess);
  EXPECT_EQ(clerk_assesses.code(), grpc::StatusCode::PERMISSION_DENIED) << clerk_assesses;

  v1::EstablishPairingRequest pairing;
  pairing.set_request_id("pair-1");
  pairing.set_department_organisation_id("water");
  pairing.set_recipient_organisation_id("branch");
  pairing.set_campaign_id("campaign-2024");
  pairing.set_programme("五联五创");
  pairing.set_agreement_text("水务局与雨厦村共创协议");
  Outcome foreign = Call(funds_, &FundsStub::EstablishPairing, kBranchClerk, pairing);
  EXPECT_EQ(foreign.code(), grpc::StatusCode::PERMISSION_DENIED) << foreign;
  Outcome paired = Call(funds_, &FundsStub::EstablishPairing, kWaterClerk, pairing);
  ASSERT_TRUE(paired.ok()) << paired;

  v1::EndPairingRequest end;
  end.set_request_id("end-1");
  end.set_pairing_id(paired.result.aggregate_id());
  end.set_reason("协议期满");
  Outcome ended = Call(funds_, &FundsStub::EndPairing, kWaterClerk, end);
  ASSERT_TRUE(ended.ok()) << ended;
  EXPECT_EQ(ended.result.version(), 2);
  end.set_request_id("end-2");
  Outcome again = Call(funds_, &FundsStub::EndPairing, kWaterClerk, end);
  EXPECT_EQ(again.code(), grpc::StatusCode::FAILED_PRECONDITION) << again;
}

}  // namespace
}  // namespace vanguard::command::testing
