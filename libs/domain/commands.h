// The commands the domain decides on, and the Context every decision is made in.
//
// Commands are plain structs, not protos: the gRPC request messages are mapped
// onto them at the edge, so the rules here do not depend on the wire format.
// Value types of the contract (Date, Target, MemberAttributes, ...) are reused.
//
//   Context context{.principal_id = "clerk-7", .actor_organisation_id = "yuxia",
//                   .now = absl::Now()};
//   RegisterOrganisation command{.organisation_id = "yuxia-1", .parent_id = "yuxia",
//                                .name = "雨厦村第一党支部", ...};
//   absl::StatusOr<std::vector<v1::Envelope>> events = Decide(tree, command, context);
//
// An unset `std::optional<v1::Date>` effective day means "the day of
// Context::now in the Asia/Shanghai calendar".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/member_events.pb.h"

namespace vanguard::domain {

// Who asks and when. Decisions never read a clock: `now` is the only time.
struct Context {
  std::string principal_id;
  // The organisation the principal acts for; it decides who may review.
  std::string actor_organisation_id;
  absl::Time now;
};

// --- The organisation tree -------------------------------------------------

struct RegisterOrganisation {
  std::string organisation_id;
  // Empty registers a root (see OrgTree for which organisations may be roots).
  std::string parent_id;
  std::string name;
  std::string short_name;
  v1::OrganisationKind kind = v1::ORGANISATION_KIND_UNSPECIFIED;
  v1::OrganisationLevel level = v1::ORGANISATION_LEVEL_UNSPECIFIED;
  v1::Sector sector = v1::SECTOR_UNSPECIFIED;
  std::optional<v1::Date> effective_on;
};

struct RenameOrganisation {
  std::string organisation_id;
  std::string name;
  std::string short_name;
  std::optional<v1::Date> effective_on;
  std::string reason;
};

struct MoveOrganisation {
  std::string organisation_id;
  std::string parent_id;
  // ORGANISATION_LEVEL_UNSPECIFIED keeps the current level.
  v1::OrganisationLevel level = v1::ORGANISATION_LEVEL_UNSPECIFIED;
  std::optional<v1::Date> effective_on;
  std::string reason;
};

struct DissolveOrganisation {
  std::string organisation_id;
  std::optional<v1::Date> effective_on;
  std::string reason;
  // May be empty.
  std::string successor_id;
};

// --- Members ---------------------------------------------------------------

struct EnrolMember {
  std::string organisation_id;
  v1::MemberAttributes attributes;
  std::optional<v1::Date> effective_on;
};

// Replaces all attributes (a snapshot, as MemberUpdated is).
struct UpdateMember {
  v1::MemberAttributes attributes;
  std::optional<v1::Date> effective_on;
  std::string reason;
};

struct TransferMember {
  std::string to_organisation_id;
  std::optional<v1::Date> effective_on;
  std::string reason;
};

struct RecordMemberLeft {
  v1::LeaveReason reason = v1::LEAVE_REASON_UNSPECIFIED;
  std::optional<v1::Date> effective_on;
  std::string note;
};

// Erases the member's personal information (its key is destroyed outside the
// domain); the event carries no personal information.
struct EraseMemberPersonalInfo {};

// --- Pledges ---------------------------------------------------------------

struct MakePledge {
  std::string campaign_id;
  v1::Subject pledger;
  v1::PledgeKind kind = v1::PLEDGE_KIND_UNSPECIFIED;
  v1::PledgeTheme theme = v1::PLEDGE_THEME_UNSPECIFIED;
  std::string text;
  v1::Target target;
  v1::Date due_on;
};

struct ApprovePledge {
  std::string comment;
};

struct SendBackPledge {
  std::string comment;
};

struct RevisePledge {
  v1::PledgeKind kind = v1::PLEDGE_KIND_UNSPECIFIED;
  v1::PledgeTheme theme = v1::PLEDGE_THEME_UNSPECIFIED;
  std::string text;
  v1::Target target;
  v1::Date due_on;
  std::string comment;
};

struct ReportPledgeProgress {
  v1::Date as_of;
  v1::Measure achieved;
  std::string description;
  std::vector<v1::Evidence> evidence;
};

struct AssessPledge {
  int32_t year = 0;
  int32_t quarter = 0;
  v1::Rating rating = v1::RATING_UNSPECIFIED;
  std::string comment;
};

struct FulfilPledge {
  std::optional<v1::Date> fulfilled_on;
  v1::Measure achieved;
  std::string description;
  std::vector<v1::Evidence> evidence;
};

struct WithdrawPledge {
  std::string reason;
};

struct EvaluatePledge {
  int32_t year = 0;
  v1::Rating rating = v1::RATING_UNSPECIFIED;
  v1::SatisfactionCounts mass_counts;
  std::string comment;
};

}  // namespace vanguard::domain
