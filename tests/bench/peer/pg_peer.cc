#include "tests/bench/peer/pg_peer.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "tests/bench/peer/cluster.h"
#include "tests/bench/peer/commands.h"
#include "tests/bench/peer/connection.h"
#include "tests/bench/peer/projector.h"
#include "vanguard/v1/funds_service.pb.h"

namespace vanguard::bench {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE organisations (
  id text PRIMARY KEY,
  parent_id text REFERENCES organisations (id),
  level int NOT NULL);  -- 1 province, 2 city, 3 county, 4 township, 5 village
CREATE TABLE events (
  position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  version bigint NOT NULL,
  type text NOT NULL,
  data bytea NOT NULL,
  recorded_at timestamptz NOT NULL,
  UNIQUE (stream_id, version));
CREATE TABLE request_ids (
  request_id text PRIMARY KEY,
  request_hash bytea NOT NULL,
  result bytea);
CREATE TABLE pledgers (
  pledge_id text PRIMARY KEY,
  organisation_id text NOT NULL);
CREATE TABLE rollup (
  org_id text NOT NULL REFERENCES organisations (id),
  figure text NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (org_id, figure));
CREATE TABLE projector_checkpoint (
  projector text PRIMARY KEY,
  position bigint NOT NULL);
INSERT INTO projector_checkpoint VALUES ('rollup', 0);
)sql";

// Each organisation's depth in the tree, the roots at 1.
absl::StatusOr<std::vector<int64_t>> Levels(
    const std::vector<std::pair<std::string, std::string>>& organisations) {
  absl::flat_hash_map<std::string, std::string> parent_of;
  for (const auto& [id, parent] : organisations) {
    if (id.empty() || !parent_of.emplace(id, parent).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("organisation id \"", id, "\" empty or twice"));
    }
  }
  std::vector<int64_t> levels;
  for (const auto& [id, parent] : organisations) {
    int64_t level = 1;
    for (std::string up = parent; !up.empty(); up = parent_of[up], ++level) {
      if (!parent_of.contains(up)) {
        return absl::InvalidArgumentError(absl::StrCat("unknown parent ", up));
      }
      if (level > static_cast<int64_t>(organisations.size())) {
        return absl::InvalidArgumentError(absl::StrCat("cycle above ", id));
      }
    }
    levels.push_back(level);
  }
  return levels;
}

absl::StatusOr<int64_t> Seed(pg::Connection& db, const PgPeerOptions& options,
                             const std::vector<int64_t>& levels) {
  std::vector<std::optional<std::string>> ids, parents;
  for (const auto& [id, parent] : options.organisations) {
    ids.push_back(id);
    parents.push_back(parent.empty() ? std::nullopt : std::optional<std::string>(parent));
  }
  pg::Transaction transaction(db);
  RETURN_IF_ERROR(transaction.Begin());
  RETURN_IF_ERROR(
      db.Query("INSERT INTO organisations (id, parent_id, level) "
               "SELECT * FROM unnest($1::text[], $2::text[], $3::int[])",
               {pg::Param::Text(pg::ArrayLiteral(ids)), pg::Param::Text(pg::ArrayLiteral(parents)),
                pg::Param::Text(pg::ArrayLiteral(levels))})
          .status());
  int64_t last_position = 0;
  for (size_t i = 0; i < options.budgets.size(); ++i) {
    const PgPeerOptions::Budget& budget = options.budgets[i];
    v1::AllocateBudgetRequest allocation;
    allocation.set_request_id(absl::StrCat("seed-", i));
    allocation.set_source_organisation_id(budget.source_organisation_id);
    allocation.set_purpose(budget.purpose);
    allocation.set_year(budget.year);
    allocation.set_amount_fen(budget.amount_fen);
    ASSIGN_OR_RETURN(pg::Rows appended,
                     db.Query("INSERT INTO events (stream_id, version, type, data, recorded_at) "
                              "VALUES ($1, 1, 'BudgetAllocated', $2, now()) RETURNING position",
                              {pg::Param::Text(pg::BudgetStreamId(budget.source_organisation_id,
                                                                  budget.purpose, budget.year)),
                               pg::Param::Bytes(allocation.SerializeAsString())}));
    last_position = appended.Int(0, 0);
  }
  RETURN_IF_ERROR(transaction.Commit());
  return last_position;
}

}  // namespace

PgPeer::PgPeer() = default;

// Members go in reverse order of declaration: projector, gRPC server,
// services, connections, PostgreSQL.
PgPeer::~PgPeer() {
  if (server_ != nullptr)
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

absl::StatusOr<std::unique_ptr<PgPeer>> PgPeer::Start(const PgPeerOptions& options) {
  ASSIGN_OR_RETURN(std::vector<int64_t> levels, Levels(options.organisations));
  std::unique_ptr<PgPeer> peer(new PgPeer());
  ASSIGN_OR_RETURN(peer->cluster_,
                   pg::Cluster::Start({.max_connections = options.server_threads + 10}));
  const std::string conninfo = peer->cluster_->conninfo();
  {
    ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> db, pg::Connection::Open(conninfo));
    RETURN_IF_ERROR(db->Run(kSchema));
    ASSIGN_OR_RETURN(peer->seeded_position_, Seed(*db, options, levels));
  }
  ASSIGN_OR_RETURN(peer->store_, pg::CommandStore::Open(conninfo, options.server_threads));
  for (const auto& organisation : options.organisations) {
    peer->organisations_.insert(organisation.first);
  }
  const pg::Caller caller{.token = options.token, .organisations = &peer->organisations_};
  peer->pledges_ = std::make_unique<pg::PgPledgeService>(peer->store_.get(), caller);
  peer->funds_ = std::make_unique<pg::PgFundsService>(peer->store_.get(), caller);

  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &peer->port_);
  builder.RegisterService(peer->pledges_.get());
  builder.RegisterService(peer->funds_.get());
  peer->server_ = builder.BuildAndStart();
  if (peer->server_ == nullptr || peer->port_ == 0) {
    return absl::UnavailableError("cannot start the gRPC server on 127.0.0.1");
  }
  ASSIGN_OR_RETURN(peer->projector_, pg::Projector::Start(conninfo));
  return peer;
}

std::string PgPeer::address() const { return absl::StrCat("127.0.0.1:", port_); }

int64_t PgPeer::LastPosition() const { return std::max(seeded_position_, store_->LastPosition()); }

int64_t PgPeer::ProjectedPosition() const { return projector_->ProjectedPosition(); }

std::string PgPeer::conninfo() const { return cluster_->conninfo(); }

absl::StatusOr<int64_t> PgPeer::QueryInt(const std::string& sql) const {
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> db, pg::Connection::Open(conninfo()));
  ASSIGN_OR_RETURN(pg::Rows rows, db->Query(sql));
  if (rows.size() == 0) return absl::NotFoundError(absl::StrCat("no row from: ", sql));
  return rows.Int(0, 0);
}

}  // namespace vanguard::bench
