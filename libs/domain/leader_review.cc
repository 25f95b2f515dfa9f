#include "libs/domain/leader_review.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

void LeaderReview::Apply(const v1::Envelope& envelope) {
  if (envelope.payload_case() != v1::Envelope::kLeaderReviewDone) return;
  done_ = envelope.leader_review_done();
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const LeaderReview& review,
                                                 const DoLeaderReview& command, const OrgTree& tree,
                                                 const Member* member, const Context& context) {
  if (review.exists()) return absl::AlreadyExistsError("leader review already exists");
  ASSIGN_OR_RETURN(std::string subject_organisation,
                   SubjectOrganisation("subject", command.subject, tree, member));
  const std::string& reviewer = context.actor_organisation_id;
  const bool superior = tree.IsAncestor(reviewer, subject_organisation) ||
                        (command.subject.has_member_id() && reviewer == subject_organisation);
  if (!superior) {
    return absl::PermissionDeniedError(absl::StrCat("only a superior of ", subject_organisation,
                                                    " may review it; ", reviewer, " is not"));
  }
  RETURN_IF_ERROR(CheckOptionalId("leader_member_id", command.leader_member_id));
  RETURN_IF_ERROR(CheckText("leader_name", command.leader_name, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  const absl::Time reviewed_at = command.reviewed_at.value_or(context.now);
  if (reviewed_at > context.now) {
    return absl::InvalidArgumentError("reviewed_at: must not be in the future");
  }
  ASSIGN_OR_RETURN(absl::CivilDay day, ShanghaiDay(reviewed_at));
  RETURN_IF_ERROR(CheckText("achievements", command.achievements, kMaxTextBytes, Required::kNo));
  RETURN_IF_ERROR(CheckText("problems", command.problems, kMaxTextBytes, Required::kNo));
  RETURN_IF_ERROR(CheckText("suggestions", command.suggestions, kMaxTextBytes, Required::kNo));
  if (command.achievements.empty() && command.problems.empty() && command.suggestions.empty()) {
    return absl::InvalidArgumentError(
        "achievements: a review states achievements, problems or suggestions");
  }
  if (command.rating == v1::RATING_UNSPECIFIED || !v1::Rating_IsValid(command.rating)) {
    return absl::InvalidArgumentError("rating: must be specified");
  }

  v1::Envelope envelope;
  v1::LeaderReviewDone& event = *envelope.mutable_leader_review_done();
  event.set_reviewer_organisation_id(reviewer);
  event.set_leader_member_id(command.leader_member_id);
  event.set_leader_name(command.leader_name);
  *event.mutable_subject() = command.subject;
  event.set_campaign_id(command.campaign_id);
  event.set_year(static_cast<int32_t>(day.year()));
  event.set_quarter(QuarterOf(day));
  *event.mutable_reviewed_on() = ToDate(day);
  event.set_achievements(command.achievements);
  event.set_problems(command.problems);
  event.set_suggestions(command.suggestions);
  event.set_rating(command.rating);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
