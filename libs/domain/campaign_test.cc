#include "libs/domain/campaign.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

v1::PhasePlan Plan(v1::CampaignPhase phase, v1::Date starts_on, v1::Date ends_on) {
  v1::PhasePlan plan;
  plan.set_phase(phase);
  *plan.mutable_starts_on() = starts_on;
  *plan.mutable_ends_on() = ends_on;
  return plan;
}

LaunchCampaign CountyCampaign() {
  return LaunchCampaign{
      .organisation_id = "x",
      .name = "2010年创先争优活动",
      .theme = "创建先进基层党组织、争当优秀共产党员",
      .carrier = "四创四争",
      .phases = {
          Plan(v1::CAMPAIGN_PHASE_MOBILISATION, MakeDate(2010, 5, 1), MakeDate(2010, 5, 31)),
          Plan(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES, MakeDate(2010, 6, 1), MakeDate(2010, 6, 30)),
          Plan(v1::CAMPAIGN_PHASE_FULL_PUSH, MakeDate(2010, 7, 1), MakeDate(2011, 10, 31)),
          Plan(v1::CAMPAIGN_PHASE_SUMMARY_AND_HONOURS, MakeDate(2011, 11, 1),
               MakeDate(2012, 6, 30))}};
}

SetCampaignTargets SeedTargets() {
  return SetCampaignTargets{.year = 0,
                            .advanced_organisation_share_bp = 6000,
                            .advanced_organisation_sectors = {v1::SECTOR_VILLAGE},
                            .advanced_organisation_level = v1::HONOUR_LEVEL_TOWNSHIP,
                            .excellent_member_share_bp = 1500,
                            .excellent_member_level = v1::HONOUR_LEVEL_TOWNSHIP,
                            .leader_reviews_per_quarter = 1,
                            .leader_review_coverage_bp = 10000,
                            .note = "实施方案"};
}

class CampaignAggregateTest : public CampaignTest {
 protected:
  absl::Status Launch(const LaunchCampaign& command, std::string actor = "x") {
    return ApplyTo(campaign_, Decide(campaign_, command, tree_, As(actor)), &log_);
  }

  absl::Status Change(v1::CampaignPhase phase, std::string actor = "x",
                      std::optional<v1::Date> effective_on = std::nullopt) {
    return ApplyTo(
        campaign_,
        Decide(campaign_, ChangeCampaignPhase{.phase = phase, .effective_on = effective_on},
               As(actor)),
        &log_);
  }

  absl::Status Target(const SetCampaignTargets& command, std::string actor = "x") {
    return ApplyTo(campaign_, Decide(campaign_, command, As(actor)), &log_);
  }

  Campaign campaign_;
  std::vector<v1::Envelope> log_;
};

TEST_F(CampaignAggregateTest, CommitteeLaunchesForItsSubtree) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  const v1::CampaignLaunched& event = log_.back().campaign_launched();
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.CampaignLaunched");
  EXPECT_EQ(event.starts_on().month(), 5);
  EXPECT_EQ(event.ends_on().year(), 2012);
  EXPECT_EQ(campaign_.phase(), v1::CAMPAIGN_PHASE_MOBILISATION);
}

TEST_F(CampaignAggregateTest, IsLaunchedOnce) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  EXPECT_EQ(Launch(CountyCampaign()).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(CampaignAggregateTest, LauncherIsACommitteeActingForItself) {
  LaunchCampaign command = CountyCampaign();
  command.organisation_id = "v";
  EXPECT_EQ(Launch(command, "v").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Launch(CountyCampaign(), "t").code(), absl::StatusCode::kPermissionDenied);
  command.organisation_id = "t";
  EXPECT_TRUE(Launch(command, "t").ok());
}

TEST_F(CampaignAggregateTest, NameThemeAndCarrierAreRequired) {
  LaunchCampaign command = CountyCampaign();
  command.carrier = "";
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("carrier: "));
  command = CountyCampaign();
  command.theme = "";
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("theme: "));
}

TEST_F(CampaignAggregateTest, PhasesAreOrderedAndDoNotOverlap) {
  LaunchCampaign command = CountyCampaign();
  command.phases.clear();
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("phases: "));
  command = CountyCampaign();
  std::swap(command.phases[0], command.phases[1]);
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("phases[1].phase: "));
  command = CountyCampaign();
  *command.phases[1].mutable_starts_on() = MakeDate(2010, 5, 31);
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("phases[1].starts_on: "));
  command = CountyCampaign();
  *command.phases[0].mutable_ends_on() = MakeDate(2010, 4, 30);
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("phases[0].ends_on: "));
  command = CountyCampaign();
  command.phases[2].set_phase(v1::CAMPAIGN_PHASE_UNSPECIFIED);
  EXPECT_THAT(std::string(Launch(command).message()), StartsWith("phases[2].phase: "));
}

TEST_F(CampaignAggregateTest, PhaseChangesOnlyForward) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  ASSERT_TRUE(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES).ok());
  const v1::CampaignPhaseChanged& event = log_.back().campaign_phase_changed();
  EXPECT_EQ(event.previous_phase(), v1::CAMPAIGN_PHASE_MOBILISATION);
  EXPECT_EQ(event.phase(), v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
  EXPECT_EQ(Change(v1::CAMPAIGN_PHASE_MOBILISATION).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Change(v1::CAMPAIGN_PHASE_SUMMARY_AND_HONOURS).ok());
}

TEST_F(CampaignAggregateTest, PhaseIsOneOfThePlan) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  EXPECT_THAT(std::string(Change(v1::CAMPAIGN_PHASE_REVIEW).message()), StartsWith("phase: "));
}

TEST_F(CampaignAggregateTest, PhaseChangeDayIsNotBeforeTheCurrentPhaseNorInTheFuture) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  EXPECT_THAT(
      std::string(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES, "x", MakeDate(2010, 4, 30)).message()),
      StartsWith("effective_on: "));
  EXPECT_THAT(
      std::string(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES, "x", MakeDate(2010, 6, 16)).message()),
      StartsWith("effective_on: "));
  EXPECT_TRUE(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES, "x", MakeDate(2010, 5, 1)).ok());
}

TEST_F(CampaignAggregateTest, OnlyTheLauncherChangesPhasesAndTargets) {
  EXPECT_EQ(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  EXPECT_EQ(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES, "t").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Target(SeedTargets(), "t").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Target(SeedTargets(), "x").ok());
}

TEST_F(CampaignAggregateTest, TargetsAreStoredPerYear) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  ASSERT_TRUE(Target(SeedTargets()).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.CampaignTargetsSet");
  ASSERT_NE(campaign_.TargetsFor(0), nullptr);
  EXPECT_EQ(campaign_.TargetsFor(0)->advanced_organisation_share_bp(), 6000);
  EXPECT_EQ(campaign_.TargetsFor(2010), nullptr);
}

TEST_F(CampaignAggregateTest, TargetSharesAreBasisPointsWithALevel) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  SetCampaignTargets command = SeedTargets();
  command.advanced_organisation_share_bp = 10001;
  EXPECT_THAT(std::string(Target(command).message()),
              StartsWith("advanced_organisation_share_bp: "));
  command.advanced_organisation_share_bp = 10000;
  EXPECT_TRUE(Target(command).ok());
  command = SeedTargets();
  command.excellent_member_share_bp = -1;
  EXPECT_THAT(std::string(Target(command).message()), StartsWith("excellent_member_share_bp: "));
  command = SeedTargets();
  command.excellent_member_level = v1::HONOUR_LEVEL_UNSPECIFIED;
  EXPECT_THAT(std::string(Target(command).message()), StartsWith("excellent_member_level: "));
  command.excellent_member_share_bp = 0;
  EXPECT_TRUE(Target(command).ok());
  command = SeedTargets();
  command.leader_review_coverage_bp = 10001;
  EXPECT_THAT(std::string(Target(command).message()), StartsWith("leader_review_coverage_bp: "));
}

TEST_F(CampaignAggregateTest, TargetYearSectorsAndReviewCountsAreChecked) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  SetCampaignTargets command = SeedTargets();
  command.year = 2013;
  EXPECT_THAT(std::string(Target(command).message()), StartsWith("year: "));
  command.year = 2012;
  EXPECT_TRUE(Target(command).ok());
  command = SeedTargets();
  command.advanced_organisation_sectors = {v1::SECTOR_VILLAGE, v1::SECTOR_VILLAGE};
  EXPECT_THAT(std::string(Target(command).message()),
              StartsWith("advanced_organisation_sectors[1]: "));
  command = SeedTargets();
  command.leader_reviews_per_quarter = -1;
  EXPECT_THAT(std::string(Target(command).message()), StartsWith("leader_reviews_per_quarter: "));
}

TEST_F(CampaignAggregateTest, ReplayRebuildsTheCampaign) {
  ASSERT_TRUE(Launch(CountyCampaign()).ok());
  ASSERT_TRUE(Change(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES).ok());
  ASSERT_TRUE(Target(SeedTargets()).ok());
  Campaign replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 3);
  EXPECT_EQ(replayed.phase(), v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
  EXPECT_EQ(replayed.phase_started_on().day(), 15);
  ASSERT_NE(replayed.TargetsFor(0), nullptr);
  EXPECT_EQ(Decide(replayed, ChangeCampaignPhase{.phase = v1::CAMPAIGN_PHASE_MOBILISATION}, As("x"))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vanguard::domain
