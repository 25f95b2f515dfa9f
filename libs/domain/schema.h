// Schema versions of the event payloads, and the upcasting steps that bring
// an event of an older version to the current one.
//
// A payload's version grows when what it means, or which fields it must
// carry, changes in a way an older reader would misread. Writers stamp
// CurrentSchemaVersion(); every reader calls Upcast() before applying an
// event, so events of any older version apply as current ones and the log is
// never rewritten. A version newer than the reader knows is refused
// (FAILED_PRECONDITION): the projector parks it until a newer reader runs.
//
//   v1::Envelope e = ...;  // as stored
//   RETURN_IF_ERROR(Upcast(e));
//   Apply(e);
//
// The versions so far:
//   LeaderReviewDone 1: the quarter a review counts for is implied by
//                       reviewed_on; year and quarter may be absent.
//   LeaderReviewDone 2: year and quarter are always set.
//   MemberEnrolled, MemberUpdated 1: the personal fields of the attributes
//                       are in plain text.
//   MemberEnrolled, MemberUpdated 2: they may be sealed instead
//                       (attributes.sealed_personal_info): a reader that does
//                       not know sealing would show a member without a name.
//                       Upcasting 1 to 2 changes nothing: plain fields stay
//                       plain, and readers show them as such.
//   every other payload 1.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::domain {

int32_t CurrentSchemaVersion(v1::Envelope::PayloadCase payload);

// Rewrites `envelope` in place to the current version of its payload (and
// sets schema_version accordingly). The stored bytes are untouched: hash
// checks run on them, never on an upcast envelope.
absl::Status Upcast(v1::Envelope& envelope);

}  // namespace vanguard::domain
