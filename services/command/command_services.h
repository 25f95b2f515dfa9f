// The gRPC command services of the write side: organisations, members,
// pledges, campaigns, reviews, funds, honours and supervision, and the
// streaming SubmitService that takes any of their commands in bulk. Each RPC authenticates the
// caller, checks the role and the organisation scope, maps the request onto a domain command and
// runs it through the Writer, which answers idempotently and with optimistic concurrency (see
// command.proto for the rules every command shares).
//
//   command::CommandServices services(writer.get(), &tokens);
//   ASSIGN_OR_RETURN(std::unique_ptr<rpc::Server> server,
//                    rpc::Server::Start(options, services.services()));
//
// Roles: clerk or admin for the organisation and member RPCs and the
// pledger's side of a pledge (make, revise, report progress, fulfil,
// withdraw); reviewer or admin for the reviewer's side (approve, send back,
// assess, evaluate). Campaigns, pioneer posts' establishment, pairings and
// supervision records: clerk or admin. Leader reviews, mass evaluations,
// member appraisals, rectifications, pioneer posts' assessment and honours:
// reviewer or admin. Budgets (allocate, disburse, reverse): department or
// admin, and a department only from its own organisation's budget. Where the
// domain compares the acting organisation with the one the principal acts
// for, that is the principal's organisation, for an admin too. Scope: an organisation is in a
// principal's scope when it is the principal's own organisation or lies below it; an admin is
// unscoped. Scope is checked inside the decision, against the tree the decision sees, so a command
// out of scope fails before anything is appended. A retry of a request that was accepted is
// answered from its first result before any decision runs.
//
// SubmitService plans each command of a stream through the unary RPC it
// names, with the stream's context (token, deadline, cancellation), so a
// command in bulk obeys exactly the rules of its unary call.
//
// Thread safety: the services hold no state of their own; gRPC may call any
// RPC from any number of threads. The Writer and TokenStore outlive them.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/sync_stream.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/privacy/key_store.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/rate_limiter.h"
#include "libs/writer/writer.h"
#include "vanguard/v1/campaign_service.grpc.pb.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/honour_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"
#include "vanguard/v1/review_service.grpc.pb.h"
#include "vanguard/v1/submit_service.grpc.pb.h"
#include "vanguard/v1/supervision_service.grpc.pb.h"

namespace vanguard::command {

class OrganisationServiceImpl final : public v1::OrganisationService::Service {
 public:
  OrganisationServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status RegisterOrganisation(grpc::ServerContext* context,
                                    const v1::RegisterOrganisationRequest* request,
                                    v1::RegisterOrganisationResponse* response) override;
  grpc::Status RenameOrganisation(grpc::ServerContext* context,
                                  const v1::RenameOrganisationRequest* request,
                                  v1::RenameOrganisationResponse* response) override;
  grpc::Status MoveOrganisation(grpc::ServerContext* context,
                                const v1::MoveOrganisationRequest* request,
                                v1::MoveOrganisationResponse* response) override;
  grpc::Status DissolveOrganisation(grpc::ServerContext* context,
                                    const v1::DissolveOrganisationRequest* request,
                                    v1::DissolveOrganisationResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

// Seals members' personal information with their keys from `keys` before it
// is written (privacy/personal_info.h) and erases it by destroying the key.
// Without a key store (`keys` null: tests of other parts) attributes are
// written in plain text and erasure is FAILED_PRECONDITION.
class MemberServiceImpl final : public v1::MemberService::Service {
 public:
  MemberServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens,
                    privacy::KeyStore* keys = nullptr)
      : writer_(writer), tokens_(tokens), keys_(keys) {}

  grpc::Status EnrolMember(grpc::ServerContext* context, const v1::EnrolMemberRequest* request,
                           v1::EnrolMemberResponse* response) override;
  grpc::Status UpdateMember(grpc::ServerContext* context, const v1::UpdateMemberRequest* request,
                            v1::UpdateMemberResponse* response) override;
  grpc::Status TransferMember(grpc::ServerContext* context,
                              const v1::TransferMemberRequest* request,
                              v1::TransferMemberResponse* response) override;
  grpc::Status RecordMemberLeft(grpc::ServerContext* context,
                                const v1::RecordMemberLeftRequest* request,
                                v1::RecordMemberLeftResponse* response) override;
  grpc::Status EraseMemberPersonalInfo(grpc::ServerContext* context,
                                       const v1::EraseMemberPersonalInfoRequest* request,
                                       v1::EraseMemberPersonalInfoResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
  privacy::KeyStore* const keys_;
};

class PledgeServiceImpl final : public v1::PledgeService::Service {
 public:
  PledgeServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status MakePledge(grpc::ServerContext* context, const v1::MakePledgeRequest* request,
                          v1::MakePledgeResponse* response) override;
  grpc::Status ApprovePledge(grpc::ServerContext* context, const v1::ApprovePledgeRequest* request,
                             v1::ApprovePledgeResponse* response) override;
  grpc::Status SendBackPledge(grpc::ServerContext* context,
                              const v1::SendBackPledgeRequest* request,
                              v1::SendBackPledgeResponse* response) override;
  grpc::Status RevisePledge(grpc::ServerContext* context, const v1::RevisePledgeRequest* request,
                            v1::RevisePledgeResponse* response) override;
  grpc::Status ReportPledgeProgress(grpc::ServerContext* context,
                                    const v1::ReportPledgeProgressRequest* request,
                                    v1::ReportPledgeProgressResponse* response) override;
  grpc::Status AssessPledge(grpc::ServerContext* context, const v1::AssessPledgeRequest* request,
                            v1::AssessPledgeResponse* response) override;
  grpc::Status FulfilPledge(grpc::ServerContext* context, const v1::FulfilPledgeRequest* request,
                            v1::FulfilPledgeResponse* response) override;
  grpc::Status WithdrawPledge(grpc::ServerContext* context,
                              const v1::WithdrawPledgeRequest* request,
                              v1::WithdrawPledgeResponse* response) override;
  grpc::Status EvaluatePledge(grpc::ServerContext* context,
                              const v1::EvaluatePledgeRequest* request,
                              v1::EvaluatePledgeResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

class CampaignServiceImpl final : public v1::CampaignService::Service {
 public:
  CampaignServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status LaunchCampaign(grpc::ServerContext* context,
                              const v1::LaunchCampaignRequest* request,
                              v1::LaunchCampaignResponse* response) override;
  grpc::Status ChangeCampaignPhase(grpc::ServerContext* context,
                                   const v1::ChangeCampaignPhaseRequest* request,
                                   v1::ChangeCampaignPhaseResponse* response) override;
  grpc::Status SetCampaignTargets(grpc::ServerContext* context,
                                  const v1::SetCampaignTargetsRequest* request,
                                  v1::SetCampaignTargetsResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

class ReviewServiceImpl final : public v1::ReviewService::Service {
 public:
  ReviewServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status DoLeaderReview(grpc::ServerContext* context,
                              const v1::DoLeaderReviewRequest* request,
                              v1::DoLeaderReviewResponse* response) override;
  grpc::Status DoMassEvaluation(grpc::ServerContext* context,
                                const v1::DoMassEvaluationRequest* request,
                                v1::DoMassEvaluationResponse* response) override;
  grpc::Status AppraiseMember(grpc::ServerContext* context,
                              const v1::AppraiseMemberRequest* request,
                              v1::AppraiseMemberResponse* response) override;
  grpc::Status IssueRectification(grpc::ServerContext* context,
                                  const v1::IssueRectificationRequest* request,
                                  v1::IssueRectificationResponse* response) override;
  grpc::Status CloseRectification(grpc::ServerContext* context,
                                  const v1::CloseRectificationRequest* request,
                                  v1::CloseRectificationResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

class FundsServiceImpl final : public v1::FundsService::Service {
 public:
  FundsServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status EstablishPioneerPost(grpc::ServerContext* context,
                                    const v1::EstablishPioneerPostRequest* request,
                                    v1::EstablishPioneerPostResponse* response) override;
  grpc::Status AssessPioneerPost(grpc::ServerContext* context,
                                 const v1::AssessPioneerPostRequest* request,
                                 v1::AssessPioneerPostResponse* response) override;
  grpc::Status EstablishPairing(grpc::ServerContext* context,
                                const v1::EstablishPairingRequest* request,
                                v1::EstablishPairingResponse* response) override;
  grpc::Status EndPairing(grpc::ServerContext* context, const v1::EndPairingRequest* request,
                          v1::EndPairingResponse* response) override;
  grpc::Status AllocateBudget(grpc::ServerContext* context,
                              const v1::AllocateBudgetRequest* request,
                              v1::AllocateBudgetResponse* response) override;
  grpc::Status DisburseFunds(grpc::ServerContext* context, const v1::DisburseFundsRequest* request,
                             v1::DisburseFundsResponse* response) override;
  grpc::Status ReverseFunds(grpc::ServerContext* context, const v1::ReverseFundsRequest* request,
                            v1::ReverseFundsResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

class HonourServiceImpl final : public v1::HonourService::Service {
 public:
  HonourServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status ConferHonour(grpc::ServerContext* context, const v1::ConferHonourRequest* request,
                            v1::ConferHonourResponse* response) override;
  grpc::Status RevokeHonour(grpc::ServerContext* context, const v1::RevokeHonourRequest* request,
                            v1::RevokeHonourResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

class SupervisionServiceImpl final : public v1::SupervisionService::Service {
 public:
  SupervisionServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens)
      : writer_(writer), tokens_(tokens) {}

  grpc::Status RecordInspection(grpc::ServerContext* context,
                                const v1::RecordInspectionRequest* request,
                                v1::RecordInspectionResponse* response) override;
  grpc::Status SubmitReport(grpc::ServerContext* context, const v1::SubmitReportRequest* request,
                            v1::SubmitReportResponse* response) override;
  grpc::Status HoldMeeting(grpc::ServerContext* context, const v1::HoldMeetingRequest* request,
                           v1::HoldMeetingResponse* response) override;

 private:
  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
};

// Many commands over one stream (see submit_service.proto). The stream's
// reading thread plans each command through its unary method (so a command
// in bulk obeys exactly the rules of its unary call) without running it;
// workers then run the planned commands through the writer, several at once,
// where the writer groups those of one partition into one append. A command
// starts only once every earlier command of the stream that it conflicts
// with has finished: one on the same aggregate, one on an aggregate it reads
// (its dependencies) or that reads it, and any change of the organisation
// tree, which every decision reads. So each command sees everything sent
// before it that it could see, exactly as if the stream ran one by one. At
// most kWindow commands are held unanswered, which bounds what a fast
// client can make the server buffer.
class SubmitServiceImpl final : public v1::SubmitService::Service {
 public:
  // Commands read ahead of their answers, at most.
  static constexpr size_t kWindow = 64;
  // Workers running a stream's commands, at most.
  static constexpr int kWorkers = 16;

  // Commands one stream takes by default (see CommandLimits).
  static constexpr int64_t kDefaultMaxCommands = 1'000'000;

  // `keys` seals members' personal information (see MemberServiceImpl).
  SubmitServiceImpl(writer::CommandRunner* writer, const rpc::TokenStore* tokens,
                    int64_t max_commands = kDefaultMaxCommands,
                    privacy::KeyStore* keys = nullptr)
      : writer_(writer), tokens_(tokens), max_commands_(max_commands), keys_(keys) {}

  grpc::Status Submit(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream) override;

 private:
  class Stream;

  writer::CommandRunner* const writer_;
  const rpc::TokenStore* const tokens_;
  const int64_t max_commands_;
  privacy::KeyStore* const keys_;
};

// Runs a command through `writer` once the principal's rate limit admits it;
// RESOURCE_EXHAUSTED (with a RetryInfo) otherwise, before anything is decided
// or appended. Refusals are logged at most once a second per principal, with
// how many there were, so that a flood cannot flood the logs too.
class RateLimitedRunner final : public writer::CommandRunner {
 public:
  RateLimitedRunner(writer::CommandRunner* writer, rpc::RateLimiter* limiter)
      : writer_(writer), limiter_(limiter) {}

  absl::StatusOr<writer::CommandResult> Execute(const writer::Command& command,
                                                absl::Time deadline) override;

 private:
  struct Refusals {
    absl::Time logged = absl::InfinitePast();
    int64_t since = 0;
  };

  writer::CommandRunner* const writer_;
  rpc::RateLimiter* const limiter_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Refusals> refusals_ ABSL_GUARDED_BY(mu_);
};

// What one caller may ask of the command services.
struct CommandLimits {
  // With a limiter, every command (unary, or one of a Submit stream) that gets
  // past authentication, role and validation takes one call from its
  // principal's bucket before it is decided. Reads are not limited by it.
  // nullptr: no rate limit.
  rpc::RateLimiter* rate_limiter = nullptr;
  // Commands one Submit stream takes. A stream that sends more is ended with
  // RESOURCE_EXHAUSTED once the first max_commands_per_stream are answered;
  // the commands after them are not read (answers carry their index, so the
  // client resends the rest on a new stream).
  int64_t max_commands_per_stream = SubmitServiceImpl::kDefaultMaxCommands;
};

// The command services over one Writer, ready to hand to rpc::Server.
class CommandServices {
 public:
  // `keys` seals members' personal information (see MemberServiceImpl).
  CommandServices(writer::Writer* writer, const rpc::TokenStore* tokens,
                  CommandLimits limits = {}, privacy::KeyStore* keys = nullptr)
      : limited_(writer, limits.rate_limiter),
        runner_(limits.rate_limiter == nullptr ? static_cast<writer::CommandRunner*>(writer)
                                               : &limited_),
        organisations_(runner_, tokens),
        members_(runner_, tokens, keys),
        pledges_(runner_, tokens),
        campaigns_(runner_, tokens),
        reviews_(runner_, tokens),
        funds_(runner_, tokens),
        honours_(runner_, tokens),
        supervision_(runner_, tokens),
        submit_(runner_, tokens, limits.max_commands_per_stream, keys) {}
  CommandServices(const CommandServices&) = delete;
  CommandServices& operator=(const CommandServices&) = delete;

  // Owned by this object, which must outlive the server they are registered on.
  std::vector<grpc::Service*> services() {
    return {&organisations_, &members_, &pledges_,     &campaigns_, &reviews_,
            &funds_,         &honours_, &supervision_, &submit_};
  }

 private:
  RateLimitedRunner limited_;
  writer::CommandRunner* const runner_;
  OrganisationServiceImpl organisations_;
  MemberServiceImpl members_;
  PledgeServiceImpl pledges_;
  CampaignServiceImpl campaigns_;
  ReviewServiceImpl reviews_;
  FundsServiceImpl funds_;
  HonourServiceImpl honours_;
  SupervisionServiceImpl supervision_;
  SubmitServiceImpl submit_;
};

}  // namespace vanguard::command
