// A member appraisal (民主评议党员, "一报告四评议"): a member's grade for a year.
//
// Aggregate AGGREGATE_TYPE_REVIEW, one per (member, year): its id is
// MemberAppraisalId(member_id, year), e.g. "m-17/2010". A member is appraised
// at most once a year, and because every appraisal of that member and year
// lands on the same aggregate, the second is refused here, serially, without
// consulting any view.
//
//   MemberAppraisal appraisal;  // rebuilt with appraisal.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(appraisal, AppraiseMember{...}, &member, context));
//
// Rules:
// - The member is enrolled and has not left; the member's organisation (the
//   Context's actor) holds the appraisal.
// - The grade is excellent, qualified, basically qualified or unqualified.
// - The appraisal day is not in the future; the year appraised has begun by
//   then (a year is usually appraised at its end or early the next year).
// - Mass-appraisal counts are non-negative and their total fits in int32
//   (all zero when no mass appraisal was held).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/review_events.pb.h"

namespace vanguard::domain {

// The aggregate id of the appraisal of `member_id` for `year`. The year is
// the last '/'-separated part, so the id reads back unambiguously.
std::string MemberAppraisalId(absl::string_view member_id, int32_t year);

class MemberAppraisal {
 public:
  // Applies one accepted event of this appraisal; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  bool exists() const { return version_ > 0; }
  const v1::MemberAppraised& appraised() const { return appraised_; }

 private:
  v1::MemberAppraised appraised_;
  int64_t version_ = 0;
};

// `member` is the state of the member named by `command.member_id` (loaded
// by the caller); null when there is no such member.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const MemberAppraisal& appraisal,
                                                 const AppraiseMember& command,
                                                 const Member* member, const Context& context);

}  // namespace vanguard::domain
