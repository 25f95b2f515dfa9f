#include "libs/log/log.h"

#include "gtest/gtest.h"

namespace vanguard::log {
namespace {

TEST(LogTest, ALineIsOneJsonObjectWithTheFieldsInOrder) {
  EXPECT_EQ(Line("2026-11-23T10:00:00.000000Z", Level::kWarning, "command", "command refused",
                 {{"request_id", "r-1"}, {"code", "NOT_FOUND"}}),
            "{\"time\":\"2026-11-23T10:00:00.000000Z\",\"level\":\"warning\","
            "\"component\":\"command\",\"message\":\"command refused\","
            "\"request_id\":\"r-1\",\"code\":\"NOT_FOUND\"}");
}

TEST(LogTest, StringsAreEscapedAndChineseIsKept) {
  EXPECT_EQ(JsonString("第1村 \"党总支\"\\\n\t\x01"), "\"第1村 \\\"党总支\\\"\\\\\\n\\t\\u0001\"");
}

TEST(LogTest, InvalidUtf8BecomesTheReplacementCharacter) {
  EXPECT_EQ(JsonString("a\xC8\x01z"), "\"a\xEF\xBF\xBD\\u0001z\"");
  EXPECT_EQ(JsonString("\xE5\x85"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"") << "a cut sequence";
}

}  // namespace
}  // namespace vanguard::log
