// Kafka's default partitioner, computed by Vanguard rather than by the client.
//
// librdkafka's own default is `consistent_random` (CRC32), not the Java
// client's murmur2; Vanguard always produces to an explicit partition chosen
// here, so every Kafka client in the organisation agrees where a key lives.
//
//   int32_t p = Murmur2Partition("pledge-42", 12);  // as Java's DefaultPartitioner
#pragma once

#include <cstdint>
#include <string_view>

namespace vanguard::eventlog {

// (murmur2(key) & 0x7fffffff) % partition_count, with Kafka's murmur2 seed.
// partition_count must be positive.
int32_t Murmur2Partition(std::string_view key, int32_t partition_count);

}  // namespace vanguard::eventlog
