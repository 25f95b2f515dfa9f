#include "libs/domain/schema.h"

#include "absl/strings/str_cat.h"

namespace vanguard::domain {

int32_t CurrentSchemaVersion(v1::Envelope::PayloadCase payload) {
  switch (payload) {
    case v1::Envelope::kLeaderReviewDone:
    case v1::Envelope::kMemberEnrolled:
    case v1::Envelope::kMemberUpdated:
      return 2;
    default:
      return 1;
  }
}

absl::Status Upcast(v1::Envelope& envelope) {
  const int32_t current = CurrentSchemaVersion(envelope.payload_case());
  // Version 0 is an envelope written before versions were stamped: the first.
  int32_t version = std::max(envelope.schema_version(), 1);
  if (version > current) {
    return absl::FailedPreconditionError(absl::StrCat(
        envelope.event_type(), " has schema version ", version,
        ", newer than this reader knows (", current, "): deploy the newer reader"));
  }
  if (envelope.has_leader_review_done() && version == 1) {
    v1::LeaderReviewDone& review = *envelope.mutable_leader_review_done();
    const v1::Date& day = review.reviewed_on();
    if ((review.year() == 0 || review.quarter() == 0) && day.year() > 0 && day.month() >= 1 &&
        day.month() <= 12) {
      review.set_year(day.year());
      review.set_quarter((day.month() + 2) / 3);
    }
    version = 2;
  }
  if ((envelope.has_member_enrolled() || envelope.has_member_updated()) && version == 1) {
    version = 2;
  }
  envelope.set_schema_version(version);
  return absl::OkStatus();
}

}  // namespace vanguard::domain
