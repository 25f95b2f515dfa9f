#include "libs/domain/pioneer_post.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/budget.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

EstablishPioneerPost PolicyPost() {
  return EstablishPioneerPost{.organisation_id = "v",
                              .member_id = "m",
                              .campaign_id = "cxzy-2010",
                              .year = 2010,
                              .post = "政策宣传岗",
                              .duty = "宣传惠农政策"};
}

class PioneerPostTest : public CampaignTest {
 protected:
  void SetUp() override {
    CampaignTest::SetUp();
    member_ = Enrolled("v");
  }

  absl::Status Establish(const EstablishPioneerPost& command, const Member* member,
                         std::string actor = "v") {
    return ApplyTo(post_, Decide(post_, command, tree_, member, As(actor)), &log_);
  }

  absl::Status Assess(int32_t year, v1::AssessmentResult result, std::string actor = "v") {
    return ApplyTo(
        post_, Decide(post_, AssessPioneerPost{.year = year, .result = result}, tree_, As(actor)),
        &log_);
  }

  Member member_;
  PioneerPost post_;
  std::vector<v1::Envelope> log_;
};

TEST_F(PioneerPostTest, VillageNamesAMemberWithoutAPost) {
  ASSERT_TRUE(Establish(PolicyPost(), &member_).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.PioneerPostEstablished");
  EXPECT_EQ(post_.member_id(), "m");
  EXPECT_EQ(post_.organisation_id(), "v");
}

TEST_F(PioneerPostTest, IsEstablishedOnce) {
  ASSERT_TRUE(Establish(PolicyPost(), &member_).ok());
  EXPECT_EQ(Establish(PolicyPost(), &member_).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(PioneerPostTest, MemberOfABranchUnderTheVillageMayHoldAPost) {
  Member branch_member = Enrolled("b");
  EXPECT_TRUE(Establish(PolicyPost(), &branch_member).ok());
}

TEST_F(PioneerPostTest, MemberMustBelongToTheVillage) {
  Member elsewhere = Enrolled("s");
  absl::Status status = Establish(PolicyPost(), &elsewhere);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), StartsWith("member_id: "));
}

TEST_F(PioneerPostTest, MemberMustBeEnrolledAndCurrent) {
  EXPECT_EQ(Establish(PolicyPost(), nullptr).code(), absl::StatusCode::kNotFound);
  Member left = Left(member_);
  EXPECT_EQ(Establish(PolicyPost(), &left).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PioneerPostTest, MemberWhoHoldsAPostCannotHoldAPioneerPost) {
  Member cadre = Enrolled("v", /*holds_post=*/true);
  absl::Status status = Establish(PolicyPost(), &cadre);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("holds a post"));
}

TEST_F(PioneerPostTest, OnlyVillageOrganisationsSetUpPosts) {
  Member station_member = Enrolled("s");
  EstablishPioneerPost command = PolicyPost();
  command.organisation_id = "s";
  EXPECT_EQ(Establish(command, &station_member, "s").code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PioneerPostTest, OnlyTheVillageItselfSetsUpItsPosts) {
  EXPECT_EQ(Establish(PolicyPost(), &member_, "t").code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(PioneerPostTest, PostDutyAndYearAreRequired) {
  EstablishPioneerPost command = PolicyPost();
  command.post = "";
  EXPECT_THAT(std::string(Establish(command, &member_).message()), StartsWith("post: "));
  command = PolicyPost();
  command.duty = "";
  EXPECT_THAT(std::string(Establish(command, &member_).message()), StartsWith("duty: "));
  command = PolicyPost();
  command.year = 2011;
  EXPECT_THAT(std::string(Establish(command, &member_).message()), StartsWith("year: "));
}

TEST_F(PioneerPostTest, AssessedOnceAYear) {
  ASSERT_TRUE(Establish(PolicyPost(), &member_).ok());
  ASSERT_TRUE(Assess(2010, v1::ASSESSMENT_RESULT_PASSED).ok());
  EXPECT_EQ(post_.ResultFor(2010), v1::ASSESSMENT_RESULT_PASSED);
  EXPECT_EQ(Assess(2010, v1::ASSESSMENT_RESULT_FAILED).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(post_.ResultFor(2010), v1::ASSESSMENT_RESULT_PASSED);
}

TEST_F(PioneerPostTest, AssessmentYearIsNotBeforeEstablishmentNorInTheFuture) {
  ASSERT_TRUE(Establish(PolicyPost(), &member_).ok());
  EXPECT_THAT(std::string(Assess(2009, v1::ASSESSMENT_RESULT_PASSED).message()),
              StartsWith("year: "));
  EXPECT_THAT(std::string(Assess(2011, v1::ASSESSMENT_RESULT_PASSED).message()),
              StartsWith("year: "));
  EXPECT_THAT(std::string(Assess(2010, v1::ASSESSMENT_RESULT_UNSPECIFIED).message()),
              StartsWith("result: "));
}

TEST_F(PioneerPostTest, AssessedByTheVillageOrASuperior) {
  EXPECT_EQ(Assess(2010, v1::ASSESSMENT_RESULT_PASSED).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Establish(PolicyPost(), &member_).ok());
  EXPECT_EQ(Assess(2010, v1::ASSESSMENT_RESULT_PASSED, "s").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Assess(2010, v1::ASSESSMENT_RESULT_PASSED, "t").ok());
  EXPECT_EQ(log_.back().pioneer_post_assessed().assessor_organisation_id(), "t");
}

TEST_F(PioneerPostTest, ReplayRebuildsThePostAndItsResultFeedsTheBudget) {
  ASSERT_TRUE(Establish(PolicyPost(), &member_).ok());
  ASSERT_TRUE(Assess(2010, v1::ASSESSMENT_RESULT_FAILED).ok());
  PioneerPost replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 2);
  EXPECT_EQ(replayed.ResultFor(2010), v1::ASSESSMENT_RESULT_FAILED);

  Budget budget;
  ASSERT_TRUE(
      ApplyTo(budget, Decide(budget,
                             AllocateBudget{.source_organisation_id = "t",
                                            .purpose = v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY,
                                            .year = 2010,
                                            .amount_fen = 360000,
                                            .description = "先锋岗补助"},
                             tree_, As("t")))
          .ok());
  v1::Reference reference;
  reference.set_kind(v1::REFERENCE_KIND_PIONEER_POST);
  reference.set_id("post-1");
  absl::StatusOr<std::vector<v1::Envelope>> paid =
      Decide(budget,
             DisburseFunds{.disbursement_id = "d-1",
                           .recipient = MemberSubject(replayed.member_id()),
                           .purpose = v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY,
                           .amount_fen = 60000,
                           .reference = reference,
                           .year = 2010,
                           .description = "先锋岗补助",
                           .post_assessment = replayed.ResultFor(2010)},
             tree_, As("t"));
  EXPECT_EQ(paid.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vanguard::domain
