// A campaign (创先争优活动): launched by a committee for its subtree, run through
// planned phases, measured against targets. Aggregate AGGREGATE_TYPE_CAMPAIGN,
// one per campaign.
//
//   Campaign campaign;  // rebuilt with campaign.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(campaign, ChangeCampaignPhase{.phase = ...}, context));
//
// Rules:
// - Launched once by a live committee or working committee (the Context's
//   actor) with a name, theme and carrier, and at least one phase. Phases
//   are listed in the order of CampaignPhase, each at most once (a plan may
//   skip phases), each ending on or after its start, each starting after
//   the previous one ends. The campaign starts in its first phase.
// - The phase changes only forward, to a phase of the plan, on a day not in
//   the future and not before the previous change (or the campaign's start).
// - Targets are set by the launching organisation only, for year 0 (every
//   year) or a year the campaign spans; shares are basis points in
//   0..10000; a share above zero names the honour level that counts;
//   sectors are distinct; review counts are not negative.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/campaign_events.pb.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::domain {

class Campaign {
 public:
  // Applies one accepted event of this campaign; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  bool exists() const { return version_ > 0; }
  const v1::CampaignLaunched& launched() const { return launched_; }
  const std::string& organisation_id() const { return launched_.organisation_id(); }
  v1::CampaignPhase phase() const { return phase_; }
  // The first day of the current phase.
  const v1::Date& phase_started_on() const { return phase_started_on_; }
  bool Plans(v1::CampaignPhase phase) const;
  // Null when no targets are set for `year` (0: every year).
  const v1::CampaignTargetsSet* TargetsFor(int32_t year) const;

 private:
  v1::CampaignLaunched launched_;
  v1::CampaignPhase phase_ = v1::CAMPAIGN_PHASE_UNSPECIFIED;
  v1::Date phase_started_on_;
  absl::flat_hash_map<int32_t, v1::CampaignTargetsSet> targets_;
  int64_t version_ = 0;
};

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Campaign& campaign,
                                                 const LaunchCampaign& command, const OrgTree& tree,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Campaign& campaign,
                                                 const ChangeCampaignPhase& command,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Campaign& campaign,
                                                 const SetCampaignTargets& command,
                                                 const Context& context);

}  // namespace vanguard::domain
