// The projector process killed with SIGKILL at random points while it
// consumes, and restarted: its views end the same bytes as an uninterrupted
// replica's, because every batch and its positions are one atomic write.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "libs/views/testing.h"
#include "tests/support/subprocess.h"

namespace vanguard {
namespace {

using eventlog::testing::ScopedTempDir;
using vanguard::testing::Subprocess;

// Runs a projector over the log in `data_dir` into `views_dir` to the end
// and returns the digest it prints.
std::string ProjectToTheEnd(const std::string& data_dir, const std::string& views_dir) {
  Subprocess projector({VANGUARD_BINARY, "projector", "--data_dir=" + data_dir,
                        "--views_dir=" + views_dir, "--exit_when_caught_up"});
  std::string line = projector.ReadLine();
  EXPECT_EQ(projector.Wait(), 0);
  EXPECT_TRUE(line.starts_with("digest ")) << line;
  return line.substr(7);
}

TEST(ProjectorCrashTest, KilledAnywhereItEndsWithTheSameViews) {
  ScopedTempDir dir;
  {
    auto log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log"});
    ASSERT_TRUE(log.ok()) << log.status();
    views::testing::Workload workload(20101012, /*max_organisations=*/500,
                                      /*restructure_percent=*/5);
    workload.Generate(20'000);
    ASSERT_TRUE(views::testing::AppendWorkload(**log, workload).ok());
  }  // the projector processes open the log themselves

  absl::Time start = absl::Now();
  std::string reference = ProjectToTheEnd(dir.path(), dir.path() + "/reference");
  absl::Duration uninterrupted = absl::Now() - start;
  std::cerr << "an uninterrupted run took " << uninterrupted << "\n";

  std::mt19937 rng(7);
  std::string crashed = dir.path() + "/crashed";
  int killed = 0;
  for (int round = 0; round < 25; ++round) {
    Subprocess projector({VANGUARD_BINARY, "projector", "--data_dir=" + dir.path(),
                          "--views_dir=" + crashed, "--exit_when_caught_up", "--max_batch=64"});
    // Each round lives for about a tenth of a whole run, so that the
    // kills land all along the log, in startup, mid-batch and between batches.
    int64_t window = std::max<int64_t>(absl::ToInt64Milliseconds(uninterrupted) / 10, 20);
    absl::SleepFor(absl::Milliseconds(window / 2 + rng() % window));
    projector.Signal(SIGKILL);
    int code = projector.Wait();
    if (code == 128 + SIGKILL) ++killed;
  }
  EXPECT_GE(killed, 20) << "most rounds must die mid-way for the test to mean anything";
  EXPECT_EQ(ProjectToTheEnd(dir.path(), crashed), reference);
}

}  // namespace
}  // namespace vanguard
