#include "libs/domain/validation.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace vanguard::domain {

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<uint8_t>(text[i]);
    size_t length;
    uint32_t code_point;
    uint32_t min_code_point;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
      min_code_point = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
      min_code_point = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
      min_code_point = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < min_code_point || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be at most ", kMaxIdBytes, " bytes"));
  }
  if (!IsValidUtf8(id)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, absl::string_view text, size_t max_bytes,
                       Required required) {
  if (required == Required::kYes && text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  }
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be at most ", max_bytes, " bytes, got ", text.size()));
  }
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ToCivilDay(absl::string_view field, const v1::Date& date) {
  // CivilDay normalises 2010-02-30 to 2010-03-02; a round trip exposes it.
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1000 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid date: ", date.year(), "-",
                                                   date.month(), "-", date.day()));
  }
  return day;
}

v1::Date ToDate(absl::CivilDay day) {
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

absl::StatusOr<absl::TimeZone> ShanghaiTimeZone() {
  static const std::optional<absl::TimeZone> zone = []() -> std::optional<absl::TimeZone> {
    absl::TimeZone loaded;
    if (!absl::LoadTimeZone("Asia/Shanghai", &loaded)) return std::nullopt;
    return loaded;
  }();
  if (!zone.has_value()) {
    return absl::InternalError(
        "time zone Asia/Shanghai cannot be loaded (is tzdata installed?); refusing to fall "
        "back to UTC");
  }
  return *zone;
}

absl::StatusOr<absl::CivilDay> ShanghaiDay(absl::Time now) {
  absl::StatusOr<absl::TimeZone> zone = ShanghaiTimeZone();
  if (!zone.ok()) return zone.status();
  return absl::ToCivilDay(now, *zone);
}

absl::StatusOr<v1::Date> EffectiveDate(absl::string_view field, const std::optional<v1::Date>& date,
                                       absl::Time now) {
  if (date.has_value()) {
    absl::StatusOr<absl::CivilDay> day = ToCivilDay(field, *date);
    if (!day.ok()) return day.status();
    return ToDate(*day);
  }
  absl::StatusOr<absl::CivilDay> today = ShanghaiDay(now);
  if (!today.ok()) return today.status();
  return ToDate(*today);
}

void SetEventType(v1::Envelope& envelope) {
  const google::protobuf::OneofDescriptor* payload =
      v1::Envelope::descriptor()->FindOneofByName("payload");
  const google::protobuf::FieldDescriptor* field =
      envelope.GetReflection()->GetOneofFieldDescriptor(envelope, payload);
  envelope.set_event_type(field == nullptr ? "" : field->message_type()->full_name());
}

std::vector<v1::Envelope> OneEvent(v1::Envelope envelope) {
  SetEventType(envelope);
  std::vector<v1::Envelope> events;
  events.push_back(std::move(envelope));
  return events;
}

}  // namespace vanguard::domain
