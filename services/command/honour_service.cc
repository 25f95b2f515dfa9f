#include <string>
#include <utility>

#include "libs/base/status_macros.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/honour.h"
#include "libs/domain/member.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

}  // namespace

grpc::Status HonourServiceImpl::ConferHonour(grpc::ServerContext* context,
                                             const v1::ConferHonourRequest* request,
                                             v1::ConferHonourResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "ConferHonour", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::ConferHonour command{.kind = request->kind(),
                                     .level = request->level(),
                                     .year = request->year(),
                                     .recipient = request->recipient(),
                                     .campaign_id = request->campaign_id(),
                                     .conferred_on = internal::OptionalDate(
                                         request->has_conferred_on(), request->conferred_on()),
                                     .citation = request->citation()};
        Plan plan{.aggregate_type = v1::AGGREGATE_TYPE_HONOUR,
                  .aggregate_id = writer::DerivedId("hon-", principal.id, request->request_id())};
        const std::string member_id = internal::SubjectMemberId(command.recipient);
        if (command.recipient.id_case() == v1::Subject::kMemberId) {
          // The domain needs the member's current organisation and whether
          // the member has left, read caught up with the log.
          RETURN_IF_ERROR(internal::RequireId("recipient.member_id", member_id));
          plan.dependencies.push_back(member_id);
        }
        plan.decide = [principal, command, member_id](const writer::DecisionInput& input,
                                                      const domain::Context& context) -> Decision {
          const domain::Member member = internal::FoldDependency<domain::Member>(input, member_id);
          RETURN_IF_ERROR(
              internal::CheckSubjectScope(principal, input.tree, command.recipient, member));
          const bool known = member.status() != domain::Member::Status::kUnknown;
          return domain::Decide(internal::Fold<domain::Honour>(input.history), command, input.tree,
                                known ? &member : nullptr, context);
        };
        return plan;
      },
      response->mutable_result());
}

grpc::Status HonourServiceImpl::RevokeHonour(grpc::ServerContext* context,
                                             const v1::RevokeHonourRequest* request,
                                             v1::RevokeHonourResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "RevokeHonour", Side::kReviewer, *request,
      [request](const rpc::Principal&) {
        return internal::PlanOn<domain::Honour>(
            v1::AGGREGATE_TYPE_HONOUR, "honour_id", request->honour_id(),
            domain::RevokeHonour{.revoked_on = internal::OptionalDate(request->has_revoked_on(),
                                                                      request->revoked_on()),
                                 .reason = request->reason()});
      },
      response->mutable_result());
}

}  // namespace vanguard::command
