#include "services/vanguard/log_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/kafka_log.h"

ABSL_FLAG(std::string, log, "embedded",
          "Event log backend: embedded (RocksDB, one process) or kafka");
ABSL_FLAG(std::string, data_dir, "vanguard-data", "Directory of the embedded log and local stores");
ABSL_FLAG(std::string, brokers, "",
          "Kafka bootstrap servers (host:port,...) for --log=kafka; for dev-kafka, how many "
          "brokers to start (default 3)");
ABSL_FLAG(std::string, topic, std::string(vanguard::eventlog::kDefaultTopic),
          "Kafka topic of the events");
ABSL_FLAG(int32_t, partitions, vanguard::eventlog::kDefaultPartitions,
          "Partition count of the log; a log with another count is refused");

namespace vanguard {

absl::StatusOr<std::unique_ptr<eventlog::EventLog>> OpenLogFromFlags() {
  std::string backend = absl::GetFlag(FLAGS_log);
  if (backend == "embedded") {
    return eventlog::OpenEmbeddedLog({.path = absl::GetFlag(FLAGS_data_dir) + "/log",
                                      .partitions = absl::GetFlag(FLAGS_partitions)});
  }
  if (backend == "kafka") {
    return eventlog::OpenKafkaLog({.brokers = absl::GetFlag(FLAGS_brokers),
                                   .topic = absl::GetFlag(FLAGS_topic),
                                   .partitions = absl::GetFlag(FLAGS_partitions)},
                                  absl::Now() + absl::Seconds(15));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--log: \"", backend, "\" is neither embedded nor kafka"));
}

}  // namespace vanguard
