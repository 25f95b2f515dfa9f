// Crash anywhere, all in one process: `vanguard serve` on the embedded log,
// under a steady mixed load of commands from several clients, killed with
// SIGKILL at random moments (in start-up and recovery too) and started again
// on the same data directory, round after round. Afterwards, with the process
// stopped, the log is the judge:
//   - every acknowledged command's event is in the log exactly once, accepted,
//     at the aggregate and version it was acknowledged with;
//   - a refused command is not in it; one whose outcome was unknown is in it
//     at most once; no request id is in it twice;
//   - every acknowledged command sent again is answered with its first result
//     and appends nothing;
//   - the live views, caught up, have the digest of a full `vanguard replay`
//     of the same log, and `vanguard verify` finds every chain intact.
// The seed is printed; VANGUARD_CRASH_SEED replays a run, VANGUARD_CRASH_ROUNDS
// changes the number of rounds.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "tests/reliability/crash_harness.h"
#include "tests/support/subprocess.h"

namespace vanguard::reliability {
namespace {

using eventlog::testing::ScopedTempDir;

absl::StatusOr<LogScan> ScanEmbedded(const std::string& data_dir) {
  auto log = eventlog::OpenEmbeddedLog({.path = data_dir + "/log"});
  if (!log.ok()) return log.status();
  return ScanLog(**log, absl::Now() + absl::Minutes(1));
}

TEST(ServeCrashTest, KilledAnywhereUnderMixedLoadNothingAcknowledgedIsLostOrDoubled) {
  const uint64_t seed = SeedFromEnv(20101012);
  const int rounds = RoundsFromEnv(100);
  std::mt19937_64 rng(seed);
  ScopedTempDir dir;
  const std::string data = dir.path() + "/data";
  std::ofstream(dir.path() + "/tokens") << TokensFile();
  const absl::Time started = absl::Now();

  Endpoint endpoint;
  Ledger ledger;
  Load load(endpoint, ledger, {.clients = 6, .seed = seed});
  // Its logs go to a file of their own, as an operator's would.
  Victim serve{.name = "serve",
               .argv = {"/bin/sh", "-c",
                        absl::StrCat("exec ", VANGUARD_BINARY,
                                     " serve --listen=127.0.0.1:0 --drain_seconds=10 --data_dir=",
                                     data, " --tokens_file=", dir.path(), "/tokens 2>>",
                                     dir.path(), "/serve.log")},
               .up = [&](const std::string& address) { endpoint.Up(address); },
               .down = [&] { endpoint.Down(); }};
  serve.Spawn();
  ASSERT_TRUE(serve.ReadAddress());
  const absl::Status set_up = load.SetUp(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(set_up.ok()) << set_up;
  load.Start();
  RunCrashRounds({&serve}, rounds, rng, absl::Milliseconds(1300));
  const absl::Duration crashing = absl::Now() - started;
  // The last process stays up while the clients finish (an unknown outcome is
  // retried until answered), then drains on SIGTERM.
  load.Stop();
  serve.process->Signal(SIGTERM);
  EXPECT_EQ(serve.process->Wait(), 0) << "the last serve did not drain";
  endpoint.Down();
  const std::vector<Entry> entries = ledger.entries();

  absl::StatusOr<LogScan> before = ScanEmbedded(data);
  ASSERT_TRUE(before.ok()) << before.status();
  const Figures figures = CheckAgainstLog(entries, *before);

  // Started again: every acknowledged command, sent again, gets its first
  // result; the live views, caught up, equal a replay of the log.
  serve.Spawn();
  ASSERT_TRUE(serve.ReadAddress());
  ASSERT_TRUE(WaitServing(serve.address, absl::Now() + absl::Seconds(60)));
  const int64_t resent = ResendAcknowledged(entries, endpoint);
  absl::StatusOr<Comparison> live =
      CompareWithReplay(serve.address, before->ends, absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_TRUE(live->equal) << "live " << live->live_digest << " != its replay "
                           << live->replay_digest;
  serve.process->Signal(SIGTERM);
  EXPECT_EQ(serve.process->Wait(), 0);

  absl::StatusOr<LogScan> after = ScanEmbedded(data);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->records - after->claims, before->records - before->claims)
      << "resending acknowledged commands appended events";
  EXPECT_EQ(after->rejected, before->rejected);
  EXPECT_EQ(after->accepted_by_request.size(), before->accepted_by_request.size());

  const std::string replayed = Digest({VANGUARD_BINARY, "replay", "--data_dir=" + data,
                                       "--views_dir=" + dir.path() + "/replayed"});
  EXPECT_EQ(live->live_digest, replayed) << "the live views differ from a full replay";
  int verify_code = -1;
  const std::string verified = testing::RunShell(
      absl::StrCat(VANGUARD_BINARY, " verify --data_dir=", data, " 2>&1"), &verify_code);
  EXPECT_EQ(verify_code, 0) << verified;

  std::cout << "serve crash test: " << rounds << " rounds in " << crashing << ", "
            << serve.kills << " SIGKILLs of serve (" << serve.kills_while_starting
            << " before it printed its address)\n  " << figures.Summary() << "\n  log: "
            << after->records << " records, " << after->claims << " accepted claims, "
            << after->rejected << " rejected; " << resent
            << " acknowledged commands resent, each answered with its first result\n  digests: "
            << "live " << live->live_digest << ", full replay " << replayed << "\n  "
            << verified << "  took " << absl::Now() - started << std::endl;
  RecordProperty("seed", std::to_string(seed));
  RecordProperty("rounds", rounds);
  RecordProperty("acknowledged", static_cast<int>(figures.acknowledged));
}

}  // namespace
}  // namespace vanguard::reliability
