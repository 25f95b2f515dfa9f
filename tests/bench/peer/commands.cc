#include "tests/bench/peer/commands.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/base/status_macros.h"

namespace vanguard::bench::pg {
namespace {

// Enough for a burst of writers on one stream; each try is short.
constexpr int kMaxAttempts = 20;
// The peer knows one principal: whoever holds the token.
constexpr char kPrincipal[] = "bench";

std::string Sha256(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::string Serialized(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// An id derived from (principal, request id), so a retried creation names the
// same aggregate (or disbursement) and cannot create twice.
std::string DerivedId(absl::string_view prefix, const std::string& request_id) {
  return absl::StrCat(
      prefix,
      absl::BytesToHexString(Sha256(absl::StrCat(kPrincipal, std::string(1, '\0'), request_id)))
          .substr(0, 24));
}

grpc::Status ToGrpc(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status Admit(const Caller& caller, const grpc::ServerContext& context,
                   const std::string& request_id) {
  auto header = context.client_metadata().find("authorization");
  if (header == context.client_metadata().end() ||
      absl::string_view(header->second.data(), header->second.size()) !=
          absl::StrCat("Bearer ", caller.token)) {
    return absl::UnauthenticatedError("missing or unknown bearer token");
  }
  if (request_id.empty()) return absl::InvalidArgumentError("request_id is required");
  return absl::OkStatus();
}

// A pledge's state is where its last event left it.
absl::StatusOr<std::string> PledgeState(const std::vector<Event>& history) {
  if (history.empty()) return absl::NotFoundError("no such pledge");
  return history.back().type;
}

}  // namespace

std::string BudgetStreamId(const std::string& source_organisation_id, int purpose, int year) {
  return absl::StrCat("budget-", source_organisation_id, "-", purpose, "-", year);
}

absl::StatusOr<std::unique_ptr<CommandStore>> CommandStore::Open(const std::string& conninfo,
                                                                 int connections) {
  std::unique_ptr<CommandStore> store(new CommandStore());
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(conninfo));
    RETURN_IF_ERROR(
        db->Prepare("claim_request",
                    "INSERT INTO request_ids (request_id, request_hash) VALUES ($1, $2) "
                    "ON CONFLICT (request_id) DO NOTHING RETURNING request_id"));
    RETURN_IF_ERROR(db->Prepare(
        "stored_result", "SELECT request_hash, result FROM request_ids WHERE request_id = $1"));
    RETURN_IF_ERROR(db->Prepare(
        "load_stream",
        "SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version"));
    RETURN_IF_ERROR(db->Prepare("append",
                                "INSERT INTO events (stream_id, version, type, data, recorded_at) "
                                "VALUES ($1, $2, $3, $4, now()) RETURNING position"));
    RETURN_IF_ERROR(
        db->Prepare("record_result", "UPDATE request_ids SET result = $2 WHERE request_id = $1"));
    store->idle_.push_back(std::move(db));
  }
  return store;
}

std::unique_ptr<Connection> CommandStore::Acquire() {
  absl::MutexLock lock(&mutex_);
  mutex_.Await(absl::Condition(
      +[](std::vector<std::unique_ptr<Connection>>* idle) { return !idle->empty(); }, &idle_));
  std::unique_ptr<Connection> db = std::move(idle_.back());
  idle_.pop_back();
  return db;
}

void CommandStore::Release(std::unique_ptr<Connection> db) {
  absl::MutexLock lock(&mutex_);
  idle_.push_back(std::move(db));
}

absl::Status CommandStore::Run(absl::string_view method, const google::protobuf::Message& request,
                               const std::string& request_id, const std::string& stream_id,
                               const Decide& decide, v1::CommandResult* result) {
  const std::string request_hash =
      Sha256(absl::StrCat(method, std::string(1, '\0'), Serialized(request)));
  std::unique_ptr<Connection> db = Acquire();
  absl::Status status;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    status = Attempt(*db, request_hash, request, request_id, stream_id, decide, result);
    if (!absl::IsAborted(status)) break;
  }
  Release(std::move(db));
  return status;
}

absl::Status CommandStore::Attempt(Connection& db, const std::string& request_hash,
                                   const google::protobuf::Message& request,
                                   const std::string& request_id, const std::string& stream_id,
                                   const Decide& decide, v1::CommandResult* result) {
  Transaction transaction(db);
  RETURN_IF_ERROR(transaction.Begin());
  // The claim blocks while another transaction holds the same request id, and
  // finds nothing to do once that one committed.
  ASSIGN_OR_RETURN(Rows claimed, db.Execute("claim_request",
                                            {Param::Text(request_id), Param::Bytes(request_hash)}));
  if (claimed.size() == 0) {
    ASSIGN_OR_RETURN(Rows stored, db.Execute("stored_result", {Param::Text(request_id)}));
    if (stored.size() == 0) return absl::AbortedError("request id vanished; retry");
    if (stored.Bytes(0, 0) != request_hash) {
      return absl::AlreadyExistsError("request_id was used for a different request");
    }
    if (!result->ParseFromString(stored.Bytes(0, 1))) {
      return absl::InternalError("unreadable stored result");
    }
    result->set_replayed(true);
    return absl::OkStatus();  // the transaction changed nothing; it rolls back
  }

  ASSIGN_OR_RETURN(Rows rows, db.Execute("load_stream", {Param::Text(stream_id)}));
  std::vector<Event> history;
  for (int i = 0; i < rows.size(); ++i) {
    history.push_back(
        {.version = rows.Int(i, 0), .type = rows.Bytes(i, 1), .data = rows.Bytes(i, 2)});
  }
  ASSIGN_OR_RETURN(std::string type, decide(history));
  const int64_t version = history.empty() ? 1 : history.back().version + 1;
  // A writer that appended this version since we loaded makes this a unique
  // violation (ABORTED): Run tries again on the longer history.
  ASSIGN_OR_RETURN(Rows appended,
                   db.Execute("append", {Param::Text(stream_id), Param::Int(version),
                                         Param::Text(type), Param::Bytes(Serialized(request))}));
  result->set_aggregate_id(stream_id);
  result->set_version(version);
  result->set_replayed(false);
  RETURN_IF_ERROR(db.Execute("record_result",
                             {Param::Text(request_id), Param::Bytes(result->SerializeAsString())})
                      .status());
  RETURN_IF_ERROR(transaction.Commit());

  const int64_t position = appended.Int(0, 0);
  int64_t last = last_position_.load();
  while (last < position && !last_position_.compare_exchange_weak(last, position)) {
  }
  return absl::OkStatus();
}

grpc::Status PgPledgeService::MakePledge(grpc::ServerContext* context,
                                         const v1::MakePledgeRequest* request,
                                         v1::MakePledgeResponse* response) {
  if (absl::Status admitted = Admit(caller_, *context, request->request_id()); !admitted.ok()) {
    return ToGrpc(admitted);
  }
  const std::string& pledger = request->pledger().organisation_id();
  if (pledger.empty()) {
    return ToGrpc(absl::InvalidArgumentError("pledger.organisation_id is required"));
  }
  if (!caller_.organisations->contains(pledger)) {
    return ToGrpc(absl::NotFoundError(absl::StrCat("no organisation ", pledger)));
  }
  auto decide = [](const std::vector<Event>& history) -> absl::StatusOr<std::string> {
    if (!history.empty()) return absl::AlreadyExistsError("the pledge exists");
    return "PledgeMade";
  };
  return ToGrpc(store_->Run("MakePledge", *request, request->request_id(),
                            DerivedId("pledge-", request->request_id()), decide,
                            response->mutable_result()));
}

grpc::Status PgPledgeService::ApprovePledge(grpc::ServerContext* context,
                                            const v1::ApprovePledgeRequest* request,
                                            v1::ApprovePledgeResponse* response) {
  if (absl::Status admitted = Admit(caller_, *context, request->request_id()); !admitted.ok()) {
    return ToGrpc(admitted);
  }
  auto decide = [](const std::vector<Event>& history) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::string state, PledgeState(history));
    if (state != "PledgeMade")
      return absl::FailedPreconditionError("the pledge is not under review");
    return "PledgeApproved";
  };
  return ToGrpc(store_->Run("ApprovePledge", *request, request->request_id(), request->pledge_id(),
                            decide, response->mutable_result()));
}

grpc::Status PgPledgeService::FulfilPledge(grpc::ServerContext* context,
                                           const v1::FulfilPledgeRequest* request,
                                           v1::FulfilPledgeResponse* response) {
  if (absl::Status admitted = Admit(caller_, *context, request->request_id()); !admitted.ok()) {
    return ToGrpc(admitted);
  }
  auto decide = [](const std::vector<Event>& history) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::string state, PledgeState(history));
    if (state != "PledgeApproved")
      return absl::FailedPreconditionError("the pledge is not approved");
    return "PledgeFulfilled";
  };
  return ToGrpc(store_->Run("FulfilPledge", *request, request->request_id(), request->pledge_id(),
                            decide, response->mutable_result()));
}

grpc::Status PgFundsService::DisburseFunds(grpc::ServerContext* context,
                                           const v1::DisburseFundsRequest* request,
                                           v1::DisburseFundsResponse* response) {
  if (absl::Status admitted = Admit(caller_, *context, request->request_id()); !admitted.ok()) {
    return ToGrpc(admitted);
  }
  const std::string& recipient = request->recipient().organisation_id();
  if (recipient.empty() || request->amount_fen() <= 0) {
    return ToGrpc(absl::InvalidArgumentError(
        "recipient.organisation_id is required and amount_fen must be positive"));
  }
  if (!caller_.organisations->contains(recipient)) {
    return ToGrpc(absl::NotFoundError(absl::StrCat("no organisation ", recipient)));
  }
  const int64_t amount = request->amount_fen();
  auto decide = [amount](const std::vector<Event>& history) -> absl::StatusOr<std::string> {
    if (history.empty()) return absl::NotFoundError("no such budget");
    int64_t left = 0;
    for (const Event& event : history) {
      if (event.type == "BudgetAllocated") {
        v1::AllocateBudgetRequest allocation;
        allocation.ParseFromString(event.data);
        left += allocation.amount_fen();
      } else if (event.type == "FundsDisbursed") {
        v1::DisburseFundsRequest disbursement;
        disbursement.ParseFromString(event.data);
        left -= disbursement.amount_fen();
      }
    }
    if (amount > left) {
      return absl::FailedPreconditionError(absl::StrCat("only ", left, " fen left in the budget"));
    }
    return "FundsDisbursed";
  };
  response->set_disbursement_id(DerivedId("disb-", request->request_id()));
  return ToGrpc(store_->Run(
      "DisburseFunds", *request, request->request_id(),
      BudgetStreamId(request->source_organisation_id(), request->purpose(), request->year()),
      decide, response->mutable_result()));
}

}  // namespace vanguard::bench::pg
