#include "libs/base/status_macros.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

// Every organisation command acts on the one tree aggregate.
Plan TreePlan(internal::Decide decide) {
  return {.aggregate_type = v1::AGGREGATE_TYPE_ORG_TREE,
          .aggregate_id = writer::kOrgTreeId,
          .decide = std::move(decide)};
}

}  // namespace

grpc::Status OrganisationServiceImpl::RegisterOrganisation(
    grpc::ServerContext* context, const v1::RegisterOrganisationRequest* request,
    v1::RegisterOrganisationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "RegisterOrganisation", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        RETURN_IF_ERROR(internal::RequireId("organisation_id", request->organisation_id()));
        domain::RegisterOrganisation command{
            .organisation_id = request->organisation_id(),
            .parent_id = request->parent_id(),
            .name = request->name(),
            .short_name = request->short_name(),
            .kind = request->kind(),
            .level = request->level(),
            .sector = request->sector(),
            .effective_on =
                internal::OptionalDate(request->has_effective_on(), request->effective_on())};
        return TreePlan([principal, command](const writer::DecisionInput& input,
                                             const domain::Context& context) -> Decision {
          if (command.parent_id.empty()) {
            RETURN_IF_ERROR(internal::CheckMayRegisterRoot(principal));
          } else {
            RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.parent_id));
          }
          return domain::Decide(input.tree, command, context);
        });
      },
      response->mutable_result());
}

grpc::Status OrganisationServiceImpl::RenameOrganisation(
    grpc::ServerContext* context, const v1::RenameOrganisationRequest* request,
    v1::RenameOrganisationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "RenameOrganisation", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        RETURN_IF_ERROR(internal::RequireId("organisation_id", request->organisation_id()));
        domain::RenameOrganisation command{
            .organisation_id = request->organisation_id(),
            .name = request->name(),
            .short_name = request->short_name(),
            .effective_on =
                internal::OptionalDate(request->has_effective_on(), request->effective_on()),
            .reason = request->reason()};
        return TreePlan([principal, command](const writer::DecisionInput& input,
                                             const domain::Context& context) -> Decision {
          RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.organisation_id));
          return domain::Decide(input.tree, command, context);
        });
      },
      response->mutable_result());
}

grpc::Status OrganisationServiceImpl::MoveOrganisation(grpc::ServerContext* context,
                                                       const v1::MoveOrganisationRequest* request,
                                                       v1::MoveOrganisationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "MoveOrganisation", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        RETURN_IF_ERROR(internal::RequireId("organisation_id", request->organisation_id()));
        RETURN_IF_ERROR(internal::RequireId("parent_id", request->parent_id()));
        domain::MoveOrganisation command{.organisation_id = request->organisation_id(),
                                         .parent_id = request->parent_id(),
                                         .level = request->level(),
                                         .effective_on = internal::OptionalDate(
                                             request->has_effective_on(), request->effective_on()),
                                         .reason = request->reason()};
        return TreePlan([principal, command](const writer::DecisionInput& input,
                                             const domain::Context& context) -> Decision {
          RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.organisation_id));
          RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.parent_id));
          return domain::Decide(input.tree, command, context);
        });
      },
      response->mutable_result());
}

grpc::Status OrganisationServiceImpl::DissolveOrganisation(
    grpc::ServerContext* context, const v1::DissolveOrganisationRequest* request,
    v1::DissolveOrganisationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "DissolveOrganisation", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        RETURN_IF_ERROR(internal::RequireId("organisation_id", request->organisation_id()));
        domain::DissolveOrganisation command{
            .organisation_id = request->organisation_id(),
            .effective_on =
                internal::OptionalDate(request->has_effective_on(), request->effective_on()),
            .reason = request->reason(),
            .successor_id = request->successor_id()};
        return TreePlan([principal, command](const writer::DecisionInput& input,
                                             const domain::Context& context) -> Decision {
          RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.organisation_id));
          return domain::Decide(input.tree, command, context);
        });
      },
      response->mutable_result());
}

}  // namespace vanguard::command
