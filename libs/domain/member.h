// A member (党员) or an activist being trained (入党积极分子): one aggregate per
// person, who belongs to exactly one organisation at a time.
//
//   Member member;  // rebuilt from the member's events with member.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(member, TransferMember{.to_organisation_id = "yuxia-2"},
//                           tree, context));
//
// Rules:
// - A person is enrolled once, into a live organisation; re-admission after
//   leaving is not modelled (it would be a new member id).
// - Update, transfer and leave need an enrolled member who has not left.
// - A transfer goes to a different, live organisation.
// - Attributes: name (valid UTF-8, at most 200 bytes) and category are
//   required; probationary is a flag; a post title only with holds_post; an
//   activist is not yet a member, so cannot also be probationary.
// - Personal information can be erased once, also after the member left;
//   afterwards the attributes cannot be updated (they would record personal
//   information again), while transfers and leaving still can.
//
// Decisions read the tree (read-only) to check organisations; they do not
// change it. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/member_events.pb.h"

namespace vanguard::domain {

class Member {
 public:
  enum class Status { kUnknown, kEnrolled, kLeft };

  // Applies one accepted event of this member; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  Status status() const { return status_; }
  // The organisation the member belongs to (or belonged to when leaving).
  const std::string& organisation_id() const { return organisation_id_; }
  const v1::MemberAttributes& attributes() const { return attributes_; }
  bool personal_info_erased() const { return personal_info_erased_; }

 private:
  Status status_ = Status::kUnknown;
  std::string organisation_id_;
  v1::MemberAttributes attributes_;
  bool personal_info_erased_ = false;
  int64_t version_ = 0;
};

// Field checks of a complete attribute set, named "attributes.<field>".
absl::Status CheckMemberAttributes(const v1::MemberAttributes& attributes);

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member, const EnrolMember& command,
                                                 const OrgTree& tree, const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member, const UpdateMember& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member,
                                                 const TransferMember& command, const OrgTree& tree,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member,
                                                 const RecordMemberLeft& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Member& member,
                                                 const EraseMemberPersonalInfo& command,
                                                 const Context& context);

}  // namespace vanguard::domain
