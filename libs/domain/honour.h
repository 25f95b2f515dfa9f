// An honour (表彰): advanced organisation, excellent member or excellent
// party worker, conferred at a level for a year. Aggregate
// AGGREGATE_TYPE_HONOUR, one per honour.
//
//   Honour honour;  // rebuilt with honour.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(honour, ConferHonour{...}, tree, member, context));
//
// Rules:
// - The conferring organisation is the Context's actor, live, and sits at a
//   level at least as high as the honour's: a township confers township
//   honours, a county township or county ones, a city up to city ones. The
//   tree has no level above the province, so a province records national
//   honours too (the centre's honours of its subtree, as it relays them).
//   Grassroots organisations confer no honours.
// - An advanced organisation honour goes to an organisation strictly below
//   the conferrer; the two member honours go to a current member of the
//   conferrer or of an organisation below it.
// - Conferred on a day not in the future, for a year that has begun by then;
//   a citation is required.
// - Revoked at most once, by the conferrer or a superior of it, with a
//   reason, on a day from the conferring day to today.
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
#include "vanguard/v1/honour_events.pb.h"

namespace vanguard::domain {

// The highest honour level an organisation at `level` may confer;
// HONOUR_LEVEL_UNSPECIFIED for grassroots (none).
v1::HonourLevel HighestConferrableLevel(v1::OrganisationLevel level);

class Honour {
 public:
  enum class Status { kUnknown, kConferred, kRevoked };

  // Applies one accepted event of this honour; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  Status status() const { return status_; }
  const v1::HonourConferred& conferred() const { return conferred_; }

 private:
  Status status_ = Status::kUnknown;
  v1::HonourConferred conferred_;
  int64_t version_ = 0;
};

// `member` is the state of the member recipient (loaded by the caller);
// ignored, and may be null, for an organisation recipient.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Honour& honour, const ConferHonour& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Honour& honour, const RevokeHonour& command,
                                                 const OrgTree& tree, const Context& context);

}  // namespace vanguard::domain
