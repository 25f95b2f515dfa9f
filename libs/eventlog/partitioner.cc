#include "libs/eventlog/partitioner.h"

#include <librdkafka/rdkafka.h>

namespace vanguard::eventlog {

int32_t Murmur2Partition(std::string_view key, int32_t partition_count) {
  // The partitioner never touches its topic handle or opaques.
  return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partition_count, nullptr,
                                          nullptr);
}

}  // namespace vanguard::eventlog
