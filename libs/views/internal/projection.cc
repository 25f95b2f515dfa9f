#include "libs/views/internal/projection.h"

#include "absl/strings/str_cat.h"
#include "libs/domain/schema.h"
#include "libs/views/figures.h"
#include "libs/views/internal/event_values.h"

namespace vanguard::views::internal {
namespace {

constexpr absl::string_view kNul("\0", 1);

template <typename Message>
std::optional<Message> Load(ProjectionState& state, const std::string& key) {
  std::optional<std::string> bytes = state.GetRecord(key);
  if (!bytes) return std::nullopt;
  Message message;
  if (!message.ParseFromString(*bytes)) return std::nullopt;
  return message;
}

void Store(ProjectionState& state, const std::string& key, const google::protobuf::Message& m) {
  state.PutRecord(key, m.SerializeAsString());
}

std::string SubjectNode(const v1::Subject& subject) {
  if (subject.has_member_id()) return MemberNode(subject.member_id());
  return OrganisationNode(subject.organisation_id());
}

v1::Tally One(int figure, int64_t n = 1) {
  v1::Tally t;
  AddCount(t, figure, n);
  return t;
}

v1::Tally OrganisationStructure(const v1::OrganisationRecord& o) {
  v1::Tally t;
  AddCount(t, kOrganisations, 1);
  if (o.kind() > 0) AddCount(t, kOrganisationsByKind + o.kind(), 1);
  if (o.sector() > 0) AddCount(t, kOrganisationsBySector + o.sector(), 1);
  return t;
}

v1::Tally MemberStructure(const v1::MemberAttributes& a) {
  v1::Tally t;
  if (a.activist()) {
    AddCount(t, kActivists, 1);
    return t;
  }
  AddCount(t, kMembers, 1);
  if (a.category() > 0) AddCount(t, kMembersByCategory + a.category(), 1);
  if (a.probationary()) AddCount(t, kMembersProbationary, 1);
  if (a.gender() == v1::GENDER_FEMALE) AddCount(t, kMembersFemale, 1);
  if (!a.holds_post()) AddCount(t, kMembersWithoutPost, 1);
  return t;
}

bool Valid(const v1::Date& d) {
  return d.year() > 0 && d.month() >= 1 && d.month() <= 12 && d.day() >= 1 && d.day() <= 31;
}

absl::Status Unknown(const v1::Envelope& e, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(e.event_type(), " of ", e.aggregate_id(), " version ", e.aggregate_version(),
                   ": ", what, " is not in the views"));
}

// A pledge's figures in its state: one in (kind, state), and one open pledge
// by due date unless it is fulfilled or withdrawn.
v1::Tally PledgeStanding(const v1::PledgeRecord& p) {
  v1::Tally t;
  AddCount(t, PledgeFigure(p.kind(), p.state()), 1);
  if (p.state() != v1::PLEDGE_STATE_FULFILLED && p.state() != v1::PLEDGE_STATE_WITHDRAWN) {
    v1::DueCount* due = t.add_open_pledges_by_due();
    due->set_due_on(DayNumber(p.due_on()));
    due->set_kind(p.kind());
    due->set_count(1);
  }
  return t;
}

bool IsOpen(const v1::PledgeRecord& p) {
  return p.state() != v1::PLEDGE_STATE_FULFILLED && p.state() != v1::PLEDGE_STATE_WITHDRAWN;
}

}  // namespace

std::string OrganisationKey(absl::string_view id) { return absl::StrCat("o|", id); }
std::string MemberKey(absl::string_view id) { return absl::StrCat("m|", id); }
std::string PledgeKey(absl::string_view id) { return absl::StrCat("p|", id); }
std::string CampaignKey(absl::string_view id) { return absl::StrCat("g|", id); }
std::string ChildrenPrefix(absl::string_view id) { return absl::StrCat("k|", id, kNul); }
std::string ChildKey(absl::string_view parent, absl::string_view child) {
  return absl::StrCat("k|", parent, kNul, child);
}
std::string OpenDueKey(int32_t due_on, absl::string_view pledge_id) {
  return absl::StrCat(kOpenDuePrefix, absl::Dec(due_on, absl::kZeroPad8), kNul, pledge_id);
}
std::string ReviewedKey(absl::string_view campaign, int year, int quarter,
                        absl::string_view organisation_id) {
  return absl::StrCat("r|", campaign, kNul, QuarterPeriod(year, quarter), kNul, organisation_id);
}
std::string HistoryPrefix(absl::string_view aggregate_id) {
  return absl::StrCat(aggregate_id, kNul);
}
std::string HistoryKey(absl::string_view aggregate_id, int64_t version) {
  return absl::StrCat(aggregate_id, kNul, absl::Dec(version, absl::kZeroPad12));
}
// Dates reach here checked (CheckEventValues): years 1000 to 9999.
int32_t DayNumber(const v1::Date& d) {
  return static_cast<int32_t>(int64_t{d.year()} * 10000 + d.month() * 100 + d.day());
}

std::vector<std::string> Projection::Chain(const std::string& node) const {
  std::vector<std::string> chain;
  std::string at = node;
  // The tree refuses cycles; the bound only guards against a corrupt store.
  while (!at.empty() && chain.size() < 256) {
    chain.push_back(at);
    auto it = parents_.find(at);
    if (it == parents_.end()) break;
    at = it->second;
  }
  return chain;
}

v1::Date Projection::DayOf(const google::protobuf::Timestamp& t) const {
  absl::CivilDay day =
      absl::ToCivilDay(absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()), zone_);
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

v1::Date Projection::DateOr(const v1::Date& date, const v1::Envelope& e) const {
  return Valid(date) ? date : DayOf(e.occurred_at());
}

void Projection::Count(ProjectionState& state, const std::string& node,
                       const std::string& campaign, const v1::Date& date, const v1::Tally& delta,
                       int64_t sign) {
  // Years and quarters are read as sums of their months (ViewReader::GetTally).
  std::vector<std::string> periods = {""};
  if (Valid(date)) periods.push_back(MonthPeriod(date.year(), date.month()));
  std::vector<std::string> campaigns = {""};
  if (!campaign.empty()) campaigns.push_back(campaign);
  for (const std::string& n : Chain(node)) {
    for (const std::string& c : campaigns) {
      for (const std::string& p : periods) state.MutableTally(TallyKey(n, c, p)).Add(delta, sign);
    }
  }
}

void Projection::CountIn(ProjectionState& state, const std::string& node,
                         const std::string& campaign, const std::string& period,
                         const v1::Tally& delta) {
  for (const std::string& n : Chain(node)) {
    state.MutableTally(TallyKey(n, campaign, period)).Add(delta);
  }
}

void Projection::Reparent(ProjectionState& state, const std::string& node,
                          const std::string& parent) {
  auto it = parents_.find(node);
  std::string old = it == parents_.end() ? "" : it->second;
  if (old == parent) {
    parents_[node] = parent;
    return;
  }
  std::vector<std::pair<std::string, v1::Tally>> tallies = state.NodeTallies(node);
  std::vector<std::string> old_chain = old.empty() ? std::vector<std::string>() : Chain(old);
  parents_[node] = parent;
  std::vector<std::string> new_chain = parent.empty() ? std::vector<std::string>() : Chain(parent);
  for (const auto& [key, tally] : tallies) {
    absl::string_view bucket = absl::string_view(key).substr(node.size());  // NUL campaign NUL period
    for (const std::string& n : old_chain) {
      state.MutableTally(absl::StrCat(n, bucket)).Add(tally, -1);
    }
    for (const std::string& n : new_chain) {
      state.MutableTally(absl::StrCat(n, bucket)).Add(tally, 1);
    }
  }
}

absl::Status Projection::Apply(ProjectionState& state, const v1::Envelope& stored,
                               const std::string& envelope_bytes) {
  // Older schema versions apply as the current one; newer ones park. Only
  // an event of another version is copied to be upcast.
  v1::Envelope upcast;
  const bool current =
      stored.schema_version() == domain::CurrentSchemaVersion(stored.payload_case());
  if (!current) {
    upcast = stored;
    if (absl::Status status = domain::Upcast(upcast); !status.ok()) return status;
  }
  const v1::Envelope& e = current ? stored : upcast;
  if (absl::Status values = CheckEventValues(e); !values.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(e.event_type(), " of ", e.aggregate_id(),
                                                      " version ", e.aggregate_version(), ": ",
                                                      values.message()));
  }
  switch (e.payload_case()) {
    case v1::Envelope::PAYLOAD_NOT_SET:
      return absl::FailedPreconditionError(absl::StrCat(
          "event type \"", e.event_type(),
          "\" is unknown to this projector (written by a newer writer): deploy the newer projector"));
    case v1::Envelope::kOwnerClaimed:
      return absl::OkStatus();
    case v1::Envelope::kOrganisationRegistered:
    case v1::Envelope::kOrganisationRenamed:
    case v1::Envelope::kOrganisationMoved:
    case v1::Envelope::kOrganisationDissolved:
      return ApplyTree(state, e);
    case v1::Envelope::kMemberEnrolled:
    case v1::Envelope::kMemberUpdated:
    case v1::Envelope::kMemberTransferred:
    case v1::Envelope::kMemberLeft:
    case v1::Envelope::kMemberPersonalInfoErased:
      return ApplyMember(state, e);
    case v1::Envelope::kPledgeMade:
    case v1::Envelope::kPledgeApproved:
    case v1::Envelope::kPledgeSentBack:
    case v1::Envelope::kPledgeRevised:
    case v1::Envelope::kPledgeProgressReported:
    case v1::Envelope::kPledgeAssessed:
    case v1::Envelope::kPledgeFulfilled:
    case v1::Envelope::kPledgeWithdrawn:
    case v1::Envelope::kPledgeEvaluated:
      return ApplyPledge(state, e, envelope_bytes);
    case v1::Envelope::kLeaderReviewDone:
    case v1::Envelope::kMassEvaluationDone:
    case v1::Envelope::kMemberAppraised:
    case v1::Envelope::kRectificationIssued:
    case v1::Envelope::kRectificationClosed:
      return ApplyReview(state, e);
    case v1::Envelope::kBudgetAllocated:
    case v1::Envelope::kFundsDisbursed:
    case v1::Envelope::kFundsReversed:
      return ApplyFunds(state, e);
    default:
      return ApplyOther(state, e);
  }
}

absl::Status Projection::ApplyTree(ProjectionState& state, const v1::Envelope& e) {
  switch (e.payload_case()) {
    case v1::Envelope::kOrganisationRegistered: {
      const v1::OrganisationRegistered& r = e.organisation_registered();
      v1::OrganisationRecord o;
      o.set_organisation_id(r.organisation_id());
      o.set_parent_id(r.parent_id());
      o.set_name(r.name());
      o.set_short_name(r.short_name());
      o.set_kind(r.kind());
      o.set_level(r.level());
      o.set_sector(r.sector());
      *o.mutable_registered_on() = DateOr(r.effective_on(), e);
      o.set_org_tree_version(e.aggregate_version());
      Store(state, OrganisationKey(o.organisation_id()), o);
      std::string node = OrganisationNode(o.organisation_id());
      if (!o.parent_id().empty()) state.PutIndex(ChildKey(o.parent_id(), o.organisation_id()), "");
      Reparent(state, node, o.parent_id().empty() ? "" : OrganisationNode(o.parent_id()));
      Count(state, node, "", {}, OrganisationStructure(o));
      return absl::OkStatus();
    }
    case v1::Envelope::kOrganisationRenamed: {
      const v1::OrganisationRenamed& r = e.organisation_renamed();
      auto o = Load<v1::OrganisationRecord>(state, OrganisationKey(r.organisation_id()));
      if (!o) return Unknown(e, absl::StrCat("organisation ", r.organisation_id()));
      o->set_name(r.name());
      o->set_short_name(r.short_name());
      o->set_org_tree_version(e.aggregate_version());
      Store(state, OrganisationKey(r.organisation_id()), *o);
      return absl::OkStatus();
    }
    case v1::Envelope::kOrganisationMoved: {
      const v1::OrganisationMoved& m = e.organisation_moved();
      auto o = Load<v1::OrganisationRecord>(state, OrganisationKey(m.organisation_id()));
      if (!o) return Unknown(e, absl::StrCat("organisation ", m.organisation_id()));
      if (!o->parent_id().empty()) state.DeleteIndex(ChildKey(o->parent_id(), m.organisation_id()));
      state.PutIndex(ChildKey(m.parent_id(), m.organisation_id()), "");
      o->set_parent_id(m.parent_id());
      if (m.level() != v1::ORGANISATION_LEVEL_UNSPECIFIED) o->set_level(m.level());
      o->set_org_tree_version(e.aggregate_version());
      Store(state, OrganisationKey(m.organisation_id()), *o);
      Reparent(state, OrganisationNode(m.organisation_id()), OrganisationNode(m.parent_id()));
      return absl::OkStatus();
    }
    case v1::Envelope::kOrganisationDissolved: {
      const v1::OrganisationDissolved& d = e.organisation_dissolved();
      auto o = Load<v1::OrganisationRecord>(state, OrganisationKey(d.organisation_id()));
      if (!o) return Unknown(e, absl::StrCat("organisation ", d.organisation_id()));
      if (o->dissolved()) return absl::OkStatus();
      o->set_dissolved(true);
      *o->mutable_dissolved_on() = DateOr(d.effective_on(), e);
      o->set_successor_id(d.successor_id());
      o->set_org_tree_version(e.aggregate_version());
      Store(state, OrganisationKey(d.organisation_id()), *o);
      Count(state, OrganisationNode(d.organisation_id()), "", {}, OrganisationStructure(*o), -1);
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status Projection::ApplyMember(ProjectionState& state, const v1::Envelope& e) {
  const std::string& id = e.aggregate_id();
  const std::string key = MemberKey(id);
  const std::string node = MemberNode(id);
  if (e.has_member_enrolled()) {
    const v1::MemberEnrolled& r = e.member_enrolled();
    v1::MemberRecord m;
    m.set_member_id(id);
    m.set_organisation_id(r.organisation_id());
    *m.mutable_attributes() = r.attributes();
    *m.mutable_enrolled_on() = DateOr(r.effective_on(), e);
    Store(state, key, m);
    Reparent(state, node, OrganisationNode(r.organisation_id()));
    Count(state, node, "", {}, MemberStructure(m.attributes()));
    return absl::OkStatus();
  }
  auto m = Load<v1::MemberRecord>(state, key);
  if (!m) return Unknown(e, absl::StrCat("member ", id));
  if (e.has_member_updated()) {
    if (!m->left()) {
      Count(state, node, "", {}, MemberStructure(m->attributes()), -1);
      Count(state, node, "", {}, MemberStructure(e.member_updated().attributes()));
    }
    *m->mutable_attributes() = e.member_updated().attributes();
  } else if (e.has_member_transferred()) {
    m->set_organisation_id(e.member_transferred().to_organisation_id());
    m->set_transfers(m->transfers() + 1);
    Reparent(state, node, OrganisationNode(m->organisation_id()));
  } else if (e.has_member_left()) {
    if (!m->left()) Count(state, node, "", {}, MemberStructure(m->attributes()), -1);
    m->set_left(true);
    m->set_leave_reason(e.member_left().reason());
    *m->mutable_left_on() = DateOr(e.member_left().effective_on(), e);
  } else if (e.has_member_personal_info_erased()) {
    // Only the personal fields go (plain ones of events written before
    // sealing, and the sealed form); nothing counted changes.
    v1::MemberAttributes& a = *m->mutable_attributes();
    a.clear_name();
    a.clear_ethnicity();
    a.clear_education();
    a.clear_birth_date();
    a.clear_post_title();
    a.clear_sealed_personal_info();
    m->set_personal_info_erased(true);
  }
  Store(state, key, *m);
  return absl::OkStatus();
}

absl::Status Projection::ApplyPledge(ProjectionState& state, const v1::Envelope& e,
                                     const std::string& envelope_bytes) {
  const std::string& id = e.aggregate_id();
  const std::string key = PledgeKey(id);
  std::optional<v1::PledgeRecord> p;
  if (e.has_pledge_made()) {
    const v1::PledgeMade& r = e.pledge_made();
    // Its figures are indexed by kind: a pledge of no kind would count in another figure.
    if (r.kind() != v1::PLEDGE_KIND_WORK && r.kind() != v1::PLEDGE_KIND_DEED) {
      return absl::FailedPreconditionError(
          absl::StrCat(e.event_type(), " of ", id, " version ", e.aggregate_version(),
                       ": pledge_made.kind: a pledge must be work or deed, not ", r.kind()));
    }
    p.emplace();
    p->set_pledge_id(id);
    p->set_campaign_id(r.campaign_id());
    *p->mutable_pledger() = r.pledger();
    p->set_organisation_id(r.organisation_id());
    p->set_reviewer_organisation_id(r.reviewer_organisation_id());
    p->set_kind(r.kind());
    p->set_theme(r.theme());
    p->set_text(r.text());
    *p->mutable_target() = r.target();
    *p->mutable_due_on() = r.due_on();
    p->set_state(v1::PLEDGE_STATE_UNDER_REVIEW);
    *p->mutable_made_on() = DayOf(e.occurred_at());
    v1::Tally made = PledgeStanding(*p);
    if (p->pledger().has_member_id()) AddCount(made, kMemberPledges, 1);
    Count(state, SubjectNode(p->pledger()), p->campaign_id(), p->made_on(), made);
  } else {
    p = Load<v1::PledgeRecord>(state, key);
    if (!p) return Unknown(e, absl::StrCat("pledge ", id));
    const std::string node = SubjectNode(p->pledger());
    v1::Tally before = PledgeStanding(*p);
    bool was_open = IsOpen(*p);
    int32_t old_due = DayNumber(p->due_on());
    switch (e.payload_case()) {
      case v1::Envelope::kPledgeApproved:
        p->set_state(v1::PLEDGE_STATE_APPROVED);
        break;
      case v1::Envelope::kPledgeSentBack:
        p->set_state(v1::PLEDGE_STATE_SENT_BACK);
        if (p->times_sent_back() == 0) {
          v1::Tally once = One(kPledgesSentBackOnce);
          if (p->pledger().has_member_id()) AddCount(once, kMemberPledgesSentBack, 1);
          Count(state, node, p->campaign_id(), p->made_on(), once);
        }
        p->set_times_sent_back(p->times_sent_back() + 1);
        break;
      case v1::Envelope::kPledgeRevised: {
        const v1::PledgeRevised& r = e.pledge_revised();
        p->set_kind(r.kind());
        p->set_theme(r.theme());
        p->set_text(r.text());
        *p->mutable_target() = r.target();
        *p->mutable_due_on() = r.due_on();
        p->set_state(v1::PLEDGE_STATE_UNDER_REVIEW);
        break;
      }
      case v1::Envelope::kPledgeProgressReported:
        *p->mutable_last_progress() = e.pledge_progress_reported().achieved();
        break;
      case v1::Envelope::kPledgeAssessed:
        p->set_latest_assessment(e.pledge_assessed().rating());
        break;
      case v1::Envelope::kPledgeFulfilled:
        p->set_state(v1::PLEDGE_STATE_FULFILLED);
        *p->mutable_fulfilled_on() = DateOr(e.pledge_fulfilled().fulfilled_on(), e);
        *p->mutable_achieved() = e.pledge_fulfilled().achieved();
        break;
      case v1::Envelope::kPledgeWithdrawn:
        p->set_state(v1::PLEDGE_STATE_WITHDRAWN);
        p->set_withdrawal_reason(e.pledge_withdrawn().reason());
        break;
      case v1::Envelope::kPledgeEvaluated:
        p->set_evaluation(e.pledge_evaluated().rating());
        break;
      default:
        break;
    }
    v1::Tally after = PledgeStanding(*p);
    AddTally(after, before, -1);
    if (!IsEmpty(after)) Count(state, node, p->campaign_id(), p->made_on(), after);
    if (was_open) state.DeleteIndex(OpenDueKey(old_due, id));
  }
  if (IsOpen(*p)) state.PutIndex(OpenDueKey(DayNumber(p->due_on()), id), SubjectNode(p->pledger()));
  p->set_version(e.aggregate_version());
  Store(state, key, *p);
  state.PutHistory(HistoryKey(id, e.aggregate_version()), envelope_bytes);
  return absl::OkStatus();
}

absl::Status Projection::ApplyReview(ProjectionState& state, const v1::Envelope& e) {
  switch (e.payload_case()) {
    case v1::Envelope::kLeaderReviewDone: {
      const v1::LeaderReviewDone& r = e.leader_review_done();
      std::string node = SubjectNode(r.subject());
      Count(state, node, r.campaign_id(), DateOr(r.reviewed_on(), e), One(kLeaderReviews));
      if (r.subject().has_organisation_id() && r.year() > 0 && r.quarter() >= 1 &&
          r.quarter() <= 4) {
        // Coverage counts an organisation once per quarter, in the quarter's bucket only.
        std::vector<std::string> campaigns = {""};
        if (!r.campaign_id().empty()) campaigns.push_back(r.campaign_id());
        for (const std::string& c : campaigns) {
          std::string flag = ReviewedKey(c, r.year(), r.quarter(), r.subject().organisation_id());
          if (state.HasIndex(flag)) continue;
          state.PutIndex(flag, "");
          for (const std::string& n : Chain(node)) {
            state.MutableTally(TallyKey(n, c, QuarterPeriod(r.year(), r.quarter()))).Add(One(kOrganisationsReviewed));
          }
        }
      }
      return absl::OkStatus();
    }
    case v1::Envelope::kMassEvaluationDone: {
      const v1::MassEvaluationDone& r = e.mass_evaluation_done();
      v1::Tally t = One(kMassEvaluations);
      AddCount(t, kSatisfied, r.counts().satisfied());
      AddCount(t, kBasicallySatisfied, r.counts().basically_satisfied());
      AddCount(t, kUnsatisfied, r.counts().unsatisfied());
      Count(state, SubjectNode(r.subject()), r.campaign_id(), DateOr(r.evaluated_on(), e), t);
      return absl::OkStatus();
    }
    case v1::Envelope::kMemberAppraised: {
      const v1::MemberAppraised& r = e.member_appraised();
      if (r.grade() > 0) {
        Count(state, MemberNode(r.member_id()), r.campaign_id(), DateOr(r.appraised_on(), e),
              One(kAppraisalsByGrade + r.grade()));
      }
      return absl::OkStatus();
    }
    case v1::Envelope::kRectificationIssued: {
      const v1::RectificationIssued& r = e.rectification_issued();
      v1::CountedRecord counted;
      counted.mutable_attribution()->set_node(SubjectNode(r.responsible()));
      counted.mutable_attribution()->set_campaign_id(r.campaign_id());
      *counted.mutable_attribution()->mutable_date() = DayOf(e.occurred_at());
      counted.set_figure(kRectificationsIssued);
      Store(state, absl::StrCat("x|", e.aggregate_id()), counted);
      const v1::Attribution& a = counted.attribution();
      Count(state, a.node(), a.campaign_id(), a.date(), One(kRectificationsIssued));
      return absl::OkStatus();
    }
    case v1::Envelope::kRectificationClosed: {
      const std::string key = absl::StrCat("x|", e.aggregate_id());
      auto counted = Load<v1::CountedRecord>(state, key);
      if (!counted) return Unknown(e, absl::StrCat("rectification ", e.aggregate_id()));
      if (counted->settled()) return absl::OkStatus();
      counted->set_settled(true);
      Store(state, key, *counted);
      const v1::Attribution& a = counted->attribution();
      Count(state, a.node(), a.campaign_id(), a.date(), One(kRectificationsClosed));
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status Projection::ApplyFunds(ProjectionState& state, const v1::Envelope& e) {
  const std::string budget_key = absl::StrCat("b|", e.aggregate_id());
  if (e.has_budget_allocated()) {
    const v1::BudgetAllocated& r = e.budget_allocated();
    v1::BudgetRecord budget = Load<v1::BudgetRecord>(state, budget_key).value_or(v1::BudgetRecord());
    budget.set_source_organisation_id(r.source_organisation_id());
    budget.set_purpose(r.purpose());
    budget.set_year(r.year());
    if (!r.campaign_id().empty()) budget.set_campaign_id(r.campaign_id());
    budget.set_allocated_fen(WrappingAdd(budget.allocated_fen(), r.amount_fen()));
    Store(state, budget_key, budget);
    v1::Date start;
    start.set_year(r.year());
    start.set_month(1);
    start.set_day(1);
    Count(state, OrganisationNode(r.source_organisation_id()), budget.campaign_id(),
          r.year() > 0 ? start : DayOf(e.occurred_at()), One(kBudgetAllocatedFen, r.amount_fen()));
    return absl::OkStatus();
  }
  auto budget = Load<v1::BudgetRecord>(state, budget_key);
  std::string campaign = budget ? budget->campaign_id() : "";
  auto count_payment = [&](const v1::DisbursementRecord& d, int64_t amount_fen) {
    const v1::Attribution& a = d.attribution();
    v1::Tally received = One(kFundsReceivedFen, amount_fen);
    AddCount(received, kFundsReceivedByPurposeFen + d.purpose(), amount_fen);
    v1::SourceAmount* source = received.add_funds_by_source();
    source->set_source_organisation_id(d.source_organisation_id());
    source->set_amount_fen(amount_fen);
    Count(state, a.node(), a.campaign_id(), a.date(), received);
    Count(state, OrganisationNode(d.source_organisation_id()), a.campaign_id(), a.date(),
          One(kFundsPaidOutFen, amount_fen));
  };
  if (e.has_funds_disbursed()) {
    const v1::FundsDisbursed& r = e.funds_disbursed();
    v1::DisbursementRecord d;
    d.mutable_attribution()->set_node(SubjectNode(r.recipient()));
    d.mutable_attribution()->set_campaign_id(campaign);
    *d.mutable_attribution()->mutable_date() = DateOr(r.paid_on(), e);
    d.set_source_organisation_id(r.source_organisation_id());
    d.set_purpose(r.purpose());
    d.set_amount_fen(r.amount_fen());
    Store(state, absl::StrCat("d|", e.aggregate_id(), kNul, r.disbursement_id()), d);
    count_payment(d, r.amount_fen());
    const v1::Attribution& a = d.attribution();
    Count(state, a.node(), a.campaign_id(), a.date(), One(kDisbursements));
    return absl::OkStatus();
  }
  if (e.has_funds_reversed()) {
    const v1::FundsReversed& r = e.funds_reversed();
    std::string key = absl::StrCat("d|", e.aggregate_id(), kNul, r.disbursement_id());
    auto d = Load<v1::DisbursementRecord>(state, key);
    if (!d) return Unknown(e, absl::StrCat("disbursement ", r.disbursement_id()));
    d->set_reversed_fen(WrappingAdd(d->reversed_fen(), r.amount_fen()));
    Store(state, key, *d);
    count_payment(*d, WrappingSigned(-1, r.amount_fen()));
  }
  return absl::OkStatus();
}

absl::Status Projection::ApplyOther(ProjectionState& state, const v1::Envelope& e) {
  const std::string counted_key = absl::StrCat("x|", e.aggregate_id());
  // A fact counted once, for later events of the aggregate to settle.
  auto count_fact = [&](const std::string& node, const std::string& campaign,
                        const v1::Date& date, int figure) {
    v1::CountedRecord counted;
    counted.mutable_attribution()->set_node(node);
    counted.mutable_attribution()->set_campaign_id(campaign);
    *counted.mutable_attribution()->mutable_date() = date;
    counted.set_figure(figure);
    Store(state, counted_key, counted);
    Count(state, node, campaign, date, One(figure));
  };
  auto settle = [&](absl::string_view what, int minus_figure,
                    int plus_figure) -> absl::Status {
    auto counted = Load<v1::CountedRecord>(state, counted_key);
    if (!counted) return Unknown(e, absl::StrCat(what, " ", e.aggregate_id()));
    if (counted->settled()) return absl::OkStatus();
    counted->set_settled(true);
    Store(state, counted_key, *counted);
    const v1::Attribution& a = counted->attribution();
    v1::Tally t;
    if (minus_figure >= 0) AddCount(t, minus_figure, -1);
    if (plus_figure >= 0) AddCount(t, plus_figure, 1);
    Count(state, a.node(), a.campaign_id(), a.date(), t);
    return absl::OkStatus();
  };
  switch (e.payload_case()) {
    case v1::Envelope::kCampaignLaunched: {
      const v1::CampaignLaunched& r = e.campaign_launched();
      v1::CampaignRecord c;
      c.set_campaign_id(e.aggregate_id());
      c.set_organisation_id(r.organisation_id());
      c.set_name(r.name());
      if (!r.phases().empty()) c.set_phase(r.phases(0).phase());
      Store(state, CampaignKey(e.aggregate_id()), c);
      return absl::OkStatus();
    }
    case v1::Envelope::kCampaignPhaseChanged:
    case v1::Envelope::kCampaignTargetsSet: {
      auto c = Load<v1::CampaignRecord>(state, CampaignKey(e.aggregate_id()));
      if (!c) return Unknown(e, absl::StrCat("campaign ", e.aggregate_id()));
      if (e.has_campaign_phase_changed()) {
        c->set_phase(e.campaign_phase_changed().phase());
      } else {
        const v1::CampaignTargetsSet& r = e.campaign_targets_set();
        v1::CampaignYearTargets t;
        t.set_year(r.year());
        t.set_advanced_organisation_share_bp(r.advanced_organisation_share_bp());
        t.set_advanced_organisation_level(r.advanced_organisation_level());
        t.set_excellent_member_share_bp(r.excellent_member_share_bp());
        t.set_excellent_member_level(r.excellent_member_level());
        t.set_leader_reviews_per_quarter(r.leader_reviews_per_quarter());
        t.set_leader_review_coverage_bp(r.leader_review_coverage_bp());
        auto* targets = c->mutable_targets();
        auto it = std::find_if(targets->begin(), targets->end(),
                               [&](const v1::CampaignYearTargets& x) { return x.year() == r.year(); });
        if (it != targets->end()) {
          *it = t;
        } else {
          *targets->Add() = t;
          std::sort(targets->begin(), targets->end(),
                    [](const auto& a, const auto& b) { return a.year() < b.year(); });
        }
      }
      Store(state, CampaignKey(e.aggregate_id()), *c);
      return absl::OkStatus();
    }
    case v1::Envelope::kPioneerPostEstablished: {
      const v1::PioneerPostEstablished& r = e.pioneer_post_established();
      v1::Date date = DayOf(e.occurred_at());
      if (r.year() > 0 && r.year() != date.year()) date = v1::Date();
      if (!date.year()) {
        date.set_year(r.year());
        date.set_month(1);
        date.set_day(1);
      }
      // Where its holder is, like the subsidy paid to the holder (PostFigures).
      count_fact(
          r.member_id().empty() ? OrganisationNode(r.organisation_id()) : MemberNode(r.member_id()),
          r.campaign_id(), date, kPostsEstablished);
      return absl::OkStatus();
    }
    case v1::Envelope::kPioneerPostAssessed:
      return settle("pioneer post", -1,
                    e.pioneer_post_assessed().result() == v1::ASSESSMENT_RESULT_PASSED
                        ? kPostsPassed
                        : kPostsFailed);
    case v1::Envelope::kPairingEstablished: {
      const v1::PairingEstablished& r = e.pairing_established();
      count_fact(OrganisationNode(r.recipient_organisation_id()), r.campaign_id(),
                 DateOr(r.signed_on(), e), kPairings);
      return absl::OkStatus();
    }
    case v1::Envelope::kPairingEnded:
      return settle("pairing", kPairings, -1);
    case v1::Envelope::kHonourConferred: {
      const v1::HonourConferred& r = e.honour_conferred();
      if (r.kind() <= 0) return absl::OkStatus();
      count_fact(SubjectNode(r.recipient()), r.campaign_id(), DateOr(r.conferred_on(), e),
                 kHonoursByKind + r.kind());
      return absl::OkStatus();
    }
    case v1::Envelope::kHonourRevoked: {
      auto counted = Load<v1::CountedRecord>(state, counted_key);
      if (!counted) return Unknown(e, absl::StrCat("honour ", e.aggregate_id()));
      return settle("honour", counted->figure(), -1);
    }
    case v1::Envelope::kInspectionRecorded: {
      const v1::InspectionRecorded& r = e.inspection_recorded();
      Count(state, OrganisationNode(r.inspected_organisation_id()), r.campaign_id(),
            DateOr(r.inspected_on(), e), One(kInspections));
      return absl::OkStatus();
    }
    case v1::Envelope::kReportSubmitted: {
      const v1::ReportSubmitted& r = e.report_submitted();
      Count(state, OrganisationNode(r.reporting_organisation_id()), r.campaign_id(),
            DateOr(r.period_ends_on(), e), One(kReports));
      return absl::OkStatus();
    }
    case v1::Envelope::kMeetingHeld: {
      const v1::MeetingHeld& r = e.meeting_held();
      v1::Tally t = One(kMeetings);
      AddCount(t, kMeetingAttendance, r.attended_count());
      AddCount(t, kMeetingExpected, r.expected_count());
      Count(state, OrganisationNode(r.organisation_id()), r.campaign_id(), DateOr(r.held_on(), e),
            t);
      return absl::OkStatus();
    }
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("event type \"", e.event_type(), "\" has no projection"));
  }
}

}  // namespace vanguard::views::internal
