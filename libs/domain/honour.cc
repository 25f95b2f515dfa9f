#include "libs/domain/honour.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

v1::HonourLevel HighestConferrableLevel(v1::OrganisationLevel level) {
  switch (level) {
    case v1::ORGANISATION_LEVEL_PROVINCE:
      return v1::HONOUR_LEVEL_NATIONAL;
    case v1::ORGANISATION_LEVEL_CITY:
      return v1::HONOUR_LEVEL_CITY;
    case v1::ORGANISATION_LEVEL_COUNTY:
      return v1::HONOUR_LEVEL_COUNTY;
    case v1::ORGANISATION_LEVEL_TOWNSHIP:
      return v1::HONOUR_LEVEL_TOWNSHIP;
    default:
      return v1::HONOUR_LEVEL_UNSPECIFIED;
  }
}

void Honour::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kHonourConferred:
      conferred_ = envelope.honour_conferred();
      status_ = Status::kConferred;
      break;
    case v1::Envelope::kHonourRevoked:
      status_ = Status::kRevoked;
      break;
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Honour& honour, const ConferHonour& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context) {
  if (honour.status() != Honour::Status::kUnknown) {
    return absl::AlreadyExistsError("honour already exists");
  }
  if (command.kind == v1::HONOUR_KIND_UNSPECIFIED || !v1::HonourKind_IsValid(command.kind)) {
    return absl::InvalidArgumentError("kind: must be specified");
  }
  if (command.level == v1::HONOUR_LEVEL_UNSPECIFIED || !v1::HonourLevel_IsValid(command.level)) {
    return absl::InvalidArgumentError("level: must be specified");
  }
  ASSIGN_OR_RETURN(const Organisation* conferrer,
                   LiveOrganisation("actor_organisation_id", tree, context.actor_organisation_id));
  const v1::HonourLevel highest = HighestConferrableLevel(conferrer->level);
  if (command.level > highest) {
    return absl::PermissionDeniedError(absl::StrCat(
        "level: ", conferrer->organisation_id, " at ", v1::OrganisationLevel_Name(conferrer->level),
        " may not confer a ", v1::HonourLevel_Name(command.level), " honour"));
  }
  const bool for_organisation = command.kind == v1::HONOUR_KIND_ADVANCED_ORGANISATION;
  if (for_organisation != command.recipient.has_organisation_id()) {
    return absl::InvalidArgumentError(
        for_organisation ? "recipient: an advanced organisation honour goes to an organisation"
                         : "recipient: a member honour goes to a member");
  }
  ASSIGN_OR_RETURN(std::string recipient_organisation,
                   SubjectOrganisation("recipient", command.recipient, tree, member));
  const bool below = tree.IsAncestor(conferrer->organisation_id, recipient_organisation) ||
                     (!for_organisation && recipient_organisation == conferrer->organisation_id);
  if (!below) {
    return absl::PermissionDeniedError(absl::StrCat("recipient: ", recipient_organisation,
                                                    " is not under ", conferrer->organisation_id));
  }
  RETURN_IF_ERROR(CheckYear("year", command.year));
  ASSIGN_OR_RETURN(v1::Date conferred_on,
                   PastOrToday("conferred_on", command.conferred_on, context.now));
  if (command.year > conferred_on.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", command.year, " has not begun on the conferring day"));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckText("citation", command.citation, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  v1::HonourConferred& event = *envelope.mutable_honour_conferred();
  event.set_kind(command.kind);
  event.set_level(command.level);
  event.set_year(command.year);
  event.set_conferring_organisation_id(conferrer->organisation_id);
  *event.mutable_recipient() = command.recipient;
  event.set_campaign_id(command.campaign_id);
  *event.mutable_conferred_on() = conferred_on;
  event.set_citation(command.citation);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Honour& honour, const RevokeHonour& command,
                                                 const OrgTree& tree, const Context& context) {
  if (honour.status() == Honour::Status::kUnknown) return absl::NotFoundError("honour not found");
  const std::string& conferrer = honour.conferred().conferring_organisation_id();
  if (context.actor_organisation_id != conferrer &&
      !tree.IsAncestor(context.actor_organisation_id, conferrer)) {
    // Not naming it: the caller may be outside its scope.
    return absl::PermissionDeniedError(
        "only the conferring organisation or its superiors may revoke the honour");
  }
  if (honour.status() == Honour::Status::kRevoked) {
    return absl::FailedPreconditionError("honour is already revoked");
  }
  ASSIGN_OR_RETURN(v1::Date revoked_on, PastOrToday("revoked_on", command.revoked_on, context.now));
  ASSIGN_OR_RETURN(absl::CivilDay revoked_day, ToCivilDay("revoked_on", revoked_on));
  ASSIGN_OR_RETURN(absl::CivilDay conferred_day,
                   ToCivilDay("conferred_on", honour.conferred().conferred_on()));
  if (revoked_day < conferred_day) {
    return absl::InvalidArgumentError(
        absl::StrCat("revoked_on: must not be before the conferring day, ",
                     absl::FormatCivilTime(conferred_day)));
  }
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  v1::HonourRevoked& event = *envelope.mutable_honour_revoked();
  event.set_revoking_organisation_id(context.actor_organisation_id);
  *event.mutable_revoked_on() = revoked_on;
  event.set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
