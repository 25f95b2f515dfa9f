#include "libs/views/internal/event_values.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "vanguard/v1/common.pb.h"

namespace vanguard::views::internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Per message type, the fields worth looking at: enums, dates, timestamps,
// and messages that hold any of them. Computed once over every type the
// envelope reaches, so a check visits only those fields.
class Plan {
 public:
  Plan() { Visit(v1::Envelope::descriptor()); }

  const std::vector<const FieldDescriptor*>& FieldsOf(const Descriptor* type) const {
    static const std::vector<const FieldDescriptor*> kNone;
    auto it = fields_.find(type);
    return it == fields_.end() ? kNone : it->second;
  }

 private:
  // Whether `type` holds anything to check; fills fields_ for it.
  bool Visit(const Descriptor* type) {
    if (auto it = interesting_.find(type); it != interesting_.end()) return it->second;
    interesting_[type] = false;  // a cycle holds nothing new
    if (type == v1::Date::descriptor() || type == google::protobuf::Timestamp::descriptor()) {
      return interesting_[type] = true;
    }
    std::vector<const FieldDescriptor*> fields;
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->type() == FieldDescriptor::TYPE_ENUM ||
          (field->type() == FieldDescriptor::TYPE_MESSAGE && !field->is_map() &&
           Visit(field->message_type()))) {
        fields.push_back(field);
      }
    }
    if (fields.empty()) return false;
    fields_[type] = std::move(fields);
    return interesting_[type] = true;
  }

  absl::flat_hash_map<const Descriptor*, bool> interesting_;
  absl::flat_hash_map<const Descriptor*, std::vector<const FieldDescriptor*>> fields_;
};

// A refusal names its field as the check unwinds: the leaf says what is
// wrong (": ..."), each message around it puts its field's name in front, so
// a value that passes costs no string work.
absl::Status Refuse(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(": ", what, " (a newer writer's value or a damaged record)"));
}

absl::Status Within(const FieldDescriptor* field, int index, const absl::Status& inner) {
  std::string at(field->name());
  if (index >= 0) absl::StrAppend(&at, "[", index, "]");
  const absl::string_view rest = inner.message();
  const bool leaf = !rest.empty() && (rest.front() == ':' || rest.front() == '[');
  return absl::FailedPreconditionError(absl::StrCat(at, leaf ? "" : ".", rest));
}

absl::Status CheckDate(const v1::Date& d) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return absl::OkStatus();  // unset
  if (d.year() < 1000 || d.year() > 9999 || d.month() < 1 || d.month() > 12 || d.day() < 1 ||
      d.day() > 31) {
    return Refuse(absl::StrCat(d.year(), "-", d.month(), "-", d.day(),
                               " is not a day of the years 1000 to 9999"));
  }
  return absl::OkStatus();
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& t) {
  // 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, as protobuf defines it.
  constexpr int64_t kMin = -62'135'596'800, kMax = 253'402'300'799;
  if (t.seconds() < kMin || t.seconds() > kMax || t.nanos() < 0 || t.nanos() > 999'999'999) {
    return Refuse(absl::StrCat(t.seconds(), "s ", t.nanos(), "ns is not a timestamp"));
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Plan& plan, const Message& m);

absl::Status CheckValue(const Plan& plan, const Message& m, const FieldDescriptor* field,
                        int index) {
  const Reflection* r = m.GetReflection();
  if (field->type() == FieldDescriptor::TYPE_ENUM) {
    const int value =
        index < 0 ? r->GetEnumValue(m, field) : r->GetRepeatedEnumValue(m, field, index);
    if (field->enum_type()->FindValueByNumber(value) == nullptr) {
      return Refuse(absl::StrCat(value, " is not a value of ", field->enum_type()->name(),
                                 " this projector knows"));
    }
    return absl::OkStatus();
  }
  return CheckMessage(plan,
                      index < 0 ? r->GetMessage(m, field) : r->GetRepeatedMessage(m, field, index));
}

absl::Status CheckMessage(const Plan& plan, const Message& m) {
  const Descriptor* type = m.GetDescriptor();
  if (type == v1::Date::descriptor()) return CheckDate(static_cast<const v1::Date&>(m));
  if (type == google::protobuf::Timestamp::descriptor()) {
    return CheckTimestamp(static_cast<const google::protobuf::Timestamp&>(m));
  }
  const Reflection* r = m.GetReflection();
  for (const FieldDescriptor* field : plan.FieldsOf(type)) {
    if (field->is_repeated()) {
      for (int i = 0, n = r->FieldSize(m, field); i < n; ++i) {
        if (absl::Status s = CheckValue(plan, m, field, i); !s.ok()) return Within(field, i, s);
      }
    } else if (field->type() == FieldDescriptor::TYPE_ENUM || r->HasField(m, field)) {
      if (absl::Status s = CheckValue(plan, m, field, -1); !s.ok()) return Within(field, -1, s);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckEventValues(const v1::Envelope& envelope) {
  static const Plan* const plan = new Plan();
  return CheckMessage(*plan, envelope);
}

}  // namespace vanguard::views::internal
