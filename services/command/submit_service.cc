#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/log/log.h"
#include "libs/rpc/status.h"
#include "services/command/command_services.h"

namespace vanguard::command {
namespace {

// Calls one unary command method and keeps its CommandResult.
template <typename Service, typename Request, typename Response>
grpc::Status Call(Service* service,
                  grpc::Status (Service::*method)(grpc::ServerContext*, const Request*, Response*),
                  grpc::ServerContext* context, const Request& request, v1::CommandResult* result) {
  Response response;
  grpc::Status status = (service->*method)(context, &request, &response);
  if (status.ok()) *result = std::move(*response.mutable_result());
  return status;
}

v1::SubmitResponse ResponseOf(int64_t index, const grpc::Status& status, v1::CommandResult result) {
  v1::SubmitResponse response;
  response.set_index(index);
  if (status.ok()) {
    *response.mutable_result() = std::move(result);
  } else {
    v1::SubmitError* error = response.mutable_error();
    error->set_code(static_cast<int32_t>(status.error_code()));
    error->set_message(status.error_message());
    error->set_details(status.error_details());
  }
  return response;
}

// The unary RPC a command names: register_organisation → RegisterOrganisation.
std::string RpcNameOf(const v1::SubmitRequest& request) {
  std::string name;
  bool upper = true;
  for (char c : v1::SubmitRequest::descriptor()->FindFieldByNumber(request.command_case())->name()) {
    if (c == '_') {
      upper = true;
      continue;
    }
    name += upper ? absl::ascii_toupper(static_cast<unsigned char>(c)) : c;
    upper = false;
  }
  return name;
}

// Stands in for the writer while a stream plans: keeps the planned command
// for the stream's workers instead of running it.
class Collector final : public writer::CommandRunner {
 public:
  struct Planned {
    writer::Command command;
    absl::Time deadline;
  };

  absl::StatusOr<writer::CommandResult> Execute(const writer::Command& command,
                                                absl::Time deadline) override {
    planned_ = Planned{command, deadline};
    return writer::CommandResult{};  // taken: the stream answers once it has run
  }
  // The command planned since the last call, if the request got that far.
  std::optional<Planned> Take() { return std::exchange(planned_, std::nullopt); }

 private:
  std::optional<Planned> planned_;
};

// The unary services, planning into a collector.
struct Planners {
  Planners(writer::CommandRunner* collector, const rpc::TokenStore* tokens,
           privacy::KeyStore* keys)
      : organisations(collector, tokens),
        members(collector, tokens, keys),
        pledges(collector, tokens),
        campaigns(collector, tokens),
        reviews(collector, tokens),
        funds(collector, tokens),
        honours(collector, tokens),
        supervision(collector, tokens) {}

  OrganisationServiceImpl organisations;
  MemberServiceImpl members;
  PledgeServiceImpl pledges;
  CampaignServiceImpl campaigns;
  ReviewServiceImpl reviews;
  FundsServiceImpl funds;
  HonourServiceImpl honours;
  SupervisionServiceImpl supervision;
};

// Plans one command through its unary method: an error is its answer; OK
// leaves the command with the collector.
grpc::Status Plan(Planners& targets, grpc::ServerContext* context,
                  const v1::SubmitRequest& request, v1::CommandResult* result) {
  using R = v1::SubmitRequest;
  switch (request.command_case()) {
    case R::kRegisterOrganisation:
      return Call(&targets.organisations, &OrganisationServiceImpl::RegisterOrganisation, context,
                  request.register_organisation(), result);
    case R::kRenameOrganisation:
      return Call(&targets.organisations, &OrganisationServiceImpl::RenameOrganisation, context,
                  request.rename_organisation(), result);
    case R::kMoveOrganisation:
      return Call(&targets.organisations, &OrganisationServiceImpl::MoveOrganisation, context,
                  request.move_organisation(), result);
    case R::kDissolveOrganisation:
      return Call(&targets.organisations, &OrganisationServiceImpl::DissolveOrganisation, context,
                  request.dissolve_organisation(), result);

    case R::kEnrolMember:
      return Call(&targets.members, &MemberServiceImpl::EnrolMember, context,
                  request.enrol_member(), result);
    case R::kUpdateMember:
      return Call(&targets.members, &MemberServiceImpl::UpdateMember, context,
                  request.update_member(), result);
    case R::kTransferMember:
      return Call(&targets.members, &MemberServiceImpl::TransferMember, context,
                  request.transfer_member(), result);
    case R::kRecordMemberLeft:
      return Call(&targets.members, &MemberServiceImpl::RecordMemberLeft, context,
                  request.record_member_left(), result);

    case R::kMakePledge:
      return Call(&targets.pledges, &PledgeServiceImpl::MakePledge, context, request.make_pledge(),
                  result);
    case R::kApprovePledge:
      return Call(&targets.pledges, &PledgeServiceImpl::ApprovePledge, context,
                  request.approve_pledge(), result);
    case R::kSendBackPledge:
      return Call(&targets.pledges, &PledgeServiceImpl::SendBackPledge, context,
                  request.send_back_pledge(), result);
    case R::kRevisePledge:
      return Call(&targets.pledges, &PledgeServiceImpl::RevisePledge, context,
                  request.revise_pledge(), result);
    case R::kReportPledgeProgress:
      return Call(&targets.pledges, &PledgeServiceImpl::ReportPledgeProgress, context,
                  request.report_pledge_progress(), result);
    case R::kAssessPledge:
      return Call(&targets.pledges, &PledgeServiceImpl::AssessPledge, context,
                  request.assess_pledge(), result);
    case R::kFulfilPledge:
      return Call(&targets.pledges, &PledgeServiceImpl::FulfilPledge, context,
                  request.fulfil_pledge(), result);
    case R::kWithdrawPledge:
      return Call(&targets.pledges, &PledgeServiceImpl::WithdrawPledge, context,
                  request.withdraw_pledge(), result);
    case R::kEvaluatePledge:
      return Call(&targets.pledges, &PledgeServiceImpl::EvaluatePledge, context,
                  request.evaluate_pledge(), result);

    case R::kLaunchCampaign:
      return Call(&targets.campaigns, &CampaignServiceImpl::LaunchCampaign, context,
                  request.launch_campaign(), result);
    case R::kChangeCampaignPhase:
      return Call(&targets.campaigns, &CampaignServiceImpl::ChangeCampaignPhase, context,
                  request.change_campaign_phase(), result);
    case R::kSetCampaignTargets:
      return Call(&targets.campaigns, &CampaignServiceImpl::SetCampaignTargets, context,
                  request.set_campaign_targets(), result);

    case R::kDoLeaderReview:
      return Call(&targets.reviews, &ReviewServiceImpl::DoLeaderReview, context,
                  request.do_leader_review(), result);
    case R::kDoMassEvaluation:
      return Call(&targets.reviews, &ReviewServiceImpl::DoMassEvaluation, context,
                  request.do_mass_evaluation(), result);
    case R::kAppraiseMember:
      return Call(&targets.reviews, &ReviewServiceImpl::AppraiseMember, context,
                  request.appraise_member(), result);
    case R::kIssueRectification:
      return Call(&targets.reviews, &ReviewServiceImpl::IssueRectification, context,
                  request.issue_rectification(), result);
    case R::kCloseRectification:
      return Call(&targets.reviews, &ReviewServiceImpl::CloseRectification, context,
                  request.close_rectification(), result);

    case R::kEstablishPioneerPost:
      return Call(&targets.funds, &FundsServiceImpl::EstablishPioneerPost, context,
                  request.establish_pioneer_post(), result);
    case R::kAssessPioneerPost:
      return Call(&targets.funds, &FundsServiceImpl::AssessPioneerPost, context,
                  request.assess_pioneer_post(), result);
    case R::kEstablishPairing:
      return Call(&targets.funds, &FundsServiceImpl::EstablishPairing, context,
                  request.establish_pairing(), result);
    case R::kEndPairing:
      return Call(&targets.funds, &FundsServiceImpl::EndPairing, context, request.end_pairing(),
                  result);
    case R::kAllocateBudget:
      return Call(&targets.funds, &FundsServiceImpl::AllocateBudget, context,
                  request.allocate_budget(), result);
    case R::kDisburseFunds:
      return Call(&targets.funds, &FundsServiceImpl::DisburseFunds, context,
                  request.disburse_funds(), result);
    case R::kReverseFunds:
      return Call(&targets.funds, &FundsServiceImpl::ReverseFunds, context, request.reverse_funds(),
                  result);

    case R::kConferHonour:
      return Call(&targets.honours, &HonourServiceImpl::ConferHonour, context,
                  request.confer_honour(), result);
    case R::kRevokeHonour:
      return Call(&targets.honours, &HonourServiceImpl::RevokeHonour, context,
                  request.revoke_honour(), result);

    case R::kRecordInspection:
      return Call(&targets.supervision, &SupervisionServiceImpl::RecordInspection, context,
                  request.record_inspection(), result);
    case R::kSubmitReport:
      return Call(&targets.supervision, &SupervisionServiceImpl::SubmitReport, context,
                  request.submit_report(), result);
    case R::kHoldMeeting:
      return Call(&targets.supervision, &SupervisionServiceImpl::HoldMeeting, context,
                  request.hold_meeting(), result);

    case R::COMMAND_NOT_SET:
      break;
  }
  // A command of a newer client (a field this server does not know) lands
  // here too: it is not applied, and the client learns which one.
  return rpc::ToGrpcStatus(absl::InvalidArgumentError("command: must be set"));
}


}  // namespace

// One stream: the reading thread plans, workers run, and whoever finishes a
// command answers it.
class SubmitServiceImpl::Stream {
 public:
  Stream(writer::CommandRunner* writer, grpc::ServerContext* context,
         grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream)
      : writer_(writer), context_(context), stream_(stream) {}

  ~Stream() {
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
      work_.SignalAll();
    }
    for (std::thread& worker : workers_) worker.join();
  }

  // Waits for room in the window, then queues a planned command.
  void Add(int64_t index, std::unique_ptr<v1::SubmitRequest> request,
           Collector::Planned planned) {
    auto entry = std::make_unique<Entry>(Entry{.index = index,
                                               .request = std::move(request),
                                               .command = std::move(planned.command),
                                               .deadline = planned.deadline});
    absl::MutexLock lock(&mu_);
    entries_.push_back(std::move(entry));
    if (idle_ == 0 && static_cast<int>(workers_.size()) < kWorkers) {
      workers_.emplace_back([this] { Work(); });
    }
    work_.Signal();
  }

  // Blocks while the window is full.
  void WaitForRoom() {
    absl::MutexLock lock(&mu_);
    while (entries_.size() >= kWindow) finished_.Wait(&mu_);
  }

  void WaitForAll() {
    absl::MutexLock lock(&mu_);
    while (!entries_.empty()) finished_.Wait(&mu_);
  }

  // False once the client is gone.
  bool Answer(int64_t index, const grpc::Status& status, v1::CommandResult result) {
    absl::MutexLock lock(&write_mu_);
    if (broken_) return false;
    broken_ = !stream_->Write(ResponseOf(index, status, std::move(result)));
    return !broken_;
  }

  bool broken() {
    absl::MutexLock lock(&write_mu_);
    return broken_;
  }

  // The client is gone: what has not started will not.
  void Abandon() {
    absl::MutexLock lock(&write_mu_);
    broken_ = true;
  }

 private:
  struct Entry {
    int64_t index;
    std::unique_ptr<v1::SubmitRequest> request;  // kept: a plan may point into it
    writer::Command command;
    absl::Time deadline;
    bool running = false;
  };

  static bool Conflict(const Entry& earlier, const Entry& later) {
    return Conflict(earlier.command, later.command);
  }
  static bool Conflict(const writer::Command& a, const writer::Command& b) {
    if (a.aggregate_id == writer::kOrgTreeId || b.aggregate_id == writer::kOrgTreeId) return true;
    if (a.aggregate_id == b.aggregate_id) return true;
    auto reads = [](const writer::Command& reader, const std::string& id) {
      return std::find(reader.dependencies.begin(), reader.dependencies.end(), id) !=
             reader.dependencies.end();
    };
    return reads(a, b.aggregate_id) || reads(b, a.aggregate_id);
  }

  // The first waiting command that conflicts with no earlier unfinished one.
  Entry* Runnable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (size_t i = 0; i < entries_.size(); ++i) {
      Entry& candidate = *entries_[i];
      if (candidate.running) continue;
      bool free = true;
      for (size_t j = 0; free && j < i; ++j) free = !Conflict(*entries_[j], candidate);
      if (free) return &candidate;
    }
    return nullptr;
  }

  void Work() {
    absl::MutexLock lock(&mu_);
    while (true) {
      Entry* entry = Runnable();
      if (entry == nullptr) {
        if (closing_) return;
        ++idle_;
        work_.Wait(&mu_);
        --idle_;
        continue;
      }
      entry->running = true;
      mu_.Unlock();
      Run(*entry);
      mu_.Lock();
      entries_.erase(std::find_if(entries_.begin(), entries_.end(),
                                  [entry](const auto& e) { return e.get() == entry; }));
      // What waited behind it may run now; the window has room.
      work_.SignalAll();
      finished_.SignalAll();
    }
  }

  void Run(const Entry& entry) {
    // A client that is gone hears nothing; running its commands anyway
    // could append what no one hears of, and a resent stream runs them.
    // (Not ServerContext::IsCancelled: on the sync API it plucks the call's
    // completion queue, which takes at most six pluckers at once; called from
    // many workers beside Read and Write it made those fail on a healthy
    // stream. The reading thread sees a cancelled call; a failed write marks
    // the stream broken.)
    if (broken()) return;
    // A command that reads what an earlier command of the stream was refused
    // by the rate limit would be decided without it (a member enrolled in an
    // organisation whose registration was refused is NOT_FOUND): it is
    // refused the same way, to be resent with it.
    absl::StatusOr<writer::CommandResult> executed = RefusedBefore(entry.command);
    if (executed.ok()) executed = writer_->Execute(entry.command, entry.deadline);
    if (!executed.ok() && rpc::IsRateLimited(executed.status())) {
      absl::MutexLock lock(&refused_mu_);
      writer::Command refused;
      refused.aggregate_id = entry.command.aggregate_id;
      refused.dependencies = entry.command.dependencies;
      rate_refused_.push_back({entry.index, std::move(refused), executed.status()});
    }
    v1::CommandResult result;
    if (executed.ok()) {
      result.set_aggregate_id(executed->aggregate_id);
      result.set_version(executed->version);
      result.set_consistency_token(executed->consistency_token);
      result.set_replayed(executed->replayed);
    }
    if (!executed.ok() && !rpc::IsRateLimited(executed.status())) {
      // As the unary call logs its refusals (handler.cc); ids and the rule only.
      log::Info("command", "command refused",
                {{"rpc", RpcNameOf(*entry.request)},
                 {"request_id", entry.command.request_id},
                 {"code", absl::StatusCodeToString(executed.status().code())},
                 {"error", std::string(executed.status().message())}});
    }
    Answer(entry.index, rpc::ToGrpcStatus(executed.status()), std::move(result));
  }

  writer::CommandRunner* const writer_;
  grpc::ServerContext* const context_;
  grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* const stream_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);  // unfinished, in stream order
  absl::CondVar work_;      // a command was added or finished, or the stream closes
  absl::CondVar finished_;  // a command finished
  int idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;  // started under mu_, joined once closing

  // RESOURCE_EXHAUSTED like the first earlier command of the stream that the
  // rate limit refused and `command` conflicts with; OK (an empty result) when none.
  absl::StatusOr<writer::CommandResult> RefusedBefore(const writer::Command& command) {
    absl::MutexLock lock(&refused_mu_);
    for (const RateRefused& earlier : rate_refused_) {
      if (!Conflict(earlier.command, command)) continue;
      absl::Status status(absl::StatusCode::kResourceExhausted,
                          absl::StrCat("command ", earlier.index,
                                       " of this stream, which this one depends on, was over the "
                                       "rate limit: ",
                                       earlier.status.message()));
      earlier.status.ForEachPayload(
          [&](absl::string_view type_url, const absl::Cord& payload) {
            status.SetPayload(type_url, payload);
          });
      return status;
    }
    return writer::CommandResult{};
  }

  absl::Mutex write_mu_;  // one Write at a time
  bool broken_ ABSL_GUARDED_BY(write_mu_) = false;

  struct RateRefused {
    int64_t index;
    writer::Command command;  // its aggregate and dependencies
    absl::Status status;
  };
  absl::Mutex refused_mu_;
  std::vector<RateRefused> rate_refused_ ABSL_GUARDED_BY(refused_mu_);
};

grpc::Status SubmitServiceImpl::Submit(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::SubmitResponse, v1::SubmitRequest>* stream) {
  // Every command would fail the same way; one status for the stream tells
  // the client without reading (and answering) a whole spreadsheet.
  absl::StatusOr<rpc::Principal> principal = tokens_->Authenticate(*context);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());

  Collector collector;
  Planners planners(&collector, tokens_, keys_);
  bool too_long = false;
  {
    Stream running(writer_, context, stream);
    for (int64_t index = 0;; ++index) {
      running.WaitForRoom();
      auto request = std::make_unique<v1::SubmitRequest>();
      if (!stream->Read(request.get())) break;
      if (index >= max_commands_) {
        // Read but not run: the stream ends once the earlier ones are answered.
        too_long = true;
        break;
      }
      v1::CommandResult result;
      const grpc::Status status = Plan(planners, context, *request, &result);
      if (std::optional<Collector::Planned> planned = collector.Take()) {
        running.Add(index, std::move(request), *std::move(planned));
      } else if (!running.Answer(index, status, std::move(result))) {
        // A failed write means the client is gone; what was applied stays
        // applied, and a resent stream is answered from the first results.
        break;
      }
    }
    if (context->IsCancelled()) running.Abandon();
    running.WaitForAll();
  }
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the stream was cancelled");
  }
  if (too_long) {
    return rpc::ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
        "a Submit stream takes at most ", max_commands_, " commands; those from index ",
        max_commands_, " on were not run: send them on a new stream")));
  }
  return grpc::Status::OK;
}

}  // namespace vanguard::command
