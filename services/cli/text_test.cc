#include "services/cli/text.h"

#include <sstream>

#include "gtest/gtest.h"

namespace vanguard::cli {
namespace {

TEST(TextTest, MoneyToTheFenBothWays) {
  EXPECT_EQ(Yuan(3'960'000), "¥39,600.00");
  EXPECT_EQ(Yuan(5), "¥0.05");
  EXPECT_EQ(Yuan(-2'000'050), "-¥20,000.50");
  EXPECT_EQ(ParseYuan("20000"), 2'000'000);
  EXPECT_EQ(ParseYuan("20,000.5"), 2'000'050);
  EXPECT_EQ(ParseYuan("0.07"), 7);
  EXPECT_FALSE(ParseYuan("1.234"));
  EXPECT_FALSE(ParseYuan("-5"));
  EXPECT_FALSE(ParseYuan("五千"));
  EXPECT_FALSE(ParseYuan(""));
  EXPECT_EQ(Percent(5602), "56.02%");
  EXPECT_EQ(ParseDecimal("8.5", 3), 8500);
  EXPECT_EQ(ParseDecimal("89.725", 3), 89725);
  EXPECT_FALSE(ParseDecimal("1.2345", 3));
}

TEST(TextTest, ChineseNamesLineUp) {
  Table table({"organisation", "members"});
  table.AddRow({"第1村党总支", "45"});
  table.AddRow({"station-10", "7"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "organisation  members\n"
            "第1村党总支        45\n"
            "station-10          7\n")
      << "names to the left, numbers to the right, by display width";
}

}  // namespace
}  // namespace vanguard::cli
