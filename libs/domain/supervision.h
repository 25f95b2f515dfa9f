// Supervision and activity records (督查, 五个一): an inspection, a report to a
// superior, or a meeting with its attendance. Aggregate
// AGGREGATE_TYPE_SUPERVISION, one per record; a record is made once and
// never changes (a correction is a new record).
//
//   SupervisionRecord record;  // rebuilt with record.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(record, HoldMeeting{...}, tree, context));
//
// Rules (the Context's actor is the inspecting, reporting or holding
// organisation, which must be live):
// - An inspection is of an organisation strictly below the inspector, with
//   a kind, a cadence (period), at least one inspector, findings, a day not
//   in the future and, if given, a known rating.
// - A report goes to a superior (a strict ancestor) of the reporter, covers
//   a period that ends on or after it starts and not after today, and has a
//   title, content and well-formed attachments.
// - A meeting has a kind, a title, a day not in the future and an attendance
//   with 0 ≤ attended ≤ expected.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/supervision_events.pb.h"

namespace vanguard::domain {

class SupervisionRecord {
 public:
  enum class Kind { kUnknown, kInspection, kReport, kMeeting };

  // Applies one accepted event of this record; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  Kind kind() const { return kind_; }
  // The event that made the record.
  const v1::Envelope& made() const { return made_; }

 private:
  Kind kind_ = Kind::kUnknown;
  v1::Envelope made_;
  int64_t version_ = 0;
};

absl::StatusOr<std::vector<v1::Envelope>> Decide(const SupervisionRecord& record,
                                                 const RecordInspection& command,
                                                 const OrgTree& tree, const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const SupervisionRecord& record,
                                                 const SubmitReport& command, const OrgTree& tree,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const SupervisionRecord& record,
                                                 const HoldMeeting& command, const OrgTree& tree,
                                                 const Context& context);

}  // namespace vanguard::domain
