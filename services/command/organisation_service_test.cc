// OrganisationService through gRPC: the tree and its scopes.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(CommandServicesTest, RegisterAnswersWithTheTreeVersionAndAToken) {
  ASSERT_EQ(tree_results_.size(), 4u);
  for (size_t i = 0; i < tree_results_.size(); ++i) {
    const v1::CommandResult& result = tree_results_[i].result;
    EXPECT_EQ(result.aggregate_id(), writer::kOrgTreeId);
    EXPECT_EQ(result.version(), static_cast<int64_t>(i + 1));
    EXPECT_FALSE(result.consistency_token().empty());
    EXPECT_FALSE(result.replayed());
  }
}

TEST_F(CommandServicesTest, RegisteringARootNeedsAnAdmin) {
  const int64_t records = TotalRecords();
  Outcome denied =
      Register(kCountyClerk, RegisterRequest("r-city", "city", "", v1::ORGANISATION_KIND_COMMITTEE,
                                             v1::ORGANISATION_LEVEL_CITY));
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;
  EXPECT_THAT(denied.status.error_message(), HasSubstr("admin"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, RegisteringOutsideTheScopeIsDeniedAndAppendsNothing) {
  const int64_t records = TotalRecords();
  Outcome denied = Register(
      kBranchClerk, RegisterRequest("r-b2", "branch-2", "general", v1::ORGANISATION_KIND_BRANCH,
                                    v1::ORGANISATION_LEVEL_GRASSROOTS));
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;
  EXPECT_THAT(denied.status.error_message(),
              HasSubstr("organisation general is outside the scope of principal clerk-branch"));
  EXPECT_EQ(TotalRecords(), records);

  // A subordinate of one's own organisation is in scope.
  Outcome registered = Register(
      kGeneralClerk, RegisterRequest("r-b2", "branch-2", "general", v1::ORGANISATION_KIND_BRANCH,
                                     v1::ORGANISATION_LEVEL_GRASSROOTS));
  ASSERT_TRUE(registered.ok()) << registered;
  EXPECT_EQ(registered.result.version(), 5);
}

TEST_F(CommandServicesTest, RenameIsScopedToTheOrganisationAndBelow) {
  v1::RenameOrganisationRequest request;
  request.set_request_id("rename-1");
  request.set_organisation_id("general");
  request.set_name("雨厦村党总支");
  const int64_t records = TotalRecords();
  Outcome denied = Rename(kBranchClerk, request);
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;
  EXPECT_EQ(TotalRecords(), records);

  Outcome renamed = Rename(kGeneralClerk, request);
  ASSERT_TRUE(renamed.ok()) << renamed;
  EXPECT_EQ(renamed.result.aggregate_id(), writer::kOrgTreeId);
  EXPECT_EQ(renamed.result.version(), 5);
}

TEST_F(CommandServicesTest, MoveNeedsTheOrganisationAndTheNewParentInScope) {
  ASSERT_TRUE(Register(kCountyClerk, RegisterRequest("r-town2", "town-2", "county",
                                                     v1::ORGANISATION_KIND_COMMITTEE,
                                                     v1::ORGANISATION_LEVEL_TOWNSHIP))
                  .ok());
  ASSERT_TRUE(Register(kCountyClerk, RegisterRequest("r-general2", "general-2", "town-2",
                                                     v1::ORGANISATION_KIND_GENERAL_BRANCH,
                                                     v1::ORGANISATION_LEVEL_GRASSROOTS))
                  .ok());
  v1::MoveOrganisationRequest request;
  request.set_request_id("move-1");
  request.set_organisation_id("branch");
  request.set_parent_id("general-2");
  request.set_reason("行政村合并");
  const int64_t records = TotalRecords();
  Outcome denied = Move(kGeneralClerk, request);
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;
  EXPECT_THAT(denied.status.error_message(), HasSubstr("organisation general-2 is outside"));
  EXPECT_EQ(TotalRecords(), records);

  Outcome moved = Move(kCountyClerk, request);
  ASSERT_TRUE(moved.ok()) << moved;
  EXPECT_EQ(moved.result.version(), 7);
}

TEST_F(CommandServicesTest, DissolveAnOrganisationAndItsErrors) {
  ASSERT_TRUE(Register(kGeneralClerk, RegisterRequest("r-old", "branch-old", "general",
                                                      v1::ORGANISATION_KIND_BRANCH,
                                                      v1::ORGANISATION_LEVEL_GRASSROOTS))
                  .ok());
  v1::DissolveOrganisationRequest request;
  request.set_request_id("dissolve-1");
  request.set_organisation_id("branch-old");
  request.set_successor_id("branch");
  request.set_reason("撤并");
  Outcome dissolved = Dissolve(kGeneralClerk, request);
  ASSERT_TRUE(dissolved.ok()) << dissolved;
  EXPECT_EQ(dissolved.result.version(), 6);

  const int64_t records = TotalRecords();
  request.set_request_id("dissolve-2");
  request.set_organisation_id("nowhere");
  request.clear_successor_id();
  EXPECT_EQ(Dissolve(kCountyClerk, request).code(), grpc::StatusCode::NOT_FOUND);
  request.set_request_id("dissolve-3");
  request.set_organisation_id("general");
  Outcome busy = Dissolve(kCountyClerk, request);
  EXPECT_EQ(busy.code(), grpc::StatusCode::FAILED_PRECONDITION) << busy;
  EXPECT_THAT(busy.status.error_message(), HasSubstr("live child"));
  EXPECT_EQ(TotalRecords(), records);
}

}  // namespace
}  // namespace vanguard::command::testing
