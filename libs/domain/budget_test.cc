#include "libs/domain/budget.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

v1::Reference PostReference(std::string post_id) {
  v1::Reference reference;
  reference.set_kind(v1::REFERENCE_KIND_PIONEER_POST);
  reference.set_id(post_id);
  return reference;
}

class BudgetTest : public CampaignTest {
 protected:
  absl::Status Allocate(int64_t amount_fen,
                        v1::FundsPurpose purpose = v1::FUNDS_PURPOSE_CO_BUILDING,
                        std::string actor = "water") {
    return ApplyTo(budget_,
                   Decide(budget_,
                          AllocateBudget{.source_organisation_id = "water",
                                         .purpose = purpose,
                                         .year = 2010,
                                         .amount_fen = amount_fen,
                                         .description = "结对共建经费"},
                          tree_, As(actor)),
                   &log_);
  }

  DisburseFunds ToVillage(std::string id, int64_t amount_fen) {
    return DisburseFunds{.disbursement_id = id,
                         .recipient = OrganisationSubject("v"),
                         .purpose = v1::FUNDS_PURPOSE_CO_BUILDING,
                         .amount_fen = amount_fen,
                         .year = 2010,
                         .description = "雨厦提灌站建设"};
  }

  DisburseFunds Subsidy(std::string id, std::string post_id,
                        v1::AssessmentResult result = v1::ASSESSMENT_RESULT_PASSED) {
    return DisburseFunds{.disbursement_id = id,
                         .recipient = MemberSubject("m"),
                         .purpose = v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY,
                         .amount_fen = 60000,
                         .reference = PostReference(post_id),
                         .year = 2010,
                         .description = "先锋岗补助",
                         .post_assessment = result,
                         .post_holder_member_id = "m"};
  }

  absl::Status Disburse(const DisburseFunds& command, std::string actor = "water") {
    return ApplyTo(budget_, Decide(budget_, command, tree_, As(actor)), &log_);
  }

  absl::Status Reverse(std::string id, int64_t amount_fen, std::string actor = "water") {
    return ApplyTo(
        budget_,
        Decide(
            budget_,
            ReverseFunds{.disbursement_id = id, .amount_fen = amount_fen, .reason = "金额录入错误"},
            As(actor)),
        &log_);
  }

  Budget budget_;
  std::vector<v1::Envelope> log_;
};

TEST(BudgetIdTest, OneBudgetPerSourcePurposeAndYear) {
  EXPECT_EQ(BudgetId("water", v1::FUNDS_PURPOSE_CO_BUILDING, 2010),
            "water/FUNDS_PURPOSE_CO_BUILDING/2010");
  EXPECT_NE(BudgetId("water", v1::FUNDS_PURPOSE_CO_BUILDING, 2010),
            BudgetId("water", v1::FUNDS_PURPOSE_CO_BUILDING, 2011));
}

// --- Allocation ------------------------------------------------------------

TEST_F(BudgetTest, AllocationCreatesTheBudgetAndTopUpsAdd) {
  ASSERT_TRUE(Allocate(8000000).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.BudgetAllocated");
  EXPECT_EQ(log_.back().budget_allocated().source_organisation_id(), "water");
  ASSERT_TRUE(Allocate(5000000).ok());
  EXPECT_EQ(budget_.allocated_fen(), 13000000);
  EXPECT_EQ(budget_.remaining_fen(), 13000000);
  EXPECT_EQ(budget_.version(), 2);
}

TEST_F(BudgetTest, AllocationAmountMustBePositive) {
  EXPECT_THAT(std::string(Allocate(0).message()), StartsWith("amount_fen: "));
  EXPECT_EQ(Allocate(-1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Allocate(1).ok());
}

TEST_F(BudgetTest, AllocationTotalIsOverflowChecked) {
  ASSERT_TRUE(Allocate(std::numeric_limits<int64_t>::max() - 1).ok());
  EXPECT_TRUE(Allocate(1).ok());
  absl::Status status = Allocate(1);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("overflow"));
  EXPECT_EQ(budget_.allocated_fen(), std::numeric_limits<int64_t>::max());
}

// Shown by envelope_fuzz under UBSan (corpus/envelope_fuzz/budget-sum-overflow,
// two allocations of INT64_MAX): Decide never lets the sums overflow, but a
// reader applies whatever the log holds, and a forged record's amount
// overflowed them (undefined behaviour). They now stop at the int64 limits.
TEST_F(BudgetTest, ForgedAmountsInTheLogSaturateInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  auto event = [](auto set) {
    v1::Envelope envelope;
    set(envelope);
    return envelope;
  };
  Budget budget;
  for (int i = 0; i < 2; ++i) {
    budget.Apply(event([&](v1::Envelope& e) {
      e.mutable_budget_allocated()->set_source_organisation_id("water");
      e.mutable_budget_allocated()->set_amount_fen(kMax);
    }));
  }
  EXPECT_EQ(budget.allocated_fen(), kMax);
  budget.Apply(event([&](v1::Envelope& e) {
    e.mutable_funds_disbursed()->set_disbursement_id("d-1");
    e.mutable_funds_disbursed()->set_amount_fen(kMin);
  }));
  EXPECT_EQ(budget.spent_fen(), kMin);
  EXPECT_EQ(budget.remaining_fen(), kMax);
  budget.Apply(event([&](v1::Envelope& e) {
    e.mutable_funds_reversed()->set_disbursement_id("d-1");
    e.mutable_funds_reversed()->set_amount_fen(kMin);
  }));
  EXPECT_EQ(budget.spent_fen(), 0);
  EXPECT_EQ(budget.FindDisbursement("d-1")->reversed_fen, kMin);
  budget.Apply(event([&](v1::Envelope& e) {
    e.mutable_funds_reversed()->set_disbursement_id("d-1");
    e.mutable_funds_reversed()->set_amount_fen(kMin);
  }));
  EXPECT_EQ(budget.FindDisbursement("d-1")->reversed_fen, kMin);
  EXPECT_EQ(budget.spent_fen(), kMax);
  EXPECT_EQ(budget.remaining_fen(), 0);
  EXPECT_EQ(budget.version(), 5);
}

TEST_F(BudgetTest, OnlyTheSourceAllocates) {
  EXPECT_EQ(Allocate(100, v1::FUNDS_PURPOSE_CO_BUILDING, "x").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Allocate(100, v1::FUNDS_PURPOSE_CO_BUILDING, "water").ok());
}

TEST_F(BudgetTest, TopUpMustNameTheSamePurpose) {
  ASSERT_TRUE(Allocate(100).ok());
  EXPECT_THAT(std::string(Allocate(100, v1::FUNDS_PURPOSE_DONATION).message()),
              StartsWith("source_organisation_id: "));
  EXPECT_THAT(std::string(Allocate(100, v1::FUNDS_PURPOSE_UNSPECIFIED).message()),
              StartsWith("purpose: "));
}

TEST_F(BudgetTest, SourceMustBeALiveOrganisation) {
  Dissolve("water");
  EXPECT_EQ(Allocate(100).code(), absl::StatusCode::kFailedPrecondition);
}

// --- Disbursement ----------------------------------------------------------

TEST_F(BudgetTest, DisbursementSpendsTheBudget) {
  ASSERT_TRUE(Allocate(8000000).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-1", 3000000)).ok());
  const v1::FundsDisbursed& event = log_.back().funds_disbursed();
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.FundsDisbursed");
  EXPECT_EQ(event.source_organisation_id(), "water");
  EXPECT_EQ(event.paid_on().day(), 15);
  EXPECT_FALSE(event.has_reference());
  EXPECT_EQ(budget_.remaining_fen(), 5000000);
}

TEST_F(BudgetTest, DisbursementMayTakeExactlyWhatIsLeftButNotOneFenMore) {
  ASSERT_TRUE(Allocate(8000000).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-1", 3000000)).ok());
  absl::Status status = Disburse(ToVillage("d-2", 5000001));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), StartsWith("amount_fen: 5000001 fen exceeds"));
  EXPECT_TRUE(Disburse(ToVillage("d-2", 5000000)).ok());
  EXPECT_EQ(budget_.remaining_fen(), 0);
}

TEST_F(BudgetTest, DisbursementNeedsABudget) {
  EXPECT_EQ(Disburse(ToVillage("d-1", 1)).code(), absl::StatusCode::kNotFound);
}

TEST_F(BudgetTest, OnlyTheSourceDisburses) {
  ASSERT_TRUE(Allocate(100).ok());
  EXPECT_EQ(Disburse(ToVillage("d-1", 1), "v").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Disburse(ToVillage("d-1", 1), "water").ok());
}

TEST_F(BudgetTest, DisbursementAmountMustBePositive) {
  ASSERT_TRUE(Allocate(100).ok());
  EXPECT_THAT(std::string(Disburse(ToVillage("d-1", 0)).message()), StartsWith("amount_fen: "));
  EXPECT_TRUE(Disburse(ToVillage("d-1", 1)).ok());
}

TEST_F(BudgetTest, DisbursementIdIsUsedOnce) {
  ASSERT_TRUE(Allocate(100).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-1", 1)).ok());
  EXPECT_EQ(Disburse(ToVillage("d-1", 1)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Disburse(ToVillage("d-2", 1)).ok());
}

TEST_F(BudgetTest, DisbursementHasTheBudgetsPurposeAndYear) {
  ASSERT_TRUE(Allocate(100).ok());
  DisburseFunds command = ToVillage("d-1", 1);
  command.purpose = v1::FUNDS_PURPOSE_DONATION;
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("purpose: "));
  command = ToVillage("d-1", 1);
  command.year = 2011;
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("year: "));
}

TEST_F(BudgetTest, DisbursementNeedsARecipientAndADescription) {
  ASSERT_TRUE(Allocate(100).ok());
  DisburseFunds command = ToVillage("d-1", 1);
  command.recipient = v1::Subject();
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("recipient: "));
  command.recipient = OrganisationSubject("nowhere");
  EXPECT_EQ(Disburse(command).code(), absl::StatusCode::kNotFound);
  command.recipient = MemberSubject("m");
  command.description = "";
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("description: "));
}

TEST_F(BudgetTest, DisbursementIsNotDatedInTheFuture) {
  ASSERT_TRUE(Allocate(100).ok());
  DisburseFunds command = ToVillage("d-1", 1);
  command.paid_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("paid_on: "));
  command.paid_on = MakeDate(2010, 6, 15);
  EXPECT_TRUE(Disburse(command).ok());
}

TEST_F(BudgetTest, AReferenceNamesItsKind) {
  ASSERT_TRUE(Allocate(100).ok());
  DisburseFunds command = ToVillage("d-1", 1);
  command.reference.set_id("pairing-1");
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("reference.kind: "));
  command.reference.set_kind(v1::REFERENCE_KIND_PAIRING);
  EXPECT_TRUE(Disburse(command).ok());
  EXPECT_EQ(log_.back().funds_disbursed().reference().id(), "pairing-1");
}

// --- Pioneer-post subsidies ------------------------------------------------

TEST_F(BudgetTest, PassedPostIsPaidItsSubsidy) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  ASSERT_TRUE(Disburse(Subsidy("d-1", "post-1")).ok());
  EXPECT_TRUE(budget_.PostSubsidyPaid("post-1", 2010));
  EXPECT_FALSE(budget_.PostSubsidyPaid("post-2", 2010));
}

TEST_F(BudgetTest, FailedPostIsNotPaid) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  absl::Status status = Disburse(Subsidy("d-1", "post-1", v1::ASSESSMENT_RESULT_FAILED));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), StartsWith("post_assessment: "));
  EXPECT_EQ(Disburse(Subsidy("d-1", "post-1", v1::ASSESSMENT_RESULT_UNSPECIFIED)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(budget_.remaining_fen(), 360000);
}

TEST_F(BudgetTest, OnlyThePostHolderIsPaid) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  DisburseFunds someone_else = Subsidy("d-1", "post-1");
  someone_else.recipient = MemberSubject("m-other");
  absl::Status status = Disburse(someone_else);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), StartsWith("recipient.member_id: "));
  EXPECT_EQ(budget_.remaining_fen(), 360000);
  EXPECT_TRUE(Disburse(Subsidy("d-1", "post-1")).ok());
}

TEST_F(BudgetTest, PostIsPaidAtMostOnceAYear) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  ASSERT_TRUE(Disburse(Subsidy("d-1", "post-1")).ok());
  absl::Status status = Disburse(Subsidy("d-2", "post-1"));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("already paid its subsidy for 2010"));
  EXPECT_TRUE(Disburse(Subsidy("d-2", "post-2")).ok());
}

TEST_F(BudgetTest, FullyReversedSubsidyMayBePaidAgain) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  ASSERT_TRUE(Disburse(Subsidy("d-1", "post-1")).ok());
  ASSERT_TRUE(Reverse("d-1", 59999).ok());
  EXPECT_EQ(Disburse(Subsidy("d-2", "post-1")).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Reverse("d-1", 1).ok());
  EXPECT_TRUE(Disburse(Subsidy("d-2", "post-1")).ok());
}

TEST_F(BudgetTest, SubsidyNamesItsPostAndPaysAMember) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  DisburseFunds command = Subsidy("d-1", "post-1");
  command.reference.set_kind(v1::REFERENCE_KIND_PAIRING);
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("reference.kind: "));
  command = Subsidy("d-1", "post-1");
  command.recipient = OrganisationSubject("v");
  EXPECT_THAT(std::string(Disburse(command).message()), StartsWith("recipient: "));
}

// --- Reversal --------------------------------------------------------------

TEST_F(BudgetTest, ReversalReturnsMoneyToTheBudget) {
  ASSERT_TRUE(Allocate(1000).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-1", 1000)).ok());
  ASSERT_TRUE(Reverse("d-1", 300).ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.FundsReversed");
  EXPECT_EQ(log_.back().funds_reversed().disbursement_id(), "d-1");
  EXPECT_EQ(budget_.remaining_fen(), 300);
  EXPECT_EQ(budget_.FindDisbursement("d-1")->reversed_fen, 300);
  EXPECT_TRUE(Disburse(ToVillage("d-2", 300)).ok());
}

TEST_F(BudgetTest, ReversalCannotExceedWhatRemainsOfTheOriginal) {
  ASSERT_TRUE(Allocate(1000).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-1", 600)).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-2", 400)).ok());
  ASSERT_TRUE(Reverse("d-1", 500).ok());
  absl::Status status = Reverse("d-1", 101);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("100 fen of disbursement d-1"));
  EXPECT_TRUE(Reverse("d-1", 100).ok());
  EXPECT_EQ(Reverse("d-1", 1).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(BudgetTest, ReversalNamesADisbursementOfThisBudget) {
  ASSERT_TRUE(Allocate(1000).ok());
  ASSERT_TRUE(Disburse(ToVillage("d-1", 600)).ok());
  EXPECT_EQ(Reverse("d-9", 1).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reverse("d-1", 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reverse("d-1", 1, "v").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Reverse("d-1", 1).ok());
}

TEST_F(BudgetTest, ReversalNeedsAReasonAndADayNotBeforePayment) {
  ASSERT_TRUE(Allocate(1000).ok());
  DisburseFunds paid = ToVillage("d-1", 600);
  paid.paid_on = MakeDate(2010, 6, 10);
  ASSERT_TRUE(Disburse(paid).ok());
  ReverseFunds command{.disbursement_id = "d-1", .amount_fen = 1, .reason = ""};
  EXPECT_THAT(std::string(Decide(budget_, command, As("water")).status().message()),
              StartsWith("reason: "));
  command.reason = "重复支付";
  command.reversed_on = MakeDate(2010, 6, 9);
  EXPECT_THAT(std::string(Decide(budget_, command, As("water")).status().message()),
              StartsWith("reversed_on: "));
  command.reversed_on = MakeDate(2010, 6, 10);
  EXPECT_TRUE(Decide(budget_, command, As("water")).ok());
}

// --- Replay ----------------------------------------------------------------

TEST_F(BudgetTest, ReplayingTheEventsRebuildsTheSameBudget) {
  ASSERT_TRUE(Allocate(360000, v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY).ok());
  ASSERT_TRUE(Disburse(Subsidy("d-1", "post-1")).ok());
  ASSERT_TRUE(Reverse("d-1", 100).ok());
  Budget replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 3);
  EXPECT_EQ(replayed.remaining_fen(), budget_.remaining_fen());
  EXPECT_EQ(replayed.spent_fen(), 59900);
  EXPECT_TRUE(replayed.PostSubsidyPaid("post-1", 2010));
  EXPECT_EQ(replayed.purpose(), v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY);
  // The rebuilt state decides as the original: the post is not paid twice.
  EXPECT_EQ(Decide(replayed, Subsidy("d-2", "post-1"), tree_, As("water")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vanguard::domain
