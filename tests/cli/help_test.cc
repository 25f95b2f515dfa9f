// `vanguard SUBCOMMAND --help` and `vanguardctl COMMAND ... --help` print that
// command's own flags, each with its default and help, and exit 0.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"

namespace vanguard {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using vanguard::testing::RunShell;

struct Expected {
  std::string subcommand;
  std::vector<std::string> flags;      // among those it must list
  std::vector<std::string> not_flags;  // flags of other subcommands
};

TEST(HelpTest, EveryVanguardSubcommandListsItsOwnFlags) {
  const std::vector<Expected> expected = {
      {"serve",
       {"data_dir", "tokens_file", "listen", "views_dir", "http_listen", "rate_burst",
        "instance_id"},
       {"as_of", "once", "read_only"}},
      {"demo", {"data_dir", "once", "city", "http_listen"}, {"tokens_file", "as_of"}},
      {"command",
       {"log", "brokers", "tokens_file", "tls_cert", "group", "max_commands_per_stream"},
       {"views_dir", "http_listen", "read_only"}},
      {"projector",
       {"views_dir", "read_only", "exit_when_caught_up", "max_batch", "http_listen"},
       {"rate_burst", "instance_id"}},
      {"replay", {"views_dir", "as_of", "log", "data_dir"}, {"listen", "tokens_file"}},
      {"verify", {"log", "brokers", "topic"}, {"listen", "views_dir"}},
      {"dev-kafka", {"brokers", "partitions", "topic"}, {"data_dir", "listen"}},
  };
  for (const Expected& e : expected) {
    for (const char* ask : {"--help", "-h"}) {
      int code = -1;
      std::string out =
          RunShell(absl::StrCat(VANGUARD_BINARY, " ", e.subcommand, " ", ask, " 2>&1"), &code);
      EXPECT_EQ(code, 0) << e.subcommand << " " << ask << ":\n" << out;
      EXPECT_THAT(out, HasSubstr("vanguard " + e.subcommand + " [flags]"));
      EXPECT_THAT(out, Not(HasSubstr("No flags matched")));
      EXPECT_THAT(out, Not(HasSubstr("(no such flag)"))) << e.subcommand;
      for (const std::string& flag : e.flags)
        EXPECT_THAT(out, HasSubstr("  --" + flag + " (default ")) << e.subcommand;
      for (const std::string& flag : e.not_flags)
        EXPECT_THAT(out, Not(HasSubstr("  --" + flag + " "))) << e.subcommand;
    }
  }
  // Each flag comes with its help text and default.
  int code = -1;
  std::string serve = RunShell(absl::StrCat(VANGUARD_BINARY, " serve --data_dir /x --help"), &code);
  EXPECT_EQ(code, 0);
  EXPECT_THAT(serve, HasSubstr("  --drain_seconds (default 20)\n      "));
}

TEST(HelpTest, VanguardctlCommandsListTheirFlagsWhereverHelpIsAsked) {
  for (const char* args : {"pledge make --help", "pledge --help", "pledge make --kind work -h"}) {
    int code = -1;
    std::string out = RunShell(absl::StrCat(VANGUARDCTL_BINARY, " ", args, " 2>&1"), &code);
    EXPECT_EQ(code, 0) << args << ":\n" << out;
    EXPECT_THAT(out, HasSubstr("vanguardctl pledge make --campaign C")) << args;
    EXPECT_THAT(out,
                HasSubstr("  --pledge_theme (default \"\")\n"
                          "      pledge make: central-work, own-situation or peoples-wishes\n"));
    EXPECT_THAT(out, HasSubstr("  --request_id (default \"\")\n"));
    EXPECT_THAT(out, HasSubstr("  --server (default \"\")\n"));
    EXPECT_THAT(out, Not(HasSubstr("(no such flag)")));
    EXPECT_THAT(out, Not(HasSubstr("--satisfied")));
  }
  int code = -1;
  std::string funds = RunShell(absl::StrCat(VANGUARDCTL_BINARY, " funds disburse --help"), &code);
  EXPECT_EQ(code, 0);
  EXPECT_THAT(funds, HasSubstr("  --purpose (default \"co-building\")\n"));
  EXPECT_THAT(funds, HasSubstr("  --to_member (default \"\")\n"));
}

}  // namespace
}  // namespace vanguard
