#include "libs/domain/campaign_checks.h"

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

TEST(QuarterOfTest, QuartersStartInJanuaryAprilJulyAndOctober) {
  EXPECT_EQ(QuarterOf(absl::CivilDay(2010, 1, 1)), 1);
  EXPECT_EQ(QuarterOf(absl::CivilDay(2010, 3, 31)), 1);
  EXPECT_EQ(QuarterOf(absl::CivilDay(2010, 4, 1)), 2);
  EXPECT_EQ(QuarterOf(absl::CivilDay(2010, 9, 30)), 3);
  EXPECT_EQ(QuarterOf(absl::CivilDay(2010, 10, 1)), 4);
  EXPECT_EQ(QuarterOf(absl::CivilDay(2010, 12, 31)), 4);
}

TEST(CheckYearTest, FourDigitYearsOnly) {
  EXPECT_THAT(std::string(CheckYear("year", 999).message()), StartsWith("year: "));
  EXPECT_EQ(CheckYear("year", 10000).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckYear("year", 2010).ok());
}

TEST(PastOrTodayTest, DefaultsToTheShanghaiDayAndRefusesTheFuture) {
  // 2010-06-14T16:30Z is already the 15th in Shanghai.
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2010, 6, 14, 16, 30, 0), absl::UTCTimeZone());
  absl::StatusOr<v1::Date> today = PastOrToday("paid_on", std::nullopt, now);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->day(), 15);
  EXPECT_TRUE(PastOrToday("paid_on", MakeDate(2010, 6, 15), now).ok());
  EXPECT_THAT(std::string(PastOrToday("paid_on", MakeDate(2010, 6, 16), now).status().message()),
              StartsWith("paid_on: "));
  EXPECT_THAT(std::string(PastOrToday("paid_on", MakeDate(2010, 2, 30), now).status().message()),
              StartsWith("paid_on: "));
}

TEST(SatisfactionTotalTest, SumsNonNegativeCountsWithoutOverflow) {
  v1::SatisfactionCounts counts;
  counts.set_satisfied(std::numeric_limits<int32_t>::max() - 1);
  counts.set_unsatisfied(1);
  absl::StatusOr<int32_t> total = SatisfactionTotal("counts", counts);
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, std::numeric_limits<int32_t>::max());
  counts.set_basically_satisfied(1);
  EXPECT_THAT(std::string(SatisfactionTotal("counts", counts).status().message()),
              StartsWith("counts: the total overflows"));
  counts.set_basically_satisfied(-1);
  EXPECT_THAT(std::string(SatisfactionTotal("counts", counts).status().message()),
              StartsWith("counts: counts must not be negative"));
}

TEST(CheckOptionalIdTest, EmptyOrAValidId) {
  EXPECT_TRUE(CheckOptionalId("campaign_id", "").ok());
  EXPECT_TRUE(CheckOptionalId("campaign_id", "cxzy-2010").ok());
  EXPECT_THAT(std::string(CheckOptionalId("campaign_id", std::string(129, 'a')).message()),
              StartsWith("campaign_id: "));
}

class SubjectOrganisationTest : public CampaignTest {};

TEST_F(SubjectOrganisationTest, OrganisationOrTheMembersOrganisation) {
  EXPECT_EQ(*SubjectOrganisation("subject", OrganisationSubject("v"), tree_, nullptr), "v");
  Member member = Enrolled("b");
  EXPECT_EQ(*SubjectOrganisation("subject", MemberSubject("m"), tree_, &member), "b");
  EXPECT_EQ(SubjectOrganisation("subject", MemberSubject("m"), tree_, nullptr).status().code(),
            absl::StatusCode::kNotFound);
  Dissolve("h");
  EXPECT_EQ(
      SubjectOrganisation("subject", OrganisationSubject("h"), tree_, nullptr).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      std::string(SubjectOrganisation("subject", v1::Subject(), tree_, nullptr).status().message()),
      StartsWith("subject: "));
}

TEST(CheckEvidenceListTest, DescriptionRequiredAndDigestIs32Bytes) {
  std::vector<v1::Evidence> evidence(1);
  evidence[0].set_description("整改照片");
  EXPECT_TRUE(CheckEvidenceList("evidence", evidence).ok());
  evidence[0].set_sha256("short");
  EXPECT_THAT(std::string(CheckEvidenceList("evidence", evidence).message()),
              StartsWith("evidence[0].sha256: "));
  evidence[0].set_sha256(std::string(32, 'x'));
  evidence[0].set_description("");
  EXPECT_THAT(std::string(CheckEvidenceList("evidence", evidence).message()),
              StartsWith("evidence[0].description: "));
}

}  // namespace
}  // namespace vanguard::domain
