// A budget (经费): the money one source organisation set aside for one
// purpose in one year, and everything paid out of it and reversed.
//
// Aggregate AGGREGATE_TYPE_BUDGET, one per (source organisation, purpose,
// year); its id is BudgetId(source, purpose, year), e.g.
// "water-bureau/FUNDS_PURPOSE_CO_BUILDING/2010". Because every payment of a
// purpose and year goes through the same aggregate, the two rules that span
// payments are decided in one place, serially: a budget is never overdrawn,
// and a pioneer post is paid its subsidy at most once per year.
//
//   Budget budget;  // rebuilt from the budget's events with budget.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(budget, DisburseFunds{...}, tree, context));
//
// Rules:
// - Only the source organisation (the Context's actor) allocates, disburses
//   and reverses. The first allocation creates the budget; later ones top it
//   up and must name the same source, purpose and year.
// - Amounts are positive int64 fen; every sum is overflow-checked.
// - A disbursement has the budget's purpose and year, a recipient (a live
//   organisation, or a member id), a description, a day not in the future,
//   and never exceeds what is left: allocated − disbursed + reversed.
// - A pioneer-post subsidy names its post (REFERENCE_KIND_PIONEER_POST), is
//   paid to a member, only for a post that passed its assessment for the
//   budget's year (DisburseFunds::post_assessment, read by the caller from
//   the post), and at most once per post and year. A subsidy that was
//   reversed in full no longer counts as paid, so a wrong payment can be
//   corrected by reversing it and paying again.
// - A reversal names a disbursement of this budget and returns at most what
//   remains unreversed of it, on a day not before it was paid. The original
//   event is never edited.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/funds_events.pb.h"

namespace vanguard::domain {

// The aggregate id of the budget of (source, purpose, year). The purpose and
// year are the last two '/'-separated parts, so a source id containing '/'
// still reads back unambiguously.
std::string BudgetId(absl::string_view source_organisation_id, v1::FundsPurpose purpose,
                     int32_t year);

class Budget {
 public:
  struct Disbursement {
    int64_t amount_fen = 0;
    int64_t reversed_fen = 0;
    v1::Reference reference;
    v1::Date paid_on;
  };

  // Applies one accepted event of this budget; other payloads are ignored.
  // Sums saturate at the int64 limits instead of overflowing: Decide never
  // lets them get there, but a reader applies whatever the log holds, and a
  // forged record's amount must not be undefined behaviour.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  bool exists() const { return version_ > 0; }
  const std::string& source_organisation_id() const { return source_organisation_id_; }
  v1::FundsPurpose purpose() const { return purpose_; }
  int32_t year() const { return year_; }
  int64_t allocated_fen() const { return allocated_fen_; }
  // Disbursed minus reversed.
  int64_t spent_fen() const { return spent_fen_; }
  // Allocated minus spent, pinned to the int64 range (see Apply).
  int64_t remaining_fen() const;
  // Null when `disbursement_id` was not paid from this budget.
  const Disbursement* FindDisbursement(absl::string_view disbursement_id) const;
  // True while a subsidy of `post_id` for `year` is paid and not fully reversed.
  bool PostSubsidyPaid(absl::string_view post_id, int32_t year) const;

 private:
  std::string source_organisation_id_;
  v1::FundsPurpose purpose_ = v1::FUNDS_PURPOSE_UNSPECIFIED;
  int32_t year_ = 0;
  int64_t allocated_fen_ = 0;
  int64_t spent_fen_ = 0;
  absl::flat_hash_map<std::string, Disbursement> disbursements_;
  // (post id, year) → the disbursement that paid its subsidy.
  absl::flat_hash_map<std::pair<std::string, int32_t>, std::string> post_subsidies_;
  int64_t version_ = 0;
};

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Budget& budget,
                                                 const AllocateBudget& command, const OrgTree& tree,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Budget& budget, const DisburseFunds& command,
                                                 const OrgTree& tree, const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Budget& budget, const ReverseFunds& command,
                                                 const Context& context);

}  // namespace vanguard::domain
