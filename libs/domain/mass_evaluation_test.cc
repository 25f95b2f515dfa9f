#include "libs/domain/mass_evaluation.h"

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

DoMassEvaluation HalfYear(v1::Subject subject) {
  DoMassEvaluation command{.subject = subject,
                           .campaign_id = "cxzy-2010",
                           .period = v1::REPORT_PERIOD_HALF_YEAR,
                           .year = 2010};
  command.counts.set_satisfied(40);
  command.counts.set_basically_satisfied(8);
  command.counts.set_unsatisfied(2);
  return command;
}

class MassEvaluationTest : public CampaignTest {
 protected:
  absl::Status Evaluate(const DoMassEvaluation& command, std::string actor = "t",
                        const Member* member = nullptr) {
    return ApplyTo(evaluation_, Decide(evaluation_, command, tree_, member, As(actor)), &log_);
  }

  MassEvaluation evaluation_;
  std::vector<v1::Envelope> log_;
};

TEST_F(MassEvaluationTest, SuperiorOrganisesAnEvaluation) {
  ASSERT_TRUE(Evaluate(HalfYear(OrganisationSubject("v"))).ok());
  const v1::MassEvaluationDone& event = log_.back().mass_evaluation_done();
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.MassEvaluationDone");
  EXPECT_EQ(event.organiser_organisation_id(), "t");
  EXPECT_EQ(event.counts().satisfied(), 40);
  EXPECT_EQ(event.evaluated_on().day(), 15);
}

TEST_F(MassEvaluationTest, OrganisationMayOrganiseItsOwn) {
  EXPECT_TRUE(Evaluate(HalfYear(OrganisationSubject("v")), "v").ok());
}

TEST_F(MassEvaluationTest, OthersMayNotOrganiseIt) {
  EXPECT_EQ(Evaluate(HalfYear(OrganisationSubject("v")), "s").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Evaluate(HalfYear(OrganisationSubject("t")), "v").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(MassEvaluationTest, MemberIsEvaluatedThroughTheirOrganisation) {
  Member member = Enrolled("b");
  EXPECT_EQ(Evaluate(HalfYear(MemberSubject("m")), "s", &member).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Evaluate(HalfYear(MemberSubject("m")), "v", &member).ok());
}

TEST_F(MassEvaluationTest, CountsAreNotNegative) {
  DoMassEvaluation command = HalfYear(OrganisationSubject("v"));
  command.counts.set_basically_satisfied(-1);
  EXPECT_THAT(std::string(Evaluate(command).message()), StartsWith("counts: "));
  command.counts.set_basically_satisfied(0);
  EXPECT_TRUE(Evaluate(command).ok());
}

TEST_F(MassEvaluationTest, AtLeastOneEvaluatorVotes) {
  DoMassEvaluation command = HalfYear(OrganisationSubject("v"));
  command.counts = v1::SatisfactionCounts();
  EXPECT_THAT(std::string(Evaluate(command).message()), StartsWith("counts: at least one"));
  command.counts.set_unsatisfied(1);
  EXPECT_TRUE(Evaluate(command).ok());
}

TEST_F(MassEvaluationTest, TotalIsOverflowChecked) {
  DoMassEvaluation command = HalfYear(OrganisationSubject("v"));
  command.counts.set_satisfied(std::numeric_limits<int32_t>::max() - 9);
  EXPECT_THAT(std::string(Evaluate(command).message()), StartsWith("counts: the total overflows"));
  command.counts.set_satisfied(std::numeric_limits<int32_t>::max() - 10);
  EXPECT_TRUE(Evaluate(command).ok());
}

TEST_F(MassEvaluationTest, PeriodAndYearAreChecked) {
  DoMassEvaluation command = HalfYear(OrganisationSubject("v"));
  command.period = v1::REPORT_PERIOD_UNSPECIFIED;
  EXPECT_THAT(std::string(Evaluate(command).message()), StartsWith("period: "));
  command = HalfYear(OrganisationSubject("v"));
  command.year = 2011;
  EXPECT_THAT(std::string(Evaluate(command).message()), StartsWith("year: "));
  command = HalfYear(OrganisationSubject("v"));
  command.evaluated_on = MakeDate(2010, 7, 1);
  EXPECT_THAT(std::string(Evaluate(command).message()), StartsWith("evaluated_on: "));
}

TEST_F(MassEvaluationTest, ReplayRebuildsTheEvaluation) {
  ASSERT_TRUE(Evaluate(HalfYear(OrganisationSubject("v"))).ok());
  MassEvaluation replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 1);
  EXPECT_EQ(replayed.done().counts().unsatisfied(), 2);
  EXPECT_EQ(Evaluate(HalfYear(OrganisationSubject("v"))).code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace vanguard::domain
