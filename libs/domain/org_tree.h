// The organisation tree (组织体系): one aggregate for every organisation, so
// that parent, level and cycle checks are decided serially.
//
//   OrgTree tree;  // rebuilt from the log: tree.Apply(envelope) for each event
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(tree, RegisterOrganisation{...}, context));
//   for (const v1::Envelope& e : events) tree.Apply(e);
//   if (tree.IsAncestor("county", "yuxia-branch")) { ... }
//
// Rules of the tree:
// - Ids are unique forever, dissolved organisations included.
// - An organisation registered without a parent is a root. Any level above
//   grassroots may be a root (a deployment may start at a province, a city or
//   a county); a grassroots organisation always has a superior. An existing
//   organisation cannot be moved out to become a root.
// - A parent exists and is live. A child sits at a deeper level than its
//   parent, except inside the grassroots level, where a committee (党委 or
//   党工委) may contain general branches and branches and a general branch
//   may contain branches. A branch contains nothing.
// - No cycles: nothing moves under itself or its own subtree.
// - A dissolved organisation accepts nothing: no rename, move or children.
//   Only an organisation without live children can be dissolved. (Members
//   are separate aggregates: transferring them out first is the caller's
//   duty, checked against the member views.)
// - Names are non-empty valid UTF-8 of at most 200 bytes.
//
// Not thread-safe; a state is owned by the partition's single writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/domain/commands.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::domain {

struct Organisation {
  std::string organisation_id;
  // Empty for a root.
  std::string parent_id;
  std::string name;
  std::string short_name;
  v1::OrganisationKind kind = v1::ORGANISATION_KIND_UNSPECIFIED;
  v1::OrganisationLevel level = v1::ORGANISATION_LEVEL_UNSPECIFIED;
  v1::Sector sector = v1::SECTOR_UNSPECIFIED;
  bool dissolved = false;
  // Direct children, dissolved ones included, in order of arrival.
  std::vector<std::string> children;
};

class OrgTree {
 public:
  // Applies one accepted event; payloads of other aggregates are ignored.
  void Apply(const v1::Envelope& envelope);

  // Number of events applied: the `org_tree_version` other events record.
  int64_t version() const { return version_; }

  // Null when `organisation_id` was never registered.
  const Organisation* Find(absl::string_view organisation_id) const;
  bool Exists(absl::string_view organisation_id) const;
  // Registered and not dissolved.
  bool IsLive(absl::string_view organisation_id) const;
  // Empty for a root or an unknown organisation.
  std::string ParentOf(absl::string_view organisation_id) const;
  // The direct superior (the parent); null for a root or an unknown id.
  const Organisation* DirectSuperior(absl::string_view organisation_id) const;
  // True if `ancestor` lies strictly above `descendant` on its path to the root.
  bool IsAncestor(absl::string_view ancestor, absl::string_view descendant) const;
  int LiveChildCount(absl::string_view organisation_id) const;
  size_t size() const { return organisations_.size(); }

 private:
  void ApplyRegistered(const v1::OrganisationRegistered& event);
  void ApplyMoved(const v1::OrganisationMoved& event);

  absl::flat_hash_map<std::string, Organisation> organisations_;
  int64_t version_ = 0;
};

// Whether an organisation of `child_kind` at `child_level` may sit directly
// under `parent`; the error says why not.
absl::Status CheckPlacement(const Organisation& parent, v1::OrganisationKind child_kind,
                            v1::OrganisationLevel child_level);

absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const RegisterOrganisation& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const RenameOrganisation& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const MoveOrganisation& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const OrgTree& tree,
                                                 const DissolveOrganisation& command,
                                                 const Context& context);

}  // namespace vanguard::domain
