// What every command RPC shares: authentication, roles, organisation scope,
// deadlines and the run through the Writer. Internal to services/command.
//
//   return Run(*writer_, *tokens_, context, "ApprovePledge", Side::kReviewer, *request,
//              [&](const rpc::Principal& principal) -> absl::StatusOr<Plan> { ... },
//              response->mutable_result());
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "libs/rpc/auth.h"
#include "libs/writer/writer.h"
#include "vanguard/v1/command.pb.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::command::internal {

// The longest a command may run when the client set no deadline.
inline constexpr absl::Duration kMaxCommandTime = absl::Seconds(30);

// Which side of the ledger an RPC acts for, and so which roles may call it.
enum class Side {
  kRecorder,  // clerk or admin: records facts of their own organisations
  kReviewer,  // reviewer or admin: reviews subordinates' pledges
  // department or admin: spends a budget, only of the principal's own
  // organisation unless admin (see CheckOwnBudget)
  kDepartment,
  // admin only (erasing personal information)
  kAdministrator,
};

using Decision = absl::StatusOr<std::vector<v1::Envelope>>;
using Decide = std::function<Decision(const writer::DecisionInput&, const domain::Context&)>;

// A request turned into a command on one aggregate, once the caller is known.
struct Plan {
  v1::AggregateType aggregate_type = v1::AGGREGATE_TYPE_UNSPECIFIED;
  std::string aggregate_id;
  std::vector<std::string> dependencies;
  // Checks scope against DecisionInput::tree, then decides.
  Decide decide;
};

using Planner = std::function<absl::StatusOr<Plan>(const rpc::Principal&)>;

// Authenticates, checks the role, validates request_id, plans, runs the
// command through the writer within the call's deadline (at most
// kMaxCommandTime) and fills `result`.
grpc::Status RunCommand(writer::CommandRunner& writer, const rpc::TokenStore& tokens,
                        grpc::ServerContext* context, const char* rpc_name, Side side,
                        const google::protobuf::Message& request, const std::string& request_id,
                        std::optional<int64_t> expected_version, const Planner& planner,
                        v1::CommandResult* result);

template <typename Request>
grpc::Status Run(writer::CommandRunner& writer, const rpc::TokenStore& tokens,
                 grpc::ServerContext* context, const char* rpc_name, Side side,
                 const Request& request, const Planner& planner, v1::CommandResult* result) {
  std::optional<int64_t> expected_version;
  if (request.has_expected_version()) expected_version = request.expected_version();
  return RunCommand(writer, tokens, context, rpc_name, side, request, request.request_id(),
                    expected_version, planner, result);
}

// The deadline a command runs under: the call's, capped at now + kMaxCommandTime.
absl::Time DeadlineOf(const grpc::ServerContext& context);

// OK when `organisation_id` is the principal's organisation or lies below it,
// always for an admin, and for an organisation the tree does not know (the
// decision then answers NOT_FOUND). PERMISSION_DENIED otherwise.
absl::Status CheckScope(const rpc::Principal& principal, const domain::OrgTree& tree,
                        const std::string& organisation_id);

// CheckScope on the organisation that owns `target`, which the caller named
// (e.g. "member mbr-1") instead of the organisation: the refusal names the
// target and never its organisation, so it tells a caller outside the scope
// nothing it did not send.
absl::Status CheckScopeOfOwner(const rpc::Principal& principal, const domain::OrgTree& tree,
                               const std::string& organisation_id, absl::string_view target);

// A department spends only its own organisation's money; an admin any, as far
// as the domain allows. PERMISSION_DENIED otherwise. Checked before the
// decision, since the budget to load follows from the source.
absl::Status CheckOwnBudget(const rpc::Principal& principal,
                            const std::string& source_organisation_id);

// CheckScope on the organisation a subject is or belongs to. A member the
// log does not know (status kUnknown) passes: the decision answers NOT_FOUND.
absl::Status CheckSubjectScope(const rpc::Principal& principal, const domain::OrgTree& tree,
                               const v1::Subject& subject, const domain::Member& member);

// Roots sit above every scope: only an admin registers one.
absl::Status CheckMayRegisterRoot(const rpc::Principal& principal);

// INVALID_ARGUMENT "field: must not be empty" (or too long, or not UTF-8).
absl::Status RequireId(const char* field, const std::string& id);

// A proto message field that may be unset, as the domain's optional.
inline std::optional<v1::Date> OptionalDate(bool has, const v1::Date& date) {
  if (!has) return std::nullopt;
  return date;
}

// The state of an aggregate folded from its accepted events.
template <typename State>
State Fold(const std::vector<v1::Envelope>& history) {
  State state;
  for (const v1::Envelope& envelope : history) state.Apply(envelope);
  return state;
}

// The state of a dependency of the plan folded from its accepted events; the
// empty state when the log holds none.
template <typename State>
State FoldDependency(const writer::DecisionInput& input, const std::string& aggregate_id) {
  auto history = input.dependencies.find(aggregate_id);
  if (history == input.dependencies.end()) return State();
  return Fold<State>(history->second);
}

// A NOT_FOUND "<kind> not found" of the domain, which does not know the id
// the caller named, as "<id_field>: <kind> <id> not found"; anything else as it is.
inline Decision NamingTheId(Decision decision, const char* id_field, const std::string& id) {
  if (decision.ok() || decision.status().code() != absl::StatusCode::kNotFound) return decision;
  absl::string_view message = decision.status().message();
  if (!absl::ConsumeSuffix(&message, " not found") || absl::StrContains(message, id)) {
    return decision;
  }
  return absl::NotFoundError(absl::StrCat(id_field, ": ", message, " ", id, " not found"));
}

// A command on an existing aggregate that the domain decides from the
// aggregate, the tree (when its Decide takes one) and the context alone: who
// may act is the domain's rule (the launcher, a side of a pairing, the
// issuer, ...), which is narrower than any scope.
template <typename State, typename Command>
absl::StatusOr<Plan> PlanOn(v1::AggregateType type, const char* id_field, const std::string& id,
                            Command command) {
  if (absl::Status valid = RequireId(id_field, id); !valid.ok()) return valid;
  return Plan{.aggregate_type = type,
              .aggregate_id = id,
              .decide = [command = std::move(command), id_field, id](
                            const writer::DecisionInput& input,
                            const domain::Context& context) -> Decision {
                const State state = Fold<State>(input.history);
                Decision decision = [&] {
                  if constexpr (requires { domain::Decide(state, command, input.tree, context); }) {
                    return domain::Decide(state, command, input.tree, context);
                  } else {
                    return domain::Decide(state, command, context);
                  }
                }();
                if (input.history.empty()) return NamingTheId(std::move(decision), id_field, id);
                return decision;
              }};
}

// The member a subject names, which the decision reads: its id is a dependency
// of the plan. Empty for an organisation (or an unset subject).
inline std::string SubjectMemberId(const v1::Subject& subject) {
  return subject.id_case() == v1::Subject::kMemberId ? subject.member_id() : std::string();
}

}  // namespace vanguard::command::internal
