// The benchmark's PostgreSQL peer: Vanguard's command path as a user would
// build it on PostgreSQL 15, behind the same gRPC services, so a load
// generator drives both with the same stubs.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<PgPeer> peer, PgPeer::Start({
//       .token = "bench-token",
//       .organisations = {{"province", ""}, {"city", "province"}, {"village", "city"}},
//       .budgets = {{"city", v1::FUNDS_PURPOSE_CO_BUILDING, 2024, 1'000'000}}}));
//   auto pledges = v1::PledgeService::NewStub(grpc::CreateChannel(
//       peer->address(), grpc::InsecureChannelCredentials()));
//   // calls carry metadata `authorization: Bearer bench-token`
//
// Served: PledgeService.MakePledge, ApprovePledge, FulfilPledge and
// FundsService.DisburseFunds (everything else is UNIMPLEMENTED), with
// Vanguard's request-id rules (a retry answers the first result with
// `replayed` set and appends nothing; the same id with another request is
// ALREADY_EXISTS) and errors: UNAUTHENTICATED without the token, NOT_FOUND,
// FAILED_PRECONDITION (a pledge's state, a budget overdrawn),
// INVALID_ARGUMENT. expected_version is ignored; consistency_token is empty.
// Pledger and recipient must be organisations.
//
// Inside, one PostgreSQL server (fsync and synchronous_commit on) in a
// temporary directory: an events table whose unique (stream_id, version) key
// is the optimistic concurrency check, a request_ids table, and roll-up
// counters rollup(org_id, figure) kept by a projector that polls the events
// table (see projector.h); organisations(id, parent_id, level) holds the tree.
//
// Start takes a few seconds (initdb). Thread-safe; destroying the peer stops
// gRPC (calls in flight get a second), the projector and PostgreSQL, and
// removes the directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "vanguard/v1/common.pb.h"

namespace grpc {
class Server;
}

namespace vanguard::bench {
namespace pg {
class Cluster;
class CommandStore;
class PgFundsService;
class PgPledgeService;
class Projector;
}  // namespace pg

struct PgPeerOptions {
  // The bearer token every call must carry.
  std::string token;
  // The organisation tree as (id, parent_id), the root's parent_id empty; in any order.
  std::vector<std::pair<std::string, std::string>> organisations;
  // Allocated before the first call, one budget stream each.
  struct Budget {
    std::string source_organisation_id;
    v1::FundsPurpose purpose = v1::FUNDS_PURPOSE_UNSPECIFIED;
    int32_t year = 0;
    int64_t amount_fen = 0;
  };
  std::vector<Budget> budgets;
  // Commands run at once, each in its own PostgreSQL connection; further calls
  // wait for a connection.
  int server_threads = 8;
};

class PgPeer {
 public:
  // INVALID_ARGUMENT when the organisations are not a tree (an id twice, an
  // unknown parent, a cycle); UNAVAILABLE when PostgreSQL does not start.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PgPeer>> Start(const PgPeerOptions& options);
  ~PgPeer();
  PgPeer(const PgPeer&) = delete;
  PgPeer& operator=(const PgPeer&) = delete;

  // The gRPC port on 127.0.0.1, and "127.0.0.1:port".
  int port() const { return port_; }
  std::string address() const;

  // The highest event position committed by a command (the seeded budgets count).
  int64_t LastPosition() const;
  // Every event at or below this position is in the roll-ups; the projector
  // has caught up when it is at least LastPosition().
  int64_t ProjectedPosition() const;

  // Runs a query that answers one bigint in one row (e.g. a count, a roll-up
  // value) on a fresh connection; NOT_FOUND when it answers no row.
  [[nodiscard]] absl::StatusOr<int64_t> QueryInt(const std::string& sql) const;
  // libpq connection string of the peer's database, for a look inside.
  std::string conninfo() const;

 private:
  PgPeer();

  absl::flat_hash_set<std::string> organisations_;
  std::unique_ptr<pg::Cluster> cluster_;
  std::unique_ptr<pg::CommandStore> store_;
  std::unique_ptr<pg::PgPledgeService> pledges_;
  std::unique_ptr<pg::PgFundsService> funds_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pg::Projector> projector_;
  int64_t seeded_position_ = 0;
  int port_ = 0;
};

}  // namespace vanguard::bench
