#include "libs/domain/rectification.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

bool FindsProblems(v1::ReferenceKind kind) {
  return kind == v1::REFERENCE_KIND_LEADER_REVIEW || kind == v1::REFERENCE_KIND_MASS_EVALUATION ||
         kind == v1::REFERENCE_KIND_MEMBER_APPRAISAL || kind == v1::REFERENCE_KIND_INSPECTION;
}

}  // namespace

void Rectification::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kRectificationIssued:
      issued_ = envelope.rectification_issued();
      status_ = Status::kOpen;
      break;
    case v1::Envelope::kRectificationClosed:
      status_ = Status::kClosed;
      break;
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Rectification& item,
                                                 const IssueRectification& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context) {
  if (item.status() != Rectification::Status::kUnknown) {
    return absl::AlreadyExistsError("rectification already exists");
  }
  ASSIGN_OR_RETURN(std::string responsible_organisation,
                   SubjectOrganisation("responsible", command.responsible, tree, member));
  const std::string& issuer = context.actor_organisation_id;
  if (!tree.IsAncestor(issuer, responsible_organisation) &&
      !(command.responsible.has_member_id() && issuer == responsible_organisation)) {
    return absl::PermissionDeniedError(absl::StrCat("only a superior of ", responsible_organisation,
                                                    " may issue it a rectification"));
  }
  if (!FindsProblems(command.source.kind())) {
    return absl::InvalidArgumentError(
        "source.kind: must be a leader review, mass evaluation, member appraisal or inspection");
  }
  RETURN_IF_ERROR(CheckId("source.id", command.source.id()));
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckText("problem", command.problem, kMaxTextBytes, Required::kYes));
  RETURN_IF_ERROR(
      CheckText("required_action", command.required_action, kMaxTextBytes, Required::kYes));
  ASSIGN_OR_RETURN(absl::CivilDay deadline, ToCivilDay("deadline", command.deadline));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (deadline < today) {
    return absl::InvalidArgumentError(absl::StrCat("deadline: ", absl::FormatCivilTime(deadline),
                                                   " is before the day of issue, ",
                                                   absl::FormatCivilTime(today)));
  }

  v1::Envelope envelope;
  v1::RectificationIssued& event = *envelope.mutable_rectification_issued();
  event.set_issuer_organisation_id(issuer);
  *event.mutable_responsible() = command.responsible;
  *event.mutable_source() = command.source;
  event.set_campaign_id(command.campaign_id);
  event.set_problem(command.problem);
  event.set_required_action(command.required_action);
  *event.mutable_deadline() = command.deadline;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Rectification& item,
                                                 const CloseRectification& command,
                                                 const Context& context) {
  if (item.status() == Rectification::Status::kUnknown) {
    return absl::NotFoundError("rectification not found");
  }
  const std::string& actor = context.actor_organisation_id;
  if (actor != item.issuer_organisation_id() && !(item.responsible().has_organisation_id() &&
                                                  actor == item.responsible().organisation_id())) {
    return absl::PermissionDeniedError(
        "only the issuer or the responsible organisation may close a rectification");
  }
  if (item.status() == Rectification::Status::kClosed) {
    return absl::FailedPreconditionError("rectification is already closed");
  }
  ASSIGN_OR_RETURN(v1::Date closed_on, PastOrToday("closed_on", command.closed_on, context.now));
  RETURN_IF_ERROR(CheckText("resolution", command.resolution, kMaxTextBytes, Required::kYes));
  RETURN_IF_ERROR(CheckEvidenceList("evidence", command.evidence));

  v1::Envelope envelope;
  v1::RectificationClosed& event = *envelope.mutable_rectification_closed();
  *event.mutable_closed_on() = closed_on;
  event.set_resolution(command.resolution);
  for (const v1::Evidence& evidence : command.evidence) *event.add_evidence() = evidence;
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
