#include "tests/bench/peer/connection.h"

#include <endian.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vanguard::bench::pg {
namespace {

absl::Status ErrorOf(PGconn* connection, const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message =
      result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(connection);
  message = absl::StrCat("postgres: ", message);
  if (state != nullptr && (std::strcmp(state, "23505") == 0 || std::strncmp(state, "40", 2) == 0)) {
    return absl::AbortedError(message);
  }
  if (PQstatus(connection) == CONNECTION_BAD) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

// Parameters as the parallel arrays libpq takes.
struct Arrays {
  explicit Arrays(const std::vector<Param>& params) {
    for (const Param& param : params) {
      values.push_back(param.value.data());
      lengths.push_back(static_cast<int>(param.value.size()));
      formats.push_back(param.binary ? 1 : 0);
    }
  }
  int count() const { return static_cast<int>(values.size()); }

  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

}  // namespace

std::string ArrayLiteral(const std::vector<std::optional<std::string>>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    if (!values[i]) {
      literal += "NULL";
      continue;
    }
    literal += '"';
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

std::string ArrayLiteral(const std::vector<int64_t>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

std::string Rows::Bytes(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     PQgetlength(result_.get(), row, column));
}

int64_t Rows::Int(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  switch (PQgetlength(result_.get(), row, column)) {
    case 2: {
      uint16_t n;
      std::memcpy(&n, value, 2);
      return static_cast<int16_t>(be16toh(n));
    }
    case 4: {
      uint32_t n;
      std::memcpy(&n, value, 4);
      return static_cast<int32_t>(be32toh(n));
    }
    default: {
      uint64_t n;
      std::memcpy(&n, value, 8);
      return static_cast<int64_t>(be64toh(n));
    }
  }
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  PGconn* connection = PQconnectdb(conninfo.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    absl::Status status = absl::UnavailableError(
        absl::StrCat("postgres: cannot connect: ", PQerrorMessage(connection)));
    PQfinish(connection);
    return status;
  }
  return std::unique_ptr<Connection>(new Connection(connection));
}

Connection::~Connection() { PQfinish(connection_); }

absl::StatusOr<Rows> Connection::Check(PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(result);
  absl::Status error = ErrorOf(connection_, result);
  PQclear(result);
  return error;
}

absl::Status Connection::Prepare(const std::string& name, const std::string& sql) {
  return Check(PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr)).status();
}

absl::StatusOr<Rows> Connection::Execute(const std::string& name,
                                         const std::vector<Param>& params) {
  Arrays arrays(params);
  return Check(PQexecPrepared(connection_, name.c_str(), arrays.count(), arrays.values.data(),
                              arrays.lengths.data(), arrays.formats.data(), /*resultFormat=*/1));
}

absl::Status Connection::Run(const std::string& sql) {
  // PQexec returns only the last statement's result; an earlier failure stops
  // the batch and is that result.
  return Check(PQexec(connection_, sql.c_str())).status();
}

absl::StatusOr<Rows> Connection::Query(const std::string& sql, const std::vector<Param>& params) {
  Arrays arrays(params);
  return Check(PQexecParams(connection_, sql.c_str(), arrays.count(), nullptr, arrays.values.data(),
                            arrays.lengths.data(), arrays.formats.data(), /*resultFormat=*/1));
}

Transaction::~Transaction() {
  // A failed statement leaves the transaction aborted; ROLLBACK ends it so the
  // connection can be used again. Its own failure (a lost connection) shows
  // on the next use.
  if (open_) connection_.Run("ROLLBACK").IgnoreError();
}

absl::Status Transaction::Begin() {
  absl::Status status = connection_.Run("BEGIN");
  open_ = status.ok();
  return status;
}

absl::Status Transaction::Commit() {
  open_ = false;
  return connection_.Run("COMMIT");
}

}  // namespace vanguard::bench::pg
