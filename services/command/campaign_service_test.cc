// CampaignService through gRPC: launching, phases, targets, and who may.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

v1::LaunchCampaignRequest LaunchRequest(const std::string& request_id,
                                        const std::string& organisation_id) {
  v1::LaunchCampaignRequest request;
  request.set_request_id(request_id);
  request.set_organisation_id(organisation_id);
  request.set_name("创先争优活动");
  request.set_theme("强组织、增活力、创先争优迎盛会");
  request.set_carrier("四创四争");
  v1::PhasePlan* mobilisation = request.add_phases();
  mobilisation->set_phase(v1::CAMPAIGN_PHASE_MOBILISATION);
  *mobilisation->mutable_starts_on() = domain::ToDate(Today() - 30);
  *mobilisation->mutable_ends_on() = domain::ToDate(Today() - 20);
  v1::PhasePlan* pledges = request.add_phases();
  pledges->set_phase(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
  *pledges->mutable_starts_on() = domain::ToDate(Today() - 19);
  *pledges->mutable_ends_on() = domain::ToDate(Today() + 60);
  return request;
}

TEST_F(CommandServicesTest, ACampaignIsLaunchedMovedOnAndGivenTargets) {
  v1::LaunchCampaignRequest launch = LaunchRequest("launch-1", "county");
  Outcome launched = Call(campaigns_, &CampaignStub::LaunchCampaign, kCountyClerk, launch);
  ASSERT_TRUE(launched.ok()) << launched;
  const std::string campaign_id = launched.result.aggregate_id();
  EXPECT_EQ(campaign_id, writer::DerivedId("cmp-", "clerk-county", "launch-1"));
  Outcome retried = Call(campaigns_, &CampaignStub::LaunchCampaign, kCountyClerk, launch);
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_TRUE(retried.result.replayed());

  v1::ChangeCampaignPhaseRequest change;
  change.set_request_id("phase-1");
  change.set_campaign_id(campaign_id);
  change.set_phase(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
  Outcome changed = Call(campaigns_, &CampaignStub::ChangeCampaignPhase, kCountyClerk, change);
  ASSERT_TRUE(changed.ok()) << changed;
  EXPECT_EQ(changed.result.version(), 2);
  change.set_request_id("phase-2");
  change.set_phase(v1::CAMPAIGN_PHASE_MOBILISATION);
  Outcome backwards = Call(campaigns_, &CampaignStub::ChangeCampaignPhase, kCountyClerk, change);
  EXPECT_EQ(backwards.code(), grpc::StatusCode::FAILED_PRECONDITION) << backwards;

  v1::SetCampaignTargetsRequest targets;
  targets.set_request_id("targets-1");
  targets.set_campaign_id(campaign_id);
  targets.set_advanced_organisation_share_bp(6000);
  targets.add_advanced_organisation_sectors(v1::SECTOR_VILLAGE);
  targets.set_advanced_organisation_level(v1::HONOUR_LEVEL_TOWNSHIP);
  targets.set_excellent_member_share_bp(1500);
  targets.set_excellent_member_level(v1::HONOUR_LEVEL_TOWNSHIP);
  targets.set_leader_reviews_per_quarter(1);
  targets.set_leader_review_coverage_bp(10000);
  Outcome set = Call(campaigns_, &CampaignStub::SetCampaignTargets, kCountyClerk, targets);
  ASSERT_TRUE(set.ok()) << set;
  EXPECT_EQ(set.result.version(), 3);
  // Only the launching committee sets its campaign's targets.
  targets.set_request_id("targets-2");
  Outcome by_branch = Call(campaigns_, &CampaignStub::SetCampaignTargets, kBranchClerk, targets);
  EXPECT_EQ(by_branch.code(), grpc::StatusCode::PERMISSION_DENIED) << by_branch;
}

TEST_F(CommandServicesTest, ACampaignOutsideTheScopeOrByAReviewerIsDenied) {
  const int64_t records = TotalRecords();
  Outcome out_of_scope = Call(campaigns_, &CampaignStub::LaunchCampaign, kBranchClerk,
                              LaunchRequest("launch-1", "county"));
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  EXPECT_THAT(out_of_scope.status.error_message(), HasSubstr("organisation county is outside"));
  Outcome reviewer = Call(campaigns_, &CampaignStub::LaunchCampaign, kTownReviewer,
                          LaunchRequest("launch-2", "town"));
  EXPECT_EQ(reviewer.code(), grpc::StatusCode::PERMISSION_DENIED) << reviewer;
  EXPECT_THAT(reviewer.status.error_message(), HasSubstr("needs the role clerk"));
  EXPECT_EQ(TotalRecords(), records);
}

}  // namespace
}  // namespace vanguard::command::testing
