#include <string>
#include <utility>

#include "libs/base/status_macros.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/supervision.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

// A new record made by the principal's organisation (the domain's actor).
// `scoped_organisation_id`, when not empty, must be in the principal's
// scope: the inspected organisation. A report goes up the tree, out of any
// clerk's scope, so the domain alone names who may receive it.
template <typename Command>
Plan RecordPlan(const rpc::Principal& principal, const std::string& request_id,
                std::string scoped_organisation_id, Command command) {
  return Plan{.aggregate_type = v1::AGGREGATE_TYPE_SUPERVISION,
              .aggregate_id = writer::DerivedId("sup-", principal.id, request_id),
              .decide = [principal, scoped = std::move(scoped_organisation_id),
                         command = std::move(command)](const writer::DecisionInput& input,
                                                       const domain::Context& context) -> Decision {
                if (!scoped.empty()) {
                  RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, scoped));
                }
                return domain::Decide(internal::Fold<domain::SupervisionRecord>(input.history),
                                      command, input.tree, context);
              }};
}

}  // namespace

grpc::Status SupervisionServiceImpl::RecordInspection(grpc::ServerContext* context,
                                                      const v1::RecordInspectionRequest* request,
                                                      v1::RecordInspectionResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "RecordInspection", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::RecordInspection command{
            .inspected_organisation_id = request->inspected_organisation_id(),
            .campaign_id = request->campaign_id(),
            .kind = request->kind(),
            .period = request->period(),
            .inspected_on =
                internal::OptionalDate(request->has_inspected_on(), request->inspected_on()),
            .inspector_count = request->inspector_count(),
            .findings = request->findings(),
            .rating = request->rating()};
        RETURN_IF_ERROR(
            internal::RequireId("inspected_organisation_id", command.inspected_organisation_id));
        std::string inspected = command.inspected_organisation_id;
        return RecordPlan(principal, request->request_id(), std::move(inspected),
                          std::move(command));
      },
      response->mutable_result());
}

grpc::Status SupervisionServiceImpl::SubmitReport(grpc::ServerContext* context,
                                                  const v1::SubmitReportRequest* request,
                                                  v1::SubmitReportResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "SubmitReport", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::SubmitReport command{
            .recipient_organisation_id = request->recipient_organisation_id(),
            .campaign_id = request->campaign_id(),
            .period = request->period(),
            .period_starts_on = request->period_starts_on(),
            .period_ends_on = request->period_ends_on(),
            .title = request->title(),
            .content = request->content(),
            .attachments = {request->attachments().begin(), request->attachments().end()}};
        return RecordPlan(principal, request->request_id(), "", std::move(command));
      },
      response->mutable_result());
}

grpc::Status SupervisionServiceImpl::HoldMeeting(grpc::ServerContext* context,
                                                 const v1::HoldMeetingRequest* request,
                                                 v1::HoldMeetingResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "HoldMeeting", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::HoldMeeting command{
            .campaign_id = request->campaign_id(),
            .kind = request->kind(),
            .held_on = internal::OptionalDate(request->has_held_on(), request->held_on()),
            .title = request->title(),
            .expected_count = request->expected_count(),
            .attended_count = request->attended_count(),
            .speaker = request->speaker(),
            .summary = request->summary()};
        return RecordPlan(principal, request->request_id(), "", std::move(command));
      },
      response->mutable_result());
}

}  // namespace vanguard::command
