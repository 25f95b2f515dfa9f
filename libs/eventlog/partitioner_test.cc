#include "libs/eventlog/partitioner.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace vanguard::eventlog {
namespace {

// Partitions that Apache Kafka's Java DefaultPartitioner gives for 1000
// partitions (the vectors other clients test their murmur2 against).
TEST(Murmur2PartitionTest, MatchesJavaClientFor1000Partitions) {
  EXPECT_EQ(Murmur2Partition("", 1000), 681);
  EXPECT_EQ(Murmur2Partition("a", 1000), 524);
  EXPECT_EQ(Murmur2Partition("ab", 1000), 434);
  EXPECT_EQ(Murmur2Partition("abc", 1000), 107);
  EXPECT_EQ(Murmur2Partition("123456789", 1000), 566);
  EXPECT_EQ(Murmur2Partition(std::string("\0 ", 2), 1000), 742);
}

// Java's Utils.murmur2 of decimal strings (signed 32-bit), mapped to a
// partition the way Java does: toPositive(hash) % partitions.
TEST(Murmur2PartitionTest, MatchesJavaHashesForTwelvePartitions) {
  struct Vector {
    const char* key;
    int32_t java_murmur2;
  };
  const Vector vectors[] = {
      {"0", 971027396},       {"1", -1993445489},      {"128", -326012175},
      {"2187", -1508407203},  {"16384", -325739742},   {"78125", -1654490814},
      {"279936", 1462227128}, {"823543", -2014198330},
  };
  for (const Vector& v : vectors) {
    int32_t expected =
        static_cast<int32_t>((static_cast<uint32_t>(v.java_murmur2) & 0x7fffffff) % 12);
    EXPECT_EQ(Murmur2Partition(v.key, 12), expected) << "key " << v.key;
  }
}

TEST(Murmur2PartitionTest, SinglePartitionTakesEverything) {
  EXPECT_EQ(Murmur2Partition("pledge-1", 1), 0);
  EXPECT_EQ(Murmur2Partition("org-tree", 1), 0);
}

}  // namespace
}  // namespace vanguard::eventlog
