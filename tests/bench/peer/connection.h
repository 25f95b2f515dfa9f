// The little of libpq the PostgreSQL peer needs: a connection, prepared
// statements with text or binary parameters, rows in binary format, and a
// transaction that rolls back unless committed.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(conninfo));
//   RETURN_IF_ERROR(db->Prepare("load", "SELECT version FROM events WHERE stream_id = $1"));
//   Transaction transaction(*db);
//   RETURN_IF_ERROR(transaction.Begin());
//   ASSIGN_OR_RETURN(Rows rows, db->Execute("load", {Param::Text(stream_id)}));
//   RETURN_IF_ERROR(transaction.Commit());
//
// Errors: ABORTED for a unique violation (SQLSTATE 23505) or a serialization
// failure or deadlock (class 40), the cases a caller retries; UNAVAILABLE when
// the connection is lost; INTERNAL otherwise, with PostgreSQL's message.
// A Connection is used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vanguard::bench::pg {

// A statement parameter: text (PostgreSQL casts it to the column's type) or
// bytes sent in binary, for bytea.
struct Param {
  static Param Text(std::string value) { return {std::move(value), false}; }
  static Param Bytes(std::string value) { return {std::move(value), true}; }
  static Param Int(int64_t value) { return {std::to_string(value), false}; }

  std::string value;
  bool binary = false;
};

// A PostgreSQL array literal, e.g. {"a","b",NULL}, for `unnest($1::text[])`.
std::string ArrayLiteral(const std::vector<std::optional<std::string>>& values);
std::string ArrayLiteral(const std::vector<int64_t>& values);

// The rows of a result; every value is in PostgreSQL's binary format.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column); }
  // text, bytea.
  std::string Bytes(int row, int column) const;
  // int2, int4, int8, xid8.
  int64_t Int(int row, int column) const;

 private:
  std::shared_ptr<PGresult> result_;
};

class Connection {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] absl::Status Prepare(const std::string& name, const std::string& sql);
  // Runs a prepared statement.
  [[nodiscard]] absl::StatusOr<Rows> Execute(const std::string& name,
                                             const std::vector<Param>& params);
  // Runs SQL text without parameters: BEGIN, COMMIT, schema; may hold several statements.
  [[nodiscard]] absl::Status Run(const std::string& sql);
  // Runs one statement of SQL text with parameters, unprepared.
  [[nodiscard]] absl::StatusOr<Rows> Query(const std::string& sql,
                                           const std::vector<Param>& params = {});

 private:
  explicit Connection(PGconn* connection) : connection_(connection) {}
  absl::StatusOr<Rows> Check(PGresult* result);

  PGconn* connection_;
};

// BEGIN ... COMMIT on a connection; rolls back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] absl::Status Begin();
  [[nodiscard]] absl::Status Commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

}  // namespace vanguard::bench::pg
