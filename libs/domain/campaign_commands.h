// The commands of the campaign's other aggregates: campaigns, reviews,
// rectifications, pioneer posts, pairings, budgets, honours and supervision.
// They follow commands.h: plain structs mapped from the gRPC requests at the
// edge, decided with the same Context.
//
//   DisburseFunds command{.disbursement_id = "d-1", .amount_fen = 60000, ...};
//   absl::StatusOr<std::vector<v1::Envelope>> events =
//       Decide(budget, command, tree, context);
//
// An unset `std::optional<v1::Date>` day means "the day of Context::now in
// the Asia/Shanghai calendar"; an unset `std::optional<absl::Time>` means
// Context::now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "vanguard/v1/campaign_events.pb.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/supervision_events.pb.h"

namespace vanguard::domain {

// --- Campaigns -------------------------------------------------------------

struct LaunchCampaign {
  // The launching committee; the campaign covers its subtree.
  std::string organisation_id;
  std::string name;
  std::string theme;
  std::string carrier;
  // In order; the campaign runs from the first phase's start to the last's end.
  std::vector<v1::PhasePlan> phases;
};

struct ChangeCampaignPhase {
  v1::CampaignPhase phase = v1::CAMPAIGN_PHASE_UNSPECIFIED;
  std::optional<v1::Date> effective_on;
};

// The complete targets; they replace earlier ones for the same year.
struct SetCampaignTargets {
  // 0 for every year of the campaign.
  int32_t year = 0;
  int32_t advanced_organisation_share_bp = 0;
  std::vector<v1::Sector> advanced_organisation_sectors;
  v1::HonourLevel advanced_organisation_level = v1::HONOUR_LEVEL_UNSPECIFIED;
  int32_t excellent_member_share_bp = 0;
  v1::HonourLevel excellent_member_level = v1::HONOUR_LEVEL_UNSPECIFIED;
  int32_t leader_reviews_per_quarter = 0;
  int32_t leader_review_coverage_bp = 0;
  std::string note;
};

// --- Reviews and rectifications ---------------------------------------------

struct DoLeaderReview {
  // May be empty when the leader is not recorded as a member.
  std::string leader_member_id;
  std::string leader_name;
  v1::Subject subject;
  std::string campaign_id;
  // The instant of the review; its Asia/Shanghai day gives the quarter.
  std::optional<absl::Time> reviewed_at;
  std::string achievements;
  std::string problems;
  std::string suggestions;
  v1::Rating rating = v1::RATING_UNSPECIFIED;
};

struct DoMassEvaluation {
  v1::Subject subject;
  std::string campaign_id;
  v1::ReportPeriod period = v1::REPORT_PERIOD_UNSPECIFIED;
  int32_t year = 0;
  std::optional<v1::Date> evaluated_on;
  v1::SatisfactionCounts counts;
  std::string comment;
};

// Routed to the aggregate MemberAppraisalId(member_id, year).
struct AppraiseMember {
  std::string member_id;
  std::string campaign_id;
  int32_t year = 0;
  std::optional<v1::Date> appraised_on;
  v1::AppraisalGrade grade = v1::APPRAISAL_GRADE_UNSPECIFIED;
  bool report_submitted = false;
  // All zero when no mass appraisal was held.
  v1::SatisfactionCounts mass_counts;
  std::string comment;
};

struct IssueRectification {
  v1::Subject responsible;
  // The review, evaluation, appraisal or inspection that found the problem.
  v1::Reference source;
  std::string campaign_id;
  std::string problem;
  std::string required_action;
  v1::Date deadline;
};

struct CloseRectification {
  std::optional<v1::Date> closed_on;
  std::string resolution;
  std::vector<v1::Evidence> evidence;
};

// --- Pioneer posts, pairings and funds --------------------------------------

struct EstablishPioneerPost {
  std::string organisation_id;
  std::string member_id;
  std::string campaign_id;
  int32_t year = 0;
  std::string post;
  std::string duty;
};

struct AssessPioneerPost {
  int32_t year = 0;
  v1::AssessmentResult result = v1::ASSESSMENT_RESULT_UNSPECIFIED;
  std::string comment;
};

struct EstablishPairing {
  std::string department_organisation_id;
  std::string recipient_organisation_id;
  std::string campaign_id;
  std::string programme;
  std::string agreement_text;
  std::optional<v1::Date> signed_on;
};

struct EndPairing {
  std::optional<v1::Date> ended_on;
  std::string reason;
};

// Routed to the aggregate BudgetId(source_organisation_id, purpose, year).
struct AllocateBudget {
  std::string source_organisation_id;
  v1::FundsPurpose purpose = v1::FUNDS_PURPOSE_UNSPECIFIED;
  int32_t year = 0;
  int64_t amount_fen = 0;
  std::string campaign_id;
  std::string description;
};

struct DisburseFunds {
  // Unique in the log; the caller derives it from (principal, request id).
  std::string disbursement_id;
  v1::Subject recipient;
  v1::FundsPurpose purpose = v1::FUNDS_PURPOSE_UNSPECIFIED;
  int64_t amount_fen = 0;
  // May be unset (kind unspecified and id empty).
  v1::Reference reference;
  int32_t year = 0;
  std::optional<v1::Date> paid_on;
  std::string description;
  // For a pioneer-post subsidy only: the post's assessment result for
  // `year`, which the caller reads from the PioneerPost aggregate
  // (PioneerPost::ResultFor); UNSPECIFIED when the post is not assessed.
  v1::AssessmentResult post_assessment = v1::ASSESSMENT_RESULT_UNSPECIFIED;
  // For a pioneer-post subsidy only: the member who holds the post, read from
  // the PioneerPost aggregate like the result; the subsidy goes to them alone.
  std::string post_holder_member_id;
};

struct ReverseFunds {
  std::string disbursement_id;
  int64_t amount_fen = 0;
  std::string reason;
  std::optional<v1::Date> reversed_on;
};

// --- Honours ---------------------------------------------------------------

struct ConferHonour {
  v1::HonourKind kind = v1::HONOUR_KIND_UNSPECIFIED;
  v1::HonourLevel level = v1::HONOUR_LEVEL_UNSPECIFIED;
  int32_t year = 0;
  v1::Subject recipient;
  std::string campaign_id;
  std::optional<v1::Date> conferred_on;
  std::string citation;
};

struct RevokeHonour {
  std::optional<v1::Date> revoked_on;
  std::string reason;
};

// --- Supervision -----------------------------------------------------------

struct RecordInspection {
  std::string inspected_organisation_id;
  std::string campaign_id;
  v1::InspectionKind kind = v1::INSPECTION_KIND_UNSPECIFIED;
  v1::ReportPeriod period = v1::REPORT_PERIOD_UNSPECIFIED;
  std::optional<v1::Date> inspected_on;
  int32_t inspector_count = 0;
  std::string findings;
  // May be unspecified: not every inspection rates.
  v1::Rating rating = v1::RATING_UNSPECIFIED;
};

struct SubmitReport {
  std::string recipient_organisation_id;
  std::string campaign_id;
  v1::ReportPeriod period = v1::REPORT_PERIOD_UNSPECIFIED;
  v1::Date period_starts_on;
  v1::Date period_ends_on;
  std::string title;
  std::string content;
  std::vector<v1::Evidence> attachments;
};

struct HoldMeeting {
  std::string campaign_id;
  v1::MeetingKind kind = v1::MEETING_KIND_UNSPECIFIED;
  std::optional<v1::Date> held_on;
  std::string title;
  int32_t expected_count = 0;
  int32_t attended_count = 0;
  std::string speaker;
  std::string summary;
};

}  // namespace vanguard::domain
