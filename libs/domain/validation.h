// Checks shared by every aggregate's decisions: ids, texts, dates, and the
// Asia/Shanghai calendar that turns a command's instant into a day.
//
// Each check names the offending field first, so a handler can turn the
// message into a google.rpc.BadRequest field violation:
//
//   RETURN_IF_ERROR(CheckText("name", command.name, kMaxNameBytes, Required::kYes));
//   ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(context.now));
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::domain {

// Names of organisations and members.
inline constexpr size_t kMaxNameBytes = 200;
inline constexpr size_t kMaxIdBytes = 128;
// Free text: pledge texts, comments, reasons, descriptions.
inline constexpr size_t kMaxTextBytes = 4000;

enum class Required { kNo, kYes };

// True if `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// A non-empty id of at most kMaxIdBytes.
absl::Status CheckId(absl::string_view field, absl::string_view id);

// Valid UTF-8 of at most `max_bytes`; non-empty when `required` is kYes.
absl::Status CheckText(absl::string_view field, absl::string_view text, size_t max_bytes,
                       Required required);

// The day `date` names, if it is a real day of the proleptic Gregorian
// calendar with a four-digit year.
absl::StatusOr<absl::CivilDay> ToCivilDay(absl::string_view field, const v1::Date& date);

v1::Date ToDate(absl::CivilDay day);

// Asia/Shanghai, loaded once. An error, never UTC, when the zone data is
// missing: Abseil would otherwise fall back to UTC and shift every day
// boundary by eight hours.
absl::StatusOr<absl::TimeZone> ShanghaiTimeZone();

// The Asia/Shanghai calendar day containing `now`.
absl::StatusOr<absl::CivilDay> ShanghaiDay(absl::Time now);

// `date` when given (and valid), otherwise the Asia/Shanghai day of `now`.
absl::StatusOr<v1::Date> EffectiveDate(absl::string_view field, const std::optional<v1::Date>& date,
                                       absl::Time now);

// Sets `event_type` to the full protobuf name of the payload that is set,
// e.g. "vanguard.v1.PledgeMade"; the two must always agree.
void SetEventType(v1::Envelope& envelope);

// A decision's result of one event, its event type set.
std::vector<v1::Envelope> OneEvent(v1::Envelope envelope);

}  // namespace vanguard::domain
