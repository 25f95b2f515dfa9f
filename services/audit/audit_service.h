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

#include "libs/eventlog/event_log.h"
#include "libs/rpc/auth.h"
#include "vanguard/v1/audit_service.grpc.pb.h"

namespace vanguard::audit {

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  AuditServiceImpl(eventlog::EventLog& log, const rpc::TokenStore& tokens)
      : log_(log), tokens_(tokens) {}

  grpc::Status StreamHistory(grpc::ServerContext* context, const v1::StreamHistoryRequest* request,
                             grpc::ServerWriter<v1::StreamHistoryResponse>* writer) override;

 private:
  eventlog::EventLog& log_;
  const rpc::TokenStore& tokens_;
};

}  // namespace vanguard::audit
