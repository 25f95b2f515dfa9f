#include "tests/bench/peer/projector.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "libs/base/status_macros.h"
#include "vanguard/v1/funds_service.pb.h"
#include "vanguard/v1/pledge_service.pb.h"

namespace vanguard::bench::pg {
namespace {

constexpr int kBatch = 1000;

// Adds each (organisation, or the pledger of a pledge; figure; amount) to the
// organisation and all its ancestors, summed per counter.
constexpr char kAddRollups[] = R"sql(
WITH RECURSIVE concerned (org_id, figure, amount) AS (
  SELECT coalesce(c.org_id, p.organisation_id), c.figure, c.amount
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       AS c (org_id, pledge_id, figure, amount)
  LEFT JOIN pledgers p ON p.pledge_id = c.pledge_id),
chain (org_id, figure, amount) AS (
  SELECT org_id, figure, amount FROM concerned WHERE org_id IS NOT NULL
  UNION ALL
  SELECT o.parent_id, chain.figure, chain.amount
  FROM chain JOIN organisations o ON o.id = chain.org_id
  WHERE o.parent_id IS NOT NULL)
INSERT INTO rollup (org_id, figure, value)
SELECT org_id, figure, sum(amount) FROM chain GROUP BY org_id, figure
ON CONFLICT (org_id, figure) DO UPDATE SET value = rollup.value + excluded.value)sql";

}  // namespace

absl::StatusOr<std::unique_ptr<Projector>> Projector::Start(const std::string& conninfo) {
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(conninfo));
  RETURN_IF_ERROR(db->Prepare("read_events",
                              "SELECT position, stream_id, type, data FROM events "
                              "WHERE position > $1 AND position <= $2 ORDER BY position LIMIT " +
                                  std::to_string(kBatch)));
  RETURN_IF_ERROR(db->Prepare("oldest_running", "SELECT pg_snapshot_xmin(pg_current_snapshot())"));
  RETURN_IF_ERROR(db->Prepare(
      "drawn_position",
      "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_position_seq"));
  RETURN_IF_ERROR(db->Prepare("new_xid", "SELECT pg_current_xact_id()"));
  RETURN_IF_ERROR(
      db->Prepare("remember_pledgers",
                  "INSERT INTO pledgers (pledge_id, organisation_id) "
                  "SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING"));
  RETURN_IF_ERROR(db->Prepare("add_rollups", kAddRollups));
  RETURN_IF_ERROR(
      db->Prepare("save_checkpoint",
                  "UPDATE projector_checkpoint SET position = $1 WHERE projector = 'rollup'"));
  ASSIGN_OR_RETURN(
      Rows checkpoint,
      db->Query("SELECT position FROM projector_checkpoint WHERE projector = 'rollup'"));

  std::unique_ptr<Projector> projector(new Projector(std::move(db)));
  projector->safe_ = checkpoint.Int(0, 0);
  projector->projected_ = projector->safe_;
  projector->thread_ = std::thread([raw = projector.get()] { raw->Loop(); });
  return projector;
}

Projector::~Projector() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void Projector::Loop() {
  while (!stop_.HasBeenNotified()) {
    absl::StatusOr<bool> progressed = Step();
    if (!progressed.ok()) {
      std::fprintf(stderr, "pg peer projector: %s\n", progressed.status().ToString().c_str());
      stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
    } else if (!*progressed) {
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(5));
    }
  }
}

// A writer draws its position (nextval in the INSERT) after its transaction
// got its id (its request_ids INSERT came first). So once the projector has
// read the highest position drawn so far and then drawn a transaction id of
// its own, every transaction holding a position up to that one has a smaller
// id; when the oldest running transaction is younger than the projector's,
// they have all committed or rolled back, and the positions up to the fence
// are final. The fence costs one empty transaction per poll (no WAL flush).
absl::StatusOr<int64_t> Projector::SafePosition() {
  if (fence_xid_ != 0) {
    ASSIGN_OR_RETURN(Rows oldest, db_->Execute("oldest_running", {}));
    if (oldest.Int(0, 0) > fence_xid_) {
      safe_ = fence_position_;
      fence_xid_ = 0;
    }
  }
  if (fence_xid_ == 0) {
    ASSIGN_OR_RETURN(Rows drawn, db_->Execute("drawn_position", {}));
    if (drawn.Int(0, 0) > safe_) {
      fence_position_ = drawn.Int(0, 0);
      ASSIGN_OR_RETURN(Rows xid, db_->Execute("new_xid", {}));
      fence_xid_ = xid.Int(0, 0);
    }
  }
  return safe_;
}

absl::StatusOr<bool> Projector::Step() {
  const int64_t from = projected_.load();
  ASSIGN_OR_RETURN(const int64_t safe, SafePosition());
  if (safe <= from) return false;
  ASSIGN_OR_RETURN(Rows events, db_->Execute("read_events", {Param::Int(from), Param::Int(safe)}));
  if (events.size() == 0) {
    // Only rolled-back positions below `safe`; the next batch saves the checkpoint.
    projected_ = safe;
    return false;
  }
  // A short batch reached `safe`; a full one stops at its last event.
  const int64_t to = events.size() == kBatch ? events.Int(kBatch - 1, 0) : safe;

  std::vector<std::optional<std::string>> pledge_ids, pledgers;
  std::vector<std::optional<std::string>> concerned_orgs, concerned_pledges, figures;
  std::vector<int64_t> amounts;
  auto add = [&](std::optional<std::string> org, std::optional<std::string> pledge,
                 const char* figure, int64_t amount) {
    concerned_orgs.push_back(std::move(org));
    concerned_pledges.push_back(std::move(pledge));
    figures.push_back(figure);
    amounts.push_back(amount);
  };
  for (int i = 0; i < events.size(); ++i) {
    const std::string stream_id = events.Bytes(i, 1);
    const std::string type = events.Bytes(i, 2);
    if (type == "PledgeMade") {
      v1::MakePledgeRequest made;
      made.ParseFromString(events.Bytes(i, 3));
      pledge_ids.push_back(stream_id);
      pledgers.push_back(made.pledger().organisation_id());
      add(made.pledger().organisation_id(), std::nullopt, "pledges_made", 1);
    } else if (type == "PledgeApproved") {
      add(std::nullopt, stream_id, "pledges_approved", 1);
    } else if (type == "PledgeFulfilled") {
      add(std::nullopt, stream_id, "pledges_fulfilled", 1);
    } else if (type == "FundsDisbursed") {
      v1::DisburseFundsRequest disbursed;
      disbursed.ParseFromString(events.Bytes(i, 3));
      add(disbursed.recipient().organisation_id(), std::nullopt, "funds_received_fen",
          disbursed.amount_fen());
    }
  }

  Transaction transaction(*db_);
  RETURN_IF_ERROR(transaction.Begin());
  if (!pledge_ids.empty()) {
    RETURN_IF_ERROR(db_->Execute("remember_pledgers", {Param::Text(ArrayLiteral(pledge_ids)),
                                                       Param::Text(ArrayLiteral(pledgers))})
                        .status());
  }
  if (!figures.empty()) {
    RETURN_IF_ERROR(db_->Execute("add_rollups", {Param::Text(ArrayLiteral(concerned_orgs)),
                                                 Param::Text(ArrayLiteral(concerned_pledges)),
                                                 Param::Text(ArrayLiteral(figures)),
                                                 Param::Text(ArrayLiteral(amounts))})
                        .status());
  }
  RETURN_IF_ERROR(db_->Execute("save_checkpoint", {Param::Int(to)}).status());
  RETURN_IF_ERROR(transaction.Commit());
  projected_ = to;
  return true;
}

}  // namespace vanguard::bench::pg
