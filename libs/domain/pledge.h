// A public pledge (公开承诺) through its lifecycle 定诺 → 审诺 → 践诺 → 评诺,
// one aggregate per pledge.
//
//   Pledge pledge;  // rebuilt from the pledge's events with pledge.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(pledge, ApprovePledge{.comment = "同意"}, context));
//
// Lifecycle:
//   made ──▶ under review ──approve──▶ approved ──fulfil──▶ fulfilled
//              ▲     │                   │  ▲ progress, assess
//              │  send back              │  └──────┘
//           revise   ▼                   ▼
//              └─ sent back         withdrawn (also from under review / sent back)
//   evaluated: once, at year end, for a pledge that was approved (whether
//   still approved, fulfilled or withdrawn since); nothing follows it.
//
// Who may act (the actor's organisation comes from the Context):
// - the pledger's side (the pledging organisation, or the member's
//   organisation for a member's pledge) makes, revises, reports progress,
//   fulfils and withdraws;
// - the reviewer named when the pledge was made (the parent of the pledging
//   organisation, or the member's organisation for a member's pledge) approves,
//   sends back, assesses and evaluates.
//
// Dates are Asia/Shanghai calendar days: the due day may not be before the
// day the pledge is made (or revised); progress and fulfilment are not dated
// in the future. A pledge is assessed at most once per quarter, never for a
// quarter that has not begun; it is evaluated for a year that has begun (the
// month is not enforced: the reviewer decides when its year end is).
// Achievements are in the target's measure (same unit). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/pledge_events.pb.h"

namespace vanguard::domain {

class Pledge {
 public:
  enum class Status { kUnknown, kUnderReview, kSentBack, kApproved, kFulfilled, kWithdrawn };

  // Applies one accepted event of this pledge; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  Status status() const { return status_; }
  // True once approved, even after fulfilment or withdrawal.
  bool ever_approved() const { return ever_approved_; }
  bool evaluated() const { return evaluated_; }
  bool AssessedFor(int32_t year, int32_t quarter) const;

  const std::string& campaign_id() const { return made_.campaign_id(); }
  const v1::Subject& pledger() const { return made_.pledger(); }
  // Where the pledge counts in roll-ups.
  const std::string& organisation_id() const { return made_.organisation_id(); }
  const std::string& reviewer_organisation_id() const { return made_.reviewer_organisation_id(); }
  v1::PledgeKind kind() const { return made_.kind(); }
  const std::string& text() const { return made_.text(); }
  const v1::Target& target() const { return made_.target(); }
  const v1::Date& due_on() const { return made_.due_on(); }
  // The latest cumulative achievement reported or fulfilled; unset before any.
  const v1::Measure& achieved() const { return achieved_; }

 private:
  Status status_ = Status::kUnknown;
  bool ever_approved_ = false;
  bool evaluated_ = false;
  // The current content: as made, with revisions applied.
  v1::PledgeMade made_;
  v1::Measure achieved_;
  std::vector<std::pair<int32_t, int32_t>> assessed_quarters_;
  int64_t version_ = 0;
};

// "under review", "sent back", ... for messages.
absl::string_view PledgeStatusName(Pledge::Status status);

// `member` is the state of the member named by `command.pledger.member_id`
// (the caller loads it; the state does not carry its own id) and is ignored,
// and may be null, for an organisation's pledge.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const MakePledge& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const ApprovePledge& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const SendBackPledge& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const RevisePledge& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const ReportPledgeProgress& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const AssessPledge& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge, const FulfilPledge& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const WithdrawPledge& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pledge& pledge,
                                                 const EvaluatePledge& command,
                                                 const Context& context);

}  // namespace vanguard::domain
