#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/privacy/personal_info.h"
#include "services/command/command_services.h"
#include "services/command/handler.h"

namespace vanguard::command {
namespace {

using internal::Decision;
using internal::Plan;
using internal::Side;

Plan MemberPlan(std::string member_id, internal::Decide decide) {
  return {.aggregate_type = v1::AGGREGATE_TYPE_MEMBER,
          .aggregate_id = std::move(member_id),
          .decide = std::move(decide)};
}

// An enrolled (or departed) member's state; NOT_FOUND when never enrolled.
absl::StatusOr<domain::Member> ExistingMember(const std::string& member_id,
                                              const std::vector<v1::Envelope>& history) {
  domain::Member member = internal::Fold<domain::Member>(history);
  if (member.status() == domain::Member::Status::kUnknown) {
    return absl::NotFoundError(absl::StrCat("member ", member_id, " not found"));
  }
  return member;
}

// Seals the personal information of the attributes in `events` (enrolments
// and updates) with the member's key, created at enrolment. Without a key
// store they stay plain.
Decision Sealed(privacy::KeyStore* keys, const std::string& member_id, Decision events) {
  if (!events.ok() || keys == nullptr) return events;
  for (v1::Envelope& e : *events) {
    v1::MemberAttributes* attributes = nullptr;
    if (e.has_member_enrolled()) attributes = e.mutable_member_enrolled()->mutable_attributes();
    if (e.has_member_updated()) attributes = e.mutable_member_updated()->mutable_attributes();
    if (attributes == nullptr) continue;
    ASSIGN_OR_RETURN(std::string key, keys->KeyForSealing(member_id));
    RETURN_IF_ERROR(privacy::SealPersonalInfo(key, member_id, *attributes));
  }
  return events;
}

using MemberDecide =
    std::function<Decision(const domain::Member&, const domain::OrgTree&, const domain::Context&)>;

// A command on an enrolled member: the member's current organisation must be
// in the caller's scope (the sending organisation initiates a transfer,
// 组织关系转接, so the receiving one need not be).
absl::StatusOr<Plan> ExistingMemberPlan(const rpc::Principal& principal,
                                        const std::string& member_id, MemberDecide decide) {
  RETURN_IF_ERROR(internal::RequireId("member_id", member_id));
  return MemberPlan(
      member_id,
      [principal, member_id, decide = std::move(decide)](
          const writer::DecisionInput& input, const domain::Context& context) -> Decision {
        ASSIGN_OR_RETURN(domain::Member member, ExistingMember(member_id, input.history));
        RETURN_IF_ERROR(internal::CheckScopeOfOwner(principal, input.tree, member.organisation_id(),
                                                    absl::StrCat("member ", member_id)));
        return decide(member, input.tree, context);
      });
}

}  // namespace

grpc::Status MemberServiceImpl::EnrolMember(grpc::ServerContext* context,
                                            const v1::EnrolMemberRequest* request,
                                            v1::EnrolMemberResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "EnrolMember", Side::kRecorder, *request,
      [request, keys = keys_](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        RETURN_IF_ERROR(internal::RequireId("organisation_id", request->organisation_id()));
        domain::EnrolMember command{.organisation_id = request->organisation_id(),
                                    .attributes = request->attributes(),
                                    .effective_on = internal::OptionalDate(
                                        request->has_effective_on(), request->effective_on())};
        std::string member_id = writer::DerivedId("mbr-", principal.id, request->request_id());
        return MemberPlan(
            member_id, [principal, command, keys, member_id](
                           const writer::DecisionInput& input,
                           const domain::Context& context) -> Decision {
              RETURN_IF_ERROR(internal::CheckScope(principal, input.tree, command.organisation_id));
              return Sealed(keys, member_id,
                            domain::Decide(internal::Fold<domain::Member>(input.history), command,
                                           input.tree, context));
            });
      },
      response->mutable_result());
}

grpc::Status MemberServiceImpl::UpdateMember(grpc::ServerContext* context,
                                             const v1::UpdateMemberRequest* request,
                                             v1::UpdateMemberResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "UpdateMember", Side::kRecorder, *request,
      [request, keys = keys_](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::UpdateMember command{.attributes = request->attributes(),
                                     .effective_on = internal::OptionalDate(
                                         request->has_effective_on(), request->effective_on()),
                                     .reason = request->reason()};
        return ExistingMemberPlan(
            principal, request->member_id(),
            [command, keys, member_id = request->member_id()](
                const domain::Member& member, const domain::OrgTree& tree,
                const domain::Context& context) {
              return Sealed(keys, member_id, domain::Decide(member, command, context));
            });
      },
      response->mutable_result());
}

grpc::Status MemberServiceImpl::TransferMember(grpc::ServerContext* context,
                                               const v1::TransferMemberRequest* request,
                                               v1::TransferMemberResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "TransferMember", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        RETURN_IF_ERROR(internal::RequireId("to_organisation_id", request->to_organisation_id()));
        domain::TransferMember command{.to_organisation_id = request->to_organisation_id(),
                                       .effective_on = internal::OptionalDate(
                                           request->has_effective_on(), request->effective_on()),
                                       .reason = request->reason()};
        return ExistingMemberPlan(
            principal, request->member_id(),
            [command](const domain::Member& member, const domain::OrgTree& tree,
                      const domain::Context& context) {
              return domain::Decide(member, command, tree, context);
            });
      },
      response->mutable_result());
}

grpc::Status MemberServiceImpl::RecordMemberLeft(grpc::ServerContext* context,
                                                 const v1::RecordMemberLeftRequest* request,
                                                 v1::RecordMemberLeftResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "RecordMemberLeft", Side::kRecorder, *request,
      [request](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        domain::RecordMemberLeft command{.reason = request->reason(),
                                         .effective_on = internal::OptionalDate(
                                             request->has_effective_on(), request->effective_on()),
                                         .note = request->note()};
        return ExistingMemberPlan(
            principal, request->member_id(),
            [command](const domain::Member& member, const domain::OrgTree& tree,
                      const domain::Context& context) {
              return domain::Decide(member, command, context);
            });
      },
      response->mutable_result());
}

grpc::Status MemberServiceImpl::EraseMemberPersonalInfo(
    grpc::ServerContext* context, const v1::EraseMemberPersonalInfoRequest* request,
    v1::EraseMemberPersonalInfoResponse* response) {
  return internal::Run(
      *writer_, *tokens_, context, "EraseMemberPersonalInfo", Side::kAdministrator, *request,
      [request, keys = keys_](const rpc::Principal& principal) -> absl::StatusOr<Plan> {
        if (keys == nullptr) {
          return absl::FailedPreconditionError(
              "this server keeps no key store, so it cannot erase personal information");
        }
        RETURN_IF_ERROR(internal::RequireId("member_id", request->member_id()));
        const std::string member_id = request->member_id();
        return MemberPlan(
            member_id,
            [principal, member_id, keys](const writer::DecisionInput& input,
                                         const domain::Context& context) -> Decision {
              ASSIGN_OR_RETURN(domain::Member member, ExistingMember(member_id, input.history));
              // An admin too erases only within its own organisation's subtree.
              const std::string& owner = member.organisation_id();
              if (owner != principal.organisation_id &&
                  !input.tree.IsAncestor(principal.organisation_id, owner)) {
                return absl::PermissionDeniedError(absl::StrCat(
                    "member ", member_id, " is outside the scope of principal ", principal.id,
                    " (", principal.organisation_id, " and below)"));
              }
              ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
                               domain::Decide(member, domain::EraseMemberPersonalInfo{}, context));
              // Destroyed before the event is written: from here on nobody
              // can open the member's personal information, whatever becomes
              // of the append (a retry records the erasure).
              RETURN_IF_ERROR(keys->Destroy(member_id));
              return events;
            });
      },
      response->mutable_result());
}

}  // namespace vanguard::command
