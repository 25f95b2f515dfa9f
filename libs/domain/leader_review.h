// A leader review (领导点评): a leader of a superior organisation comments on
// an organisation or a member. Aggregate AGGREGATE_TYPE_REVIEW, one per
// review; it is done once and never changes (a later review is another one).
//
//   LeaderReview review;  // rebuilt with review.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(review, DoLeaderReview{...}, tree, member, context));
//
// Rules:
// - The reviewer is the Context's actor organisation. Of an organisation, it
//   is a strict ancestor in the tree; of a member, it is the member's
//   organisation or an ancestor of it (the member's own branch is already
//   the member's superior, as for pledges).
// - The review counts for the quarter of its day in the Asia/Shanghai
//   calendar: 2025-12-31T16:30:00Z is 2026-01-01 there, so 2026 Q1. The
//   review is not in the future.
// - The leader's name and a rating are required, and at least one of
//   achievements, problems and suggestions.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/review_events.pb.h"

namespace vanguard::domain {

class LeaderReview {
 public:
  // Applies one accepted event of this review; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  bool exists() const { return version_ > 0; }
  const v1::LeaderReviewDone& done() const { return done_; }

 private:
  v1::LeaderReviewDone done_;
  int64_t version_ = 0;
};

// `member` is the state of the member the subject names (loaded by the
// caller); ignored, and may be null, for an organisation.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const LeaderReview& review,
                                                 const DoLeaderReview& command, const OrgTree& tree,
                                                 const Member* member, const Context& context);

}  // namespace vanguard::domain
