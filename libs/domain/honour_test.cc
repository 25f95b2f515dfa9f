#include "libs/domain/honour.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

ConferHonour AdvancedVillage(v1::HonourLevel level = v1::HONOUR_LEVEL_TOWNSHIP) {
  return ConferHonour{.kind = v1::HONOUR_KIND_ADVANCED_ORGANISATION,
                      .level = level,
                      .year = 2010,
                      .recipient = OrganisationSubject("v"),
                      .campaign_id = "cxzy-2010",
                      .citation = "镇党委〔2010〕12号"};
}

ConferHonour ExcellentMember(v1::HonourLevel level = v1::HONOUR_LEVEL_TOWNSHIP) {
  ConferHonour command = AdvancedVillage(level);
  command.kind = v1::HONOUR_KIND_EXCELLENT_MEMBER;
  command.recipient = MemberSubject("m");
  return command;
}

class HonourTest : public CampaignTest {
 protected:
  void SetUp() override {
    CampaignTest::SetUp();
    member_ = Enrolled("b");
  }

  absl::Status Confer(const ConferHonour& command, std::string actor = "t") {
    return ApplyTo(honour_, Decide(honour_, command, tree_, &member_, As(actor)), &log_);
  }

  absl::Status Revoke(std::string actor = "t", std::string reason = "事迹失实") {
    return ApplyTo(honour_, Decide(honour_, RevokeHonour{.reason = reason}, tree_, As(actor)),
                   &log_);
  }

  Member member_;
  Honour honour_;
  std::vector<v1::Envelope> log_;
};

TEST(HighestConferrableLevelTest, EachLevelConfersUpToItsOwn) {
  EXPECT_EQ(HighestConferrableLevel(v1::ORGANISATION_LEVEL_TOWNSHIP), v1::HONOUR_LEVEL_TOWNSHIP);
  EXPECT_EQ(HighestConferrableLevel(v1::ORGANISATION_LEVEL_COUNTY), v1::HONOUR_LEVEL_COUNTY);
  EXPECT_EQ(HighestConferrableLevel(v1::ORGANISATION_LEVEL_CITY), v1::HONOUR_LEVEL_CITY);
  EXPECT_EQ(HighestConferrableLevel(v1::ORGANISATION_LEVEL_PROVINCE), v1::HONOUR_LEVEL_NATIONAL);
  EXPECT_EQ(HighestConferrableLevel(v1::ORGANISATION_LEVEL_GRASSROOTS),
            v1::HONOUR_LEVEL_UNSPECIFIED);
}

TEST_F(HonourTest, TownshipHonoursAnAdvancedVillage) {
  ASSERT_TRUE(Confer(AdvancedVillage()).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.HonourConferred");
  EXPECT_EQ(log_.back().honour_conferred().conferring_organisation_id(), "t");
  EXPECT_EQ(honour_.status(), Honour::Status::kConferred);
}

TEST_F(HonourTest, ConferrerMayNotExceedItsLevel) {
  absl::Status status = Confer(AdvancedVillage(v1::HONOUR_LEVEL_COUNTY), "t");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(status.message()), StartsWith("level: "));
  EXPECT_TRUE(Confer(AdvancedVillage(v1::HONOUR_LEVEL_COUNTY), "x").ok());
}

TEST_F(HonourTest, CountyMayConferATownshipLevelHonour) {
  EXPECT_TRUE(Confer(AdvancedVillage(v1::HONOUR_LEVEL_TOWNSHIP), "x").ok());
}

TEST_F(HonourTest, NationalHonoursNeedAProvince) {
  EXPECT_EQ(Confer(AdvancedVillage(v1::HONOUR_LEVEL_NATIONAL), "c").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Confer(AdvancedVillage(v1::HONOUR_LEVEL_NATIONAL), "p").ok());
}

TEST_F(HonourTest, GrassrootsConfersNoHonour) {
  ConferHonour command = ExcellentMember();
  EXPECT_EQ(Confer(command, "v").code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(HonourTest, RecipientMatchesTheKind) {
  ConferHonour command = AdvancedVillage();
  command.recipient = MemberSubject("m");
  EXPECT_THAT(std::string(Confer(command).message()), StartsWith("recipient: "));
  command = ExcellentMember();
  command.recipient = OrganisationSubject("v");
  EXPECT_THAT(std::string(Confer(command).message()), StartsWith("recipient: "));
  EXPECT_TRUE(Confer(ExcellentMember()).ok());
}

TEST_F(HonourTest, RecipientIsUnderTheConferrer) {
  ConferHonour command = AdvancedVillage();
  command.recipient = OrganisationSubject("t");
  EXPECT_EQ(Confer(command).code(), absl::StatusCode::kPermissionDenied);
  command.recipient = OrganisationSubject("water");
  EXPECT_EQ(Confer(command).code(), absl::StatusCode::kPermissionDenied);
  command.recipient = OrganisationSubject("s");
  EXPECT_TRUE(Confer(command).ok());
}

TEST_F(HonourTest, YearCitationAndDayAreChecked) {
  ConferHonour command = AdvancedVillage();
  command.year = 2011;
  EXPECT_THAT(std::string(Confer(command).message()), StartsWith("year: "));
  command = AdvancedVillage();
  command.citation = "";
  EXPECT_THAT(std::string(Confer(command).message()), StartsWith("citation: "));
  command = AdvancedVillage();
  command.conferred_on = MakeDate(2010, 7, 1);
  EXPECT_THAT(std::string(Confer(command).message()), StartsWith("conferred_on: "));
  command.kind = v1::HONOUR_KIND_UNSPECIFIED;
  EXPECT_THAT(std::string(Confer(command).message()), StartsWith("kind: "));
}

TEST_F(HonourTest, IsConferredOnce) {
  ASSERT_TRUE(Confer(AdvancedVillage()).ok());
  EXPECT_EQ(Confer(AdvancedVillage()).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(HonourTest, RevokedOnceWithAReason) {
  EXPECT_EQ(Revoke().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Confer(AdvancedVillage()).ok());
  EXPECT_THAT(std::string(Revoke("t", "").message()), StartsWith("reason: "));
  ASSERT_TRUE(Revoke().ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.HonourRevoked");
  EXPECT_EQ(honour_.status(), Honour::Status::kRevoked);
  EXPECT_EQ(Revoke().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(HonourTest, RevokedByTheConferrerOrASuperior) {
  ASSERT_TRUE(Confer(AdvancedVillage()).ok());
  EXPECT_EQ(Revoke("v").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Revoke("x").ok());
  EXPECT_EQ(log_.back().honour_revoked().revoking_organisation_id(), "x");
}

TEST_F(HonourTest, RevocationIsNotBeforeTheConferringDay) {
  ConferHonour command = AdvancedVillage();
  command.conferred_on = MakeDate(2010, 6, 1);
  ASSERT_TRUE(Confer(command).ok());
  RevokeHonour revoke{.revoked_on = MakeDate(2010, 5, 31), .reason = "事迹失实"};
  EXPECT_THAT(std::string(Decide(honour_, revoke, tree_, As("t")).status().message()),
              StartsWith("revoked_on: "));
  revoke.revoked_on = MakeDate(2010, 6, 1);
  EXPECT_TRUE(Decide(honour_, revoke, tree_, As("t")).ok());
}

TEST_F(HonourTest, ReplayRebuildsTheHonour) {
  ASSERT_TRUE(Confer(ExcellentMember()).ok());
  ASSERT_TRUE(Revoke().ok());
  Honour replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 2);
  EXPECT_EQ(replayed.status(), Honour::Status::kRevoked);
  EXPECT_EQ(replayed.conferred().recipient().member_id(), "m");
}

}  // namespace
}  // namespace vanguard::domain
