#include "libs/domain/mass_evaluation.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

void MassEvaluation::Apply(const v1::Envelope& envelope) {
  if (envelope.payload_case() != v1::Envelope::kMassEvaluationDone) return;
  done_ = envelope.mass_evaluation_done();
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const MassEvaluation& evaluation,
                                                 const DoMassEvaluation& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context) {
  if (evaluation.exists()) return absl::AlreadyExistsError("mass evaluation already exists");
  ASSIGN_OR_RETURN(std::string subject_organisation,
                   SubjectOrganisation("subject", command.subject, tree, member));
  const std::string& organiser = context.actor_organisation_id;
  if (organiser != subject_organisation && !tree.IsAncestor(organiser, subject_organisation)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only ", subject_organisation, " or its superiors may organise its mass evaluation"));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  if (command.period == v1::REPORT_PERIOD_UNSPECIFIED ||
      !v1::ReportPeriod_IsValid(command.period)) {
    return absl::InvalidArgumentError("period: must be specified");
  }
  RETURN_IF_ERROR(CheckYear("year", command.year));
  ASSIGN_OR_RETURN(v1::Date evaluated_on,
                   PastOrToday("evaluated_on", command.evaluated_on, context.now));
  if (command.year > evaluated_on.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", command.year, " has not begun on the evaluation day"));
  }
  ASSIGN_OR_RETURN(int32_t total, SatisfactionTotal("counts", command.counts));
  if (total == 0) return absl::InvalidArgumentError("counts: at least one evaluator must vote");
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::MassEvaluationDone& event = *envelope.mutable_mass_evaluation_done();
  event.set_organiser_organisation_id(organiser);
  *event.mutable_subject() = command.subject;
  event.set_campaign_id(command.campaign_id);
  event.set_period(command.period);
  event.set_year(command.year);
  *event.mutable_evaluated_on() = evaluated_on;
  *event.mutable_counts() = command.counts;
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
