#include "libs/domain/member_appraisal.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

std::string MemberAppraisalId(absl::string_view member_id, int32_t year) {
  return absl::StrCat(member_id, "/", year);
}

void MemberAppraisal::Apply(const v1::Envelope& envelope) {
  if (envelope.payload_case() != v1::Envelope::kMemberAppraised) return;
  appraised_ = envelope.member_appraised();
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const MemberAppraisal& appraisal,
                                                 const AppraiseMember& command,
                                                 const Member* member, const Context& context) {
  if (appraisal.exists()) {
    return absl::AlreadyExistsError(absl::StrCat("member ", appraisal.appraised().member_id(),
                                                 " is already appraised for ",
                                                 appraisal.appraised().year()));
  }
  RETURN_IF_ERROR(CheckId("member_id", command.member_id));
  if (member == nullptr || member->status() == Member::Status::kUnknown) {
    return absl::NotFoundError(absl::StrCat("member_id: member ", command.member_id, " not found"));
  }
  if (member->status() == Member::Status::kLeft) {
    return absl::FailedPreconditionError(
        absl::StrCat("member_id: member ", command.member_id, " has left"));
  }
  if (context.actor_organisation_id != member->organisation_id()) {
    return absl::PermissionDeniedError(absl::StrCat("only the member's organisation (",
                                                    member->organisation_id(), ") appraises them"));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckYear("year", command.year));
  ASSIGN_OR_RETURN(v1::Date appraised_on,
                   PastOrToday("appraised_on", command.appraised_on, context.now));
  if (command.year > appraised_on.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", command.year, " has not begun on the appraisal day"));
  }
  if (command.grade == v1::APPRAISAL_GRADE_UNSPECIFIED ||
      !v1::AppraisalGrade_IsValid(command.grade)) {
    return absl::InvalidArgumentError("grade: must be specified");
  }
  RETURN_IF_ERROR(SatisfactionTotal("mass_counts", command.mass_counts).status());
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::MemberAppraised& event = *envelope.mutable_member_appraised();
  event.set_member_id(command.member_id);
  event.set_organisation_id(member->organisation_id());
  event.set_campaign_id(command.campaign_id);
  event.set_year(command.year);
  *event.mutable_appraised_on() = appraised_on;
  event.set_grade(command.grade);
  event.set_report_submitted(command.report_submitted);
  *event.mutable_mass_counts() = command.mass_counts;
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
