#include "libs/domain/validation.h"

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace vanguard::domain {
namespace {

TEST(IsValidUtf8Test, AcceptsAsciiAndChinese) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("branch"));
  EXPECT_TRUE(IsValidUtf8("雨厦村党总支"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600, four bytes
}

TEST(IsValidUtf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xE9\x9B"));          // truncated 雨
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE9\x41\x41"));      // bad continuation
}

TEST(CheckTextTest, NamesTheFieldFirst) {
  EXPECT_EQ(CheckText("name", "", 10, Required::kYes).message(), "name: must not be empty");
  EXPECT_TRUE(CheckText("name", "", 10, Required::kNo).ok());
  EXPECT_EQ(CheckText("name", "12345678901", 10, Required::kYes).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckText("name", "1234567890", 10, Required::kYes).ok());
  EXPECT_EQ(CheckText("name", "\xFF", 10, Required::kYes).message(), "name: must be valid UTF-8");
}

TEST(CheckIdTest, RejectsEmptyAndOverlongIds) {
  EXPECT_EQ(CheckId("organisation_id", "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckId("organisation_id", std::string(kMaxIdBytes + 1, 'a')).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckId("organisation_id", std::string(kMaxIdBytes, 'a')).ok());
}

v1::Date MakeDate(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

TEST(ToCivilDayTest, RejectsDaysThatDoNotExist) {
  EXPECT_EQ(ToCivilDay("due_on", MakeDate(2010, 2, 30)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToCivilDay("due_on", MakeDate(2010, 13, 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToCivilDay("due_on", v1::Date()).status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(ToCivilDay("due_on", MakeDate(2012, 2, 29)).ok());
  EXPECT_EQ(*ToCivilDay("due_on", MakeDate(2012, 2, 29)), absl::CivilDay(2012, 2, 29));
}

TEST(ShanghaiDayTest, UsesTheShanghaiCalendarNotUtc) {
  // 16:00 UTC is midnight in Shanghai (UTC+8, no daylight saving).
  const absl::Time before =
      absl::FromCivil(absl::CivilSecond(2010, 6, 15, 15, 59, 59), absl::UTCTimeZone());
  const absl::Time after =
      absl::FromCivil(absl::CivilSecond(2010, 6, 15, 16, 0, 0), absl::UTCTimeZone());
  ASSERT_TRUE(ShanghaiDay(before).ok());
  EXPECT_EQ(*ShanghaiDay(before), absl::CivilDay(2010, 6, 15));
  EXPECT_EQ(*ShanghaiDay(after), absl::CivilDay(2010, 6, 16));
}

TEST(EffectiveDateTest, DefaultsToTodayAndValidatesAGivenDate) {
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2010, 6, 15, 16, 0, 0), absl::UTCTimeZone());
  absl::StatusOr<v1::Date> today = EffectiveDate("effective_on", std::nullopt, now);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->day(), 16);
  absl::StatusOr<v1::Date> given = EffectiveDate("effective_on", MakeDate(2010, 1, 1), now);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->month(), 1);
  EXPECT_EQ(EffectiveDate("effective_on", MakeDate(2010, 2, 30), now).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SetEventTypeTest, NamesThePayloadThatIsSet) {
  v1::Envelope envelope;
  envelope.mutable_pledge_made();
  SetEventType(envelope);
  EXPECT_EQ(envelope.event_type(), "vanguard.v1.PledgeMade");
  envelope.mutable_organisation_moved();
  SetEventType(envelope);
  EXPECT_EQ(envelope.event_type(), "vanguard.v1.OrganisationMoved");
}

}  // namespace
}  // namespace vanguard::domain
