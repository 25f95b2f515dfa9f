// Crash anywhere, split processes: the test Kafka cluster (`vanguard
// dev-kafka`, the broker, stays up), one `vanguard command` and one `vanguard
// projector` against it, under a steady mixed load of commands. Round after
// round one of the two, picked at random, is killed with SIGKILL at a random
// moment (in start-up too) and started again on its own data directory.
// Afterwards the log, read through Kafka with the acceptance rule, is the
// judge, with the same checks as serve_crash_test.cc:
//   - every acknowledged command's event is in the log exactly once, accepted,
//     at the aggregate and version it was acknowledged with; a refused one is
//     not in it; an unknown one at most once; no request id twice;
//   - every acknowledged command sent again is answered with its first result
//     and appends nothing;
//   - the projector's live views, caught up, have the digest of a full
//     `vanguard replay` of the same log, and `vanguard verify` exits 0.
// VANGUARD_CRASH_SEED replays a run; VANGUARD_CRASH_ROUNDS changes the rounds.
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
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/testing.h"
#include "tests/reliability/crash_harness.h"
#include "tests/support/subprocess.h"

namespace vanguard::reliability {
namespace {

using eventlog::testing::ScopedTempDir;

absl::StatusOr<LogScan> ScanKafka(const std::string& bootstrap) {
  auto log = eventlog::OpenKafkaLog({.brokers = bootstrap, .fetch_wait_max_ms = 10},
                                    absl::Now() + absl::Seconds(20));
  if (!log.ok()) return log.status();
  return ScanLog(**log, absl::Now() + absl::Minutes(1));
}

TEST(KafkaCrashTest, CommandAndProjectorKilledAnywhereNothingAcknowledgedIsLostOrDoubled) {
  const uint64_t seed = SeedFromEnv(19210701);
  // Fewer rounds than serve_crash_test.cc: a restarted command process waits
  // some 6 s for its partitions (the dead member's session, then the group).
  const int rounds = RoundsFromEnv(24);
  std::mt19937_64 rng(seed);
  ScopedTempDir dir;
  std::ofstream(dir.path() + "/tokens") << TokensFile();
  const absl::Time started = absl::Now();

  testing::Subprocess broker({VANGUARD_BINARY, "dev-kafka", "--brokers=1"});
  const std::string bootstrap = broker.ReadLine();
  ASSERT_FALSE(bootstrap.empty());
  const std::string kafka = absl::StrCat(" --log=kafka --brokers=", bootstrap,
                                         " --tokens_file=", dir.path(), "/tokens");
  Endpoint endpoint;
  Ledger ledger;
  Load load(endpoint, ledger, {.clients = 6, .seed = seed});
  // Each keeps its own data directory (the command's state store, the
  // projector's views) across its restarts, and logs to a file of its own.
  Victim command{
      .name = "command",
      .argv = {"/bin/sh", "-c",
               absl::StrCat("exec ", VANGUARD_BINARY, " command --listen=127.0.0.1:0", kafka,
                            " --data_dir=", dir.path(), "/command --instance_id=command-0",
                            " --session_timeout_ms=3500 2>>", dir.path(), "/command.log")},
      .up = [&](const std::string& address) { endpoint.Up(address); },
      .down = [&] { endpoint.Down(); },
      // A restarted command process serves once the group gives it the
      // partitions back (the test cluster waits out the dead member's
      // session first): a round's delay counts from then.
      .settle = [&] { load.WaitAcknowledgement(absl::Now() + absl::Seconds(30)); }};
  Victim projector{.name = "projector",
                   .argv = {"/bin/sh", "-c",
                            absl::StrCat("exec ", VANGUARD_BINARY,
                                         " projector --listen=127.0.0.1:0", kafka, " --data_dir=",
                                         dir.path(), "/projector 2>>", dir.path(),
                                         "/projector.log")}};
  command.Spawn();
  projector.Spawn();
  ASSERT_TRUE(command.ReadAddress());
  ASSERT_TRUE(projector.ReadAddress());
  const absl::Status set_up = load.SetUp(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(set_up.ok()) << set_up;
  load.Start();
  RunCrashRounds({&command, &projector}, rounds, rng, absl::Milliseconds(2500));
  const absl::Duration crashing = absl::Now() - started;
  load.Stop();  // with both up: every unknown outcome is retried until answered
  const std::vector<Entry> entries = ledger.entries();

  absl::StatusOr<LogScan> before = ScanKafka(bootstrap);
  ASSERT_TRUE(before.ok()) << before.status();
  const Figures figures = CheckAgainstLog(entries, *before);

  const int64_t resent = ResendAcknowledged(entries, endpoint);
  absl::StatusOr<LogScan> after = ScanKafka(bootstrap);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->ends, before->ends) << "resending acknowledged commands appended records";

  ASSERT_TRUE(WaitServing(projector.address, absl::Now() + absl::Seconds(60)));
  absl::StatusOr<Comparison> live =
      CompareWithReplay(projector.address, after->ends, absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_TRUE(live->equal) << "live " << live->live_digest << " != its replay "
                           << live->replay_digest;
  const std::string replayed =
      Digest({VANGUARD_BINARY, "replay", "--log=kafka", "--brokers=" + bootstrap,
              "--views_dir=" + dir.path() + "/replayed"});
  EXPECT_EQ(live->live_digest, replayed) << "the live views differ from a full replay";
  int verify_code = -1;
  const std::string verified = testing::RunShell(
      absl::StrCat(VANGUARD_BINARY, " verify --log=kafka --brokers=", bootstrap, " 2>&1"),
      &verify_code);
  EXPECT_EQ(verify_code, 0) << verified;

  command.process->Signal(SIGTERM);
  EXPECT_EQ(command.process->Wait(), 0);
  projector.process->Signal(SIGTERM);
  EXPECT_EQ(projector.process->Wait(), 0);
  broker.Signal(SIGTERM);
  EXPECT_EQ(broker.Wait(), 0);

  std::cout << "kafka crash test: " << rounds << " rounds in " << crashing << ", SIGKILLs: "
            << command.kills << " of command (" << command.kills_while_starting
            << " before it printed its address), " << projector.kills << " of projector ("
            << projector.kills_while_starting << " starting)\n  " << figures.Summary()
            << "\n  log: " << after->records << " records, " << after->claims
            << " accepted claims, " << after->rejected << " rejected; " << resent
            << " acknowledged commands resent, each answered with its first result\n  digests: "
            << "live " << live->live_digest << ", full replay " << replayed << "\n  "
            << verified << "  took " << absl::Now() - started << std::endl;
  RecordProperty("seed", std::to_string(seed));
  RecordProperty("rounds", rounds);
  RecordProperty("acknowledged", static_cast<int>(figures.acknowledged));
}

}  // namespace
}  // namespace vanguard::reliability
