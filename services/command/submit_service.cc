#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "libs/rpc/status.h"
#include "services/command/command_services.h"

namespace vanguard::command {
namespace {

// Calls one unary command method and keeps its CommandResult.
template <typename Service, typename Request, typename Response>
grpc::Status Call(Service* service,
                  grpc::Status (Service::*method)(grpc::ServerContext*, const Request*, Response*),
                  grpc::ServerContext* context, const Request& request, v1::CommandResult* result) {
  Response response;
  grpc::Status status = (service->*method)(context, &request, &response);
  if (status.ok()) *result = std::move(*response.mutable_result());
  return status;
}

v1::SubmitResponse ResponseOf(int64_t index, const grpc::Status& status, v1::CommandResult result) {
  v1::SubmitResponse response;
  response.set_index(index);
  if (status.ok()) {
    *response.mutable_result() = std::move(result);
  } else {
    v1::SubmitError* error = response.mutable_error();
    error->set_code(static_cast<int32_t>(status.error_code()));
    error->set_message(status.error_message());
    error->set_details(status.error_details());
  }
  return response;
}

}  // namespace

grpc::Status SubmitServiceImpl::Submit(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream) {
  // Every command would fail the same way; one status for the stream tells
  // the client without reading (and answering) a whole spreadsheet.
  absl::StatusOr<rpc::Principal> principal = tokens_->Authenticate(*context);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());

  v1::SubmitRequest request;
  for (int64_t index = 0; stream->Read(&request); ++index) {
    v1::CommandResult result;
    const grpc::Status status = Apply(context, request, &result);
    // A failed write means the client is gone; what was applied stays
    // applied, and a resent stream is answered from the first results.
    if (!stream->Write(ResponseOf(index, status, std::move(result)))) break;
  }
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the stream was cancelled");
  }
  return grpc::Status::OK;
}

grpc::Status SubmitServiceImpl::Apply(grpc::ServerContext* context,
                                      const v1::SubmitRequest& request, v1::CommandResult* result) {
  using R = v1::SubmitRequest;
  switch (request.command_case()) {
    case R::kRegisterOrganisation:
      return Call(targets_.organisations, &OrganisationServiceImpl::RegisterOrganisation, context,
                  request.register_organisation(), result);
    case R::kRenameOrganisation:
      return Call(targets_.organisations, &OrganisationServiceImpl::RenameOrganisation, context,
                  request.rename_organisation(), result);
    case R::kMoveOrganisation:
      return Call(targets_.organisations, &OrganisationServiceImpl::MoveOrganisation, context,
                  request.move_organisation(), result);
    case R::kDissolveOrganisation:
      return Call(targets_.organisations, &OrganisationServiceImpl::DissolveOrganisation, context,
                  request.dissolve_organisation(), result);

    case R::kEnrolMember:
      return Call(targets_.members, &MemberServiceImpl::EnrolMember, context,
                  request.enrol_member(), result);
    case R::kUpdateMember:
      return Call(targets_.members, &MemberServiceImpl::UpdateMember, context,
                  request.update_member(), result);
    case R::kTransferMember:
      return Call(targets_.members, &MemberServiceImpl::TransferMember, context,
                  request.transfer_member(), result);
    case R::kRecordMemberLeft:
      return Call(targets_.members, &MemberServiceImpl::RecordMemberLeft, context,
                  request.record_member_left(), result);

    case R::kMakePledge:
      return Call(targets_.pledges, &PledgeServiceImpl::MakePledge, context, request.make_pledge(),
                  result);
    case R::kApprovePledge:
      return Call(targets_.pledges, &PledgeServiceImpl::ApprovePledge, context,
                  request.approve_pledge(), result);
    case R::kSendBackPledge:
      return Call(targets_.pledges, &PledgeServiceImpl::SendBackPledge, context,
                  request.send_back_pledge(), result);
    case R::kRevisePledge:
      return Call(targets_.pledges, &PledgeServiceImpl::RevisePledge, context,
                  request.revise_pledge(), result);
    case R::kReportPledgeProgress:
      return Call(targets_.pledges, &PledgeServiceImpl::ReportPledgeProgress, context,
                  request.report_pledge_progress(), result);
    case R::kAssessPledge:
      return Call(targets_.pledges, &PledgeServiceImpl::AssessPledge, context,
                  request.assess_pledge(), result);
    case R::kFulfilPledge:
      return Call(targets_.pledges, &PledgeServiceImpl::FulfilPledge, context,
                  request.fulfil_pledge(), result);
    case R::kWithdrawPledge:
      return Call(targets_.pledges, &PledgeServiceImpl::WithdrawPledge, context,
                  request.withdraw_pledge(), result);
    case R::kEvaluatePledge:
      return Call(targets_.pledges, &PledgeServiceImpl::EvaluatePledge, context,
                  request.evaluate_pledge(), result);

    case R::kLaunchCampaign:
      return Call(targets_.campaigns, &CampaignServiceImpl::LaunchCampaign, context,
                  request.launch_campaign(), result);
    case R::kChangeCampaignPhase:
      return Call(targets_.campaigns, &CampaignServiceImpl::ChangeCampaignPhase, context,
                  request.change_campaign_phase(), result);
    case R::kSetCampaignTargets:
      return Call(targets_.campaigns, &CampaignServiceImpl::SetCampaignTargets, context,
                  request.set_campaign_targets(), result);

    case R::kDoLeaderReview:
      return Call(targets_.reviews, &ReviewServiceImpl::DoLeaderReview, context,
                  request.do_leader_review(), result);
    case R::kDoMassEvaluation:
      return Call(targets_.reviews, &ReviewServiceImpl::DoMassEvaluation, context,
                  request.do_mass_evaluation(), result);
    case R::kAppraiseMember:
      return Call(targets_.reviews, &ReviewServiceImpl::AppraiseMember, context,
                  request.appraise_member(), result);
    case R::kIssueRectification:
      return Call(targets_.reviews, &ReviewServiceImpl::IssueRectification, context,
                  request.issue_rectification(), result);
    case R::kCloseRectification:
      return Call(targets_.reviews, &ReviewServiceImpl::CloseRectification, context,
                  request.close_rectification(), result);

    case R::kEstablishPioneerPost:
      return Call(targets_.funds, &FundsServiceImpl::EstablishPioneerPost, context,
                  request.establish_pioneer_post(), result);
    case R::kAssessPioneerPost:
      return Call(targets_.funds, &FundsServiceImpl::AssessPioneerPost, context,
                  request.assess_pioneer_post(), result);
    case R::kEstablishPairing:
      return Call(targets_.funds, &FundsServiceImpl::EstablishPairing, context,
                  request.establish_pairing(), result);
    case R::kEndPairing:
      return Call(targets_.funds, &FundsServiceImpl::EndPairing, context, request.end_pairing(),
                  result);
    case R::kAllocateBudget:
      return Call(targets_.funds, &FundsServiceImpl::AllocateBudget, context,
                  request.allocate_budget(), result);
    case R::kDisburseFunds:
      return Call(targets_.funds, &FundsServiceImpl::DisburseFunds, context,
                  request.disburse_funds(), result);
    case R::kReverseFunds:
      return Call(targets_.funds, &FundsServiceImpl::ReverseFunds, context, request.reverse_funds(),
                  result);

    case R::kConferHonour:
      return Call(targets_.honours, &HonourServiceImpl::ConferHonour, context,
                  request.confer_honour(), result);
    case R::kRevokeHonour:
      return Call(targets_.honours, &HonourServiceImpl::RevokeHonour, context,
                  request.revoke_honour(), result);

    case R::kRecordInspection:
      return Call(targets_.supervision, &SupervisionServiceImpl::RecordInspection, context,
                  request.record_inspection(), result);
    case R::kSubmitReport:
      return Call(targets_.supervision, &SupervisionServiceImpl::SubmitReport, context,
                  request.submit_report(), result);
    case R::kHoldMeeting:
      return Call(targets_.supervision, &SupervisionServiceImpl::HoldMeeting, context,
                  request.hold_meeting(), result);

    case R::COMMAND_NOT_SET:
      break;
  }
  // A command of a newer client (a field this server does not know) lands
  // here too: it is not applied, and the client learns which one.
  return rpc::ToGrpcStatus(absl::InvalidArgumentError("command: must be set"));
}

}  // namespace vanguard::command
