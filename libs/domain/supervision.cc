#include "libs/domain/supervision.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

// The record is new and the actor is a live organisation.
absl::StatusOr<const Organisation*> NewRecordBy(const SupervisionRecord& record,
                                                const OrgTree& tree, const Context& context) {
  if (record.kind() != SupervisionRecord::Kind::kUnknown) {
    return absl::AlreadyExistsError("supervision record already exists");
  }
  return LiveOrganisation("actor_organisation_id", tree, context.actor_organisation_id);
}

absl::Status CheckPeriod(v1::ReportPeriod period) {
  if (period == v1::REPORT_PERIOD_UNSPECIFIED || !v1::ReportPeriod_IsValid(period)) {
    return absl::InvalidArgumentError("period: must be specified");
  }
  return absl::OkStatus();
}

}  // namespace

void SupervisionRecord::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kInspectionRecorded:
      kind_ = Kind::kInspection;
      break;
    case v1::Envelope::kReportSubmitted:
      kind_ = Kind::kReport;
      break;
    case v1::Envelope::kMeetingHeld:
      kind_ = Kind::kMeeting;
      break;
    default:
      return;
  }
  made_ = envelope;
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const SupervisionRecord& record,
                                                 const RecordInspection& command,
                                                 const OrgTree& tree, const Context& context) {
  ASSIGN_OR_RETURN(const Organisation* inspector, NewRecordBy(record, tree, context));
  ASSIGN_OR_RETURN(
      const Organisation* inspected,
      LiveOrganisation("inspected_organisation_id", tree, command.inspected_organisation_id));
  if (!tree.IsAncestor(inspector->organisation_id, inspected->organisation_id)) {
    return absl::PermissionDeniedError(
        absl::StrCat("only a superior of ", inspected->organisation_id, " may inspect it"));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  if (command.kind == v1::INSPECTION_KIND_UNSPECIFIED ||
      !v1::InspectionKind_IsValid(command.kind)) {
    return absl::InvalidArgumentError("kind: must be specified");
  }
  RETURN_IF_ERROR(CheckPeriod(command.period));
  ASSIGN_OR_RETURN(v1::Date inspected_on,
                   PastOrToday("inspected_on", command.inspected_on, context.now));
  if (command.inspector_count < 1) {
    return absl::InvalidArgumentError("inspector_count: must be at least 1");
  }
  RETURN_IF_ERROR(CheckText("findings", command.findings, kMaxTextBytes, Required::kYes));
  if (!v1::Rating_IsValid(command.rating))
    return absl::InvalidArgumentError("rating: unknown value");

  v1::Envelope envelope;
  v1::InspectionRecorded& event = *envelope.mutable_inspection_recorded();
  event.set_inspector_organisation_id(inspector->organisation_id);
  event.set_inspected_organisation_id(inspected->organisation_id);
  event.set_campaign_id(command.campaign_id);
  event.set_kind(command.kind);
  event.set_period(command.period);
  *event.mutable_inspected_on() = inspected_on;
  event.set_inspector_count(command.inspector_count);
  event.set_findings(command.findings);
  event.set_rating(command.rating);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const SupervisionRecord& record,
                                                 const SubmitReport& command, const OrgTree& tree,
                                                 const Context& context) {
  ASSIGN_OR_RETURN(const Organisation* reporter, NewRecordBy(record, tree, context));
  ASSIGN_OR_RETURN(
      const Organisation* recipient,
      LiveOrganisation("recipient_organisation_id", tree, command.recipient_organisation_id));
  if (!tree.IsAncestor(recipient->organisation_id, reporter->organisation_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("recipient_organisation_id: ", recipient->organisation_id,
                     " is not a superior of ", reporter->organisation_id));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckPeriod(command.period));
  ASSIGN_OR_RETURN(absl::CivilDay starts, ToCivilDay("period_starts_on", command.period_starts_on));
  ASSIGN_OR_RETURN(absl::CivilDay ends, ToCivilDay("period_ends_on", command.period_ends_on));
  if (ends < starts) {
    return absl::InvalidArgumentError("period_ends_on: must not be before period_starts_on");
  }
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (ends > today) {
    return absl::InvalidArgumentError("period_ends_on: a report covers no future days");
  }
  RETURN_IF_ERROR(CheckText("title", command.title, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckText("content", command.content, kMaxTextBytes, Required::kYes));
  RETURN_IF_ERROR(CheckEvidenceList("attachments", command.attachments));

  v1::Envelope envelope;
  v1::ReportSubmitted& event = *envelope.mutable_report_submitted();
  event.set_reporting_organisation_id(reporter->organisation_id);
  event.set_recipient_organisation_id(recipient->organisation_id);
  event.set_campaign_id(command.campaign_id);
  event.set_period(command.period);
  *event.mutable_period_starts_on() = command.period_starts_on;
  *event.mutable_period_ends_on() = command.period_ends_on;
  event.set_title(command.title);
  event.set_content(command.content);
  for (const v1::Evidence& attachment : command.attachments) *event.add_attachments() = attachment;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const SupervisionRecord& record,
                                                 const HoldMeeting& command, const OrgTree& tree,
                                                 const Context& context) {
  ASSIGN_OR_RETURN(const Organisation* holder, NewRecordBy(record, tree, context));
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  if (command.kind == v1::MEETING_KIND_UNSPECIFIED || !v1::MeetingKind_IsValid(command.kind)) {
    return absl::InvalidArgumentError("kind: must be specified");
  }
  ASSIGN_OR_RETURN(v1::Date held_on, PastOrToday("held_on", command.held_on, context.now));
  RETURN_IF_ERROR(CheckText("title", command.title, kMaxNameBytes, Required::kYes));
  if (command.expected_count < 0) {
    return absl::InvalidArgumentError("expected_count: must not be negative");
  }
  if (command.attended_count < 0) {
    return absl::InvalidArgumentError("attended_count: must not be negative");
  }
  if (command.attended_count > command.expected_count) {
    return absl::InvalidArgumentError(absl::StrCat("attended_count: ", command.attended_count,
                                                   " exceeds the ", command.expected_count,
                                                   " expected"));
  }
  RETURN_IF_ERROR(CheckText("speaker", command.speaker, kMaxNameBytes, Required::kNo));
  RETURN_IF_ERROR(CheckText("summary", command.summary, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::MeetingHeld& event = *envelope.mutable_meeting_held();
  event.set_organisation_id(holder->organisation_id);
  event.set_campaign_id(command.campaign_id);
  event.set_kind(command.kind);
  *event.mutable_held_on() = held_on;
  event.set_title(command.title);
  event.set_expected_count(command.expected_count);
  event.set_attended_count(command.attended_count);
  event.set_speaker(command.speaker);
  event.set_summary(command.summary);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
