#include "libs/domain/org_tree.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

bool IsCommittee(v1::OrganisationKind kind) {
  return kind == v1::ORGANISATION_KIND_COMMITTEE || kind == v1::ORGANISATION_KIND_WORKING_COMMITTEE;
}

absl::Status CheckEnums(v1::OrganisationKind kind, v1::OrganisationLevel level) {
  if (!v1::OrganisationKind_IsValid(kind) || kind == v1::ORGANISATION_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("kind: must be specified");
  }
  if (!v1::OrganisationLevel_IsValid(level) || level == v1::ORGANISATION_LEVEL_UNSPECIFIED) {
    return absl::InvalidArgumentError("level: must be specified");
  }
  return absl::OkStatus();
}

absl::StatusOr<const Organisation*> FindExisting(const OrgTree& tree, absl::string_view field,
                                                 const std::string& organisation_id) {
  RETURN_IF_ERROR(CheckId(field, organisation_id));
  const Organisation* organisation = tree.Find(organisation_id);
  if (organisation == nullptr) {
    return absl::NotFoundError(absl::StrCat("organisation ", organisation_id, " not found"));
  }
  return organisation;
}

absl::StatusOr<const Organisation*> FindLive(const OrgTree& tree, absl::string_view field,
                                             const std::string& organisation_id) {
  ASSIGN_OR_RETURN(const Organisation* organisation, FindExisting(tree, field, organisation_id));
  if (organisation->dissolved) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation ", organisation_id, " is dissolved"));
  }
  return organisation;
}

}  // namespace

const Organisation* OrgTree::Find(absl::string_view organisation_id) const {
  auto it = organisations_.find(organisation_id);
  return it == organisations_.end() ? nullptr : &it->second;
}

bool OrgTree::Exists(absl::string_view organisation_id) const {
  return Find(organisation_id) != nullptr;
}

bool OrgTree::IsLive(absl::string_view organisation_id) const {
  const Organisation* organisation = Find(organisation_id);
  return organisation != nullptr && !organisation->dissolved;
}

std::string OrgTree::ParentOf(absl::string_view organisation_id) const {
  const Organisation* organisation = Find(organisation_id);
  return organisation == nullptr ? std::string() : organisation->parent_id;
}

const Organisation* OrgTree::DirectSuperior(absl::string_view organisation_id) const {
  const Organisation* organisation = Find(organisation_id);
  if (organisation == nullptr || organisation->parent_id.empty()) return nullptr;
  return Find(organisation->parent_id);
}

bool OrgTree::IsAncestor(absl::string_view ancestor, absl::string_view descendant) const {
  const Organisation* current = DirectSuperior(descendant);
  // The tree is acyclic by construction; the bound only guards a corrupt log.
  for (size_t steps = 0; current != nullptr && steps <= organisations_.size(); ++steps) {
    if (current->organisation_id == ancestor) return true;
    current = DirectSuperior(current->organisation_id);
  }
  return false;
}

int OrgTree::LiveChildCount(absl::string_view organisation_id) const {
  const Organisation* organisation = Find(organisation_id);
  if (organisation == nullptr) return 0;
  return static_cast<int>(
      std::count_if(organisation->children.begin(), organisation->children.end(),
                    [this](const std::string& child) { return IsLive(child); }));
}

void OrgTree::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kOrganisationRegistered:
      ApplyRegistered(envelope.organisation_registered());
      break;
    case v1::Envelope::kOrganisationRenamed: {
      const v1::OrganisationRenamed& event = envelope.organisation_renamed();
      auto it = organisations_.find(event.organisation_id());
      if (it != organisations_.end()) {
        it->second.name = event.name();
        it->second.short_name = event.short_name();
      }
      break;
    }
    case v1::Envelope::kOrganisationMoved:
      ApplyMoved(envelope.organisation_moved());
      break;
    case v1::Envelope::kOrganisationDissolved: {
      auto it = organisations_.find(envelope.organisation_dissolved().organisation_id());
      if (it != organisations_.end()) it->second.dissolved = true;
      break;
    }
    default:
      return;
  }
  ++version_;
}

void OrgTree::ApplyRegistered(const v1::OrganisationRegistered& event) {
  Organisation organisation;
  organisation.organisation_id = event.organisation_id();
  organisation.parent_id = event.parent_id();
  organisation.name = event.name();
  organisation.short_name = event.short_name();
  organisation.kind = event.kind();
  organisation.level = event.level();
  organisation.sector = event.sector();
  if (!event.parent_id().empty()) {
    auto parent = organisations_.find(event.parent_id());
    if (parent != organisations_.end()) parent->second.children.push_back(event.organisation_id());
  }
  organisations_.insert_or_assign(event.organisation_id(), std::move(organisation));
}

void OrgTree::ApplyMoved(const v1::OrganisationMoved& event) {
  auto it = organisations_.find(event.organisation_id());
  if (it == organisations_.end()) return;
  Organisation& moved = it->second;
  if (auto old_parent = organisations_.find(moved.parent_id); old_parent != organisations_.end()) {
    std::vector<std::string>& siblings = old_parent->second.children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), moved.organisation_id),
                   siblings.end());
  }
  moved.parent_id = event.parent_id();
  if (event.level() != v1::ORGANISATION_LEVEL_UNSPECIFIED) moved.level = event.level();
  if (auto new_parent = organisations_.find(event.parent_id());
      new_parent != organisations_.end()) {
    new_parent->second.children.push_back(event.organisation_id());
  }
}

absl::Status CheckPlacement(const Organisation& parent, v1::OrganisationKind child_kind,
                            v1::OrganisationLevel child_level) {
  if (parent.kind == v1::ORGANISATION_KIND_BRANCH) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation ", parent.organisation_id,
                     " is a branch; a branch cannot contain organisations"));
  }
  if (parent.level == v1::ORGANISATION_LEVEL_GRASSROOTS) {
    const bool allowed =
        child_level == v1::ORGANISATION_LEVEL_GRASSROOTS &&
        ((IsCommittee(parent.kind) && (child_kind == v1::ORGANISATION_KIND_GENERAL_BRANCH ||
                                       child_kind == v1::ORGANISATION_KIND_BRANCH)) ||
         (parent.kind == v1::ORGANISATION_KIND_GENERAL_BRANCH &&
          child_kind == v1::ORGANISATION_KIND_BRANCH));
    if (!allowed) {
      return absl::FailedPreconditionError(
          absl::StrCat("organisation ", parent.organisation_id, " is a grassroots ",
                       v1::OrganisationKind_Name(parent.kind),
                       "; within the grassroots level only a "
                       "committee may contain general branches and branches, and a general branch "
                       "branches"));
    }
    return absl::OkStatus();
  }
  if (child_level <= parent.level) {
    return absl::FailedPreconditionError(
        absl::StrCat("level: ", v1::OrganisationLevel_Name(child_level),
                     " must be below the parent's ", v1::OrganisationLevel_Name(parent.level)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const RegisterOrganisation& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckId("organisation_id", command.organisation_id));
  RETURN_IF_ERROR(CheckText("name", command.name, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckText("short_name", command.short_name, kMaxNameBytes, Required::kNo));
  RETURN_IF_ERROR(CheckEnums(command.kind, command.level));
  if (!v1::Sector_IsValid(command.sector) || command.sector == v1::SECTOR_UNSPECIFIED) {
    return absl::InvalidArgumentError("sector: must be specified");
  }
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));
  if (tree.Exists(command.organisation_id)) {
    return absl::AlreadyExistsError(
        absl::StrCat("organisation ", command.organisation_id, " already exists"));
  }
  if (command.parent_id.empty()) {
    if (command.level == v1::ORGANISATION_LEVEL_GRASSROOTS) {
      return absl::InvalidArgumentError(
          "parent_id: a grassroots organisation must have a superior; only organisations "
          "above the grassroots level may be roots");
    }
  } else {
    ASSIGN_OR_RETURN(const Organisation* parent, FindLive(tree, "parent_id", command.parent_id));
    RETURN_IF_ERROR(CheckPlacement(*parent, command.kind, command.level));
  }

  v1::Envelope envelope;
  v1::OrganisationRegistered& event = *envelope.mutable_organisation_registered();
  event.set_organisation_id(command.organisation_id);
  event.set_parent_id(command.parent_id);
  event.set_name(command.name);
  event.set_short_name(command.short_name);
  event.set_kind(command.kind);
  event.set_level(command.level);
  event.set_sector(command.sector);
  *event.mutable_effective_on() = effective_on;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const RenameOrganisation& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckText("name", command.name, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckText("short_name", command.short_name, kMaxNameBytes, Required::kNo));
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kNo));
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));
  ASSIGN_OR_RETURN(const Organisation* organisation,
                   FindLive(tree, "organisation_id", command.organisation_id));
  // A rename that changes nothing would put a meaningless fact in history.
  if (organisation->name == command.name && organisation->short_name == command.short_name) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation ", command.organisation_id, " already has this name"));
  }

  v1::Envelope envelope;
  v1::OrganisationRenamed& event = *envelope.mutable_organisation_renamed();
  event.set_organisation_id(command.organisation_id);
  event.set_name(command.name);
  event.set_short_name(command.short_name);
  *event.mutable_effective_on() = effective_on;
  event.set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const MoveOrganisation& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kNo));
  if (!v1::OrganisationLevel_IsValid(command.level)) {
    return absl::InvalidArgumentError("level: unknown value");
  }
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));
  ASSIGN_OR_RETURN(const Organisation* moved,
                   FindLive(tree, "organisation_id", command.organisation_id));
  ASSIGN_OR_RETURN(const Organisation* parent, FindLive(tree, "parent_id", command.parent_id));
  if (moved->parent_id == command.parent_id) {
    return absl::FailedPreconditionError(absl::StrCat("organisation ", command.organisation_id,
                                                      " is already under ", command.parent_id));
  }
  if (command.parent_id == command.organisation_id ||
      tree.IsAncestor(command.organisation_id, command.parent_id)) {
    return absl::FailedPreconditionError(absl::StrCat("organisation ", command.organisation_id,
                                                      " cannot move under ", command.parent_id,
                                                      ", which is inside its own subtree"));
  }
  const v1::OrganisationLevel level =
      command.level == v1::ORGANISATION_LEVEL_UNSPECIFIED ? moved->level : command.level;
  RETURN_IF_ERROR(CheckPlacement(*parent, moved->kind, level));
  if (level != moved->level) {
    // The subtree moves as a whole: its children must still fit below the new level.
    Organisation relevelled = *moved;
    relevelled.level = level;
    for (const std::string& child_id : moved->children) {
      const Organisation* child = tree.Find(child_id);
      if (child == nullptr || child->dissolved) continue;
      RETURN_IF_ERROR(CheckPlacement(relevelled, child->kind, child->level));
    }
  }

  v1::Envelope envelope;
  v1::OrganisationMoved& event = *envelope.mutable_organisation_moved();
  event.set_organisation_id(command.organisation_id);
  event.set_previous_parent_id(moved->parent_id);
  event.set_parent_id(command.parent_id);
  event.set_level(level);
  *event.mutable_effective_on() = effective_on;
  event.set_reason(command.reason);
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const DissolveOrganisation& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckText("reason", command.reason, kMaxTextBytes, Required::kNo));
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   EffectiveDate("effective_on", command.effective_on, context.now));
  ASSIGN_OR_RETURN(const Organisation* organisation,
                   FindLive(tree, "organisation_id", command.organisation_id));
  if (const int live = tree.LiveChildCount(command.organisation_id); live > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation ", command.organisation_id, " still has ", live,
                     " live child organisation(s); move or dissolve them first"));
  }
  if (!command.successor_id.empty()) {
    if (command.successor_id == command.organisation_id) {
      return absl::InvalidArgumentError("successor_id: must not be the dissolved organisation");
    }
    RETURN_IF_ERROR(FindLive(tree, "successor_id", command.successor_id).status());
  }

  v1::Envelope envelope;
  v1::OrganisationDissolved& event = *envelope.mutable_organisation_dissolved();
  event.set_organisation_id(organisation->organisation_id);
  *event.mutable_effective_on() = effective_on;
  event.set_reason(command.reason);
  event.set_successor_id(command.successor_id);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
