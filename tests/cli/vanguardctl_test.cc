// vanguardctl against a live `vanguard serve` holding the seed township: a
// ranked table with Chinese names aligned, JSON for scripts, a pledge made,
// approved and shown with its history, a payment retried with its request
// id, and errors that name the field and exit with codes scripts can trust.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/testing.h"
#include "tests/support/subprocess.h"

namespace vanguard {
namespace {

using ::testing::HasSubstr;
using eventlog::testing::ScopedTempDir;
using vanguard::testing::RunShell;
using vanguard::testing::Subprocess;

class VanguardctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int code = 0;
    RunShell(absl::StrCat(VANGUARD_BINARY, " demo --once --city=false --data_dir=", dir_.path(), " >/dev/null"), &code);
    ASSERT_EQ(code, 0);
    server_ = std::make_unique<Subprocess>(std::vector<std::string>{
        VANGUARD_BINARY, "serve", "--data_dir=" + dir_.path(),
        "--tokens_file=" + dir_.path() + "/tokens", "--listen=127.0.0.1:0",
        "--metrics_listen=127.0.0.1:0"});
    address_ = server_->ReadLine();
    ASSERT_THAT(address_, HasSubstr("127.0.0.1:"));
    metrics_ = server_->ReadLine();
    ASSERT_THAT(metrics_, HasSubstr("metrics 127.0.0.1:"));
    metrics_ = metrics_.substr(metrics_.rfind(':') + 1);
  }
  void TearDown() override {
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0);
  }

  // Runs vanguardctl as `principal`; stdout (and stderr when asked) back.
  std::string Ctl(const std::string& principal, const std::string& args, int* code,
                  bool with_stderr = false) {
    return RunShell(absl::StrCat("VANGUARD_SERVER=", address_, " VANGUARD_TOKEN=seed-token-of-",
                                 principal, " ", VANGUARDCTL_BINARY, " ", args,
                                 with_stderr ? " 2>&1" : ""),
                    code);
  }

  ScopedTempDir dir_;
  std::unique_ptr<Subprocess> server_;
  std::string address_;
  std::string metrics_;  // the port of /metrics
};

TEST_F(VanguardctlTest, RanksChildrenInATableAndInJson) {
  int code = 0;
  std::string table = Ctl("township-reviewer", "children township --by funds-received", &code);
  ASSERT_EQ(code, 0) << table;
  std::vector<std::string> lines = absl::StrSplit(table, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 19);
  EXPECT_THAT(lines[0], HasSubstr(" #  organisation "));
  EXPECT_THAT(lines[1], HasSubstr(" 1  第1村党总支 "));
  EXPECT_TRUE(lines[1].ends_with("¥83,600.00")) << lines[1];
  EXPECT_THAT(lines[19], HasSubstr("19  机关站所第8党支部 "));

  std::string json = Ctl("township-reviewer", "--json children township --by members", &code);
  ASSERT_EQ(code, 0);
  EXPECT_THAT(json, HasSubstr("\"total_children\": 19"));
}

TEST_F(VanguardctlTest, APledgeMadeApprovedAndShown) {
  int code = 0;
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), shanghai);
  std::string launched = Ctl(
      "county-admin",
      absl::StrCat("campaign launch --org county --name 创先争优 --theme 强基础 --carrier 四创四争 "
                   "--from ",
                   absl::FormatCivilTime(today), " --to ", absl::FormatCivilTime(today + 365)),
      &code, true);
  ASSERT_EQ(code, 0) << launched;
  std::string campaign = launched.substr(launched.find(": ") + 2);
  campaign = campaign.substr(0, campaign.find(' '));
  std::string make = absl::StrCat("pledge make --campaign ", campaign,
                                  " --pledger_org village-1 --kind deed --text 修通村道 "
                                  "--target 村道 --target_quantity 8.5 --target_unit km "
                                  "--pledge_theme peoples-wishes "
                                  "--due ", absl::FormatCivilTime(today + 200),
                                  " --request_id ctl-pledge-1");
  std::string made = Ctl("clerk-village-1", make, &code, true);
  ASSERT_EQ(code, 0) << made;
  std::string id = made.substr(made.find(": ") + 2);
  id = id.substr(0, id.find(' '));
  std::string again = Ctl("clerk-village-1", make, &code);
  EXPECT_EQ(code, 0);
  EXPECT_THAT(again, HasSubstr("a retry")) << "the same request id applies nothing twice";
  ASSERT_EQ(Ctl("township-reviewer", "pledge approve " + id + " --comment 同意", &code).empty(),
            false);
  EXPECT_EQ(code, 0);
  // The views follow the log: wait (a few seconds at most) for the approval.
  std::string shown;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    shown = Ctl("county-admin", "pledge show " + id, &code);
  } while (shown.find("APPROVED") == std::string::npos && absl::Now() < deadline &&
           (absl::SleepFor(absl::Milliseconds(100)), true));
  ASSERT_EQ(code, 0) << shown;
  EXPECT_THAT(shown, HasSubstr("APPROVED"));
  EXPECT_LT(shown.find("PledgeMade"), shown.find("PledgeApproved"));
}

TEST_F(VanguardctlTest, ReviewsAndEvaluationsReachTheLevelView) {
  int code = 0;
  std::string reviewed = Ctl("township-reviewer",
                             "review leader village-1 --leader_name 乡党委书记 --rating good "
                             "--achievements 践诺扎实 --request_id ctl-review-1",
                             &code);
  ASSERT_EQ(code, 0) << reviewed;
  EXPECT_THAT(reviewed, HasSubstr("leader review recorded:"));
  std::string evaluated = Ctl("township-reviewer",
                              "review evaluate village-1 --satisfied 40 --basically_satisfied 8 "
                              "--unsatisfied 2 --request_id ctl-evaluation-1",
                              &code);
  ASSERT_EQ(code, 0) << evaluated;
  // Out of scope: a village's clerk is not the township's reviewer.
  std::string refused = Ctl("clerk-village-1",
                            "review leader village-1 --leader_name 某 --rating good "
                            "--achievements 好",
                            &code);
  EXPECT_EQ(code, 1) << refused;
  EXPECT_THAT(Ctl("township-reviewer", "review leader village-1 --rating splendid", &code, true),
              HasSubstr("--rating: must be excellent, good, fair or poor"));
  EXPECT_EQ(code, 2) << "an unknown rating is a usage error";

  std::string level;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    level = Ctl("county-admin", "--json level village-1", &code);
  } while (level.find("\"mass_evaluations\"") == std::string::npos && absl::Now() < deadline &&
           (absl::SleepFor(absl::Milliseconds(100)), true));
  ASSERT_EQ(code, 0) << level;
  EXPECT_THAT(level, HasSubstr("\"leader_reviews\": \"1\""));
  EXPECT_THAT(level, HasSubstr("\"mass_evaluations\": \"1\""));
  EXPECT_THAT(level, HasSubstr("\"satisfied\": \"40\""));
}

TEST_F(VanguardctlTest, ErrorsNameTheFieldAndExitCodesMeanSomething) {
  int code = 0;
  std::string out = Ctl("water-bureau",
                        "funds disburse --source water-bureau --year 2010 --to_org village-1 "
                        "--yuan 1 --description 追加 --request_id ctl-over-budget",
                        &code, /*with_stderr=*/true);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION"));
  out = Ctl("water-bureau", "funds disburse --source water-bureau --yuan 1.234", &code, true);
  EXPECT_EQ(code, 2) << out;
  EXPECT_THAT(out, HasSubstr("--yuan"));
  out = Ctl("clerk-village-1", "level county", &code, true);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(out, HasSubstr("PERMISSION_DENIED"));
  out = Ctl("county-admin", "level county --period 2010-13", &code, true);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(out, HasSubstr("bucket.period:"));
  out = RunShell(absl::StrCat("VANGUARD_SERVER=127.0.0.1:1 ", VANGUARDCTL_BINARY,
                              " --timeout_s=2 level county 2>&1"),
                 &code);
  EXPECT_EQ(code, 3) << out;
  out = Ctl("county-admin", "children --help", &code);
  EXPECT_EQ(code, 0);
  EXPECT_THAT(out, HasSubstr("funds-received"));
}

TEST_F(VanguardctlTest, ImportsASpreadsheetOnceReportingEachRefusedRow) {
  std::string csv = dir_.path() + "/members.csv";
  std::ofstream(csv) << "request_id,organisation_id,name,category,gender,probationary,holds_post\n"
                        "m-1,village-1-branch-1,\"张,三\",rural,female,yes,no\n"
                        "m-2,village-1-branch-2,李四,rural,male,no,no\n"
                        "m-3,village-1-branch-3,王五,retired,male,no,yes\n"
                        "m-4,village-1-branch-1,赵六,astronaut,male,no,no\n"
                        "m-5,village-2-branch-1,钱七,rural,male,no,no\n";
  int code = 0;
  std::string report = Ctl("clerk-village-1", "import " + csv + " --rows members", &code, true);
  EXPECT_EQ(code, 1) << report;
  EXPECT_THAT(report, HasSubstr("imported 3 of 5 rows; refused 2"));
  EXPECT_THAT(report, HasSubstr("category"));           // line 5, refused in the file
  EXPECT_THAT(report, HasSubstr("PERMISSION_DENIED"));  // line 6, another village
  // The views follow the log: wait (a few seconds at most) for the imported rows.
  auto members = [&] {
    std::string level = Ctl("clerk-village-1", "--json level village-1", &code);
    size_t at = level.find("\"members\": \"");
    return at == std::string::npos ? -1 : std::atoi(level.c_str() + at + 12);
  };
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (members() != 48 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(members(), 48) << "45 and the three imported";

  // The same file again: nothing is applied twice.
  report = Ctl("clerk-village-1", "import " + csv + " --rows members", &code, true);
  EXPECT_THAT(report, HasSubstr("imported 3 of 5 rows (3 were in the ledger already)"));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(members(), 48);
}

TEST_F(VanguardctlTest, PrometheusSeesTheCallsAndTheViews) {
  int code = 0;
  Ctl("township-reviewer", "level township", &code);
  ASSERT_EQ(code, 0);
  Ctl("clerk-village-1", "level county", &code);
  EXPECT_EQ(code, 1);
  std::string scraped = RunShell(
      absl::StrCat("bash -c 'exec 3<>/dev/tcp/127.0.0.1/", metrics_,
                   "; printf \"GET /metrics HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3'"),
      &code);
  EXPECT_THAT(scraped, HasSubstr("vanguard_rpc_calls_total{code=\"OK\",method=\"/vanguard.v1."
                                 "ViewService/GetLevelView\"} 1"));
  EXPECT_THAT(scraped, HasSubstr("vanguard_rpc_calls_total{code=\"PERMISSION_DENIED\""));
  EXPECT_THAT(scraped, HasSubstr("vanguard_rpc_duration_seconds_bucket"));
  EXPECT_THAT(scraped, HasSubstr("vanguard_views_parked_aggregates 0"));
  EXPECT_THAT(scraped, HasSubstr("vanguard_projector_lag_records{partition=\"0\"} 0"));
}

}  // namespace
}  // namespace vanguard
