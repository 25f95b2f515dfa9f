#include "libs/domain/member_appraisal.h"

#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

AppraiseMember Excellent() {
  return AppraiseMember{.member_id = "m",
                        .campaign_id = "cxzy-2010",
                        .year = 2010,
                        .grade = v1::APPRAISAL_GRADE_EXCELLENT,
                        .report_submitted = true};
}

class MemberAppraisalTest : public CampaignTest {
 protected:
  void SetUp() override {
    CampaignTest::SetUp();
    member_ = Enrolled("b");
  }

  absl::Status Appraise(const AppraiseMember& command, std::string actor = "b") {
    return ApplyTo(appraisal_, Decide(appraisal_, command, &member_, As(actor)), &log_);
  }

  Member member_;
  MemberAppraisal appraisal_;
  std::vector<v1::Envelope> log_;
};

TEST(MemberAppraisalIdTest, OneAggregatePerMemberAndYear) {
  EXPECT_EQ(MemberAppraisalId("m-17", 2010), "m-17/2010");
  EXPECT_NE(MemberAppraisalId("m-17", 2010), MemberAppraisalId("m-17", 2011));
}

TEST_F(MemberAppraisalTest, MemberIsAppraisedByTheirOrganisation) {
  ASSERT_TRUE(Appraise(Excellent()).ok());
  const v1::MemberAppraised& event = log_.back().member_appraised();
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.MemberAppraised");
  EXPECT_EQ(event.organisation_id(), "b");
  EXPECT_EQ(event.grade(), v1::APPRAISAL_GRADE_EXCELLENT);
  EXPECT_EQ(event.appraised_on().day(), 15);
}

TEST_F(MemberAppraisalTest, AtMostOncePerMemberAndYear) {
  ASSERT_TRUE(Appraise(Excellent()).ok());
  AppraiseMember again = Excellent();
  again.grade = v1::APPRAISAL_GRADE_QUALIFIED;
  absl::Status status = Appraise(again);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("already appraised for 2010"));
}

TEST_F(MemberAppraisalTest, OnlyTheMembersOrganisationAppraises) {
  EXPECT_EQ(Appraise(Excellent(), "v").code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(MemberAppraisalTest, MemberMustBeCurrent) {
  EXPECT_EQ(Decide(appraisal_, Excellent(), nullptr, As("b")).status().code(),
            absl::StatusCode::kNotFound);
  Member left = Left(member_);
  EXPECT_EQ(Decide(appraisal_, Excellent(), &left, As("b")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MemberAppraisalTest, GradeIsRequired) {
  AppraiseMember command = Excellent();
  command.grade = v1::APPRAISAL_GRADE_UNSPECIFIED;
  EXPECT_THAT(std::string(Appraise(command).message()), StartsWith("grade: "));
  command.grade = v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED;
  EXPECT_TRUE(Appraise(command).ok());
}

TEST_F(MemberAppraisalTest, YearHasBegunAndDayIsNotInTheFuture) {
  AppraiseMember command = Excellent();
  command.year = 2011;
  EXPECT_THAT(std::string(Appraise(command).message()), StartsWith("year: "));
  command = Excellent();
  command.appraised_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Appraise(command).message()), StartsWith("appraised_on: "));
  command = Excellent();
  command.year = 2009;
  EXPECT_TRUE(Appraise(command).ok());
}

TEST_F(MemberAppraisalTest, MassCountsAreNonNegativeAndTheirTotalFits) {
  AppraiseMember command = Excellent();
  command.mass_counts.set_unsatisfied(-1);
  EXPECT_THAT(std::string(Appraise(command).message()), StartsWith("mass_counts: "));
  command.mass_counts.set_unsatisfied(1);
  command.mass_counts.set_satisfied(std::numeric_limits<int32_t>::max());
  EXPECT_THAT(std::string(Appraise(command).message()), StartsWith("mass_counts: "));
  command.mass_counts.set_unsatisfied(0);
  EXPECT_TRUE(Appraise(command).ok());
}

TEST_F(MemberAppraisalTest, ReplayRebuildsTheAppraisal) {
  ASSERT_TRUE(Appraise(Excellent()).ok());
  MemberAppraisal replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 1);
  EXPECT_EQ(replayed.appraised().member_id(), "m");
  EXPECT_EQ(Decide(replayed, Excellent(), &member_, As("b")).status().code(),
            absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace vanguard::domain
