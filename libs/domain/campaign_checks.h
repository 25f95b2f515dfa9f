// Checks shared by the campaign aggregates (campaigns, reviews, funds,
// honours, supervision), in the style of validation.h: each message names the
// offending field first.
//
//   ASSIGN_OR_RETURN(v1::Date paid_on, PastOrToday("paid_on", command.paid_on, context.now));
//   ASSIGN_OR_RETURN(const Organisation* village,
//                    LiveOrganisation("recipient.organisation_id", tree, id));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/common.pb.h"

namespace vanguard::domain {

// A four-digit year.
absl::Status CheckYear(absl::string_view field, int32_t year);

// Empty, or a valid id.
absl::Status CheckOptionalId(absl::string_view field, absl::string_view id);

// `date` when given, otherwise the Asia/Shanghai day of `now`; never after
// that day, since facts are recorded after they happen.
absl::StatusOr<v1::Date> PastOrToday(absl::string_view field, const std::optional<v1::Date>& date,
                                     absl::Time now);

// The quarter (1..4) a calendar day falls in.
int32_t QuarterOf(absl::CivilDay day);

// A registered, not dissolved organisation: NOT_FOUND or FAILED_PRECONDITION.
absl::StatusOr<const Organisation*> LiveOrganisation(absl::string_view field, const OrgTree& tree,
                                                     absl::string_view organisation_id);

// The live organisation a subject belongs to: the organisation itself, or the
// member's current organisation. `member` is the state of the member the
// subject names (loaded by the caller) and may be null for an organisation.
absl::StatusOr<std::string> SubjectOrganisation(absl::string_view field, const v1::Subject& subject,
                                                const OrgTree& tree, const Member* member);

// Total of non-negative counts; an error, not a wrapped sum, past INT32_MAX.
absl::StatusOr<int32_t> SatisfactionTotal(absl::string_view field,
                                          const v1::SatisfactionCounts& counts);

// Descriptions required, URIs optional, SHA-256 digests empty or 32 bytes.
absl::Status CheckEvidenceList(absl::string_view field, const std::vector<v1::Evidence>& evidence);

}  // namespace vanguard::domain
