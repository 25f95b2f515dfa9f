#include "libs/domain/pairing.h"

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

EstablishPairing WaterAndVillage() {
  return EstablishPairing{.department_organisation_id = "water",
                          .recipient_organisation_id = "v",
                          .campaign_id = "cxzy-2010",
                          .programme = "五联五创",
                          .agreement_text = "共建雨厦提灌站",
                          .signed_on = MakeDate(2010, 5, 4)};
}

class PairingTest : public CampaignTest {
 protected:
  absl::Status Establish(const EstablishPairing& command, std::string actor = "water") {
    return ApplyTo(pairing_, Decide(pairing_, command, tree_, As(actor)), &log_);
  }

  absl::Status End(std::string actor = "water", std::string reason = "协议期满",
                   std::optional<v1::Date> ended_on = std::nullopt) {
    return ApplyTo(pairing_,
                   Decide(pairing_, EndPairing{.ended_on = ended_on, .reason = reason}, As(actor)),
                   &log_);
  }

  Pairing pairing_;
  std::vector<v1::Envelope> log_;
};

TEST_F(PairingTest, DepartmentPairsWithAVillage) {
  ASSERT_TRUE(Establish(WaterAndVillage()).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.PairingEstablished");
  EXPECT_EQ(pairing_.status(), Pairing::Status::kActive);
  EXPECT_EQ(pairing_.recipient_organisation_id(), "v");
}

TEST_F(PairingTest, DepartmentMayPairWithAStation) {
  EstablishPairing command = WaterAndVillage();
  command.recipient_organisation_id = "s";
  EXPECT_TRUE(Establish(command).ok());
}

TEST_F(PairingTest, RecipientIsAVillageOrAStation) {
  EstablishPairing command = WaterAndVillage();
  command.recipient_organisation_id = "h";
  absl::Status status = Establish(command);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), StartsWith("recipient_organisation_id: "));
  command.recipient_organisation_id = "nowhere";
  EXPECT_EQ(Establish(command).code(), absl::StatusCode::kNotFound);
}

TEST_F(PairingTest, PairingPartyMustBeADepartment) {
  EstablishPairing command = WaterAndVillage();
  command.department_organisation_id = "t";
  absl::Status status = Establish(command, "t");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), StartsWith("department_organisation_id: "));
}

TEST_F(PairingTest, OnlyTheDepartmentSigns) {
  EXPECT_EQ(Establish(WaterAndVillage(), "v").code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(PairingTest, AgreementIsRequiredAndNotSignedInTheFuture) {
  EstablishPairing command = WaterAndVillage();
  command.agreement_text = "";
  EXPECT_THAT(std::string(Establish(command).message()), StartsWith("agreement_text: "));
  command = WaterAndVillage();
  command.signed_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Establish(command).message()), StartsWith("signed_on: "));
}

TEST_F(PairingTest, IsEstablishedOnce) {
  ASSERT_TRUE(Establish(WaterAndVillage()).ok());
  EXPECT_EQ(Establish(WaterAndVillage()).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(PairingTest, EndingTwiceIsAnError) {
  ASSERT_TRUE(Establish(WaterAndVillage()).ok());
  ASSERT_TRUE(End().ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.PairingEnded");
  EXPECT_EQ(pairing_.status(), Pairing::Status::kEnded);
  EXPECT_EQ(End("v").code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(PairingTest, EndingNeedsAReasonASideAndADayAfterSigning) {
  EXPECT_EQ(End().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Establish(WaterAndVillage()).ok());
  EXPECT_THAT(std::string(End("water", "").message()), StartsWith("reason: "));
  EXPECT_EQ(End("t").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(End("water", "撤并", MakeDate(2010, 5, 3)).message()),
              StartsWith("ended_on: "));
  EXPECT_TRUE(End("v", "撤并", MakeDate(2010, 5, 4)).ok());
}

TEST_F(PairingTest, ReplayRebuildsThePairing) {
  ASSERT_TRUE(Establish(WaterAndVillage()).ok());
  ASSERT_TRUE(End().ok());
  Pairing replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 2);
  EXPECT_EQ(replayed.status(), Pairing::Status::kEnded);
  EXPECT_EQ(replayed.department_organisation_id(), "water");
}

}  // namespace
}  // namespace vanguard::domain
