// The benchmark's four commands (MakePledge, ApprovePledge, FulfilPledge,
// DisburseFunds) served from PostgreSQL the way a user would build them: one
// transaction per command that claims the request id, loads and folds the
// stream's events, decides, and appends the next version; the unique key
// (stream_id, version) turns a concurrent writer into a retry. The other RPCs
// of the two services are UNIMPLEMENTED.
//
// Promises: a request id is claimed in the same transaction as its event, so
// a retried command never applies twice; a retry of a request still in flight
// waits for it (on the request id's key) and answers its result. A refused
// command leaves nothing behind, so its retry is decided afresh. Thread-safe;
// at most `connections` commands run at once, the rest wait for a connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "tests/bench/peer/connection.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"

namespace vanguard::bench::pg {

struct Event {
  int64_t version = 0;
  std::string type;
  std::string data;  // the serialized request that made it
};

// Decides on a stream's history: the type of the event to append, or why not.
using Decide = std::function<absl::StatusOr<std::string>(const std::vector<Event>& history)>;

// The budget stream of (source, purpose, year).
std::string BudgetStreamId(const std::string& source_organisation_id, int purpose, int year);

class CommandStore {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<CommandStore>> Open(
      const std::string& conninfo, int connections);

  // Runs one command: on success *result is filled and stored under the
  // request id (anything else in a response must follow from the request).
  // The same request id with another request (or method) is ALREADY_EXISTS;
  // ABORTED after repeated conflicts.
  [[nodiscard]] absl::Status Run(absl::string_view method, const google::protobuf::Message& request,
                                 const std::string& request_id, const std::string& stream_id,
                                 const Decide& decide, v1::CommandResult* result);

  // The highest position this store has committed.
  int64_t LastPosition() const { return last_position_.load(); }

 private:
  CommandStore() = default;
  std::unique_ptr<Connection> Acquire();
  void Release(std::unique_ptr<Connection> connection);
  // One try in one transaction; ABORTED when a concurrent writer took the version.
  absl::Status Attempt(Connection& db, const std::string& request_hash,
                       const google::protobuf::Message& request, const std::string& request_id,
                       const std::string& stream_id, const Decide& decide,
                       v1::CommandResult* result);

  absl::Mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mutex_);
  std::atomic<int64_t> last_position_{0};
};

// Who may call: the one principal holding `token`; the organisations that exist.
struct Caller {
  std::string token;
  const absl::flat_hash_set<std::string>* organisations = nullptr;
};

class PgPledgeService final : public v1::PledgeService::Service {
 public:
  PgPledgeService(CommandStore* store, Caller caller) : store_(store), caller_(std::move(caller)) {}

  grpc::Status MakePledge(grpc::ServerContext* context, const v1::MakePledgeRequest* request,
                          v1::MakePledgeResponse* response) override;
  grpc::Status ApprovePledge(grpc::ServerContext* context, const v1::ApprovePledgeRequest* request,
                             v1::ApprovePledgeResponse* response) override;
  grpc::Status FulfilPledge(grpc::ServerContext* context, const v1::FulfilPledgeRequest* request,
                            v1::FulfilPledgeResponse* response) override;

 private:
  CommandStore* store_;
  Caller caller_;
};

class PgFundsService final : public v1::FundsService::Service {
 public:
  PgFundsService(CommandStore* store, Caller caller) : store_(store), caller_(std::move(caller)) {}

  grpc::Status DisburseFunds(grpc::ServerContext* context, const v1::DisburseFundsRequest* request,
                             v1::DisburseFundsResponse* response) override;

 private:
  CommandStore* store_;
  Caller caller_;
};

}  // namespace vanguard::bench::pg
