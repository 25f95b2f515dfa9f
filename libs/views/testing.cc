#include "libs/views/testing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/views/figures.h"

namespace vanguard::views::testing {

v1::Date MakeDate(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

void Workload::Step() {
  const std::vector<std::string>& live = live_;
  const std::vector<std::string>& member_ids = members_list_;
  std::string id = absl::StrCat("x", ++next_);
  int what = Pick(16);
  if (what == 0 && organisations.size() >= max_organisations_) what = 3;
  if ((what == 1 || what == 2) && Pick(100) >= restructure_percent_) what = 3;
  switch (what) {
    case 0: {  // register under a live organisation that is not a branch
      std::vector<std::string> parents;
      for (const std::string& o : live) {
        if (orgs_[o].kind != v1::ORGANISATION_KIND_BRANCH) parents.push_back(o);
      }
      bool branch = Pick(2);
      Register(id, PickOf(parents),
               branch ? v1::ORGANISATION_KIND_BRANCH : v1::ORGANISATION_KIND_GENERAL_BRANCH,
               static_cast<v1::Sector>(2 + Pick(8)));
      return;
    }
    case 1: {  // move an organisation anywhere outside its own subtree
      const std::string& o = PickOf(live);
      if (o == "province") return;
      std::vector<std::string> targets;
      for (const std::string& t : live) {
        if (orgs_[t].kind != v1::ORGANISATION_KIND_BRANCH &&
            !Under(OrganisationNode(t), OrganisationNode(o)))
          targets.push_back(t);
      }
      if (targets.empty()) return;
      const std::string& to = PickOf(targets);
      v1::Envelope& e = Add("org-tree", v1::AGGREGATE_TYPE_ORG_TREE);
      e.mutable_organisation_moved()->set_organisation_id(o);
      e.mutable_organisation_moved()->set_parent_id(to);
      Typed(e);
      parent[OrganisationNode(o)] = OrganisationNode(to);
      return;
    }
    case 2: {  // dissolve an organisation without live children
      const std::string o = PickOf(live);
      if (o == "province") return;
      for (const std::string& c : live) {
        if (parent[OrganisationNode(c)] == OrganisationNode(o)) return;
      }
      v1::Envelope& e = Add("org-tree", v1::AGGREGATE_TYPE_ORG_TREE);
      e.mutable_organisation_dissolved()->set_organisation_id(o);
      Typed(e);
      orgs_[o].dissolved = true;
      live_.erase(std::find(live_.begin(), live_.end(), o));
      structure_.erase(OrganisationNode(o));
      return;
    }
    case 3:
    case 4: {  // enrol
      v1::Envelope& e = Add(id, v1::AGGREGATE_TYPE_MEMBER);
      v1::MemberAttributes* a = e.mutable_member_enrolled()->mutable_attributes();
      a->set_name(id);
      a->set_category(static_cast<v1::MemberCategory>(1 + Pick(6)));
      a->set_gender(Pick(3) ? v1::GENDER_MALE : v1::GENDER_FEMALE);
      a->set_probationary(Pick(5) == 0);
      a->set_holds_post(Pick(2));
      a->set_activist(Pick(10) == 0);
      e.mutable_member_enrolled()->set_organisation_id(PickOf(live));
      Typed(e);
      members_[id] = *a;
      members_list_.push_back(id);
      parent[MemberNode(id)] = OrganisationNode(e.member_enrolled().organisation_id());
      return;
    }
    case 5: {  // transfer, update or leave
      if (member_ids.empty()) return;
      const std::string m = PickOf(member_ids);
      v1::Envelope& e = Add(m, v1::AGGREGATE_TYPE_MEMBER);
      int what = Pick(3);
      if (what == 0) {
        std::string to = PickOf(live);
        e.mutable_member_transferred()->set_from_organisation_id(parent[MemberNode(m)].substr(2));
        e.mutable_member_transferred()->set_to_organisation_id(to);
        parent[MemberNode(m)] = OrganisationNode(to);
      } else if (what == 1) {
        v1::MemberAttributes a = members_[m];
        a.set_category(static_cast<v1::MemberCategory>(1 + Pick(6)));
        a.set_probationary(false);
        *e.mutable_member_updated()->mutable_attributes() = a;
        members_[m] = a;
      } else {
        e.mutable_member_left()->set_organisation_id(parent[MemberNode(m)].substr(2));
        e.mutable_member_left()->set_reason(v1::LEAVE_REASON_TRANSFERRED_OUT);
        members_.erase(m);
        auto at = std::find(members_list_.begin(), members_list_.end(), m);
        std::swap(*at, members_list_.back());
        members_list_.pop_back();
      }
      Typed(e);
      return;
    }
    case 6:
    case 7: {  // make a pledge, as a member or an organisation
      v1::Envelope& e = Add(id, v1::AGGREGATE_TYPE_PLEDGE);
      v1::PledgeMade* r = e.mutable_pledge_made();
      Pledge p;
      if (!member_ids.empty() && Pick(2)) {
        r->mutable_pledger()->set_member_id(PickOf(member_ids));
        p.node = MemberNode(r->pledger().member_id());
      } else {
        r->mutable_pledger()->set_organisation_id(PickOf(live));
        p.node = OrganisationNode(r->pledger().organisation_id());
      }
      p.campaign = RandomCampaign();
      r->set_campaign_id(p.campaign);
      r->set_organisation_id(parent.count(p.node) && p.node[0] == 'm' ? parent[p.node].substr(2)
                                                                       : p.node.substr(2));
      p.kind = Pick(2) ? v1::PLEDGE_KIND_WORK : v1::PLEDGE_KIND_DEED;
      r->set_kind(p.kind);
      r->set_text("修路");
      v1::Date due = RandomDate();
      *r->mutable_due_on() = due;
      p.due = due.year() * 10000 + due.month() * 100 + due.day();
      p.made = last_date_;
      p.state = v1::PLEDGE_STATE_UNDER_REVIEW;
      Typed(e);
      pledges_[id] = p;
      pledge_ids_.push_back(id);
      return;
    }
    case 8:
    case 9: {  // move a pledge along its lifecycle
      if (pledge_ids_.empty()) return;
      auto it = pledges_.find(PickOf(pledge_ids_));
      Pledge& p = it->second;
      v1::Envelope& e = Add(it->first, v1::AGGREGATE_TYPE_PLEDGE);
      switch (p.state) {
        case v1::PLEDGE_STATE_UNDER_REVIEW:
          if (Pick(2)) {
            e.mutable_pledge_approved()->set_comment("同意");
            p.state = v1::PLEDGE_STATE_APPROVED;
          } else {
            e.mutable_pledge_sent_back()->set_comment("不具体");
            p.state = v1::PLEDGE_STATE_SENT_BACK;
            p.sent_back = true;
          }
          break;
        case v1::PLEDGE_STATE_SENT_BACK: {
          if (Pick(4) == 0) {
            e.mutable_pledge_withdrawn()->set_reason("撤回");
            p.state = v1::PLEDGE_STATE_WITHDRAWN;
            break;
          }
          v1::PledgeRevised* r = e.mutable_pledge_revised();
          p.kind = Pick(2) ? v1::PLEDGE_KIND_WORK : v1::PLEDGE_KIND_DEED;
          r->set_kind(p.kind);
          v1::Date due = RandomDate();
          *r->mutable_due_on() = due;
          p.due = due.year() * 10000 + due.month() * 100 + due.day();
          p.state = v1::PLEDGE_STATE_UNDER_REVIEW;
          break;
        }
        case v1::PLEDGE_STATE_APPROVED:
          if (Pick(3)) {
            e.mutable_pledge_fulfilled()->set_description("完成");
            p.state = v1::PLEDGE_STATE_FULFILLED;
          } else if (Pick(2)) {
            e.mutable_pledge_progress_reported()->set_description("进展");
          } else {
            e.mutable_pledge_withdrawn()->set_reason("撤回");
            p.state = v1::PLEDGE_STATE_WITHDRAWN;
          }
          break;
        default:
          e.mutable_pledge_evaluated()->set_rating(v1::RATING_GOOD);
          break;
      }
      Typed(e);
      return;
    }
    case 10: {  // a leader review of an organisation, or a mass evaluation of a member
      v1::Envelope& e = Add(id, v1::AGGREGATE_TYPE_REVIEW);
      std::string campaign = RandomCampaign();
      if (Pick(2) || member_ids.empty()) {
        v1::LeaderReviewDone* r = e.mutable_leader_review_done();
        const std::string& o = PickOf(live);
        r->mutable_subject()->set_organisation_id(o);
        r->set_campaign_id(campaign);
        r->set_year(2010);
        r->set_quarter(1 + Pick(4));
        Typed(e);
        flows_.push_back({OrganisationNode(o), campaign, last_date_, kLeaderReviews, 1});
        for (const std::string& c : {std::string(), campaign}) {
          std::string period = QuarterPeriod(r->year(), r->quarter());
          if (reviewed_.insert(absl::StrCat(c, "|", period, "|", o)).second) {
            Fact f{OrganisationNode(o), c, std::nullopt, kOrganisationsReviewed, 1};
            f.only_period = period;
            flows_.push_back(f);
          }
          if (campaign.empty()) break;
        }
      } else {
        v1::MassEvaluationDone* r = e.mutable_mass_evaluation_done();
        const std::string& m = PickOf(member_ids);
        r->mutable_subject()->set_member_id(m);
        r->set_campaign_id(campaign);
        r->mutable_counts()->set_satisfied(Pick(50));
        r->mutable_counts()->set_unsatisfied(Pick(5));
        Typed(e);
        flows_.push_back({MemberNode(m), campaign, last_date_, kMassEvaluations, 1});
        flows_.push_back({MemberNode(m), campaign, last_date_, kSatisfied, r->counts().satisfied()});
        flows_.push_back(
            {MemberNode(m), campaign, last_date_, kUnsatisfied, r->counts().unsatisfied()});
      }
      return;
    }
    case 11: {  // allocate a budget and pay from it
      const std::string& source = PickOf(live);
      std::string budget = "budget-" + source;
      v1::Envelope& a = Add(budget, v1::AGGREGATE_TYPE_BUDGET);
      a.mutable_budget_allocated()->set_source_organisation_id(source);
      a.mutable_budget_allocated()->set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
      a.mutable_budget_allocated()->set_year(2010);
      a.mutable_budget_allocated()->set_amount_fen(1'000'000);
      Typed(a);
      bool first = !budgets_.contains(budget);
      budgets_.insert(budget);
      flows_.push_back({OrganisationNode(source), "", MakeDate(2010, 1, 1), kBudgetAllocatedFen,
                        1'000'000});
      (void)first;
      v1::Envelope& d = Add(budget, v1::AGGREGATE_TYPE_BUDGET);
      v1::FundsDisbursed* r = d.mutable_funds_disbursed();
      r->set_disbursement_id(id);
      r->set_source_organisation_id(source);
      Payment p{budget, "", "", source, last_date_, static_cast<v1::FundsPurpose>(1 + Pick(6)),
                100 * (1 + Pick(10'000))};
      if (!member_ids.empty() && Pick(2)) {
        r->mutable_recipient()->set_member_id(PickOf(member_ids));
        p.node = MemberNode(r->recipient().member_id());
      } else {
        r->mutable_recipient()->set_organisation_id(PickOf(live));
        p.node = OrganisationNode(r->recipient().organisation_id());
      }
      r->set_purpose(p.purpose);
      r->set_amount_fen(p.net);
      Typed(d);
      payments_[id] = p;
      payment_ids_.push_back(id);
      flows_.push_back({p.node, "", p.date, kDisbursements, 1});
      return;
    }
    case 12: {  // reverse part of a payment
      if (payment_ids_.empty()) return;
      auto it = payments_.find(PickOf(payment_ids_));
      if (it->second.net == 0) return;
      int64_t amount = std::max<int64_t>(1, it->second.net / (1 + Pick(3)));
      v1::Envelope& e = Add(it->second.budget, v1::AGGREGATE_TYPE_BUDGET);
      e.mutable_funds_reversed()->set_disbursement_id(it->first);
      e.mutable_funds_reversed()->set_amount_fen(amount);
      Typed(e);
      it->second.net -= amount;
      return;
    }
    case 13: {  // an honour, a post, a pairing or a rectification; or settle one
      if (!open_counted_.empty() && Pick(2)) {
        int at = Pick(static_cast<int>(open_counted_.size()));
        const std::string cid = open_counted_[at];
        std::swap(open_counted_[at], open_counted_.back());
        open_counted_.pop_back();
        Counted& c = counted_[cid];
        v1::Envelope& e = Add(cid, v1::AGGREGATE_TYPE_HONOUR);
        c.settled = true;
        if (c.figure == kPostsEstablished) {
          bool passed = Pick(2);
          e.mutable_pioneer_post_assessed()->set_result(passed ? v1::ASSESSMENT_RESULT_PASSED
                                                               : v1::ASSESSMENT_RESULT_FAILED);
          flows_.push_back({c.node, c.campaign, c.date, passed ? kPostsPassed : kPostsFailed, 1});
        } else if (c.figure == kPairings) {
          e.mutable_pairing_ended()->set_reason("到期");
        } else if (c.figure == kRectificationsIssued) {
          e.mutable_rectification_closed()->set_resolution("已整改");
          flows_.push_back({c.node, c.campaign, c.date, kRectificationsClosed, 1});
        } else {
          e.mutable_honour_revoked()->set_reason("撤销");
        }
        Typed(e);
        return;
      }
      v1::Envelope& e = Add(id, v1::AGGREGATE_TYPE_HONOUR);
      std::string campaign = RandomCampaign();
      const std::string& o = PickOf(live);
      Counted c{OrganisationNode(o), campaign, last_date_, 0};
      switch (Pick(4)) {
        case 0:
          e.mutable_honour_conferred()->set_kind(v1::HONOUR_KIND_ADVANCED_ORGANISATION);
          e.mutable_honour_conferred()->mutable_recipient()->set_organisation_id(o);
          e.mutable_honour_conferred()->set_campaign_id(campaign);
          c.figure = kHonoursByKind + v1::HONOUR_KIND_ADVANCED_ORGANISATION;
          break;
        case 1:
          e.mutable_pioneer_post_established()->set_organisation_id(o);
          e.mutable_pioneer_post_established()->set_campaign_id(campaign);
          e.mutable_pioneer_post_established()->set_year(last_date_.year());
          c.figure = kPostsEstablished;
          break;
        case 2:
          e.mutable_pairing_established()->set_recipient_organisation_id(o);
          e.mutable_pairing_established()->set_campaign_id(campaign);
          c.figure = kPairings;
          break;
        default:
          e.mutable_rectification_issued()->mutable_responsible()->set_organisation_id(o);
          e.mutable_rectification_issued()->set_campaign_id(campaign);
          c.figure = kRectificationsIssued;
          break;
      }
      Typed(e);
      counted_[id] = c;
      open_counted_.push_back(id);
      return;
    }
    default: {  // a meeting
      v1::Envelope& e = Add(id, v1::AGGREGATE_TYPE_SUPERVISION);
      const std::string& o = PickOf(live);
      std::string campaign = RandomCampaign();
      e.mutable_meeting_held()->set_organisation_id(o);
      e.mutable_meeting_held()->set_campaign_id(campaign);
      e.mutable_meeting_held()->set_attended_count(10 + Pick(20));
      e.mutable_meeting_held()->set_expected_count(30);
      Typed(e);
      flows_.push_back({OrganisationNode(o), campaign, last_date_, kMeetings, 1});
      flows_.push_back({OrganisationNode(o), campaign, last_date_, kMeetingAttendance,
                        e.meeting_held().attended_count()});
      flows_.push_back({OrganisationNode(o), campaign, last_date_, kMeetingExpected, 30});
      return;
    }
  }
}

std::vector<Fact> Workload::FinalFacts() const {
  std::vector<Fact> facts = flows_;
  for (const auto& [node, figures] : structure_) {
    for (int f : figures) facts.push_back({node, "", std::nullopt, f, 1});
  }
  for (const auto& [id, a] : members_) {
    std::string node = MemberNode(id);
    auto add = [&](int f) { facts.push_back({node, "", std::nullopt, f, 1}); };
    if (a.activist()) {
      add(kActivists);
      continue;
    }
    add(kMembers);
    add(kMembersByCategory + a.category());
    if (a.probationary()) add(kMembersProbationary);
    if (a.gender() == v1::GENDER_FEMALE) add(kMembersFemale);
    if (!a.holds_post()) add(kMembersWithoutPost);
  }
  for (const auto& [id, p] : pledges_) {
    auto add = [&](int f) { facts.push_back({p.node, p.campaign, p.made, f, 1}); };
    add(PledgeFigure(p.kind, p.state));
    bool member = p.node[0] == 'm';
    if (member) add(kMemberPledges);
    if (p.sent_back) add(kPledgesSentBackOnce);
    if (p.sent_back && member) add(kMemberPledgesSentBack);
    if (p.state != v1::PLEDGE_STATE_FULFILLED && p.state != v1::PLEDGE_STATE_WITHDRAWN) {
      Fact due{p.node, p.campaign, p.made, -1, 1};
      due.due = p.due;
      due.due_kind = p.kind;
      facts.push_back(due);
    }
  }
  for (const auto& [id, p] : payments_) {
    facts.push_back({p.node, "", p.date, kFundsReceivedFen, p.net});
    facts.push_back({p.node, "", p.date, kFundsReceivedByPurposeFen + p.purpose, p.net});
    Fact source{p.node, "", p.date, -1, p.net};
    source.source = p.source;
    facts.push_back(source);
    facts.push_back({OrganisationNode(p.source), "", p.date, kFundsPaidOutFen, p.net});
  }
  for (const auto& [id, c] : counted_) {
    bool stays = c.figure == kPostsEstablished || c.figure == kRectificationsIssued;
    if (stays || !c.settled) facts.push_back({c.node, c.campaign, c.date, c.figure, 1});
  }
  return facts;
}

bool InBucket(const Fact& f, const std::string& campaign, const std::string& period) {
  if (!f.only_period.empty()) return f.campaign == campaign && f.only_period == period;
  if (!f.date) return campaign.empty() && period.empty();
  if (!campaign.empty() && f.campaign != campaign) return false;
  const v1::Date& d = *f.date;
  return period.empty() || period == YearPeriod(d.year()) ||
         period == QuarterPeriod(d.year(), (d.month() + 2) / 3) ||
         period == MonthPeriod(d.year(), d.month());
}

// The tally of `organisation` in a bucket, summed naively over the final tree.
v1::Tally Expected(const Workload& w, const std::vector<Fact>& facts,
                   const std::string& organisation, const std::string& campaign,
                   const std::string& period) {
  std::string target = OrganisationNode(organisation);
  v1::Tally tally;
  for (const Fact& f : facts) {
    if (!InBucket(f, campaign, period)) continue;
    bool under = false;
    for (std::string n = f.node; !n.empty();) {
      if (n == target) {
        under = true;
        break;
      }
      auto it = w.parent.find(n);
      n = it == w.parent.end() ? "" : it->second;
    }
    if (!under) continue;
    v1::Tally delta;
    if (f.due) {
      v1::DueCount* d = delta.add_open_pledges_by_due();
      d->set_due_on(f.due);
      d->set_kind(f.due_kind);
      d->set_count(f.amount);
    } else if (!f.source.empty()) {
      v1::SourceAmount* s = delta.add_funds_by_source();
      s->set_source_organisation_id(f.source);
      s->set_amount_fen(f.amount);
    } else {
      AddCount(delta, f.figure, f.amount);
    }
    AddTally(tally, delta);
  }
  return tally;
}

absl::Status AppendWorkload(eventlog::EventLog& log, const Workload& w) {
  std::map<std::string, std::string> heads;
  return AppendEvents(log, w.events, heads);
}

absl::Status AppendEvents(eventlog::EventLog& log, std::span<const v1::Envelope> events,
                          std::map<std::string, std::string>& heads) {
  std::vector<eventlog::Record> batch;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::Envelope& e = events[i];
    ASSIGN_OR_RETURN(eventlog::SealedRecord sealed, eventlog::Seal(e, heads[e.aggregate_id()], "/test"));
    heads[e.aggregate_id()] = sealed.hash;
    batch.push_back(std::move(sealed.record));
    if (batch.size() == 512 || i + 1 == events.size()) {
      RETURN_IF_ERROR(log.Append(batch, absl::Now() + absl::Seconds(60)).status());
      batch.clear();
    }
  }
  return absl::OkStatus();
}

}  // namespace vanguard::views::testing
