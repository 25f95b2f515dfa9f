// kill -9 loses nothing acknowledged: a writer process appends to the embedded
// log from four threads and prints what each Append acknowledged; it is killed
// with SIGKILL mid-flight, round after round, and the log must hold every
// acknowledged record at the position it was given.
#include <signal.h>

#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "tests/support/subprocess.h"

namespace vanguard {
namespace {

TEST(EmbeddedLogCrashTest, SigkillLosesNothingAcknowledged) {
  eventlog::testing::ScopedTempDir dir;
  std::map<std::pair<int32_t, int64_t>, std::pair<std::string, std::string>> acknowledged;
  for (int round = 0; round < 20; ++round) {
    testing::Subprocess writer({APPEND_UNTIL_KILLED, dir.path(), absl::StrCat(round)});
    // Kill after a varying number of acknowledgements, mid-stream.
    int wanted = 150 + 97 * round;
    for (int seen = 0; seen < wanted; ++seen) {
      std::string line = writer.ReadLine();
      ASSERT_FALSE(line.empty()) << "the writer stopped early in round " << round;
      std::istringstream fields(line);
      int32_t partition;
      int64_t offset;
      std::string key, value;
      fields >> partition >> offset >> key >> value;
      auto [it, fresh] = acknowledged.emplace(std::pair(partition, offset), std::pair(key, value));
      ASSERT_TRUE(fresh) << "position " << partition << "/" << offset << " acknowledged twice";
    }
    writer.Signal(SIGKILL);
    EXPECT_EQ(writer.Wait(), 128 + SIGKILL);
  }

  auto log = eventlog::OpenEmbeddedLog({.path = dir.path(), .partitions = 4});
  ASSERT_TRUE(log.ok()) << log.status();
  std::map<std::pair<int32_t, int64_t>, std::pair<std::string, std::string>> stored;
  for (int32_t p = 0; p < 4; ++p) {
    auto end = (*log)->EndOffset(p, absl::InfiniteFuture());
    ASSERT_TRUE(end.ok());
    auto reader = (*log)->OpenReader({{p, 0}});
    ASSERT_TRUE(reader.ok());
    for (int64_t read = 0; read < *end;) {
      auto records = (*reader)->Poll(10'000, absl::Now() + absl::Seconds(5));
      ASSERT_TRUE(records.ok()) << records.status();
      ASSERT_FALSE(records->empty());
      for (const auto& r : *records) stored[{r.partition, r.offset}] = {r.key, r.value};
      read += static_cast<int64_t>(records->size());
    }
  }
  size_t missing = 0;
  for (const auto& [position, record] : acknowledged) {
    auto it = stored.find(position);
    if (it == stored.end() || it->second != record) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged records";
  EXPECT_GE(stored.size(), acknowledged.size());
}

}  // namespace
}  // namespace vanguard
