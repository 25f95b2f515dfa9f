// A rectification item (整改): a problem found by a review, an evaluation, an
// appraisal or an inspection, to be put right by a deadline. Aggregate
// AGGREGATE_TYPE_RECTIFICATION, one per item.
//
//   Rectification item;  // rebuilt with item.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(item, CloseRectification{.resolution = "..."}, context));
//
// Rules:
// - Issued once by the Context's actor organisation, which is a superior of
//   the responsible party: a strict ancestor of a responsible organisation;
//   the member's organisation or an ancestor of it for a responsible member.
// - Its source is a leader review, mass evaluation, member appraisal or
//   inspection; the problem and the required action are stated; the
//   deadline is not before the day of issue (Asia/Shanghai).
// - Closed once, by the issuer or a responsible organisation, with what was
//   done, on a day not in the future (the issued event carries no day of
//   issue to compare with). Closing twice is an error.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/review_events.pb.h"

namespace vanguard::domain {

class Rectification {
 public:
  enum class Status { kUnknown, kOpen, kClosed };

  // Applies one accepted event of this item; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  Status status() const { return status_; }
  const std::string& issuer_organisation_id() const { return issued_.issuer_organisation_id(); }
  const v1::Subject& responsible() const { return issued_.responsible(); }
  const v1::Date& deadline() const { return issued_.deadline(); }

 private:
  Status status_ = Status::kUnknown;
  v1::RectificationIssued issued_;
  int64_t version_ = 0;
};

// `member` is the state of the responsible member (loaded by the caller);
// ignored, and may be null, for a responsible organisation.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Rectification& item,
                                                 const IssueRectification& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Rectification& item,
                                                 const CloseRectification& command,
                                                 const Context& context);

}  // namespace vanguard::domain
