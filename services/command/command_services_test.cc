// Rules every command RPC shares: authentication, roles, field violations,
// optimistic concurrency, idempotency and deadlines.
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"
#include "services/command/handler.h"

namespace vanguard::command::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(CommandServicesTest, AMissingOrUnknownTokenIsUnauthenticated) {
  const int64_t records = TotalRecords();
  auto request = RegisterRequest("r-x", "x", "county", v1::ORGANISATION_KIND_COMMITTEE,
                                 v1::ORGANISATION_LEVEL_TOWNSHIP);
  Outcome missing = Register("", request);
  EXPECT_EQ(missing.code(), grpc::StatusCode::UNAUTHENTICATED) << missing;
  EXPECT_EQ(Register("not-a-token", request).code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Enrol("", EnrolRequest("e-x", "branch", "李四")).code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Approve("", ApproveRequest("a-x", "plg-x")).code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, AWrongRoleIsDeniedNamingTheRoleNeeded) {
  const int64_t records = TotalRecords();
  Outcome auditor =
      Register(kAuditor, RegisterRequest("r-x", "x", "county", v1::ORGANISATION_KIND_COMMITTEE,
                                         v1::ORGANISATION_LEVEL_TOWNSHIP));
  EXPECT_EQ(auditor.code(), grpc::StatusCode::PERMISSION_DENIED) << auditor;
  EXPECT_THAT(auditor.status.error_message(), HasSubstr("role clerk"));

  Outcome reviewer_enrols = Enrol(kTownReviewer, EnrolRequest("e-x", "branch", "李四"));
  EXPECT_EQ(reviewer_enrols.code(), grpc::StatusCode::PERMISSION_DENIED) << reviewer_enrols;
  EXPECT_THAT(reviewer_enrols.status.error_message(), HasSubstr("role clerk"));

  Outcome reviewer_pledges =
      Make(kTownReviewer, MakeRequest("m-x", OrganisationPledger("general")));
  EXPECT_EQ(reviewer_pledges.code(), grpc::StatusCode::PERMISSION_DENIED) << reviewer_pledges;

  Outcome clerk_approves = Approve(kGeneralClerk, ApproveRequest("a-x", "plg-x"));
  EXPECT_EQ(clerk_approves.code(), grpc::StatusCode::PERMISSION_DENIED) << clerk_approves;
  EXPECT_THAT(clerk_approves.status.error_message(), HasSubstr("role reviewer"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, InvalidArgumentsNameTheFieldInABadRequest) {
  const int64_t records = TotalRecords();
  auto register_request = RegisterRequest("", "x", "county", v1::ORGANISATION_KIND_COMMITTEE,
                                          v1::ORGANISATION_LEVEL_TOWNSHIP);
  auto field_of = [](const Outcome& outcome) {
    std::vector<std::string> fields;
    for (const auto& violation : rpc::FieldViolationsOf(outcome.status)) {
      fields.push_back(violation.field());
    }
    return fields;
  };
  Outcome no_request_id = Register(kCountyClerk, register_request);
  EXPECT_EQ(no_request_id.code(), grpc::StatusCode::INVALID_ARGUMENT) << no_request_id;
  EXPECT_THAT(field_of(no_request_id), ElementsAre("request_id"));

  register_request.set_request_id("r-x");
  register_request.clear_name();
  Outcome no_name = Register(kCountyClerk, register_request);
  EXPECT_EQ(no_name.code(), grpc::StatusCode::INVALID_ARGUMENT) << no_name;
  EXPECT_THAT(field_of(no_name), ElementsAre("name"));

  v1::UpdateMemberRequest update;
  update.set_request_id("u-x");
  Outcome no_member = Update(kBranchClerk, update);
  EXPECT_EQ(no_member.code(), grpc::StatusCode::INVALID_ARGUMENT) << no_member;
  EXPECT_THAT(field_of(no_member), ElementsAre("member_id"));
  EXPECT_THAT(no_member.status.error_message(), HasSubstr("member_id: must not be empty"));

  Outcome no_pledge = Approve(kTownReviewer, ApproveRequest("a-x", ""));
  EXPECT_EQ(no_pledge.code(), grpc::StatusCode::INVALID_ARGUMENT) << no_pledge;
  EXPECT_THAT(field_of(no_pledge), ElementsAre("pledge_id"));

  Outcome no_pledger = Make(kBranchClerk, MakeRequest("m-x", MemberPledger("")));
  EXPECT_EQ(no_pledger.code(), grpc::StatusCode::INVALID_ARGUMENT) << no_pledger;
  EXPECT_THAT(field_of(no_pledger), ElementsAre("pledger.member_id"));

  v1::EnrolMemberRequest nameless = EnrolRequest("e-x", "branch", "");
  Outcome no_attribute = Enrol(kBranchClerk, nameless);
  EXPECT_EQ(no_attribute.code(), grpc::StatusCode::INVALID_ARGUMENT) << no_attribute;
  EXPECT_THAT(field_of(no_attribute), ElementsAre("attributes.name"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, AnExpectedVersionMismatchIsAbortedWithTheCurrentVersion) {
  v1::RenameOrganisationRequest request;
  request.set_request_id("rename-1");
  request.set_organisation_id("branch");
  request.set_name("雨厦村第一党支部");
  request.set_expected_version(2);
  const int64_t records = TotalRecords();
  Outcome stale = Rename(kBranchClerk, request);
  ASSERT_EQ(stale.code(), grpc::StatusCode::ABORTED) << stale;
  std::optional<google::rpc::ErrorInfo> info = rpc::ErrorInfoOf(stale.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "VERSION_MISMATCH");
  EXPECT_EQ(info->metadata().at("current_version"), "4");
  EXPECT_EQ(TotalRecords(), records);

  request.set_expected_version(4);
  Outcome current = Rename(kBranchClerk, request);
  ASSERT_TRUE(current.ok()) << current;
  EXPECT_EQ(current.result.version(), 5);
}

TEST_F(CommandServicesTest, ARetryIsReplayedAndAReusedRequestIdIsAlreadyExists) {
  v1::EnrolMemberRequest request = EnrolRequest("enrol-1", "branch", "张三");
  Outcome first = Enrol(kBranchClerk, request);
  ASSERT_TRUE(first.ok()) << first;
  EXPECT_FALSE(first.result.replayed());
  const int64_t records = TotalRecords();

  Outcome retry = Enrol(kBranchClerk, request);
  ASSERT_TRUE(retry.ok()) << retry;
  EXPECT_TRUE(retry.result.replayed());
  EXPECT_EQ(retry.result.aggregate_id(), first.result.aggregate_id());
  EXPECT_EQ(retry.result.version(), first.result.version());
  EXPECT_EQ(retry.result.consistency_token(), first.result.consistency_token());
  EXPECT_EQ(TotalRecords(), records);

  Outcome tree_retry = Register(
      kCountyClerk, RegisterRequest("setup-town", "town", "county", v1::ORGANISATION_KIND_COMMITTEE,
                                    v1::ORGANISATION_LEVEL_TOWNSHIP));
  ASSERT_TRUE(tree_retry.ok()) << tree_retry;
  EXPECT_TRUE(tree_retry.result.replayed());
  EXPECT_EQ(tree_retry.result.version(), 2);

  Outcome reused = Enrol(kBranchClerk, EnrolRequest("enrol-1", "branch", "李四"));
  EXPECT_EQ(reused.code(), grpc::StatusCode::ALREADY_EXISTS) << reused;
  EXPECT_THAT(reused.status.error_message(), HasSubstr("request_id"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, AnExpiredDeadlineFailsFastAndAppendsNothing) {
  const int64_t records = TotalRecords();
  Outcome late =
      Register(kCountyClerk,
               RegisterRequest("r-late", "town-late", "county", v1::ORGANISATION_KIND_COMMITTEE,
                               v1::ORGANISATION_LEVEL_TOWNSHIP),
               absl::Now() - absl::Seconds(1));
  EXPECT_EQ(late.code(), grpc::StatusCode::DEADLINE_EXCEEDED) << late;
  EXPECT_EQ(TotalRecords(), records);
}

TEST(DeadlineOfTest, ACallWithoutADeadlineIsCappedAtTheLongestCommandTime) {
  grpc::ServerContext context;
  const absl::Time before = absl::Now();
  const absl::Time deadline = internal::DeadlineOf(context);
  EXPECT_GE(deadline, before + internal::kMaxCommandTime);
  EXPECT_LE(deadline, absl::Now() + internal::kMaxCommandTime);
}

}  // namespace
}  // namespace vanguard::command::testing
