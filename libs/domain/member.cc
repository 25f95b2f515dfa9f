#include "libs/domain/member.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

absl::Status CheckCurrent(const Member& member) {
  switch (member.status()) {
    case Member::Status::kUnknown:
      return absl::NotFoundError("member not found: not enrolled");
    case Member::Status::kLeft:
      return absl::FailedPreconditionError("member has left; nothing can change any more");
    case Member::Status::kEnrolled:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckLiveOrganisation(const OrgTree& tree, absl::string_view field,
                                   const std::string& organisation_id) {
  RETURN_IF_ERROR(CheckId(field, organisation_id));
  if (!tree.Exists(organisation_id)) {
    return absl::NotFoundError(absl::StrCat("organisation ", organisation_id, " not found"));
  }
  if (!tree.IsLive(organisation_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation ", organisation_id, " is dissolved"));
  }
  return absl::OkStatus();
}

}  // namespace

void Member::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kMemberEnrolled:
      status_ = Status::kEnrolled;
      organisation_id_ = envelope.member_enrolled().organisation_id();
      attributes_ = envelope.member_enrolled().attributes();
      break;
    case v1::Envelope::kMemberUpdated:
      attributes_ = envelope.member_updated().attributes();
      break;
    case v1::Envelope::kMemberTransferred:
      organisation_id_ = envelope.member_transferred().to_organisation_id();
      break;
    case v1::Envelope::kMemberLeft:
      status_ = Status::kLeft;
      break;
    case v1::Envelope::kMemberPersonalInfoErased:
      personal_info_erased_ = true;
      attributes_.clear_name();
      attributes_.clear_ethnicity();
      attributes_.clear_education();
      attributes_.clear_birth_date();
      attributes_.clear_post_title();
      attributes_.clear_sealed_personal_info();
      break;
    default:
      return;
  }
  ++version_;
}

absl::Status CheckMemberAttributes(const v1::MemberAttributes& attributes) {
  if (attributes.has_sealed_personal_info()) {
    return absl::InvalidArgumentError(
        "attributes.sealed_personal_info: set by the server; send the plain fields");
  }
  RETURN_IF_ERROR(CheckText("attributes.name", attributes.name(), kMaxNameBytes, Required::kYes));
  if (attributes.category() == v1::MEMBER_CATEGORY_UNSPECIFIED ||
      !v1::MemberCategory_IsValid(attributes.category())) {
    return absl::InvalidArgumentError("attributes.category: must be specified");
  }
  // Optional, but an unknown value would be recorded for good and read by every view.
  if (!v1::Gender_IsValid(attributes.gender())) {
    return absl::InvalidArgumentError("attributes.gender: unknown value");
  }
  if (!v1::Education_IsValid(attributes.education())) {
    return absl::InvalidArgumentError("attributes.education: unknown value");
  }
  RETURN_IF_ERROR(
      CheckText("attributes.ethnicity", attributes.ethnicity(), kMaxNameBytes, Required::kNo));
  RETURN_IF_ERROR(
      CheckText("attributes.post_title", attributes.post_title(), kMaxNameBytes, Required::kNo));
  if (!attributes.holds_post() && !attributes.post_title().empty()) {
    return absl::InvalidArgumentError(
        "attributes.post_title: must be empty for a member without a post");
  }
  if (attributes.activist() && attributes.probationary()) {
    return absl::InvalidArgumentError(
        "attributes.probationary: an activist is not yet a member, so cannot be probationary");
  }
  if (attributes.has_birth_date()) {
    RETURN_IF_ERROR(ToCivilDay("attributes.birth_date", attributes.birth_date()).status());
  }
  if (attributes.has_joined_on()) {
    RETURN_IF_ERROR(ToCivilDay("attributes.joined_on", attributes.joined_on()).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member, const EnrolMember& command,
                                                 const OrgTree& tree, const Context& context) {
  if (member.status() != Member::Status::kUnknown) {
    return absl::AlreadyExistsError("member is already enrolled; a member is enrolled once");
  }
  RETURN_IF_ERROR(CheckMemberAttributes(command.attributes));
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));
  RETURN_IF_ERROR(CheckLiveOrganisation(tree, "organisation_id", command.organisation_id));

  v1::Envelope envelope;
  v1::MemberEnrolled& event = *envelope.mutable_member_enrolled();
  event.set_organisation_id(command.organisation_id);
  *event.mutable_attributes() = command.attributes;
  *event.mutable_effective_on() = effective_on;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member, const UpdateMember& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckCurrent(member));
  if (member.personal_info_erased()) {
    return absl::FailedPreconditionError(
        "member's personal information was erased; its attributes cannot be recorded again");
  }
  RETURN_IF_ERROR(CheckMemberAttributes(command.attributes));
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kNo));
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));

  v1::Envelope envelope;
  v1::MemberUpdated& event = *envelope.mutable_member_updated();
  *event.mutable_attributes() = command.attributes;
  *event.mutable_effective_on() = effective_on;
  event.set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member,
                                                 const TransferMember& command, const OrgTree& tree,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckCurrent(member));
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kNo));
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));
  RETURN_IF_ERROR(CheckLiveOrganisation(tree, "to_organisation_id", command.to_organisation_id));
  if (command.to_organisation_id == member.organisation_id()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "member already belongs to ", member.organisation_id(), "; a transfer needs another"));
  }

  v1::Envelope envelope;
  v1::MemberTransferred& event = *envelope.mutable_member_transferred();
  event.set_from_organisation_id(member.organisation_id());
  event.set_to_organisation_id(command.to_organisation_id);
  *event.mutable_effective_on() = effective_on;
  event.set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member,
                                                 const RecordMemberLeft& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckCurrent(member));
  if (command.reason == v1::LEAVE_REASON_UNSPECIFIED || !v1::LeaveReason_IsValid(command.reason)) {
    return absl::InvalidArgumentError("reason: must be specified");
  }
  RETURN_IF_ERROR(CheckText("note", command.note, kMaxTextBytes, Required::kNo));
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));

  v1::Envelope envelope;
  v1::MemberLeft& event = *envelope.mutable_member_left();
  event.set_organisation_id(member.organisation_id());
  event.set_reason(command.reason);
  *event.mutable_effective_on() = effective_on;
  event.set_note(command.note);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member,
                                                 const EraseMemberPersonalInfo& command,
                                                 const Context& context) {
  if (member.status() == Member::Status::kUnknown) {
    return absl::NotFoundError("member not found: not enrolled");
  }
  if (member.personal_info_erased()) {
    return absl::FailedPreconditionError("member's personal information is already erased");
  }
  v1::Envelope envelope;
  envelope.mutable_member_personal_info_erased()->set_organisation_id(member.organisation_id());
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
