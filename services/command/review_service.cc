#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/base/status_macros.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/leader_review.h"
#include "libs/domain/mass_evaluation.h"
#include "libs/domain/member.h"
#include "libs/domain/member_appraisal.h"
#include "libs/domain/rectification.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

// A new aggregate about a subject (an organisation or a member). A member is
// read caught up with the log, as the domain needs its current organisation;
// the subject must be in the principal's scope, and the domain then decides
// whether the principal's organisation is the subject's superior.
template <typename State, typename Command>
absl::StatusOr<Plan> AboutSubjectPlan(const rpc::Principal& principal, v1::AggregateType type,
                                      std::string aggregate_id, const char* member_field,
                                      const v1::Subject& subject, Command command) {
  Plan plan{.aggregate_type = type, .aggregate_id = std::move(aggregate_id)};
  const std::string member_id = internal::SubjectMemberId(subject);
  if (subject.id_case() == v1::Subject::kMemberId) {
    RETURN_IF_ERROR(internal::RequireId(member_field, member_id));
    plan.dependencies.push_back(member_id);
  }
  plan.decide = [principal, subject, member_id, command = std::move(command)](
                    const writer::DecisionInput& input,
                    const domain::Context& context) -> Decision {
    const domain::Member member = internal::FoldDependency<domain::Member>(input, member_id);
    RETURN_IF_ERROR(internal::CheckSubjectScope(principal, input.tree, subject, member));
    const bool known = member.status() != domain::Member::Status::kUnknown;
    return domain::Decide(internal::Fold<State>(input.history), command, input.tree,
                          known ? &member : nullptr, context);
  };
  return plan;
}

std::optional<absl::Time> OptionalTime(bool has, const google::protobuf::Timestamp& timestamp) {
  if (!has) return std::nullopt;
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

}  // namespace

grpc::Status ReviewServiceImpl::DoLeaderReview(grpc::ServerContext* context,
                                               const v1::DoLeaderReviewRequest* request,
                                               v1::DoLeaderReviewResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "DoLeaderReview", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::DoLeaderReview command{
            .leader_member_id = request->leader_member_id(),
            .leader_name = request->leader_name(),
            .subject = request->subject(),
            .campaign_id = request->campaign_id(),
            .reviewed_at = OptionalTime(request->has_reviewed_at(), request->reviewed_at()),
            .achievements = request->achievements(),
            .problems = request->problems(),
            .suggestions = request->suggestions(),
            .rating = request->rating()};
        return AboutSubjectPlan<domain::LeaderReview>(
            principal, v1::AGGREGATE_TYPE_REVIEW,
            writer::DerivedId("rev-", principal.id, request->request_id()), "subject.member_id",
            request->subject(), std::move(command));
      },
      response->mutable_result());
}

grpc::Status ReviewServiceImpl::DoMassEvaluation(grpc::ServerContext* context,
                                                 const v1::DoMassEvaluationRequest* request,
                                                 v1::DoMassEvaluationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "DoMassEvaluation", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::DoMassEvaluation command{.subject = request->subject(),
                                         .campaign_id = request->campaign_id(),
                                         .period = request->period(),
                                         .year = request->year(),
                                         .evaluated_on = internal::OptionalDate(
                                             request->has_evaluated_on(), request->evaluated_on()),
                                         .counts = request->counts(),
                                         .comment = request->comment()};
        return AboutSubjectPlan<domain::MassEvaluation>(
            principal, v1::AGGREGATE_TYPE_REVIEW,
            writer::DerivedId("rev-", principal.id, request->request_id()), "subject.member_id",
            request->subject(), std::move(command));
      },
      response->mutable_result());
}

grpc::Status ReviewServiceImpl::AppraiseMember(grpc::ServerContext* context,
                                               const v1::AppraiseMemberRequest* request,
                                               v1::AppraiseMemberResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "AppraiseMember", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::AppraiseMember command{.member_id = request->member_id(),
                                       .campaign_id = request->campaign_id(),
                                       .year = request->year(),
                                       .appraised_on = internal::OptionalDate(
                                           request->has_appraised_on(), request->appraised_on()),
                                       .grade = request->grade(),
                                       .report_submitted = request->report_submitted(),
                                       .mass_counts = request->mass_counts(),
                                       .comment = request->comment()};
        RETURN_IF_ERROR(internal::RequireId("member_id", command.member_id));
        // One aggregate per (member, year): a second appraisal of the year is
        // refused by the aggregate itself, serially.
        return Plan{.aggregate_type = v1::AGGREGATE_TYPE_REVIEW,
                    .aggregate_id = domain::MemberAppraisalId(command.member_id, command.year),
                    .dependencies = {command.member_id},
                    .decide = [principal, command](const writer::DecisionInput& input,
                                                   const domain::Context& context) -> Decision {
                      const domain::Member member =
                          internal::FoldDependency<domain::Member>(input, command.member_id);
                      const bool known = member.status() != domain::Member::Status::kUnknown;
                      if (known) {
                        RETURN_IF_ERROR(internal::CheckScopeOfOwner(
                            principal, input.tree, member.organisation_id(),
                            absl::StrCat("member ", command.member_id)));
                      }
                      return domain::Decide(internal::Fold<domain::MemberAppraisal>(input.history),
                                            command, known ? &member : nullptr, context);
                    }};
      },
      response->mutable_result());
}

grpc::Status ReviewServiceImpl::IssueRectification(grpc::ServerContext* context,
                                                   const v1::IssueRectificationRequest* request,
                                                   v1::IssueRectificationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "IssueRectification", Side::kReviewer, *request,
      [request](const rpc::Principal& principal) {
        domain::IssueRectification command{.responsible = request->responsible(),
                                           .source = request->source(),
                                           .campaign_id = request->campaign_id(),
                                           .problem = request->problem(),
                                           .required_action = request->required_action(),
                                           .deadline = request->deadline()};
        return AboutSubjectPlan<domain::Rectification>(
            principal, v1::AGGREGATE_TYPE_RECTIFICATION,
            writer::DerivedId("rct-", principal.id, request->request_id()), "responsible.member_id",
            request->responsible(), std::move(command));
      },
      response->mutable_result());
}

grpc::Status ReviewServiceImpl::CloseRectification(grpc::ServerContext* context,
                                                   const v1::CloseRectificationRequest* request,
                                                   v1::CloseRectificationResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "CloseRectification", Side::kReviewer, *request,
      [request](const rpc::Principal&) {
        return internal::PlanOn<domain::Rectification>(
            v1::AGGREGATE_TYPE_RECTIFICATION, "rectification_id", request->rectification_id(),
            domain::CloseRectification{
                .closed_on = internal::OptionalDate(request->has_closed_on(), request->closed_on()),
                .resolution = request->resolution(),
                .evidence = {request->evidence().begin(), request->evidence().end()}});
      },
      response->mutable_result());
}

}  // namespace vanguard::command
