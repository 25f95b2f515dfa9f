#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/budget.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/member.h"
#include "libs/domain/pairing.h"
#include "libs/domain/pioneer_post.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

// The budget a request names by (source, purpose, year). The department rule
// is checked here, before anything is read, so a department naming another
// organisation's budget learns nothing about it.
absl::StatusOr<Plan> BudgetPlan(const rpc::Principal& principal,
                                const std::string& source_organisation_id, v1::FundsPurpose purpose,
                                int32_t year) {
  RETURN_IF_ERROR(internal::RequireId("source_organisation_id", source_organisation_id));
  RETURN_IF_ERROR(internal::CheckOwnBudget(principal, source_organisation_id));
  return Plan{.aggregate_type = v1::AGGREGATE_TYPE_BUDGET,
              .aggregate_id = domain::BudgetId(source_organisation_id, purpose, year)};
}

}  // namespace

grpc::Status FundsServiceImpl::EstablishPioneerPost(grpc::ServerContext* context,
                                                    const v1::EstablishPioneerPostRequest* request,
                                                    v1::EstablishPioneerPostResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "EstablishPioneerPost", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::EstablishPioneerPost command{.organisation_id = request->organisation_id(),
                                             .member_id = request->member_id(),
                                             .campaign_id = request->campaign_id(),
                                             .year = request->year(),
                                             .post = request->post(),
                                             .duty = request->duty()};
        RETURN_IF_ERROR(internal::RequireId("member_id", command.member_id));
        return Plan{
            .aggregate_type = v1::AGGREGATE_TYPE_PIONEER_POST,
            .aggregate_id = writer::DerivedId("pst-", principal.id, request->request_id()),
            .dependencies = {command.member_id},
            .decide = [principal, command](const writer::DecisionInput& input,
                                           const domain::Context& context) -> Decision {
              RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.organisation_id));
              const domain::Member member =
                  internal::FoldDependency<domain::Member>(input, command.member_id);
              const bool known = member.status() != domain::Member::Status::kUnknown;
              return domain::Decide(internal::Fold<domain::PioneerPost>(input.history), command,
                                    input.tree, known ? &member : nullptr, context);
            }};
      },
      response->mutable_result());
}

grpc::Status FundsServiceImpl::AssessPioneerPost(grpc::ServerContext* context,
                                                 const v1::AssessPioneerPostRequest* request,
                                                 v1::AssessPioneerPostResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "AssessPioneerPost", Side::kReviewer, *request,
      [request](const rpc::Principal&) {
        return internal::PlanOn<domain::PioneerPost>(
            v1::AGGREGATE_TYPE_PIONEER_POST, "post_id", request->post_id(),
            domain::AssessPioneerPost{.year = request->year(),
                                      .result = request->result(),
                                      .comment = request->comment()});
      },
      response->mutable_result());
}

grpc::Status FundsServiceImpl::EstablishPairing(grpc::ServerContext* context,
                                                const v1::EstablishPairingRequest* request,
                                                v1::EstablishPairingResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "EstablishPairing", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::EstablishPairing command{
            .department_organisation_id = request->department_organisation_id(),
            .recipient_organisation_id = request->recipient_organisation_id(),
            .campaign_id = request->campaign_id(),
            .programme = request->programme(),
            .agreement_text = request->agreement_text(),
            .signed_on = internal::OptionalDate(request->has_signed_on(), request->signed_on())};
        return Plan{.aggregate_type = v1::AGGREGATE_TYPE_PAIRING,
                    .aggregate_id = writer::DerivedId("par-", principal.id, request->request_id()),
                    .decide = [principal, command](const writer::DecisionInput& input,
                                                   const domain::Context& context) -> Decision {
                      RETURN_IF_ERROR(internal::CheckScope(principal, input.tree,
                                                           command.department_organisation_id));
                      return domain::Decide(internal::Fold<domain::Pairing>(input.history), command,
                                            input.tree, context);
                    }};
      },
      response->mutable_result());
}

grpc::Status FundsServiceImpl::EndPairing(grpc::ServerContext* context,
                                          const v1::EndPairingRequest* request,
                                          v1::EndPairingResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "EndPairing", Side::kRecorder, *request,
      [request](const rpc::Principal&) {
        return internal::PlanOn<domain::Pairing>(
            v1::AGGREGATE_TYPE_PAIRING, "pairing_id", request->pairing_id(),
            domain::EndPairing{
                .ended_on = internal::OptionalDate(request->has_ended_on(), request->ended_on()),
                .reason = request->reason()});
      },
      response->mutable_result());
}

grpc::Status FundsServiceImpl::AllocateBudget(grpc::ServerContext* context,
                                              const v1::AllocateBudgetRequest* request,
                                              v1::AllocateBudgetResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "AllocateBudget", Side::kDepartment, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::AllocateBudget command{.source_organisation_id = request->source_organisation_id(),
                                       .purpose = request->purpose(),
                                       .year = request->year(),
                                       .amount_fen = request->amount_fen(),
                                       .campaign_id = request->campaign_id(),
                                       .description = request->description()};
        ASSIGN_OR_RETURN(Plan plan, BudgetPlan(principal, command.source_organisation_id,
                                               command.purpose, command.year));
        plan.decide = [principal, command](const writer::DecisionInput& input,
                                           const domain::Context& context) -> Decision {
          RETURN_IF_ERROR(
              internal::CheckScope(principal, input.tree, command.source_organisation_id));
          return domain::Decide(internal::Fold<domain::Budget>(input.history), command, input.tree,
                                context);
        };
        return plan;
      },
      response->mutable_result());
}

grpc::Status FundsServiceImpl::DisburseFunds(grpc::ServerContext* context,
                                             const v1::DisburseFundsRequest* request,
                                             v1::DisburseFundsResponse* response) {
  std::string disbursement_id;  // known once the caller is
  grpc::Status status = internal::Run(
      *writer_, *tokens_, context, "DisburseFunds", Side::kDepartment, *request,
      [request, &disbursement_id](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        disbursement_id = writer::DerivedId("dsb-", principal.id, request->request_id());
        domain::DisburseFunds command{
            .disbursement_id = disbursement_id,
            .recipient = request->recipient(),
            .purpose = request->purpose(),
            .amount_fen = request->amount_fen(),
            .reference = request->reference(),
            .year = request->year(),
            .paid_on = internal::OptionalDate(request->has_paid_on(), request->paid_on()),
            .description = request->description()};
        ASSIGN_OR_RETURN(Plan plan, BudgetPlan(principal, request->source_organisation_id(),
                                               command.purpose, command.year));
        // A subsidy is paid only on the post's assessment, which lives in the
        // post's own aggregate: it is read caught up with the log, so a post
        // assessed as failed a moment ago is never paid.
        const bool pays_post = command.reference.kind() == v1::REFERENCE_KIND_PIONEER_POST;
        if (pays_post) {
          RETURN_IF_ERROR(internal::RequireId("reference.id", command.reference.id()));
          plan.dependencies.push_back(command.reference.id());
        }
        // Money goes only to a member the log knows: the member is read with the budget.
        const std::string recipient_member = internal::SubjectMemberId(command.recipient);
        if (!recipient_member.empty()) {
          RETURN_IF_ERROR(internal::RequireId("recipient.member_id", recipient_member));
          plan.dependencies.push_back(recipient_member);
        }
        plan.decide = [principal, command, pays_post, recipient_member,
                       source = request->source_organisation_id()](
                          const writer::DecisionInput& input,
                          const domain::Context& context) -> Decision {
          RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, source));
          if (!recipient_member.empty() &&
              internal::FoldDependency<domain::Member>(input, recipient_member).status() ==
                  domain::Member::Status::kUnknown) {
            return absl::NotFoundError(
                absl::StrCat("recipient.member_id: member ", recipient_member, " not found"));
          }
          if (pays_post) {
            const domain::PioneerPost post =
                internal::FoldDependency<domain::PioneerPost>(input, command.reference.id());
            if (!post.exists()) {
              return absl::NotFoundError(absl::StrCat("reference.id: pioneer post ",
                                                      command.reference.id(), " not found"));
            }
            domain::DisburseFunds subsidy = command;
            subsidy.post_assessment = post.ResultFor(command.year);
            subsidy.post_holder_member_id = post.member_id();
            return domain::Decide(internal::Fold<domain::Budget>(input.history), subsidy,
                                  input.tree, context);
          }
          return domain::Decide(internal::Fold<domain::Budget>(input.history), command, input.tree,
                                context);
        };
        return plan;
      },
      response->mutable_result());
  if (status.ok()) response->set_disbursement_id(disbursement_id);
  return status;
}

grpc::Status FundsServiceImpl::ReverseFunds(grpc::ServerContext* context,
                                            const v1::ReverseFundsRequest* request,
                                            v1::ReverseFundsResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "ReverseFunds", Side::kDepartment, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::ReverseFunds command{.disbursement_id = request->disbursement_id(),
                                     .amount_fen = request->amount_fen(),
                                     .reason = request->reason(),
                                     .reversed_on = internal::OptionalDate(
                                         request->has_reversed_on(), request->reversed_on())};
        ASSIGN_OR_RETURN(Plan plan, BudgetPlan(principal, request->source_organisation_id(),
                                               request->purpose(), request->year()));
        plan.decide = [command](const writer::DecisionInput& input,
                                const domain::Context& context) -> Decision {
          return domain::Decide(internal::Fold<domain::Budget>(input.history), command, context);
        };
        return plan;
      },
      response->mutable_result());
}

}  // namespace vanguard::command
