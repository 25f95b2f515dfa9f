#include "libs/domain/campaign.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_checks.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {
namespace {

constexpr int32_t kWholeBasisPoints = 10000;

absl::Status CheckLauncher(const Campaign& campaign, const Context& context) {
  if (!campaign.exists()) return absl::NotFoundError("campaign not found");
  if (context.actor_organisation_id != campaign.organisation_id()) {
    // Not naming it: the caller may be outside its scope.
    return absl::PermissionDeniedError("only the launching organisation may do this");
  }
  return absl::OkStatus();
}

absl::Status CheckPhases(const std::vector<v1::PhasePlan>& phases) {
  if (phases.empty()) return absl::InvalidArgumentError("phases: must not be empty");
  for (size_t i = 0; i < phases.size(); ++i) {
    const std::string field = absl::StrCat("phases[", i, "]");
    const v1::PhasePlan& plan = phases[i];
    if (plan.phase() == v1::CAMPAIGN_PHASE_UNSPECIFIED ||
        !v1::CampaignPhase_IsValid(plan.phase())) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".phase: must be specified"));
    }
    ASSIGN_OR_RETURN(absl::CivilDay starts,
                     ToCivilDay(absl::StrCat(field, ".starts_on"), plan.starts_on()));
    ASSIGN_OR_RETURN(absl::CivilDay ends,
                     ToCivilDay(absl::StrCat(field, ".ends_on"), plan.ends_on()));
    if (ends < starts) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".ends_on: must not be before its starts_on"));
    }
    if (i == 0) continue;
    const v1::PhasePlan& previous = phases[i - 1];
    if (plan.phase() <= previous.phase()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".phase: phases are listed in order, each once; ",
                       v1::CampaignPhase_Name(plan.phase()), " follows ",
                       v1::CampaignPhase_Name(previous.phase())));
    }
    if (starts <= ToCivilDay("", previous.ends_on()).value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".starts_on: must be after the previous phase ends"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBasisPoints(absl::string_view field, int32_t share_bp) {
  if (share_bp < 0 || share_bp > kWholeBasisPoints) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 0..10000 basis points"));
  }
  return absl::OkStatus();
}

// A share of honoured organisations or members, and the level that counts.
absl::Status CheckShare(absl::string_view field, int32_t share_bp, v1::HonourLevel level,
                        absl::string_view level_field) {
  RETURN_IF_ERROR(CheckBasisPoints(field, share_bp));
  if (!v1::HonourLevel_IsValid(level)) {
    return absl::InvalidArgumentError(absl::StrCat(level_field, ": unknown value"));
  }
  if (share_bp > 0 && level == v1::HONOUR_LEVEL_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(level_field, ": must name the honour level that counts"));
  }
  return absl::OkStatus();
}

}  // namespace

bool Campaign::Plans(v1::CampaignPhase phase) const {
  for (const v1::PhasePlan& plan : launched_.phases()) {
    if (plan.phase() == phase) return true;
  }
  return false;
}

const v1::CampaignTargetsSet* Campaign::TargetsFor(int32_t year) const {
  auto it = targets_.find(year);
  return it == targets_.end() ? nullptr : &it->second;
}

void Campaign::Apply(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kCampaignLaunched:
      launched_ = envelope.campaign_launched();
      if (launched_.phases_size() > 0) {
        phase_ = launched_.phases(0).phase();
        phase_started_on_ = launched_.phases(0).starts_on();
      }
      break;
    case v1::Envelope::kCampaignPhaseChanged:
      phase_ = envelope.campaign_phase_changed().phase();
      phase_started_on_ = envelope.campaign_phase_changed().effective_on();
      break;
    case v1::Envelope::kCampaignTargetsSet:
      targets_[envelope.campaign_targets_set().year()] = envelope.campaign_targets_set();
      break;
    default:
      return;
  }
  ++version_;
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Campaign& campaign,
                                                 const LaunchCampaign& command, const OrgTree& tree,
                                                 const Context& context) {
  if (campaign.exists()) return absl::AlreadyExistsError("campaign already exists");
  ASSIGN_OR_RETURN(const Organisation* launcher,
                   LiveOrganisation("organisation_id", tree, command.organisation_id));
  if (launcher->kind != v1::ORGANISATION_KIND_COMMITTEE &&
      launcher->kind != v1::ORGANISATION_KIND_WORKING_COMMITTEE) {
    return absl::FailedPreconditionError(
        absl::StrCat("organisation_id: ", launcher->organisation_id,
                     " is not a committee; campaigns are launched by committees"));
  }
  if (context.actor_organisation_id != launcher->organisation_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("only ", launcher->organisation_id, " may launch a campaign in its name"));
  }
  RETURN_IF_ERROR(CheckText("name", command.name, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckText("theme", command.theme, kMaxTextBytes, Required::kYes));
  RETURN_IF_ERROR(CheckText("carrier", command.carrier, kMaxNameBytes, Required::kYes));
  RETURN_IF_ERROR(CheckPhases(command.phases));

  v1::Envelope envelope;
  v1::CampaignLaunched& event = *envelope.mutable_campaign_launched();
  event.set_organisation_id(command.organisation_id);
  event.set_name(command.name);
  event.set_theme(command.theme);
  event.set_carrier(command.carrier);
  for (const v1::PhasePlan& plan : command.phases) *event.add_phases() = plan;
  *event.mutable_starts_on() = command.phases.front().starts_on();
  *event.mutable_ends_on() = command.phases.back().ends_on();
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Campaign& campaign,
                                                 const ChangeCampaignPhase& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckLauncher(campaign, context));
  if (command.phase == v1::CAMPAIGN_PHASE_UNSPECIFIED || !campaign.Plans(command.phase)) {
    return absl::InvalidArgumentError("phase: must be a phase of the campaign's plan");
  }
  if (command.phase <= campaign.phase()) {
    return absl::FailedPreconditionError(absl::StrCat("phase: the campaign is in ",
                                                      v1::CampaignPhase_Name(campaign.phase()),
                                                      "; phases change only forward"));
  }
  ASSIGN_OR_RETURN(v1::Date effective_on,
                   PastOrToday("effective_on", command.effective_on, context.now));
  ASSIGN_OR_RETURN(absl::CivilDay effective_day, ToCivilDay("effective_on", effective_on));
  ASSIGN_OR_RETURN(absl::CivilDay started,
                   ToCivilDay("phase_started_on", campaign.phase_started_on()));
  if (effective_day < started) {
    return absl::InvalidArgumentError(
        absl::StrCat("effective_on: must not be before the current phase began, ",
                     absl::FormatCivilTime(started)));
  }

  v1::Envelope envelope;
  v1::CampaignPhaseChanged& event = *envelope.mutable_campaign_phase_changed();
  event.set_previous_phase(campaign.phase());
  event.set_phase(command.phase);
  *event.mutable_effective_on() = effective_on;
  return OneEvent(std::move(envelope));
}

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Campaign& campaign,
                                                 const SetCampaignTargets& command,
                                                 const Context& context) {
  RETURN_IF_ERROR(CheckLauncher(campaign, context));
  const int32_t first_year = campaign.launched().starts_on().year();
  const int32_t last_year = campaign.launched().ends_on().year();
  if (command.year != 0 && (command.year < first_year || command.year > last_year)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "year: must be 0 (every year) or within the campaign, ", first_year, "..", last_year));
  }
  RETURN_IF_ERROR(CheckShare("advanced_organisation_share_bp",
                             command.advanced_organisation_share_bp,
                             command.advanced_organisation_level, "advanced_organisation_level"));
  RETURN_IF_ERROR(CheckShare("excellent_member_share_bp", command.excellent_member_share_bp,
                             command.excellent_member_level, "excellent_member_level"));
  RETURN_IF_ERROR(CheckBasisPoints("leader_review_coverage_bp", command.leader_review_coverage_bp));
  for (size_t i = 0; i < command.advanced_organisation_sectors.size(); ++i) {
    const v1::Sector sector = command.advanced_organisation_sectors[i];
    if (sector == v1::SECTOR_UNSPECIFIED || !v1::Sector_IsValid(sector)) {
      return absl::InvalidArgumentError(
          absl::StrCat("advanced_organisation_sectors[", i, "]: must be specified"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (command.advanced_organisation_sectors[j] == sector) {
        return absl::InvalidArgumentError(absl::StrCat("advanced_organisation_sectors[", i,
                                                       "]: repeats ", v1::Sector_Name(sector)));
      }
    }
  }
  if (command.leader_reviews_per_quarter < 0) {
    return absl::InvalidArgumentError("leader_reviews_per_quarter: must not be negative");
  }
  RETURN_IF_ERROR(CheckText("note", command.note, kMaxTextBytes, Required::kNo));

  v1::Envelope envelope;
  v1::CampaignTargetsSet& event = *envelope.mutable_campaign_targets_set();
  event.set_year(command.year);
  event.set_advanced_organisation_share_bp(command.advanced_organisation_share_bp);
  for (v1::Sector sector : command.advanced_organisation_sectors) {
    event.add_advanced_organisation_sectors(sector);
  }
  event.set_advanced_organisation_level(command.advanced_organisation_level);
  event.set_excellent_member_share_bp(command.excellent_member_share_bp);
  event.set_excellent_member_level(command.excellent_member_level);
  event.set_leader_reviews_per_quarter(command.leader_reviews_per_quarter);
  event.set_leader_review_coverage_bp(command.leader_review_coverage_bp);
  event.set_note(command.note);
  return OneEvent(std::move(envelope));
}

}  // namespace vanguard::domain
