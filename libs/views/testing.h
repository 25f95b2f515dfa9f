// A random but valid history of the campaign for tests and benchmarks of the
// views, and the facts it implies, summed naively over the final tree.
//
//   Workload w(/*seed=*/7);
//   w.Generate(3000);
//   RETURN_IF_ERROR(AppendWorkload(log, w));
//   v1::Tally want = Expected(w, w.FinalFacts(), "province", "", "2010");
#pragma once

#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/views/figures.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/view_records.pb.h"

namespace vanguard::views::testing {

v1::Date MakeDate(int y, int m, int d);

// One fact as the naive model counts it: `amount` of `figure` for `node`,
// in the buckets of (campaign, date); structure facts have no date.
struct Fact {
  std::string node;
  std::string campaign;
  std::optional<v1::Date> date;
  int figure = 0;
  int64_t amount = 0;
  // Funds by source and open pledges by due ride on facts too.
  std::string source;
  int32_t due = 0;
  v1::PledgeKind due_kind = v1::PLEDGE_KIND_UNSPECIFIED;
  // A coverage fact: counted only in its quarter's bucket.
  std::string only_period;
};

// Writes a random valid history and keeps, beside it, the facts it implies.
class Workload {
 public:
  // max_organisations bounds registrations (moves look at every organisation);
  // restructure_percent thins out moves and dissolutions (100: one event in
  // eight, to test them hard; a real tree changes far less often).
  explicit Workload(uint32_t seed, size_t max_organisations = 2'000, int restructure_percent = 100)
      : rng_(seed),
        max_organisations_(max_organisations),
        restructure_percent_(restructure_percent) {}

  std::vector<v1::Envelope> events;
  // The final tree and affiliations.
  std::map<std::string, std::string> parent;  // node → parent node
  std::set<std::string> organisations;        // ids
  std::vector<Fact> FinalFacts() const;

  // Generates events until `n` have been generated in all: call again with a
  // larger `n`, after clearing `events`, to stream a long history in parts.
  void Generate(int64_t n) {
    if (generated_ == 0) Skeleton();
    while (generated_ < n) Step();
  }

 private:
  void Skeleton() {
    // Six levels, so that moves cross levels.
    Register("province", "", v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL);
    for (int c = 0; c < 2; ++c) {
      std::string city = absl::StrCat("city-", c);
      Register(city, "province", v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL);
      for (int k = 0; k < 2; ++k) {
        std::string county = absl::StrCat(city, "-county-", k);
        Register(county, city, v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL);
        std::string town = county + "-town";
        Register(town, county, v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL);
        std::string village = town + "-village";
        Register(village, town, v1::ORGANISATION_KIND_GENERAL_BRANCH, v1::SECTOR_VILLAGE);
        Register(village + "-branch", village, v1::ORGANISATION_KIND_BRANCH, v1::SECTOR_VILLAGE);
      }
    }
    Campaign("campaign-a");
    Campaign("campaign-b");
  }

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T>
  const T& PickOf(const std::vector<T>& v) { return v[Pick(static_cast<int>(v.size()))]; }

  v1::Date RandomDate() { return MakeDate(2010 + Pick(2), 1 + Pick(12), 1 + Pick(28)); }
  std::string RandomCampaign() {
    int c = Pick(3);
    return c == 0 ? "" : c == 1 ? "campaign-a" : "campaign-b";
  }

  v1::Envelope& Add(const std::string& aggregate, v1::AggregateType type) {
    v1::Envelope& e = events.emplace_back();
    e.set_event_id(absl::StrCat("event-", ++generated_));
    e.set_aggregate_type(type);
    e.set_aggregate_id(aggregate);
    e.set_aggregate_version(++versions_[aggregate]);
    e.set_schema_version(1);
    // Noon in Shanghai on a random day; the day is the fact's date.
    last_date_ = RandomDate();
    absl::Time t = absl::FromCivil(
        absl::CivilSecond(last_date_.year(), last_date_.month(), last_date_.day(), 12, 0, 0),
        Shanghai());
    e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(t));
    *e.mutable_recorded_at() = e.occurred_at();
    e.mutable_actor()->set_principal_id("generator");
    return e;
  }
  static absl::TimeZone Shanghai() {
    absl::TimeZone zone;
    absl::LoadTimeZone("Asia/Shanghai", &zone);
    return zone;
  }
  void Typed(v1::Envelope& e) {
    e.set_event_type(std::string(
        v1::Envelope::descriptor()->FindFieldByNumber(e.payload_case())->message_type()->full_name()));
  }

  bool Under(std::string node, const std::string& ancestor) const {
    while (!node.empty()) {
      if (node == ancestor) return true;
      auto it = parent.find(node);
      node = it == parent.end() ? "" : it->second;
    }
    return false;
  }

  void Register(const std::string& id, const std::string& parent_id, v1::OrganisationKind kind,
                v1::Sector sector) {
    v1::Envelope& e = Add("org-tree", v1::AGGREGATE_TYPE_ORG_TREE);
    v1::OrganisationRegistered* r = e.mutable_organisation_registered();
    r->set_organisation_id(id);
    r->set_parent_id(parent_id);
    r->set_name(absl::StrCat(id, " 党组织"));
    r->set_kind(kind);
    r->set_sector(sector);
    Typed(e);
    orgs_[id] = {kind, sector, false};
    live_.push_back(id);
    organisations.insert(id);
    parent[OrganisationNode(id)] = parent_id.empty() ? "" : OrganisationNode(parent_id);
    structure_[OrganisationNode(id)] = {kOrganisations, kOrganisationsByKind + kind,
                                        kOrganisationsBySector + sector};
  }

  void Campaign(const std::string& id) {
    v1::Envelope& e = Add(id, v1::AGGREGATE_TYPE_CAMPAIGN);
    e.mutable_campaign_launched()->set_organisation_id("province");
    e.mutable_campaign_launched()->set_name(id);
    Typed(e);
  }

  void Step();

  struct Org {
    v1::OrganisationKind kind;
    v1::Sector sector;
    bool dissolved;
  };
  struct Pledge {
    std::string node, campaign;
    v1::Date made;
    v1::PledgeKind kind;
    v1::PledgeState state;
    int32_t due;
    bool sent_back = false;
  };
  struct Payment {
    std::string budget, node, campaign, source;
    v1::Date date;
    v1::FundsPurpose purpose;
    int64_t net;
  };
  struct Counted {
    std::string node, campaign;
    v1::Date date;
    int figure;
    bool settled = false;
  };

  std::mt19937 rng_;
  size_t max_organisations_;
  int restructure_percent_;
  v1::Date last_date_;
  std::map<std::string, int64_t> versions_;
  std::map<std::string, Org> orgs_;
  std::map<std::string, std::vector<int>> structure_;  // live structure figures by node
  std::map<std::string, v1::MemberAttributes> members_;  // present members
  std::map<std::string, Pledge> pledges_;
  std::map<std::string, Payment> payments_;
  std::map<std::string, Counted> counted_;  // honours, posts, pairings, rectifications
  std::vector<Fact> flows_;                 // facts that never change once counted
  std::set<std::string> reviewed_;          // campaign | quarter | organisation
  std::set<std::string> budgets_;
  int next_ = 0;
  int64_t generated_ = 0;
  // For picking at random in constant time.
  std::vector<std::string> live_, members_list_, pledge_ids_, payment_ids_, open_counted_;
};

// Whether a fact counts in the bucket (campaign, period).
bool InBucket(const Fact& f, const std::string& campaign, const std::string& period);

// The tally of `organisation` in a bucket, summed naively over the final tree.
v1::Tally Expected(const Workload& w, const std::vector<Fact>& facts,
                   const std::string& organisation, const std::string& campaign,
                   const std::string& period);

// Appends the workload's events, every aggregate's chained, in batches.
absl::Status AppendWorkload(eventlog::EventLog& log, const Workload& w);
// Appends events, each chained to its aggregate's head in `heads` (aggregate
// id → hash), which it updates: a history appended in parts.
absl::Status AppendEvents(eventlog::EventLog& log, std::span<const v1::Envelope> events,
                          std::map<std::string, std::string>& heads);

}  // namespace vanguard::views::testing
