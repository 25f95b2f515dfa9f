#include "libs/domain/campaign_checks.h"

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/domain/validation.h"

namespace vanguard::domain {

absl::Status CheckYear(absl::string_view field, int32_t year) {
  if (year < 1000 || year > 9999) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a four-digit year"));
  }
  return absl::OkStatus();
}

absl::Status CheckOptionalId(absl::string_view field, absl::string_view id) {
  return id.empty() ? absl::OkStatus() : CheckId(field, id);
}

absl::StatusOr<v1::Date> PastOrToday(absl::string_view field, const std::optional<v1::Date>& date,
                                     absl::Time now) {
  ASSIGN_OR_RETURN(v1::Date effective, EffectiveDate(field, date, now));
  ASSIGN_OR_RETURN(absl::CivilDay today, ShanghaiDay(now));
  ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay(field, effective));
  if (day > today) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", absl::FormatCivilTime(day), " is in the future"));
  }
  return effective;
}

int32_t QuarterOf(absl::CivilDay day) { return (day.month() - 1) / 3 + 1; }

absl::StatusOr<const Organisation*> LiveOrganisation(absl::string_view field, const OrgTree& tree,
                                                     absl::string_view organisation_id) {
  RETURN_IF_ERROR(CheckId(field, organisation_id));
  const Organisation* organisation = tree.Find(organisation_id);
  if (organisation == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(field, ": organisation ", organisation_id, " not found"));
  }
  if (organisation->dissolved) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": organisation ", organisation_id, " is dissolved"));
  }
  return organisation;
}

absl::StatusOr<std::string> SubjectOrganisation(absl::string_view field, const v1::Subject& subject,
                                                const OrgTree& tree, const Member* member) {
  switch (subject.id_case()) {
    case v1::Subject::kOrganisationId: {
      ASSIGN_OR_RETURN(const Organisation* organisation,
                       LiveOrganisation(absl::StrCat(field, ".organisation_id"), tree,
                                        subject.organisation_id()));
      return organisation->organisation_id;
    }
    case v1::Subject::kMemberId: {
      const std::string member_field = absl::StrCat(field, ".member_id");
      RETURN_IF_ERROR(CheckId(member_field, subject.member_id()));
      if (member == nullptr || member->status() == Member::Status::kUnknown) {
        return absl::NotFoundError(
            absl::StrCat(member_field, ": member ", subject.member_id(), " not found"));
      }
      if (member->status() == Member::Status::kLeft) {
        return absl::FailedPreconditionError(
            absl::StrCat(member_field, ": member ", subject.member_id(), " has left"));
      }
      ASSIGN_OR_RETURN(const Organisation* organisation,
                       LiveOrganisation(member_field, tree, member->organisation_id()));
      return organisation->organisation_id;
    }
    case v1::Subject::ID_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": must name an organisation or a member"));
}

absl::StatusOr<int32_t> SatisfactionTotal(absl::string_view field,
                                          const v1::SatisfactionCounts& counts) {
  if (counts.satisfied() < 0 || counts.basically_satisfied() < 0 || counts.unsatisfied() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": counts must not be negative"));
  }
  int32_t total = 0;
  if (__builtin_add_overflow(counts.satisfied(), counts.basically_satisfied(), &total) ||
      __builtin_add_overflow(total, counts.unsatisfied(), &total)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": the total overflows"));
  }
  return total;
}

absl::Status CheckEvidenceList(absl::string_view field, const std::vector<v1::Evidence>& evidence) {
  constexpr size_t kSha256Bytes = 32;
  for (size_t i = 0; i < evidence.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(CheckText(absl::StrCat(item, ".description"), evidence[i].description(),
                              kMaxTextBytes, Required::kYes));
    RETURN_IF_ERROR(
        CheckText(absl::StrCat(item, ".uri"), evidence[i].uri(), kMaxTextBytes, Required::kNo));
    if (!evidence[i].sha256().empty() && evidence[i].sha256().size() != kSha256Bytes) {
      return absl::InvalidArgumentError(absl::StrCat(item, ".sha256: must be empty or 32 bytes"));
    }
  }
  return absl::OkStatus();
}

}  // namespace vanguard::domain
