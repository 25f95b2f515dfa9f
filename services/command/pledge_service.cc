#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/pledge.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

using PledgeDecide = std::function<Decision(const domain::Pledge&, const domain::Context&)>;

// The decision of a domain command on an existing pledge.
template <typename Command>
PledgeDecide DecideOnPledge(Command command) {
  return
      [command = std::move(command)](const domain::Pledge& pledge, const domain::Context& context) {
        return domain::Decide(pledge, command, context);
      };
}

// A command on an existing pledge. The pledger's side must have the pledge's
// organisation in scope; for the reviewer's side the domain names the one
// organisation that may review, which is narrower than any scope.
absl::StatusOr<Plan> ExistingPledgePlan(const rpc::Principal& principal,
                                        const std::string& pledge_id, Side side,
                                        PledgeDecide decide) {
  RETURN_IF_ERROR(internal::RequireId("pledge_id", pledge_id));
  return Plan{
      .aggregate_type = v1::AGGREGATE_TYPE_PLEDGE,
      .aggregate_id = pledge_id,
      .decide = [principal, pledge_id, side, decide = std::move(decide)](
                    const writer::DecisionInput& input,
                    const domain::Context& context) -> Decision {
        domain::Pledge pledge = internal::Fold<domain::Pledge>(input.history);
        if (pledge.status() == domain::Pledge::Status::kUnknown) {
          return absl::NotFoundError(absl::StrCat("pledge ", pledge_id, " not found"));
        }
        if (side == Side::kRecorder) {
          RETURN_IF_ERROR(internal::CheckScopeOfOwner(
              principal, input.tree, pledge.organisation_id(), absl::StrCat("pledge ", pledge_id)));
        }
        return decide(pledge, context);
      }};
}

std::vector<v1::Evidence> EvidenceOf(
    const google::protobuf::RepeatedPtrField<v1::Evidence>& evidence) {
  return {evidence.begin(), evidence.end()};
}

}  // namespace

grpc::Status PledgeServiceImpl::MakePledge(grpc::ServerContext* context,
                                           const v1::MakePledgeRequest* request,
                                           v1::MakePledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "MakePledge", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::MakePledge command{.campaign_id = request->campaign_id(),
                                   .pledger = request->pledger(),
                                   .kind = request->kind(),
                                   .theme = request->theme(),
                                   .text = request->text(),
                                   .target = request->target(),
                                   .due_on = request->due_on()};
        Plan plan{.aggregate_type = v1::AGGREGATE_TYPE_PLEDGE,
                  .aggregate_id = writer::DerivedId("plg-", principal.id, request->request_id())};
        const bool by_member = command.pledger.id_case() == v1::Subject::kMemberId;
        if (by_member) {
          RETURN_IF_ERROR(internal::RequireId("pledger.member_id", command.pledger.member_id()));
          plan.dependencies.push_back(command.pledger.member_id());
        }
        plan.decide = [principal, command, by_member](const writer::DecisionInput& input,
                                                      const domain::Context& context) -> Decision {
          domain::Member member;
          if (by_member) {
            auto history = input.dependencies.find(command.pledger.member_id());
            if (history != input.dependencies.end()) {
              member = internal::Fold<domain::Member>(history->second);
            }
            if (member.status() != domain::Member::Status::kUnknown) {
              RETURN_IF_ERROR(internal::CheckScopeOfOwner(
                  principal, input.tree, member.organisation_id(),
                  absl::StrCat("member ", command.pledger.member_id())));
            }
          } else if (command.pledger.id_case() == v1::Subject::kOrganisationId) {
            RETURN_IF_ERROR(
                internal::CheckScope(principal, input.tree, command.pledger.organisation_id()));
          }
          return domain::Decide(internal::Fold<domain::Pledge>(input.history), command, input.tree,
                                by_member ? &member : nullptr, context);
        };
        return plan;
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::ApprovePledge(grpc::ServerContext* context,
                                              const v1::ApprovePledgeRequest* request,
                                              v1::ApprovePledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "ApprovePledge", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::ApprovePledge command{.comment = request->comment()};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kReviewer,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::SendBackPledge(grpc::ServerContext* context,
                                               const v1::SendBackPledgeRequest* request,
                                               v1::SendBackPledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "SendBackPledge", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::SendBackPledge command{.comment = request->comment()};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kReviewer,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::RevisePledge(grpc::ServerContext* context,
                                             const v1::RevisePledgeRequest* request,
                                             v1::RevisePledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "RevisePledge", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) {
        domain::RevisePledge command{.kind = request->kind(),
                                     .theme = request->theme(),
                                     .text = request->text(),
                                     .target = request->target(),
                                     .due_on = request->due_on(),
                                     .comment = request->comment()};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kRecorder,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::ReportPledgeProgress(grpc::ServerContext* context,
                                                     const v1::ReportPledgeProgressRequest* request,
                                                     v1::ReportPledgeProgressResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "ReportPledgeProgress", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) {
        domain::ReportPledgeProgress command{.as_of = request->as_of(),
                                             .achieved = request->achieved(),
                                             .description = request->description(),
                                             .evidence = EvidenceOf(request->evidence())};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kRecorder,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::AssessPledge(grpc::ServerContext* context,
                                             const v1::AssessPledgeRequest* request,
                                             v1::AssessPledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "AssessPledge", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::AssessPledge command{.year = request->year(),
                                     .quarter = request->quarter(),
                                     .rating = request->rating(),
                                     .comment = request->comment()};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kReviewer,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::FulfilPledge(grpc::ServerContext* context,
                                             const v1::FulfilPledgeRequest* request,
                                             v1::FulfilPledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "FulfilPledge", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) {
        domain::FulfilPledge command{.fulfilled_on = internal::OptionalDate(
                                         request->has_fulfilled_on(), request->fulfilled_on()),
                                     .achieved = request->achieved(),
                                     .description = request->description(),
                                     .evidence = EvidenceOf(request->evidence())};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kRecorder,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::WithdrawPledge(grpc::ServerContext* context,
                                               const v1::WithdrawPledgeRequest* request,
                                               v1::WithdrawPledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "WithdrawPledge", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) {
        domain::WithdrawPledge command{.reason = request->reason()};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kRecorder,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

grpc::Status PledgeServiceImpl::EvaluatePledge(grpc::ServerContext* context,
                                               const v1::EvaluatePledgeRequest* request,
                                               v1::EvaluatePledgeResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "EvaluatePledge", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::EvaluatePledge command{.year = request->year(),
                                       .rating = request->rating(),
                                       .mass_counts = request->mass_counts(),
                                       .comment = request->comment()};
        return ExistingPledgePlan(principal, request->pledge_id(), Side::kReviewer,
                                  DecideOnPledge(command));
      },
      response->mutable_result());
}

}  // namespace vanguard::command
