#include "services/cli/flags_help.h"

#include <string>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

ABSL_FLAG(std::string, flags_help_test_dir, "/var/lib/x", "where things are kept");
ABSL_FLAG(int32_t, flags_help_test_count, 3, "how many");

namespace vanguard::cli {
namespace {

TEST(FlagsHelpTest, EachFlagWithItsDefaultAndHelpInTheOrderGiven) {
  EXPECT_EQ(FlagsHelp({"flags_help_test_count", "flags_help_test_dir"}),
            "  --flags_help_test_count (default 3)\n      how many\n"
            "  --flags_help_test_dir (default \"/var/lib/x\")\n      where things are kept\n");
  EXPECT_EQ(FlagsHelp({"no_such_flag_here"}), "  --no_such_flag_here (no such flag)\n");
}

TEST(FlagsHelpTest, TheWaysOfAskingForHelp) {
  for (const char* arg : {"--help", "-help", "-h"}) EXPECT_TRUE(IsHelpFlag(arg)) << arg;
  for (const char* arg : {"--helpfull", "--helpx", "help", "--data_dir", "-"}) {
    EXPECT_FALSE(IsHelpFlag(arg)) << arg;
  }
}

}  // namespace
}  // namespace vanguard::cli
