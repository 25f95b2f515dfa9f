#include "tests/fuzz/command_harness.h"

#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "libs/domain/budget.h"
#include "libs/domain/campaign.h"
#include "libs/domain/honour.h"
#include "libs/domain/leader_review.h"
#include "libs/domain/mass_evaluation.h"
#include "libs/domain/member_appraisal.h"
#include "libs/domain/pairing.h"
#include "libs/domain/pioneer_post.h"
#include "libs/domain/pledge.h"
#include "libs/domain/rectification.h"
#include "libs/domain/supervision.h"
#include "libs/domain/validation.h"
#include "tests/fuzz/fuzz_input.h"

namespace vanguard::fuzz {
namespace {

using Decision = absl::StatusOr<std::vector<v1::Envelope>>;

const google::protobuf::OneofDescriptor& Commands() {
  return *v1::SubmitRequest::descriptor()->FindOneofByName("command");
}

std::optional<v1::Date> OptionalDate(bool has, const v1::Date& date) {
  if (!has) return std::nullopt;
  return date;
}

// Folds the aggregate and decides as the handler would (with the tree and the
// member where the domain's Decide takes them); applies the events to the
// state as every reader will.
template <typename State, typename Command>
Decision DecideOn(const World& world, const Command& command) {
  State state;
  for (const v1::Envelope& event : world.history) state.Apply(event);
  Decision decision;
  if constexpr (requires { domain::Decide(state, command, world.tree, world.MemberOrNull(),
                                          world.context); }) {
    decision = domain::Decide(state, command, world.tree, world.MemberOrNull(), world.context);
  } else if constexpr (requires {
                         domain::Decide(state, command, world.MemberOrNull(), world.context);
                       }) {
    decision = domain::Decide(state, command, world.MemberOrNull(), world.context);
  } else if constexpr (requires { domain::Decide(state, command, world.tree, world.context); }) {
    decision = domain::Decide(state, command, world.tree, world.context);
  } else {
    decision = domain::Decide(state, command, world.context);
  }
  if (decision.ok()) {
    for (const v1::Envelope& event : *decision) state.Apply(event);
  }
  return decision;
}

// The organisation tree is its own state.
template <typename Command>
Decision DecideOnTree(const World& world, const Command& command) {
  const Decision decision = domain::Decide(world.tree, command, world.context);
  if (decision.ok()) {
    domain::OrgTree tree = world.tree;
    for (const v1::Envelope& event : *decision) tree.Apply(event);
  }
  return decision;
}

}  // namespace

bool ParseCommandInput(const uint8_t* data, size_t size, CommandInput& out) {
  FuzzInput in(data, size);
  const google::protobuf::FieldDescriptor* chosen =
      Commands().field(in.TakeByte() % Commands().field_count());
  const uint8_t actor = in.TakeByte();
  const int day = in.TakeUint16();

  World& world = out.world;
  static const absl::TimeZone shanghai = *domain::ShanghaiTimeZone();
  world.context = {.principal_id = "fuzz-principal",
                   .now = absl::FromCivil(absl::CivilDay(2000, 1, 1) + day, shanghai) +
                          absl::Hours(10)};
  world.pass_member = (actor & 0x80) != 0;
  std::vector<std::string> organisations;
  for (int count = in.TakeByte() % 32; count > 0; --count) {
    const std::string_view chunk = in.TakeChunk();
    v1::Envelope event;
    if (!event.ParseFromArray(chunk.data(), static_cast<int>(chunk.size()))) continue;
    if (event.has_organisation_registered()) {
      organisations.push_back(event.organisation_registered().organisation_id());
    }
    world.tree.Apply(event);
    world.member.Apply(event);
    world.history.push_back(std::move(event));
  }
  const size_t pick = (actor & 0x7f) % (organisations.size() + 1);
  if (pick < organisations.size()) world.context.actor_organisation_id = organisations[pick];

  const std::string_view request = in.TakeRest();
  google::protobuf::Message* command =
      out.request.GetReflection()->MutableMessage(&out.request, chosen);
  return command->ParseFromArray(request.data(), static_cast<int>(request.size()));
}

std::string EncodeCommandInput(const std::vector<v1::Envelope>& history, int actor, int day,
                               const v1::SubmitRequest& request) {
  std::string out;
  const google::protobuf::FieldDescriptor* field =
      v1::SubmitRequest::descriptor()->FindFieldByNumber(request.command_case());
  out.push_back(static_cast<char>(field->index_in_oneof()));
  out.push_back(static_cast<char>(actor));
  out.push_back(static_cast<char>(day >> 8 & 0xff));
  out.push_back(static_cast<char>(day & 0xff));
  out.push_back(static_cast<char>(history.size()));
  for (const v1::Envelope& event : history) PutChunk(out, event.SerializeAsString());
  out += request.GetReflection()->GetMessage(request, field).SerializeAsString();
  return out;
}

Decision DecideRequest(const World& world, const v1::SubmitRequest& submit) {
  using R = v1::SubmitRequest;
  switch (submit.command_case()) {
    case R::kRegisterOrganisation: {
      const auto& r = submit.register_organisation();
      return DecideOnTree(world, domain::RegisterOrganisation{
                              .organisation_id = r.organisation_id(),
                              .parent_id = r.parent_id(),
                              .name = r.name(),
                              .short_name = r.short_name(),
                              .kind = r.kind(),
                              .level = r.level(),
                              .sector = r.sector(),
                              .effective_on = OptionalDate(r.has_effective_on(), r.effective_on())});
    }
    case R::kRenameOrganisation: {
      const auto& r = submit.rename_organisation();
      return DecideOnTree(world, domain::RenameOrganisation{
                              .organisation_id = r.organisation_id(),
                              .name = r.name(),
                              .short_name = r.short_name(),
                              .effective_on = OptionalDate(r.has_effective_on(), r.effective_on()),
                              .reason = r.reason()});
    }
    case R::kMoveOrganisation: {
      const auto& r = submit.move_organisation();
      return DecideOnTree(world, domain::MoveOrganisation{
                              .organisation_id = r.organisation_id(),
                              .parent_id = r.parent_id(),
                              .level = r.level(),
                              .effective_on = OptionalDate(r.has_effective_on(), r.effective_on()),
                              .reason = r.reason()});
    }
    case R::kDissolveOrganisation: {
      const auto& r = submit.dissolve_organisation();
      return DecideOnTree(world, domain::DissolveOrganisation{
                              .organisation_id = r.organisation_id(),
                              .effective_on = OptionalDate(r.has_effective_on(), r.effective_on()),
                              .reason = r.reason(),
                              .successor_id = r.successor_id()});
    }
    case R::kEnrolMember: {
      const auto& r = submit.enrol_member();
      return DecideOn<domain::Member>(
          world, domain::EnrolMember{.organisation_id = r.organisation_id(),
                                     .attributes = r.attributes(),
                                     .effective_on = OptionalDate(r.has_effective_on(),
                                                                  r.effective_on())});
    }
    case R::kUpdateMember: {
      const auto& r = submit.update_member();
      return DecideOn<domain::Member>(
          world, domain::UpdateMember{
                     .attributes = r.attributes(),
                     .effective_on = OptionalDate(r.has_effective_on(), r.effective_on()),
                     .reason = r.reason()});
    }
    case R::kTransferMember: {
      const auto& r = submit.transfer_member();
      return DecideOn<domain::Member>(
          world, domain::TransferMember{
                     .to_organisation_id = r.to_organisation_id(),
                     .effective_on = OptionalDate(r.has_effective_on(), r.effective_on()),
                     .reason = r.reason()});
    }
    case R::kRecordMemberLeft: {
      const auto& r = submit.record_member_left();
      return DecideOn<domain::Member>(
          world, domain::RecordMemberLeft{
                     .reason = r.reason(),
                     .effective_on = OptionalDate(r.has_effective_on(), r.effective_on()),
                     .note = r.note()});
    }
    case R::kMakePledge: {
      const auto& r = submit.make_pledge();
      return DecideOn<domain::Pledge>(world, domain::MakePledge{.campaign_id = r.campaign_id(),
                                                         .pledger = r.pledger(),
                                                         .kind = r.kind(),
                                                         .theme = r.theme(),
                                                         .text = r.text(),
                                                         .target = r.target(),
                                                         .due_on = r.due_on()});
    }
    case R::kApprovePledge:
      return DecideOn<domain::Pledge>(world,
                               domain::ApprovePledge{.comment = submit.approve_pledge().comment()});
    case R::kSendBackPledge:
      return DecideOn<domain::Pledge>(
          world, domain::SendBackPledge{.comment = submit.send_back_pledge().comment()});
    case R::kRevisePledge: {
      const auto& r = submit.revise_pledge();
      return DecideOn<domain::Pledge>(world, domain::RevisePledge{.kind = r.kind(),
                                                           .theme = r.theme(),
                                                           .text = r.text(),
                                                           .target = r.target(),
                                                           .due_on = r.due_on(),
                                                           .comment = r.comment()});
    }
    case R::kReportPledgeProgress: {
      const auto& r = submit.report_pledge_progress();
      return DecideOn<domain::Pledge>(
          world, domain::ReportPledgeProgress{.as_of = r.as_of(),
                                              .achieved = r.achieved(),
                                              .description = r.description(),
                                              .evidence = {r.evidence().begin(),
                                                           r.evidence().end()}});
    }
    case R::kAssessPledge: {
      const auto& r = submit.assess_pledge();
      return DecideOn<domain::Pledge>(world, domain::AssessPledge{.year = r.year(),
                                                           .quarter = r.quarter(),
                                                           .rating = r.rating(),
                                                           .comment = r.comment()});
    }
    case R::kFulfilPledge: {
      const auto& r = submit.fulfil_pledge();
      return DecideOn<domain::Pledge>(
          world,
          domain::FulfilPledge{.fulfilled_on = OptionalDate(r.has_fulfilled_on(), r.fulfilled_on()),
                               .achieved = r.achieved(),
                               .description = r.description(),
                               .evidence = {r.evidence().begin(), r.evidence().end()}});
    }
    case R::kWithdrawPledge:
      return DecideOn<domain::Pledge>(world,
                               domain::WithdrawPledge{.reason = submit.withdraw_pledge().reason()});
    case R::kEvaluatePledge: {
      const auto& r = submit.evaluate_pledge();
      return DecideOn<domain::Pledge>(world, domain::EvaluatePledge{.year = r.year(),
                                                             .rating = r.rating(),
                                                             .mass_counts = r.mass_counts(),
                                                             .comment = r.comment()});
    }
    case R::kLaunchCampaign: {
      const auto& r = submit.launch_campaign();
      return DecideOn<domain::Campaign>(
          world, domain::LaunchCampaign{.organisation_id = r.organisation_id(),
                                        .name = r.name(),
                                        .theme = r.theme(),
                                        .carrier = r.carrier(),
                                        .phases = {r.phases().begin(), r.phases().end()}});
    }
    case R::kChangeCampaignPhase: {
      const auto& r = submit.change_campaign_phase();
      return DecideOn<domain::Campaign>(
          world, domain::ChangeCampaignPhase{
                     .phase = r.phase(),
                     .effective_on = OptionalDate(r.has_effective_on(), r.effective_on())});
    }
    case R::kSetCampaignTargets: {
      const auto& r = submit.set_campaign_targets();
      domain::SetCampaignTargets command{
          .year = r.year(),
          .advanced_organisation_share_bp = r.advanced_organisation_share_bp(),
          .advanced_organisation_level = r.advanced_organisation_level(),
          .excellent_member_share_bp = r.excellent_member_share_bp(),
          .excellent_member_level = r.excellent_member_level(),
          .leader_reviews_per_quarter = r.leader_reviews_per_quarter(),
          .leader_review_coverage_bp = r.leader_review_coverage_bp(),
          .note = r.note()};
      for (int sector : r.advanced_organisation_sectors()) {
        command.advanced_organisation_sectors.push_back(static_cast<v1::Sector>(sector));
      }
      return DecideOn<domain::Campaign>(world, command);
    }
    case R::kDoLeaderReview: {
      const auto& r = submit.do_leader_review();
      std::optional<absl::Time> reviewed_at;
      if (r.has_reviewed_at()) {
        reviewed_at = absl::FromUnixSeconds(r.reviewed_at().seconds()) +
                      absl::Nanoseconds(r.reviewed_at().nanos());
      }
      return DecideOn<domain::LeaderReview>(world,
                                     domain::DoLeaderReview{.leader_member_id = r.leader_member_id(),
                                                            .leader_name = r.leader_name(),
                                                            .subject = r.subject(),
                                                            .campaign_id = r.campaign_id(),
                                                            .reviewed_at = reviewed_at,
                                                            .achievements = r.achievements(),
                                                            .problems = r.problems(),
                                                            .suggestions = r.suggestions(),
                                                            .rating = r.rating()});
    }
    case R::kDoMassEvaluation: {
      const auto& r = submit.do_mass_evaluation();
      return DecideOn<domain::MassEvaluation>(
          world, domain::DoMassEvaluation{
                     .subject = r.subject(),
                     .campaign_id = r.campaign_id(),
                     .period = r.period(),
                     .year = r.year(),
                     .evaluated_on = OptionalDate(r.has_evaluated_on(), r.evaluated_on()),
                     .counts = r.counts(),
                     .comment = r.comment()});
    }
    case R::kAppraiseMember: {
      const auto& r = submit.appraise_member();
      return DecideOn<domain::MemberAppraisal>(
          world, domain::AppraiseMember{
                     .member_id = r.member_id(),
                     .campaign_id = r.campaign_id(),
                     .year = r.year(),
                     .appraised_on = OptionalDate(r.has_appraised_on(), r.appraised_on()),
                     .grade = r.grade(),
                     .report_submitted = r.report_submitted(),
                     .mass_counts = r.mass_counts(),
                     .comment = r.comment()});
    }
    case R::kIssueRectification: {
      const auto& r = submit.issue_rectification();
      return DecideOn<domain::Rectification>(
          world, domain::IssueRectification{.responsible = r.responsible(),
                                            .source = r.source(),
                                            .campaign_id = r.campaign_id(),
                                            .problem = r.problem(),
                                            .required_action = r.required_action(),
                                            .deadline = r.deadline()});
    }
    case R::kCloseRectification: {
      const auto& r = submit.close_rectification();
      return DecideOn<domain::Rectification>(
          world,
          domain::CloseRectification{.closed_on = OptionalDate(r.has_closed_on(), r.closed_on()),
                                     .resolution = r.resolution(),
                                     .evidence = {r.evidence().begin(), r.evidence().end()}});
    }
    case R::kEstablishPioneerPost: {
      const auto& r = submit.establish_pioneer_post();
      return DecideOn<domain::PioneerPost>(
          world, domain::EstablishPioneerPost{.organisation_id = r.organisation_id(),
                                              .member_id = r.member_id(),
                                              .campaign_id = r.campaign_id(),
                                              .year = r.year(),
                                              .post = r.post(),
                                              .duty = r.duty()});
    }
    case R::kAssessPioneerPost: {
      const auto& r = submit.assess_pioneer_post();
      return DecideOn<domain::PioneerPost>(world, domain::AssessPioneerPost{.year = r.year(),
                                                                     .result = r.result(),
                                                                     .comment = r.comment()});
    }
    case R::kEstablishPairing: {
      const auto& r = submit.establish_pairing();
      return DecideOn<domain::Pairing>(
          world, domain::EstablishPairing{
                     .department_organisation_id = r.department_organisation_id(),
                     .recipient_organisation_id = r.recipient_organisation_id(),
                     .campaign_id = r.campaign_id(),
                     .programme = r.programme(),
                     .agreement_text = r.agreement_text(),
                     .signed_on = OptionalDate(r.has_signed_on(), r.signed_on())});
    }
    case R::kEndPairing: {
      const auto& r = submit.end_pairing();
      return DecideOn<domain::Pairing>(
          world, domain::EndPairing{.ended_on = OptionalDate(r.has_ended_on(), r.ended_on()),
                                    .reason = r.reason()});
    }
    case R::kAllocateBudget: {
      const auto& r = submit.allocate_budget();
      return DecideOn<domain::Budget>(world,
                               domain::AllocateBudget{.source_organisation_id =
                                                          r.source_organisation_id(),
                                                      .purpose = r.purpose(),
                                                      .year = r.year(),
                                                      .amount_fen = r.amount_fen(),
                                                      .campaign_id = r.campaign_id(),
                                                      .description = r.description()});
    }
    case R::kDisburseFunds: {
      const auto& r = submit.disburse_funds();
      domain::DisburseFunds command{
          .disbursement_id = absl::StrCat("dsb-", r.request_id()),
          .recipient = r.recipient(),
          .purpose = r.purpose(),
          .amount_fen = r.amount_fen(),
          .reference = r.reference(),
          .year = r.year(),
          .paid_on = OptionalDate(r.has_paid_on(), r.paid_on()),
          .description = r.description()};
      if (command.reference.kind() == v1::REFERENCE_KIND_PIONEER_POST) {
        // The handler reads the post's assessment from the post's own events.
        domain::PioneerPost post;
        for (const v1::Envelope& event : world.history) post.Apply(event);
        command.post_assessment = post.ResultFor(command.year);
        command.post_holder_member_id = post.member_id();
      }
      return DecideOn<domain::Budget>(world, command);
    }
    case R::kReverseFunds: {
      const auto& r = submit.reverse_funds();
      return DecideOn<domain::Budget>(
          world,
          domain::ReverseFunds{.disbursement_id = r.disbursement_id(),
                               .amount_fen = r.amount_fen(),
                               .reason = r.reason(),
                               .reversed_on = OptionalDate(r.has_reversed_on(), r.reversed_on())});
    }
    case R::kConferHonour: {
      const auto& r = submit.confer_honour();
      return DecideOn<domain::Honour>(
          world, domain::ConferHonour{
                     .kind = r.kind(),
                     .level = r.level(),
                     .year = r.year(),
                     .recipient = r.recipient(),
                     .campaign_id = r.campaign_id(),
                     .conferred_on = OptionalDate(r.has_conferred_on(), r.conferred_on()),
                     .citation = r.citation()});
    }
    case R::kRevokeHonour: {
      const auto& r = submit.revoke_honour();
      return DecideOn<domain::Honour>(
          world,
          domain::RevokeHonour{.revoked_on = OptionalDate(r.has_revoked_on(), r.revoked_on()),
                               .reason = r.reason()});
    }
    case R::kRecordInspection: {
      const auto& r = submit.record_inspection();
      return DecideOn<domain::SupervisionRecord>(
          world, domain::RecordInspection{
                     .inspected_organisation_id = r.inspected_organisation_id(),
                     .campaign_id = r.campaign_id(),
                     .kind = r.kind(),
                     .period = r.period(),
                     .inspected_on = OptionalDate(r.has_inspected_on(), r.inspected_on()),
                     .inspector_count = r.inspector_count(),
                     .findings = r.findings(),
                     .rating = r.rating()});
    }
    case R::kSubmitReport: {
      const auto& r = submit.submit_report();
      return DecideOn<domain::SupervisionRecord>(
          world, domain::SubmitReport{
                     .recipient_organisation_id = r.recipient_organisation_id(),
                     .campaign_id = r.campaign_id(),
                     .period = r.period(),
                     .period_starts_on = r.period_starts_on(),
                     .period_ends_on = r.period_ends_on(),
                     .title = r.title(),
                     .content = r.content(),
                     .attachments = {r.attachments().begin(), r.attachments().end()}});
    }
    case R::kHoldMeeting: {
      const auto& r = submit.hold_meeting();
      return DecideOn<domain::SupervisionRecord>(
          world, domain::HoldMeeting{.campaign_id = r.campaign_id(),
                                     .kind = r.kind(),
                                     .held_on = OptionalDate(r.has_held_on(), r.held_on()),
                                     .title = r.title(),
                                     .expected_count = r.expected_count(),
                                     .attended_count = r.attended_count(),
                                     .speaker = r.speaker(),
                                     .summary = r.summary()});
    }
    case R::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("command: must be set");
}


}  // namespace vanguard::fuzz
