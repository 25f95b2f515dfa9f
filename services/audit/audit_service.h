// The AuditService (vanguard.v1.AuditService): an aggregate's history read
// from the log itself, judged by the acceptance rule, with every hash, for
// auditors who trust the log and not the running system.
//
//   audit::AuditServiceImpl audit(*log, tokens);
//   ASSIGN_OR_RETURN(auto server, rpc::Server::Start(options, {&audit}));
//
// Thread safety: calls run concurrently; each opens its own log reader. The
// log and the tokens must outlive the service.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/privacy/key_store.h"
#include "libs/rpc/auth.h"
#include "libs/views/view_store.h"
#include "vanguard/v1/audit_service.grpc.pb.h"

namespace vanguard::audit {

class PersonalInfoFilter;

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  // `views` (optional) are the live views CompareWithReplay checks; replays
  // are built under `scratch_dir` (default: the system's temporary directory)
  // and removed afterwards.
  AuditServiceImpl(eventlog::EventLog& log, const rpc::TokenStore& tokens,
                   const views::ViewStore* views = nullptr, std::string scratch_dir = "")
      : log_(log), tokens_(tokens), views_(views), scratch_dir_(std::move(scratch_dir)) {}

  // Records one StreamHistory call sends by default, at most (see
  // set_max_records_per_call).
  static constexpr int64_t kDefaultMaxRecordsPerCall = 100'000;

  // Records one StreamHistory call sends at most: the call then ends OK after
  // the page that reaches the limit, whose next_page_token resumes. 0: no
  // limit. Set before serving.
  void set_max_records_per_call(int64_t records) { max_records_per_call_ = records; }

  // The key store StreamHistory opens members' personal information with,
  // for callers whose organisation is the member's or lies above it (known
  // from the views; without views nobody's scope covers a member). Without a
  // key store it shows as unreadable. Set before serving; it must outlive
  // the service.
  void set_key_store(const privacy::KeyStore* keys) { keys_ = keys; }

  grpc::Status StreamHistory(grpc::ServerContext* context, const v1::StreamHistoryRequest* request,
                             grpc::ServerWriter<v1::StreamHistoryResponse>* writer) override;
  grpc::Status CompareWithReplay(grpc::ServerContext* context,
                                 const v1::CompareWithReplayRequest* request,
                                 v1::CompareWithReplayResponse* response) override;

 private:
  grpc::Status StreamSubtree(const grpc::ServerContext& context,
                             const v1::StreamHistoryRequest& request, size_t page_size,
                             std::optional<absl::Time> from, std::optional<absl::Time> to,
                             PersonalInfoFilter& personal_info,
                             grpc::ServerWriter<v1::StreamHistoryResponse>* writer);

  eventlog::EventLog& log_;
  const rpc::TokenStore& tokens_;
  const views::ViewStore* views_;
  const std::string scratch_dir_;
  const privacy::KeyStore* keys_ = nullptr;
  int64_t max_records_per_call_ = kDefaultMaxRecordsPerCall;
};

}  // namespace vanguard::audit
