// How one accepted event changes the views: the figures of the node it counts
// for and of every ancestor, and the records later events need.
//
// The projection is commutative across aggregates: the final views do not
// depend on how the partitions' events interleave. Facts count for a node (an
// organisation or a member); a node whose parent is not known yet keeps its
// figures until it is attached, and attaching or moving a node carries its
// figures to the new ancestors. A tally that sums to nothing is deleted, so
// equal views are equal bytes.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/views/figures.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/view_records.pb.h"

namespace vanguard::views::internal {

// The store's side of an application: reads see the writes made before them.
class ProjectionState {
 public:
  virtual ~ProjectionState() = default;
  virtual std::optional<std::string> GetRecord(const std::string& key) = 0;
  virtual void PutRecord(const std::string& key, std::string value) = 0;
  virtual bool HasIndex(const std::string& key) = 0;
  virtual void PutIndex(const std::string& key, std::string value) = 0;
  virtual void DeleteIndex(const std::string& key) = 0;
  virtual void PutHistory(const std::string& key, std::string value) = 0;
  // The tally under `key`, to change in place (empty when there is none).
  // The reference is valid until the next call.
  virtual TallyValue& MutableTally(const std::string& key) = 0;
  // Every non-empty tally of `node`: (key, tally).
  virtual std::vector<std::pair<std::string, v1::Tally>> NodeTallies(const std::string& node) = 0;
};

// Record and index keys.
std::string OrganisationKey(absl::string_view organisation_id);
std::string MemberKey(absl::string_view member_id);
std::string PledgeKey(absl::string_view pledge_id);
std::string CampaignKey(absl::string_view campaign_id);
std::string ChildrenPrefix(absl::string_view organisation_id);
std::string ChildKey(absl::string_view parent_id, absl::string_view child_id);
inline constexpr absl::string_view kOpenDuePrefix = "u|";
std::string OpenDueKey(int32_t due_on, absl::string_view pledge_id);
std::string ReviewedKey(absl::string_view campaign, int year, int quarter,
                        absl::string_view organisation_id);
std::string HistoryPrefix(absl::string_view aggregate_id);
std::string HistoryKey(absl::string_view aggregate_id, int64_t version);
int32_t DayNumber(const v1::Date& date);  // yyyymmdd

// Parents of nodes: "o:<id>" → "o:<parent>" ("" for a root or unknown), "m:<id>" → "o:<org>".
using ParentMap = absl::flat_hash_map<std::string, std::string>;

class Projection {
 public:
  Projection(ParentMap& parents, absl::TimeZone zone) : parents_(parents), zone_(zone) {}

  // Applies an accepted event. An error (an event this projector cannot
  // apply) leaves the views unchanged; the caller parks the aggregate.
  absl::Status Apply(ProjectionState& state, const v1::Envelope& envelope,
                     const std::string& envelope_bytes);

  // The node and its ancestors, nearest first.
  std::vector<std::string> Chain(const std::string& node) const;

 private:
  absl::Status ApplyTree(ProjectionState& state, const v1::Envelope& e);
  absl::Status ApplyMember(ProjectionState& state, const v1::Envelope& e);
  absl::Status ApplyPledge(ProjectionState& state, const v1::Envelope& e,
                           const std::string& envelope_bytes);
  absl::Status ApplyReview(ProjectionState& state, const v1::Envelope& e);
  absl::Status ApplyFunds(ProjectionState& state, const v1::Envelope& e);
  absl::Status ApplyOther(ProjectionState& state, const v1::Envelope& e);

  // Adds `sign` × `delta` to the node's and its ancestors' tallies in every
  // bucket of (campaign, date): all time and its month, for all campaigns
  // and for `campaign`.
  void Count(ProjectionState& state, const std::string& node, const std::string& campaign,
             const v1::Date& date, const v1::Tally& delta, int64_t sign = 1);
  void CountIn(ProjectionState& state, const std::string& node, const std::string& campaign,
               const std::string& period, const v1::Tally& delta);
  // Moves a node (and everything counted under it) to a new parent.
  void Reparent(ProjectionState& state, const std::string& node, const std::string& parent);
  v1::Date DayOf(const google::protobuf::Timestamp& t) const;
  v1::Date DateOr(const v1::Date& date, const v1::Envelope& e) const;

  ParentMap& parents_;
  absl::TimeZone zone_;
};

}  // namespace vanguard::views::internal
