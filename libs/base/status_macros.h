// Early-return helpers for absl::Status and absl::StatusOr.
//
// The Abseil on Debian 12 (20220623) ships no status macros, so Vanguard keeps
// these two:
//
//   absl::StatusOr<Offset> AppendOne(Log& log, Record r) {
//     RETURN_IF_ERROR(Validate(r));
//     ASSIGN_OR_RETURN(std::vector<Offset> offsets, log.Append({&r, 1}));
//     return offsets.front();
//   }
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define VANGUARD_STATUS_CONCAT_INNER(a, b) a##b
#define VANGUARD_STATUS_CONCAT(a, b) VANGUARD_STATUS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                                             \
  do {                                                                    \
    if (absl::Status vanguard_status_ = (expr); !vanguard_status_.ok()) { \
      return vanguard_status_;                                            \
    }                                                                     \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  VANGUARD_ASSIGN_OR_RETURN_IMPL(VANGUARD_STATUS_CONCAT(vanguard_statusor_, __LINE__), lhs, expr)

#define VANGUARD_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()
