// What an event may hold before the projection applies it: every enum value
// one this projector knows, every date a day of the domain's range (years
// 1000 to 9999) or unset, every timestamp within protobuf's range. A record
// from the log can hold anything (a newer writer's value, a forged record),
// and the projection indexes figures by enum values and keys by dates; an
// event that fails parks its aggregate instead of landing in another figure,
// indexing out of bounds or growing a tally without bound.
#pragma once

#include "absl/status/status.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::views::internal {

// OK, or FAILED_PRECONDITION naming the field and its value.
absl::Status CheckEventValues(const v1::Envelope& envelope);

}  // namespace vanguard::views::internal
