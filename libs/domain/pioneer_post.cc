#include "libs/domain/pioneer_post.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

v1::AssessmentResult PioneerPost::ResultFor(int32_t year) const {
  auto it = results_.find(year);
  return it == results_.end() ? v1::ASSESSMENT_RESULT_UNSPECIFIED : it->second;
}

void PioneerPost::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kPioneerPostEstablished:
      established_ = envelope.pioneer_post_established();
      break;
    case v1::Envelope::kPioneerPostAssessed:
      results_[envelope.pioneer_post_assessed().year()] = envelope.pioneer_post_assessed().result();
      break;
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const PioneerPost& post,
                                                 const EstablishPioneerPost& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context) {
  if (post.exists()) return absl::AlreadyExistsError("pioneer post already exists");
  ASSIGN_OR_RETURN(const Organisation* organisation,
                   LiveOrganisation("organisation_id", tree, command.organisation_id));
  if (organisation->sector != v1::SECTOR_VILLAGE) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation_id: ", command.organisation_id,
                     " is not a village organisation; pioneer posts are set up in villages"));
  }
  if (context.actor_organisation_id != command.organisation_id) {
    return absl::PermissionDeniedError(absl::StrCat(
        "only the village organisation (", command.organisation_id, ") may set up its posts"));
  }
  RETURN_IF_ERROR(CheckId("member_id", command.member_id));
  if (member == nullptr || member->status() == Member::Status::kUnknown) {
    return absl::NotFoundError(absl::StrCat("member_id: member ", command.member_id, " not found"));
  }
  if (member->status() == Member::Status::kLeft) {
    return absl::FailedPreconditionError(
        absl::StrCat("member_id: member ", command.member_id, " has left"));
  }
  if (member->organisation_id() != command.organisation_id &&
      !tree.IsAncestor(command.organisation_id, member->organisation_id())) {
    return absl::FailedPreconditionError(absl::StrCat("member_id: member ", command.member_id,
                                                      " belongs to ", member->organisation_id(),
                                                      ", not to ", command.organisation_id));
  }
  if (member->attributes().holds_post()) {
    return absl::FailedPreconditionError(
        absl::StrCat("member_id: member ", command.member_id,
                     " holds a post; pioneer posts are for members without one"));
  }
  RETURN_IF_ERROR(CheckOptionalId("campaign_id", command.campaign_id));
  RETURN_IF_ERROR(CheckYear("year", command.year));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (command.year > today.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", command.year, " is after the current year"));
  }
  RETURN_IF_ERROR(CheckText("post", command.post, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckText("duty", command.duty, kMaxTextBytes, Required::kYes));

  v1::Envelope envelope;
  v1::PioneerPostEstablished& event = *envelope.mutable_pioneer_post_established();
  event.set_organisation_id(command.organisation_id);
  event.set_member_id(command.member_id);
  event.set_campaign_id(command.campaign_id);
  event.set_year(command.year);
  event.set_post(command.post);
  event.set_duty(command.duty);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const PioneerPost& post,
                                                 const AssessPioneerPost& command,
                                                 const OrgTree& tree, const Context& context) {
  if (!post.exists()) return absl::NotFoundError("pioneer post not found");
  if (context.actor_organisation_id != post.organisation_id() &&
      !tree.IsAncestor(context.actor_organisation_id, post.organisation_id())) {
    // Not naming it: the caller may be outside its scope.
    return absl::PermissionDeniedError(
        "only the post's organisation or its superiors may assess its posts");
  }
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
  if (command.year < post.year() || command.year > today.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: must be from ", post.year(), " (established) to ", today.year()));
  }
  if (command.result != v1::ASSESSMENT_RESULT_PASSED &&
      command.result != v1::ASSESSMENT_RESULT_FAILED) {
    return absl::InvalidArgumentError("result: must be passed or failed");
  }
  RETURN_IF_ERROR(CheckText("comment", command.comment, kMaxTextBytes, Required::kNo));
  if (post.ResultFor(command.year) != v1::ASSESSMENT_RESULT_UNSPECIFIED) {
    return absl::FailedPreconditionError(
        absl::StrCat("year: the post is already assessed for ", command.year));
  }

  v1::Envelope envelope;
  v1::PioneerPostAssessed& event = *envelope.mutable_pioneer_post_assessed();
  event.set_assessor_organisation_id(context.actor_organisation_id);
  event.set_year(command.year);
  event.set_result(command.result);
  event.set_comment(command.comment);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
