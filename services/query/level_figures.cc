#include "services/query/level_figures.h"

#include "libs/views/figures.h"

namespace vanguard::query {
namespace {

using namespace views;  // the figure numbers

int32_t Rate(int64_t part, int64_t whole) {
  return whole <= 0 ? 0 : static_cast<int32_t>(part * 10'000 / whole);
}

void FillPledges(const v1::Tally& t, int32_t as_of, v1::PledgeFigures& out) {
  v1::PledgeCounts* total = out.mutable_total();
  for (v1::PledgeKind kind : {v1::PLEDGE_KIND_WORK, v1::PLEDGE_KIND_DEED}) {
    v1::PledgeCounts counts;
    counts.set_kind(kind);
    counts.set_under_review(Count(t, PledgeFigure(kind, v1::PLEDGE_STATE_UNDER_REVIEW)));
    counts.set_sent_back(Count(t, PledgeFigure(kind, v1::PLEDGE_STATE_SENT_BACK)));
    counts.set_approved(Count(t, PledgeFigure(kind, v1::PLEDGE_STATE_APPROVED)));
    counts.set_fulfilled(Count(t, PledgeFigure(kind, v1::PLEDGE_STATE_FULFILLED)));
    counts.set_withdrawn(Count(t, PledgeFigure(kind, v1::PLEDGE_STATE_WITHDRAWN)));
    counts.set_made(counts.under_review() + counts.sent_back() + counts.approved() +
                    counts.fulfilled() + counts.withdrawn());
    for (const v1::DueCount& due : t.open_pledges_by_due()) {
      if (due.kind() == kind && due.due_on() < as_of) counts.set_overdue(counts.overdue() + due.count());
    }
    total->set_made(total->made() + counts.made());
    total->set_under_review(total->under_review() + counts.under_review());
    total->set_sent_back(total->sent_back() + counts.sent_back());
    total->set_approved(total->approved() + counts.approved());
    total->set_fulfilled(total->fulfilled() + counts.fulfilled());
    total->set_withdrawn(total->withdrawn() + counts.withdrawn());
    total->set_overdue(total->overdue() + counts.overdue());
    *out.add_by_kind() = counts;
  }
  out.set_completion_rate_bp(Rate(total->fulfilled(), total->made()));
  out.set_sent_back_once(Count(t, kPledgesSentBackOnce));
  out.set_revision_rate_bp(Rate(out.sent_back_once(), total->made()));
  out.set_member_pledges(Count(t, kMemberPledges));
  out.set_member_pledges_sent_back(Count(t, kMemberPledgesSentBack));
  out.set_organisation_pledges_sent_back(out.sent_back_once() - out.member_pledges_sent_back());
  out.mutable_as_of()->set_year(as_of / 10000);
  out.mutable_as_of()->set_month(as_of / 100 % 100);
  out.mutable_as_of()->set_day(as_of % 100);
}

}  // namespace

v1::LevelFigures LevelFiguresOf(const views::ViewReader& reader, const std::string& node,
                                const v1::OrganisationRecord* organisation,
                                const BucketChoice& bucket, int32_t as_of) {
  v1::Tally stock = reader.GetTally(node, "", "");
  v1::Tally t = (bucket.campaign.empty() && bucket.period.empty())
                    ? stock
                    : reader.GetTally(node, bucket.campaign, bucket.period);
  // X itself is not one of the organisations under X.
  bool self = organisation != nullptr && !organisation->dissolved();
  v1::LevelFigures f;

  v1::StructureFigures* s = f.mutable_structure();
  s->set_organisations(Count(stock, kOrganisations) - (self ? 1 : 0));
  for (int kind = 1; kind <= 5; ++kind) {
    int64_t n = Count(stock, kOrganisationsByKind + kind) -
                (self && organisation->kind() == kind ? 1 : 0);
    if (n == 0) continue;
    v1::KindCount* c = s->add_organisations_by_kind();
    c->set_kind(static_cast<v1::OrganisationKind>(kind));
    c->set_count(n);
  }
  for (int sector = 1; sector <= 10; ++sector) {
    int64_t n = Count(stock, kOrganisationsBySector + sector) -
                (self && organisation->sector() == sector ? 1 : 0);
    if (n == 0) continue;
    v1::SectorCount* c = s->add_organisations_by_sector();
    c->set_sector(static_cast<v1::Sector>(sector));
    c->set_count(n);
  }
  s->set_members(Count(stock, kMembers));
  for (int category = 1; category <= 6; ++category) {
    int64_t n = Count(stock, kMembersByCategory + category);
    if (n == 0) continue;
    v1::CategoryCount* c = s->add_members_by_category();
    c->set_category(static_cast<v1::MemberCategory>(category));
    c->set_count(n);
  }
  s->set_probationary_members(Count(stock, kMembersProbationary));
  s->set_female_members(Count(stock, kMembersFemale));
  s->set_members_without_post(Count(stock, kMembersWithoutPost));
  s->set_activists(Count(stock, kActivists));

  FillPledges(t, as_of, *f.mutable_pledges());

  v1::ReviewFigures* r = f.mutable_reviews();
  r->set_leader_reviews(Count(t, kLeaderReviews));
  r->set_organisations_reviewed(Count(t, kOrganisationsReviewed));
  if (bucket.period.size() == 7 && bucket.period[5] == 'Q') {
    r->set_coverage_bp(Rate(r->organisations_reviewed(), Count(stock, kOrganisations)));
  }
  r->set_mass_evaluations(Count(t, kMassEvaluations));
  r->set_satisfied(Count(t, kSatisfied));
  r->set_basically_satisfied(Count(t, kBasicallySatisfied));
  r->set_unsatisfied(Count(t, kUnsatisfied));
  r->set_satisfaction_rate_bp(Rate(r->satisfied() + r->basically_satisfied(),
                                   r->satisfied() + r->basically_satisfied() + r->unsatisfied()));
  for (int grade = 1; grade <= 4; ++grade) {
    int64_t n = Count(t, kAppraisalsByGrade + grade);
    if (n == 0) continue;
    v1::GradeCount* g = r->add_appraisals_by_grade();
    g->set_grade(static_cast<v1::AppraisalGrade>(grade));
    g->set_count(n);
  }
  r->set_rectifications_issued(Count(t, kRectificationsIssued));
  r->set_rectifications_closed(Count(t, kRectificationsClosed));
  r->set_rectifications_open(r->rectifications_issued() - r->rectifications_closed());

  v1::PostFigures* p = f.mutable_posts();
  p->set_established(Count(t, kPostsEstablished));
  p->set_passed(Count(t, kPostsPassed));
  p->set_failed(Count(t, kPostsFailed));
  p->set_subsidies_paid_fen(
      Count(t, kFundsReceivedByPurposeFen + v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY));

  v1::FundsFigures* m = f.mutable_funds();
  m->set_received_fen(Count(t, kFundsReceivedFen));
  for (int purpose = 1; purpose <= 6; ++purpose) {
    int64_t n = Count(t, kFundsReceivedByPurposeFen + purpose);
    if (n == 0) continue;
    v1::PurposeAmount* a = m->add_received_by_purpose();
    a->set_purpose(static_cast<v1::FundsPurpose>(purpose));
    a->set_amount_fen(n);
  }
  *m->mutable_received_by_source() = t.funds_by_source();
  m->set_budget_allocated_fen(Count(t, kBudgetAllocatedFen));
  m->set_paid_out_fen(Count(t, kFundsPaidOutFen));
  m->set_budget_left_fen(m->budget_allocated_fen() - m->paid_out_fen());
  m->set_disbursements(Count(t, kDisbursements));
  m->set_pairings(Count(t, kPairings));

  v1::HonourFigures* h = f.mutable_honours();
  h->set_advanced_organisations(Count(t, kHonoursByKind + v1::HONOUR_KIND_ADVANCED_ORGANISATION));
  h->set_advanced_organisation_share_bp(Rate(h->advanced_organisations(), s->organisations()));
  h->set_excellent_members(Count(t, kHonoursByKind + v1::HONOUR_KIND_EXCELLENT_MEMBER));
  h->set_excellent_member_share_bp(Rate(h->excellent_members(), s->members()));
  h->set_excellent_party_workers(Count(t, kHonoursByKind + v1::HONOUR_KIND_EXCELLENT_PARTY_WORKER));
  if (!bucket.campaign.empty() && bucket.period.size() >= 4) {
    int year = std::stoi(bucket.period.substr(0, 4));
    if (std::optional<v1::CampaignRecord> campaign = reader.GetCampaign(bucket.campaign)) {
      for (const v1::CampaignYearTargets& targets : campaign->targets()) {
        if (targets.year() == year) *h->mutable_targets() = targets;
      }
    }
  }

  v1::SupervisionFigures* v = f.mutable_supervision();
  v->set_inspections(Count(t, kInspections));
  v->set_reports(Count(t, kReports));
  v->set_meetings(Count(t, kMeetings));
  v->set_attended(Count(t, kMeetingAttendance));
  v->set_expected(Count(t, kMeetingExpected));
  return f;
}

int64_t FigureValue(const v1::LevelFigures& f, v1::Figure figure) {
  switch (figure) {
    case v1::FIGURE_UNSPECIFIED:
    case v1::FIGURE_ORGANISATIONS:
      return f.structure().organisations();
    case v1::FIGURE_MEMBERS:
      return f.structure().members();
    case v1::FIGURE_PLEDGES_MADE:
      return f.pledges().total().made();
    case v1::FIGURE_PLEDGES_FULFILLED:
      return f.pledges().total().fulfilled();
    case v1::FIGURE_PLEDGES_OVERDUE:
      return f.pledges().total().overdue();
    case v1::FIGURE_COMPLETION_RATE:
      return f.pledges().completion_rate_bp();
    case v1::FIGURE_REVISION_RATE:
      return f.pledges().revision_rate_bp();
    case v1::FIGURE_LEADER_REVIEWS:
      return f.reviews().leader_reviews();
    case v1::FIGURE_REVIEW_COVERAGE:
      return f.reviews().coverage_bp();
    case v1::FIGURE_SATISFACTION_RATE:
      return f.reviews().satisfaction_rate_bp();
    case v1::FIGURE_RECTIFICATIONS_OPEN:
      return f.reviews().rectifications_open();
    case v1::FIGURE_POSTS_PASSED:
      return f.posts().passed();
    case v1::FIGURE_SUBSIDIES_PAID:
      return f.posts().subsidies_paid_fen();
    case v1::FIGURE_FUNDS_RECEIVED:
      return f.funds().received_fen();
    case v1::FIGURE_BUDGET_LEFT:
      return f.funds().budget_left_fen();
    case v1::FIGURE_ADVANCED_ORGANISATIONS:
      return f.honours().advanced_organisations();
    case v1::FIGURE_EXCELLENT_MEMBERS:
      return f.honours().excellent_members();
    case v1::FIGURE_MEETINGS:
      return f.supervision().meetings();
    default:
      return 0;
  }
}

}  // namespace vanguard::query
