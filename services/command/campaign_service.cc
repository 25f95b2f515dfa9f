#include <string>
#include <utility>

#include "libs/base/status_macros.h"
#include "libs/domain/campaign.h"
#include "libs/domain/campaign_commands.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

}  // namespace

grpc::Status CampaignServiceImpl::LaunchCampaign(grpc::ServerContext* context,
                                                 const v1::LaunchCampaignRequest* request,
                                                 v1::LaunchCampaignResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "LaunchCampaign", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::LaunchCampaign command{
            .organisation_id = request->organisation_id(),
            .name = request->name(),
            .theme = request->theme(),
            .carrier = request->carrier(),
            .phases = {request->phases().begin(), request->phases().end()}};
        return Plan{
            .aggregate_type = v1::AGGREGATE_TYPE_CAMPAIGN,
            .aggregate_id = writer::DerivedId("cmp-", principal.id, request->request_id()),
            .decide = [principal, command](const writer::DecisionInput& input,
                                           const domain::Context& context) -> Decision {
              RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.organisation_id));
              return domain::Decide(internal::Fold<domain::Campaign>(input.history), command,
                                    input.tree, context);
            }};
      },
      response->mutable_result());
}

grpc::Status CampaignServiceImpl::ChangeCampaignPhase(grpc::ServerContext* context,
                                                      const v1::ChangeCampaignPhaseRequest* request,
                                                      v1::ChangeCampaignPhaseResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "ChangeCampaignPhase", Side::kRecorder, *request,
      [request](const rpc::Principal&) {
        return internal::PlanOn<domain::Campaign>(
            v1::AGGREGATE_TYPE_CAMPAIGN, "campaign_id", request->campaign_id(),
            domain::ChangeCampaignPhase{.phase = request->phase(),
                                        .effective_on = internal::OptionalDate(
                                            request->has_effective_on(), request->effective_on())});
      },
      response->mutable_result());
}

grpc::Status CampaignServiceImpl::SetCampaignTargets(grpc::ServerContext* context,
                                                     const v1::SetCampaignTargetsRequest* request,
                                                     v1::SetCampaignTargetsResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "SetCampaignTargets", Side::kRecorder, *request,
      [request](const rpc::Principal&) {
        domain::SetCampaignTargets command{
            .year = request->year(),
            .advanced_organisation_share_bp = request->advanced_organisation_share_bp(),
            .advanced_organisation_level = request->advanced_organisation_level(),
            .excellent_member_share_bp = request->excellent_member_share_bp(),
            .excellent_member_level = request->excellent_member_level(),
            .leader_reviews_per_quarter = request->leader_reviews_per_quarter(),
            .leader_review_coverage_bp = request->leader_review_coverage_bp(),
            .note = request->note()};
        for (int sector : request->advanced_organisation_sectors()) {
          command.advanced_organisation_sectors.push_back(static_cast<v1::Sector>(sector));
        }
        return internal::PlanOn<domain::Campaign>(v1::AGGREGATE_TYPE_CAMPAIGN, "campaign_id",
                                                  request->campaign_id(), std::move(command));
      },
      response->mutable_result());
}

}  // namespace vanguard::command
