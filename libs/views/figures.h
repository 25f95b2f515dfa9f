// The figures the projector counts for every organisation's subtree, and the
// buckets (campaign × period) it counts them in.
//
// A Tally (vanguard.v1.Tally) holds one bucket's counts, indexed by Figure.
// Stock figures (structure) live only in the all-campaigns, all-time bucket;
// flow figures are counted in the bucket of the date the fact happened;
// pledges by state are counted in the bucket of the day they were made (the
// cohort), so "pledges made in 2010: 56% fulfilled" reads from one bucket.
//
// The numbers are stored: append new figures at the end, never renumber.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/btree_map.h"
#include "absl/strings/string_view.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/view_records.pb.h"

namespace vanguard::views {

// Figure numbers: indexes into Tally.counts.
// Structure: live organisations (the node itself included), by kind and by sector.
inline constexpr int kOrganisations = 0;
inline constexpr int kOrganisationsByKind = 1;     // + OrganisationKind (1..5)
inline constexpr int kOrganisationsBySector = 7;   // + Sector (1..10)
// Members present, by category, and flags.
inline constexpr int kMembers = 18;
inline constexpr int kMembersByCategory = 19;      // + MemberCategory (1..6)
inline constexpr int kMembersProbationary = 26;
inline constexpr int kMembersFemale = 27;
inline constexpr int kMembersWithoutPost = 28;
inline constexpr int kActivists = 29;
// Pledges by kind and current state, counted in the bucket of the day made.
inline constexpr int kPledgesByKindState = 30;     // + (kind - 1) * 5 + (state - 1); kind 1..2, state 1..5
inline constexpr int kPledgesSentBackOnce = 40;    // pledges sent back at least once
inline constexpr int kMemberPledges = 41;          // pledges whose pledger is a member
inline constexpr int kMemberPledgesSentBack = 42;  // ... sent back at least once
// Reviews.
inline constexpr int kLeaderReviews = 43;
inline constexpr int kOrganisationsReviewed = 44;  // distinct organisations reviewed (per quarter)
inline constexpr int kMassEvaluations = 45;
inline constexpr int kSatisfied = 46;
inline constexpr int kBasicallySatisfied = 47;
inline constexpr int kUnsatisfied = 48;
inline constexpr int kAppraisalsByGrade = 49;      // + AppraisalGrade (1..4)
inline constexpr int kRectificationsIssued = 54;
inline constexpr int kRectificationsClosed = 55;
// Pioneer posts.
inline constexpr int kPostsEstablished = 56;
inline constexpr int kPostsPassed = 57;
inline constexpr int kPostsFailed = 58;
// Funds, in fen.
inline constexpr int kBudgetAllocatedFen = 59;     // allocated by the subtree's organisations
inline constexpr int kFundsPaidOutFen = 60;        // disbursed by them (net of reversals)
inline constexpr int kFundsReceivedFen = 61;       // received in the subtree (net of reversals)
inline constexpr int kFundsReceivedByPurposeFen = 62;  // + FundsPurpose (1..6)
inline constexpr int kDisbursements = 69;
inline constexpr int kPairings = 70;               // live pairings whose recipient is in the subtree
// Honours (not revoked), by kind.
inline constexpr int kHonoursByKind = 71;          // + HonourKind (1..3)
// Supervision.
inline constexpr int kInspections = 75;
inline constexpr int kReports = 76;
inline constexpr int kMeetings = 77;
inline constexpr int kMeetingAttendance = 78;
inline constexpr int kMeetingExpected = 79;
inline constexpr int kFigureCount = 80;

// Each enum's known values fit the slots its figures leave them (the
// projection parks an event whose value it does not know).
static_assert(v1::OrganisationKind_MAX <= 5 && v1::Sector_MAX <= 10);
static_assert(v1::MemberCategory_MAX <= 6 && v1::AppraisalGrade_MAX <= 4);
static_assert(v1::FundsPurpose_MAX <= 6 && v1::HonourKind_MAX <= 3);
static_assert(v1::PledgeKind_MAX <= 2 && v1::PledgeState_MAX <= 5);

constexpr int PledgeFigure(v1::PledgeKind kind, v1::PledgeState state) {
  return kPledgesByKindState + (static_cast<int>(kind) - 1) * 5 + (static_cast<int>(state) - 1);
}

// A period code: "" (all time), "2010" (a year), "2010-Q3" (a quarter) or
// "2010-07" (a month). The codes of one year sort year, months, quarters.
// Facts are kept per month; a year or a quarter is read as the sum of its
// months, plus its own tally for what does not add up (coverage).
std::string YearPeriod(int year);
std::string QuarterPeriod(int year, int quarter);
std::string MonthPeriod(int year, int month);
// Whether `period` is a valid code; "" is.
bool IsPeriod(absl::string_view period);
bool IsMonthPeriod(absl::string_view period);

// The tally key of a node in a bucket: node NUL campaign NUL period.
std::string TallyKey(absl::string_view node, absl::string_view campaign, absl::string_view period);
// The prefix of all of a node's tally keys.
std::string TallyPrefix(absl::string_view node);

// Nodes: an organisation or a member.
std::string OrganisationNode(absl::string_view organisation_id);
std::string MemberNode(absl::string_view member_id);

// Tally arithmetic: `into` += sign * `delta`, dropping zero entries, keeping
// lists sorted. A tally that adds up to nothing is empty (IsEmpty).
// Sums wrap around in two's complement instead of overflowing: the writer
// never lets a figure get near the limits, but the views must not meet
// undefined behaviour on a log written by something else, and a wrapping sum,
// unlike a saturating one, is still the same whatever the order of events.
inline int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
// sign * value for a sign of +1 or -1, wrapping like WrappingAdd.
inline int64_t WrappingSigned(int64_t sign, int64_t value) {
  return sign < 0 ? static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(value)) : value;
}
void AddTally(v1::Tally& into, const v1::Tally& delta, int64_t sign = 1);
void AddCount(v1::Tally& into, int figure, int64_t delta);
int64_t Count(const v1::Tally& tally, int figure);
bool IsEmpty(const v1::Tally& tally);

// A tally being changed in memory: the same figures as a v1::Tally, with the
// lists held as ordered maps, so that adding one fact costs O(log n) however
// long the lists of an upper level grow. ToProto() gives the stored form.
class TallyValue {
 public:
  TallyValue() = default;
  explicit TallyValue(const v1::Tally& tally) { Add(tally); }
  void Add(const v1::Tally& delta, int64_t sign = 1);
  bool empty() const { return counts_.empty() && by_source_.empty() && due_.empty(); }
  v1::Tally ToProto() const;

 private:
  std::vector<int64_t> counts_;  // no trailing zeros
  absl::btree_map<std::string, int64_t> by_source_;
  absl::btree_map<std::pair<int32_t, int>, int64_t> due_;  // (yyyymmdd, kind)
};

}  // namespace vanguard::views
