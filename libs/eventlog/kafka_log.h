// The Kafka event log: one topic on a Kafka cluster, through librdkafka.
//
// Appends go through an idempotent producer (acks=all) to the partition that
// murmur2 of the key names, with CloudEvents binary-mode headers; a delivery
// report with an offset is the only thing that makes Append succeed. Readers
// use assign() with explicit positions, never auto-commit, and
// auto.offset.reset=error: a position no longer in the log fails loudly.
// Committed positions live in Kafka under the consumer's group id.
//
// Blocking: every call returns by its deadline. An unreachable cluster gives
// UNAVAILABLE; when the deadline passes with a delivery still outstanding the
// status says the records may yet be written (the caller reads back to know).
// Retries inside the idempotent producer never duplicate or reorder a
// partition's records.
//
// Records in flight: while records of an Append that already returned are
// still undelivered (at most delivery_timeout), Append to their partition
// fails at once with UNAVAILABLE, writing nothing, and so does EndOffset of
// that partition. So a cluster that stops answering holds at most one call's
// records per partition in memory, callers fail fast instead of each waiting
// out its deadline, and an end offset this log returns is never passed later
// by a record it had already handed to the cluster.
//
//   ASSIGN_OR_RETURN(auto log, OpenKafkaLog({.brokers = "127.0.0.1:9092"}, deadline));
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"

namespace vanguard::eventlog {

struct KafkaLogOptions {
  std::string brokers;  // bootstrap servers, "host:port,..."
  std::string topic = std::string(kDefaultTopic);
  // The topic must exist with exactly this many partitions, or the log refuses to open.
  int32_t partitions = kDefaultPartitions;
  int linger_ms = 0;            // 0 for unary commands; larger for bulk
  int fetch_wait_max_ms = 100;  // how long a fetch waits on the broker for new records
  // How long the producer keeps retrying a record before reporting it failed.
  absl::Duration delivery_timeout = absl::Seconds(30);
  std::string client_id = "vanguard";
};

// Connects and checks the topic's partition count, by `deadline`.
//
// After a fatal producer error (the idempotent producer lost its sequence
// state) the failing call returns UNAVAILABLE and the log replaces its
// producer; callers fence by reading back, as for any failed append.
absl::StatusOr<std::unique_ptr<EventLog>> OpenKafkaLog(const KafkaLogOptions& options,
                                                       absl::Time deadline);

namespace internal {
// Makes the current producer fail as a fatal error would, for tests.
absl::Status FailProducerForTesting(EventLog& log);
}  // namespace internal

}  // namespace vanguard::eventlog
