// `vanguard verify` against tampering it did not do itself: one byte flipped
// in a stored event of the embedded log, and a forged record appended to the
// Kafka topic by another client (kcat). Each is reported with its partition,
// offset and aggregate, and verify exits 1.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/partitioner.h"
#include "libs/eventlog/testing.h"
#include "tests/support/subprocess.h"

namespace vanguard {
namespace {

using ::testing::HasSubstr;
using eventlog::testing::ScopedTempDir;
using vanguard::testing::RunShell;
using vanguard::testing::Subprocess;

TEST(VerifyCliTest, FindsAByteFlippedInTheEmbeddedLog) {
  ScopedTempDir dir;
  int code = 0;
  RunShell(absl::StrCat(VANGUARD_BINARY, " demo --once --city=false --data_dir=", dir.path(), " >/dev/null"), &code);
  ASSERT_EQ(code, 0);
  std::string clean = RunShell(absl::StrCat(VANGUARD_BINARY, " verify --data_dir=", dir.path()), &code);
  EXPECT_EQ(code, 0) << clean;
  EXPECT_THAT(clean, HasSubstr(" 0 breaks"));

  ASSERT_TRUE(eventlog::internal::FlipStoredByteForTesting(dir.path() + "/log", 3, 5).ok());
  std::string report =
      RunShell(absl::StrCat(VANGUARD_BINARY, " verify --data_dir=", dir.path()), &code);
  EXPECT_EQ(code, 1) << report;
  EXPECT_THAT(report, HasSubstr("BREAK partition 3 offset 5 "));
}

TEST(VerifyCliTest, FindsARecordForgedWithKcat) {
  Subprocess broker({VANGUARD_BINARY, "dev-kafka", "--brokers=1", "--partitions=12"});
  std::string bootstrap = broker.ReadLine();
  ASSERT_THAT(bootstrap, HasSubstr("127.0.0.1:"));
  auto log = eventlog::OpenKafkaLog({.brokers = bootstrap}, absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<eventlog::SealedRecord> chain = eventlog::testing::SampleChain("pledge-1", 3);
  std::vector<eventlog::Record> records;
  for (const auto& sealed : chain) records.push_back(sealed.record);
  auto at = (*log)->Append(records, absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(at.ok()) << at.status();
  int code = 0;
  std::string clean = RunShell(
      absl::StrCat(VANGUARD_BINARY, " verify --log=kafka --brokers=", bootstrap), &code);
  EXPECT_EQ(code, 0) << clean;

  // Version 4 of the same pledge, sealed after a hash that is not its head's.
  auto forged = eventlog::Seal(eventlog::testing::SampleEnvelope("pledge-1", 4, "伪造的承诺"),
                               std::string(eventlog::kHashBytes, 'x'), "/intruder");
  ASSERT_TRUE(forged.ok());
  ScopedTempDir dir;
  std::string file = dir.path() + "/forged";
  std::ofstream(file, std::ios::binary) << forged->record.value;
  int32_t partition = at->front().partition;
  RunShell(absl::StrCat("kcat -P -b ", bootstrap, " -t vanguard.events.v1 -p ", partition,
                        " -k pledge-1 ", file),
           &code);
  ASSERT_EQ(code, 0) << "kcat could not produce";

  std::string report = RunShell(
      absl::StrCat(VANGUARD_BINARY, " verify --log=kafka --brokers=", bootstrap), &code);
  EXPECT_EQ(code, 1) << report;
  EXPECT_THAT(report, HasSubstr(absl::StrCat("BREAK partition ", partition,
                                             " offset 3 aggregate pledge-1 version 4")));
  broker.Signal(SIGTERM);
  EXPECT_EQ(broker.Wait(), 0);
}

}  // namespace
}  // namespace vanguard
