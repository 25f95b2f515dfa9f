// A mass evaluation (群众评议): the masses' votes on an organisation or a
// member. Aggregate AGGREGATE_TYPE_REVIEW, one per evaluation; done once.
//
//   MassEvaluation evaluation;  // rebuilt with evaluation.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(evaluation, DoMassEvaluation{...}, tree, member, context));
//
// Rules:
// - The organiser (the Context's actor) is the evaluated organisation itself
//   or one of its superiors; for a member, the member's organisation or a
//   superior of it. (Organisations hold their own 群众评议 meetings.)
// - Counts are non-negative, at least one evaluator voted, and the total
//   fits in int32 (the satisfaction rate is derived by readers, not stored).
// - The period is specified; the evaluation day is not in the future and the
//   year evaluated has begun by then.
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

class MassEvaluation {
 public:
  // Applies one accepted event of this evaluation; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  bool exists() const { return version_ > 0; }
  const v1::MassEvaluationDone& done() const { return done_; }

 private:
  v1::MassEvaluationDone done_;
  int64_t version_ = 0;
};

// `member` is the state of the member the subject names (loaded by the
// caller); ignored, and may be null, for an organisation.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const MassEvaluation& evaluation,
                                                 const DoMassEvaluation& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context);

}  // namespace vanguard::domain
