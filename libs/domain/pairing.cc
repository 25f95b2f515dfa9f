#include "libs/domain/pairing.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

void Pairing::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kPairingEstablished:
      established_ = envelope.pairing_established();
      status_ = Status::kActive;
      break;
    case v1::Envelope::kPairingEnded:
      status_ = Status::kEnded;
      break;
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pairing& pairing,
                                                 const EstablishPairing& command,
                                                 const OrgTree& tree, const Context& context) {
  if (pairing.status() != Pairing::Status::kUnknown) {
    return absl::AlreadyExistsError("pairing already exists");
  }
  ASSIGN_OR_RETURN(
      const Organisation* department,
      LiveOrganisation("department_organisation_id", tree, command.department_organisation_id));
  if (department->sector != v1::SECTOR_DEPARTMENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "department_organisation_id: ", department->organisation_id, " is not a department"));
  }
  if (context.actor_organisation_id != department->organisation_id) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the department (", department->organisation_id, ") may sign its pairing"));
  }
  ASSIGN_OR_RETURN(
      const Organisation* recipient,
      LiveOrganisation("recipient_organisation_id", tree, command.recipient_organisation_id));
  if (recipient->sector != v1::SECTOR_VILLAGE && recipient->sector != v1::SECTOR_ORGAN_STATION) {
    return absl::FailedPreconditionError(
        absl::StrCat("recipient_organisation_id: ", recipient->organisation_id,
                     " is neither a village nor an organ/station organisation"));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckText("programme", command.programme, kMaxNameBytes, Required::kNo));
  RETURN_IF_ERROR(
      CheckText("agreement_text", command.agreement_text, kMaxTextBytes, Required::kYes));
  ASSIGN_OR_RETURN(v1::Date signed_on, PastOrToday("signed_on", command.signed_on, context.now));

  v1::Envelope envelope;
  v1::PairingEstablished& event = *envelope.mutable_pairing_established();
  event.set_department_organisation_id(command.department_organisation_id);
  event.set_recipient_organisation_id(command.recipient_organisation_id);
  event.set_campaign_id(command.campaign_id);
  event.set_programme(command.programme);
  event.set_agreement_text(command.agreement_text);
  *event.mutable_signed_on() = signed_on;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pairing& pairing, const EndPairing& command,
                                                 const Context& context) {
  if (pairing.status() == Pairing::Status::kUnknown) {
    return absl::NotFoundError("pairing not found");
  }
  if (context.actor_organisation_id != pairing.department_organisation_id() &&
      context.actor_organisation_id != pairing.recipient_organisation_id()) {
    return absl::PermissionDeniedError("only a side of the pairing may end it");
  }
  if (pairing.status() == Pairing::Status::kEnded) {
    return absl::FailedPreconditionError("pairing has already ended");
  }
  ASSIGN_OR_RETURN(v1::Date ended_on, PastOrToday("ended_on", command.ended_on, context.now));
  ASSIGN_OR_RETURN(absl::CivilDay ended_day, ToCivilDay("ended_on", ended_on));
  ASSIGN_OR_RETURN(absl::CivilDay signed_day, ToCivilDay("signed_on", pairing.signed_on()));
  if (ended_day < signed_day) {
    return absl::InvalidArgumentError(absl::StrCat("ended_on: must not be before the signing day, ",
                                                   absl::FormatCivilTime(signed_day)));
  }
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  v1::PairingEnded& event = *envelope.mutable_pairing_ended();
  *event.mutable_ended_on() = ended_on;
  event.set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
