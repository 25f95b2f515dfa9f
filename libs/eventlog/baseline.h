// The benchmarks' baselines: raw RocksDB write throughput for the bytes an
// appender writes, with none of the event log's work (validation, encoding,
// offsets, group commit). Comparing an event log cell against the raw cell of
// the same shape says what the log costs over the storage beneath it; and raw
// librdkafka produce and consume of the same bytes. It lives here because only
// libs/eventlog may include RocksDB's and librdkafka's headers.
//
//   ASSIGN_OR_RETURN(Throughput raw,
//                    MeasureRawRocksDbWrites({.path = dir.path(), .value_bytes = 250, .batch = 100,
//                                             .threads = 4, .duration = absl::Seconds(3)}));
//   absl::PrintF("%.0f records/s\n", raw.per_second());
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vanguard::eventlog {

struct RawWriteOptions {
  std::string path;  // a directory for a fresh RocksDB; created when missing
  size_t value_bytes = 250;
  int batch = 1;    // Puts per synced WriteBatch
  int threads = 1;  // each writes batches into the one DB
  absl::Duration duration = absl::Seconds(3);
};

// What a run achieved. Latencies are per call (one WriteBatch, or one Append).
struct Throughput {
  int64_t records = 0;  // acknowledged
  int64_t calls = 0;    // acknowledged
  absl::Duration elapsed;
  absl::Duration p50;
  absl::Duration p99;

  double per_second() const;
  double calls_per_second() const;
};

// Summarizes a run from every call's latency (any order), so that the raw
// baseline and the event log cells are summarized by the same arithmetic.
Throughput SummarizeRun(int64_t records, absl::Duration elapsed,
                        std::vector<absl::Duration> latencies);

// Each of `threads` threads writes synced WriteBatches (sync=true, WAL on) of
// `batch` Puts into one DB at `path` until `duration` has passed. Keys are the
// embedded log's (4-byte big-endian partition, 8-byte big-endian offset), dense
// per partition over kDefaultPartitions; values are incompressible filler of
// `value_bytes`. INVALID_ARGUMENT for a non-positive size, count or duration;
// the first failed write ends the run and is returned.
absl::StatusOr<Throughput> MeasureRawRocksDbWrites(const RawWriteOptions& options);

struct RawKafkaOptions {
  std::string brokers;  // bootstrap servers
  std::string topic;    // existing, with `partitions` partitions
  int32_t partitions = 0;
  size_t value_bytes = 250;
  int64_t records = 100'000;
};

// Raw librdkafka, none of the event log's work: `records` values produced
// round-robin over the partitions by one idempotent producer with the
// event log's settings (acks=all, linger 5 ms) until all are acknowledged,
// then consumed back from the start by one consumer that assigns every
// partition. Latencies are per record (produce to acknowledgement) for the
// producer, none for the consumer. Keep records × value_bytes under the test
// cluster's 5 MiB a partition, or the oldest are gone before they are read.
struct RawKafkaThroughput {
  Throughput produce;
  Throughput consume;
};
absl::StatusOr<RawKafkaThroughput> MeasureRawKafka(const RawKafkaOptions& options);

}  // namespace vanguard::eventlog
