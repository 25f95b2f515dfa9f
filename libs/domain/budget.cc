#include "libs/domain/budget.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t difference;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

absl::Status CheckSource(const Budget& budget, const Context& context) {
  if (!budget.exists()) return absl::NotFoundError("budget not found");
  if (context.actor_organisation_id != budget.source_organisation_id()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the budget's source (", budget.source_organisation_id(), ") may spend it"));
  }
  return absl::OkStatus();
}

absl::Status CheckPurpose(v1::FundsPurpose purpose) {
  if (purpose == v1::FUNDS_PURPOSE_UNSPECIFIED || !v1::FundsPurpose_IsValid(purpose)) {
    return absl::InvalidArgumentError("purpose: must be specified");
  }
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::string_view field, int64_t amount_fen) {
  if (amount_fen <= 0) return absl::InvalidArgumentError(absl::StrCat(field, ": must be positive"));
  return absl::OkStatus();
}

absl::Status CheckReference(const v1::Reference& reference) {
  if (reference.kind() == v1::REFERENCE_KIND_UNSPECIFIED && reference.id().empty()) {
    return absl::OkStatus();
  }
  if (reference.kind() == v1::REFERENCE_KIND_UNSPECIFIED ||
      !v1::ReferenceKind_IsValid(reference.kind())) {
    return absl::InvalidArgumentError("reference.kind: must be specified with an id");
  }
  return CheckId("reference.id", reference.id());
}

// The subsidy rules: to a member, for a passed post, once per post and year.
absl::Status CheckPostSubsidy(const Budget& budget, const DisburseFunds& command) {
  if (command.reference.kind() != v1::REFERENCE_KIND_PIONEER_POST) {
    return absl::InvalidArgumentError(
        "reference.kind: a pioneer-post subsidy must refer to its pioneer post");
  }
  if (!command.recipient.has_member_id()) {
    return absl::InvalidArgumentError(
        "recipient: a pioneer-post subsidy is paid to the post holder, a member");
  }
  if (command.recipient.member_id() != command.post_holder_member_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "recipient.member_id: ", command.recipient.member_id(), " does not hold pioneer post ",
        command.reference.id(), " (",
        command.post_holder_member_id.empty() ? "no holder known" : command.post_holder_member_id,
        ")"));
  }
  if (command.post_assessment != v1::ASSESSMENT_RESULT_PASSED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "post_assessment: pioneer post ", command.reference.id(), " did not pass its ",
        budget.year(), " assessment (",
        command.post_assessment == v1::ASSESSMENT_RESULT_FAILED ? "failed" : "not assessed",
        "); only a passed post is paid"));
  }
  if (budget.PostSubsidyPaid(command.reference.id(), budget.year())) {
    return absl::FailedPreconditionError(
        absl::StrCat("reference.id: pioneer post ", command.reference.id(),
                     " is already paid its subsidy for ", budget.year()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string BudgetId(absl::string_view source_organisation_id, v1::FundsPurpose purpose,
                     int32_t year) {
  return absl::StrCat(source_organisation_id, "/", v1::FundsPurpose_Name(purpose), "/", year);
}

const Budget::Disbursement* Budget::FindDisbursement(absl::string_view disbursement_id) const {
  auto it = disbursements_.find(disbursement_id);
  return it == disbursements_.end() ? nullptr : &it->second;
}

bool Budget::PostSubsidyPaid(absl::string_view post_id, int32_t year) const {
  auto it = post_subsidies_.find(std::make_pair(std::string(post_id), year));
  if (it == post_subsidies_.end()) return false;
  const Disbursement* paid = FindDisbursement(it->second);
  return paid != nullptr && paid->reversed_fen < paid->amount_fen;
}

int64_t Budget::remaining_fen() const { return SaturatingSub(allocated_fen_, spent_fen_); }

void Budget::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kBudgetAllocated: {
      const v1::BudgetAllocated& event = envelope.budget_allocated();
      source_organisation_id_ = event.source_organisation_id();
      purpose_ = event.purpose();
      year_ = event.year();
      allocated_fen_ = SaturatingAdd(allocated_fen_, event.amount_fen());
      break;
    }
    case v1::Envelope::kFundsDisbursed: {
      const v1::FundsDisbursed& event = envelope.funds_disbursed();
      disbursements_[event.disbursement_id()] = Disbursement{.amount_fen = event.amount_fen(),
                                                             .reference = event.reference(),
                                                             .paid_on = event.paid_on()};
      spent_fen_ = SaturatingAdd(spent_fen_, event.amount_fen());
      if (event.purpose() == v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY &&
          event.reference().kind() == v1::REFERENCE_KIND_PIONEER_POST) {
        post_subsidies_[std::make_pair(event.reference().id(), event.year())] =
            event.disbursement_id();
      }
      break;
    }
    case v1::Envelope::kFundsReversed: {
      const v1::FundsReversed& event = envelope.funds_reversed();
      int64_t& reversed = disbursements_[event.disbursement_id()].reversed_fen;
      reversed = SaturatingAdd(reversed, event.amount_fen());
      spent_fen_ = SaturatingSub(spent_fen_, event.amount_fen());
      break;
    }
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Budget& budget,
                                                 const AllocateBudget& command, const OrgTree& tree,
                                                 const Context& context) {
  ASSIGN_OR_RETURN(const Organisation* source, LiveOrganisation("source_organisation_id", tree,
                                                                command.source_organisation_id));
  RETURN_IF_ERROR(CheckPurpose(command.purpose));
  RETURN_IF_ERROR(CheckYear("year", command.year));
  if (context.actor_organisation_id != source->organisation_id) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the source organisation (", source->organisation_id, ") may allocate its money"));
  }
  if (budget.exists()) {
    if (command.source_organisation_id != budget.source_organisation_id() ||
        command.purpose != budget.purpose() || command.year != budget.year()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "source_organisation_id: a top-up must name the budget's source, "
          "purpose and year (",
          BudgetId(budget.source_organisation_id(), budget.purpose(), budget.year()), ")"));
    }
  }
  RETURN_IF_ERROR(CheckPositive("amount_fen", command.amount_fen));
  int64_t total = 0;
  if (__builtin_add_overflow(budget.allocated_fen(), command.amount_fen, &total)) {
    return absl::InvalidArgumentError("amount_fen: the budget's total would overflow");
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckText("description", command.description, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  v1::BudgetAllocated& event = *envelope.mutable_budget_allocated();
  event.set_source_organisation_id(command.source_organisation_id);
  event.set_purpose(command.purpose);
  event.set_year(command.year);
  event.set_amount_fen(command.amount_fen);
  event.set_campaign_id(command.campaign_id);
  event.set_description(command.description);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Budget& budget, const DisburseFunds& command,
                                                 const OrgTree& tree, const Context& context) {
  RETURN_IF_ERROR(CheckSource(budget, context));
  RETURN_IF_ERROR(CheckId("disbursement_id", command.disbursement_id));
  if (budget.FindDisbursement(command.disbursement_id) != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("disbursement_id: ", command.disbursement_id, " is already paid"));
  }
  if (command.purpose != budget.purpose()) {
    return absl::InvalidArgumentError(absl::StrCat("purpose: must be the budget's purpose, ",
                                                   v1::FundsPurpose_Name(budget.purpose())));
  }
  if (command.year != budget.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: must be the budget's year, ", budget.year()));
  }
  if (command.recipient.has_organisation_id()) {
    RETURN_IF_ERROR(
        LiveOrganisation("recipient.organisation_id", tree, command.recipient.organisation_id())
            .status());
  } else if (command.recipient.has_member_id()) {
    RETURN_IF_ERROR(CheckId("recipient.member_id", command.recipient.member_id()));
  } else {
    return absl::InvalidArgumentError("recipient: must name an organisation or a member");
  }
  RETURN_IF_ERROR(CheckPositive("amount_fen", command.amount_fen));
  RETURN_IF_ERROR(CheckReference(command.reference));
  ASSIGN_OR_RETURN(v1::Date paid_on, PastOrToday("paid_on", command.paid_on, context.now));
  RETURN_IF_ERROR(CheckText("description", command.description, kMaxTextBytes, Required::kYes));
  if (command.purpose == v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY) {
    RETURN_IF_ERROR(CheckPostSubsidy(budget, command));
  }
  if (command.amount_fen > budget.remaining_fen()) {
    return absl::FailedPreconditionError(absl::StrCat("amount_fen: ", command.amount_fen,
                                                      " fen exceeds the ", budget.remaining_fen(),
                                                      " fen left in the budget"));
  }

  v1::Envelope envelope;
  v1::FundsDisbursed& event = *envelope.mutable_funds_disbursed();
  event.set_disbursement_id(command.disbursement_id);
  event.set_source_organisation_id(budget.source_organisation_id());
  *event.mutable_recipient() = command.recipient;
  event.set_purpose(command.purpose);
  event.set_amount_fen(command.amount_fen);
  if (command.reference.kind() != v1::REFERENCE_KIND_UNSPECIFIED) {
    *event.mutable_reference() = command.reference;
  }
  event.set_year(command.year);
  *event.mutable_paid_on() = paid_on;
  event.set_description(command.description);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Budget& budget, const ReverseFunds& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckSource(budget, context));
  RETURN_IF_ERROR(CheckId("disbursement_id", command.disbursement_id));
  const Budget::Disbursement* original = budget.FindDisbursement(command.disbursement_id);
  if (original == nullptr) {
    return absl::NotFoundError(absl::StrCat("disbursement_id: ", command.disbursement_id,
                                            " was not paid from this budget"));
  }
  RETURN_IF_ERROR(CheckPositive("amount_fen", command.amount_fen));
  int64_t unreversed = 0;
  if (__builtin_sub_overflow(original->amount_fen, original->reversed_fen, &unreversed) ||
      command.amount_fen > unreversed) {
    return absl::FailedPreconditionError(
        absl::StrCat("amount_fen: ", command.amount_fen, " fen exceeds the ", unreversed,
                     " fen of disbursement ", command.disbursement_id, " not yet reversed"));
  }
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kYes));
  ASSIGN_OR_RETURN(v1::Date reversed_on,
                   PastOrToday("reversed_on", command.reversed_on, context.now));
  ASSIGN_OR_RETURN(absl::CivilDay reversed_day, ToCivilDay("reversed_on", reversed_on));
  ASSIGN_OR_RETURN(absl::CivilDay paid_day, ToCivilDay("paid_on", original->paid_on));
  if (reversed_day < paid_day) {
    return absl::InvalidArgumentError(absl::StrCat("reversed_on: must not be before the day ",
                                                   absl::FormatCivilTime(paid_day),
                                                   " the disbursement was paid"));
  }

  v1::Envelope envelope;
  v1::FundsReversed& event = *envelope.mutable_funds_reversed();
  event.set_disbursement_id(command.disbursement_id);
  event.set_amount_fen(command.amount_fen);
  event.set_reason(command.reason);
  *event.mutable_reversed_on() = reversed_on;
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
