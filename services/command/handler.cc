#include "services/command/handler.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/domain/validation.h"
#include "libs/log/log.h"
#include "libs/rpc/status.h"
#include "services/command/command_services.h"

namespace vanguard::command::internal {
namespace {

absl::Status CheckRole(const rpc::Principal& principal, Side side, const char* rpc_name) {
  rpc::Role needed = rpc::Role::kClerk;
  switch (side) {
    case Side::kRecorder:
      needed = rpc::Role::kClerk;
      break;
    case Side::kReviewer:
      needed = rpc::Role::kReviewer;
      break;
    case Side::kDepartment:
      needed = rpc::Role::kDepartment;
      break;
    case Side::kAdministrator:
      if (principal.HasRole(rpc::Role::kAdmin)) return absl::OkStatus();
      return absl::PermissionDeniedError(absl::StrCat(rpc_name, " needs the role admin; principal ",
                                                      principal.id, " has not"));
  }
  if (principal.HasRole(needed) || principal.HasRole(rpc::Role::kAdmin)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(rpc_name, " needs the role ",
                                                  rpc::RoleName(needed), " or admin; principal ",
                                                  principal.id, " has neither"));
}

}  // namespace

absl::Time DeadlineOf(const grpc::ServerContext& context) {
  const absl::Time cap = absl::Now() + kMaxCommandTime;
  const std::chrono::system_clock::time_point deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(absl::FromChrono(deadline), cap);
}

absl::Status CheckScope(const rpc::Principal& principal, const domain::OrgTree& tree,
                        const std::string& organisation_id) {
  if (principal.HasRole(rpc::Role::kAdmin)) return absl::OkStatus();
  if (!tree.Exists(organisation_id)) return absl::OkStatus();
  if (organisation_id == principal.organisation_id ||
      tree.IsAncestor(principal.organisation_id, organisation_id)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("organisation ", organisation_id, " is outside the scope of principal ",
                   principal.id, " (", principal.organisation_id, " and below)"));
}

absl::Status CheckScopeOfOwner(const rpc::Principal& principal, const domain::OrgTree& tree,
                               const std::string& organisation_id, absl::string_view target) {
  if (CheckScope(principal, tree, organisation_id).ok()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(target, " is outside the scope of principal ",
                                                  principal.id, " (", principal.organisation_id,
                                                  " and below)"));
}

absl::Status CheckOwnBudget(const rpc::Principal& principal,
                            const std::string& source_organisation_id) {
  if (principal.HasRole(rpc::Role::kAdmin)) return absl::OkStatus();
  if (source_organisation_id == principal.organisation_id) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "source_organisation_id: principal ", principal.id, " spends only the budgets of ",
      principal.organisation_id, ", not of ", source_organisation_id));
}

absl::Status CheckSubjectScope(const rpc::Principal& principal, const domain::OrgTree& tree,
                               const v1::Subject& subject, const domain::Member& member) {
  switch (subject.id_case()) {
    case v1::Subject::kOrganisationId:
      return CheckScope(principal, tree, subject.organisation_id());
    case v1::Subject::kMemberId:
      if (member.status() == domain::Member::Status::kUnknown) return absl::OkStatus();
      return CheckScopeOfOwner(principal, tree, member.organisation_id(),
                               absl::StrCat("member ", subject.member_id()));
    case v1::Subject::ID_NOT_SET:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckMayRegisterRoot(const rpc::Principal& principal) {
  if (principal.HasRole(rpc::Role::kAdmin)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("registering a root organisation needs the role admin; principal ", principal.id,
                   " may register only below ", principal.organisation_id));
}

absl::Status RequireId(const char* field, const std::string& id) {
  return domain::CheckId(field, id);
}

namespace {

grpc::Status RunCommandUnlogged(writer::CommandRunner& writer, const rpc::TokenStore& tokens,
                                grpc::ServerContext* context, const char* rpc_name, Side side,
                                const google::protobuf::Message& request,
                                const std::string& request_id,
                                std::optional<int64_t> expected_version, const Planner& planner,
                                v1::CommandResult* result) {
  absl::StatusOr<rpc::Principal> principal = tokens.Authenticate(*context);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());
  if (absl::Status role = CheckRole(*principal, side, rpc_name); !role.ok()) {
    return rpc::ToGrpcStatus(role);
  }
  if (absl::Status valid = RequireId("request_id", request_id); !valid.ok()) {
    return rpc::ToGrpcStatus(valid);
  }
  absl::StatusOr<Plan> plan = planner(*principal);
  if (!plan.ok()) return rpc::ToGrpcStatus(plan.status());

  const absl::Time deadline = DeadlineOf(*context);
  // A cancelled call has nobody to tell; deciding anyway could append what no
  // one hears of. (A passed deadline the writer refuses itself.)
  if (context->IsCancelled()) {
    return rpc::ToGrpcStatus(absl::CancelledError(absl::StrCat(rpc_name, ": cancelled")));
  }

  const domain::Context decision_context{.principal_id = principal->id,
                                         .actor_organisation_id = principal->organisation_id,
                                         .now = absl::Now()};
  writer::Command command{.aggregate_type = plan->aggregate_type,
                          .aggregate_id = plan->aggregate_id,
                          .request_id = request_id,
                          .fingerprint = writer::Fingerprint(request),
                          .expected_version = expected_version,
                          .context = decision_context,
                          .dependencies = std::move(plan->dependencies),
                          .decide = [decide = std::move(plan->decide),
                                     decision_context](const writer::DecisionInput& input) {
                            return decide(input, decision_context);
                          }};
  absl::StatusOr<writer::CommandResult> executed = writer.Execute(command, deadline);
  if (!executed.ok()) return rpc::ToGrpcStatus(executed.status());
  result->set_aggregate_id(executed->aggregate_id);
  result->set_version(executed->version);
  result->set_consistency_token(executed->consistency_token);
  result->set_replayed(executed->replayed);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status RunCommand(writer::CommandRunner& writer, const rpc::TokenStore& tokens,
                        grpc::ServerContext* context, const char* rpc_name, Side side,
                        const google::protobuf::Message& request, const std::string& request_id,
                        std::optional<int64_t> expected_version, const Planner& planner,
                        v1::CommandResult* result) {
  grpc::Status status = RunCommandUnlogged(writer, tokens, context, rpc_name, side, request,
                                           request_id, expected_version, planner, result);
  // A rate limit's refusals are summed up by RateLimitedRunner instead.
  if (!status.ok() && !rpc::IsRateLimited(status)) {
    // Ids and the rule broken only: no token, no personal details.
    log::Info("command", "command refused",
              {{"rpc", rpc_name},
               {"request_id", request_id},
               {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))},
               {"error", status.error_message()}});
  }
  return status;
}

}  // namespace vanguard::command::internal

namespace vanguard::command {

absl::StatusOr<writer::CommandResult> RateLimitedRunner::Execute(const writer::Command& command,
                                                                 absl::Time deadline) {
  const absl::Time now = absl::Now();
  absl::Status admitted = limiter_->Admit(command.context.principal_id, now);
  if (admitted.ok()) return writer_->Execute(command, deadline);
  int64_t refused = 0;
  {
    absl::MutexLock lock(&mu_);
    Refusals& refusals = refusals_[command.context.principal_id];
    ++refusals.since;
    if (now - refusals.logged >= absl::Seconds(1)) {
      refused = std::exchange(refusals.since, 0);
      refusals.logged = now;
    }
  }
  if (refused > 0) {
    log::Warn("command", "rate limit reached",
              {{"principal", command.context.principal_id},
               {"refused", absl::StrCat(refused)},
               {"per_second", absl::StrCat(limiter_->options().per_second)},
               {"burst", absl::StrCat(limiter_->options().burst)}});
  }
  return admitted;
}

}  // namespace vanguard::command
