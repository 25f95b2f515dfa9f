// MemberService through gRPC: enrolment to leaving, and scopes.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(CommandServicesTest, AMemberIsEnrolledUpdatedTransferredAndLeaves) {
  Outcome enrolled = Enrol(kBranchClerk, EnrolRequest("enrol-1", "branch", "张三"));
  ASSERT_TRUE(enrolled.ok()) << enrolled;
  const std::string member_id = enrolled.result.aggregate_id();
  EXPECT_EQ(member_id, writer::DerivedId("mbr-", "clerk-branch", "enrol-1"));
  EXPECT_EQ(enrolled.result.version(), 1);

  v1::UpdateMemberRequest update;
  update.set_request_id("update-1");
  update.set_member_id(member_id);
  update.mutable_attributes()->set_name("张三");
  update.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
  update.mutable_attributes()->set_holds_post(true);
  update.mutable_attributes()->set_post_title("村委会委员");
  Outcome updated = Update(kBranchClerk, update);
  ASSERT_TRUE(updated.ok()) << updated;
  EXPECT_EQ(updated.result.aggregate_id(), member_id);
  EXPECT_EQ(updated.result.version(), 2);

  ASSERT_TRUE(Register(kGeneralClerk,
                       RegisterRequest("r-b2", "branch-2", "general", v1::ORGANISATION_KIND_BRANCH,
                                       v1::ORGANISATION_LEVEL_GRASSROOTS))
                  .ok());
  v1::TransferMemberRequest transfer;
  transfer.set_request_id("transfer-1");
  transfer.set_member_id(member_id);
  transfer.set_to_organisation_id("branch-2");
  transfer.set_reason("组织关系转接");
  Outcome transferred = Transfer(kBranchClerk, transfer);
  ASSERT_TRUE(transferred.ok()) << transferred;
  EXPECT_EQ(transferred.result.version(), 3);

  // The member now belongs to branch-2, outside the village branch's scope.
  const int64_t records = TotalRecords();
  update.set_request_id("update-2");
  Outcome out_of_scope = Update(kBranchClerk, update);
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  // The refusal names the member, not where it went: the caller may be outside its scope.
  EXPECT_THAT(out_of_scope.status.error_message(),
              HasSubstr(absl::StrCat("member ", update.member_id(), " is outside")));
  EXPECT_THAT(out_of_scope.status.error_message(), Not(HasSubstr("branch-2")));
  EXPECT_EQ(TotalRecords(), records);

  v1::RecordMemberLeftRequest leave;
  leave.set_request_id("leave-1");
  leave.set_member_id(member_id);
  leave.set_reason(v1::LEAVE_REASON_DECEASED);
  Outcome left = Leave(kGeneralClerk, leave);
  ASSERT_TRUE(left.ok()) << left;
  EXPECT_EQ(left.result.version(), 4);

  update.set_request_id("update-3");
  Outcome after_leaving = Update(kGeneralClerk, update);
  EXPECT_EQ(after_leaving.code(), grpc::StatusCode::FAILED_PRECONDITION) << after_leaving;
}

TEST_F(CommandServicesTest, MemberCommandsOutsideTheScopeOrOnNothingFail) {
  const int64_t records = TotalRecords();
  Outcome denied = Enrol(kBranchClerk, EnrolRequest("enrol-1", "general", "张三"));
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;
  EXPECT_THAT(denied.status.error_message(),
              HasSubstr("organisation general is outside the scope of principal clerk-branch"));
  Outcome nowhere = Enrol(kBranchClerk, EnrolRequest("enrol-2", "nowhere", "张三"));
  EXPECT_EQ(nowhere.code(), grpc::StatusCode::NOT_FOUND) << nowhere;

  v1::TransferMemberRequest transfer;
  transfer.set_request_id("transfer-1");
  transfer.set_member_id("mbr-nobody");
  transfer.set_to_organisation_id("branch");
  Outcome nobody = Transfer(kCountyClerk, transfer);
  EXPECT_EQ(nobody.code(), grpc::StatusCode::NOT_FOUND) << nobody;
  EXPECT_THAT(nobody.status.error_message(), HasSubstr("member mbr-nobody not found"));
  EXPECT_EQ(TotalRecords(), records);
}

}  // namespace
}  // namespace vanguard::command::testing
