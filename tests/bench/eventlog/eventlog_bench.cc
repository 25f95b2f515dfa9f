// Prints the event log's append throughput and per-call latency for each
// backend, batch size and number of concurrent appenders, beside raw RocksDB
// writes of the same shape (the baseline), as a markdown table.
//
//   eventlog_bench --seconds=3 --backends=embedded,kafka,raw
//   eventlog_bench --quick  # 0.3 s per cell: proves it runs, measures nothing
//
// Nothing is read back: it measures acknowledged appends only.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/baseline.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/event_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"

ABSL_FLAG(double, seconds, 3.0, "How long each cell (backend x batch x appenders) runs");
ABSL_FLAG(int, value_bytes, 250,
          "Bytes per record value; about the size of a typical sealed event");
ABSL_FLAG(std::vector<std::string>, backends,
          std::vector<std::string>({"embedded", "kafka", "raw"}),
          "Backends to measure: embedded, kafka, raw (RocksDB WriteBatches, the baseline)");
ABSL_FLAG(std::string, json, "", "Also append each row as a JSON line to this file");
ABSL_FLAG(int, raw_kafka_records, 200'000,
          "Records of the raw librdkafka cell (rawkafka): produced, then consumed back");
ABSL_FLAG(bool, quick, false, "0.3 s per cell, for a smoke run; overrides --seconds");

namespace vanguard::eventlog {
namespace {

constexpr int kBatchSizes[] = {1, 100};
constexpr int kAppenderCounts[] = {1, 4, 16};

// Generous: a call that takes this long has failed as a measurement anyway.
constexpr absl::Duration kAppendTimeout = absl::Seconds(30);

// Each appender cycles through at least this many keys, so that successive
// calls of batch 1 land on different partitions, as many aggregates' commands would.
constexpr int kKeysPerAppender = 48;

struct BenchValue {
  std::string bytes;
  std::string origin;
};

// A real sealed event when its size is near the one asked for: its bytes are
// what the log carries in production. Otherwise filler of the exact size.
absl::StatusOr<BenchValue> MakeValue(size_t value_bytes) {
  ASSIGN_OR_RETURN(SealedRecord sealed,
                   Seal(testing::SampleEnvelope("org-township-001", 1), "", "/vanguard/bench"));
  size_t size = sealed.record.value.size();
  size_t gap = size > value_bytes ? size - value_bytes : value_bytes - size;
  if (gap * 5 <= value_bytes) {
    return BenchValue{.bytes = std::move(sealed.record.value), .origin = "a sealed sample event"};
  }
  return BenchValue{.bytes = std::string(value_bytes, 'v'), .origin = "filler"};
}

// Runs `appenders` threads, each appending batches of `batch` records (keys
// distinct within a call, spread over the partitions) until `duration` passes.
absl::StatusOr<Throughput> RunAppenders(EventLog& log, const std::string& value, int batch,
                                        int appenders, absl::Duration duration) {
  const int rounds = std::max(1, kKeysPerAppender / batch);
  std::vector<std::vector<Record>> records(appenders);
  for (int t = 0; t < appenders; ++t) {
    records[t].reserve(static_cast<size_t>(rounds) * batch);
    for (int i = 0; i < rounds * batch; ++i) {
      records[t].push_back(testing::RawRecord(absl::StrCat("bench-", t, "-", i), value));
    }
  }
  // Untimed: the first call pays for connections and metadata, not for appending.
  RETURN_IF_ERROR(log.Append(std::span<const Record>(records[0].data(), static_cast<size_t>(batch)),
                             absl::Now() + kAppendTimeout)
                      .status());

  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status first_error;
  std::vector<std::vector<absl::Duration>> latencies(appenders);
  std::vector<int64_t> acknowledged(appenders);

  const absl::Time start = absl::Now();
  const absl::Time stop = start + duration;
  std::vector<std::thread> threads;
  threads.reserve(appenders);
  for (int t = 0; t < appenders; ++t) {
    threads.emplace_back([&, t] {
      latencies[t].reserve(4096);
      for (int64_t call = 0; !failed.load(std::memory_order_relaxed) && absl::Now() < stop;
           ++call) {
        std::span<const Record> span(records[t].data() + (call % rounds) * batch,
                                     static_cast<size_t>(batch));
        absl::Time before = absl::Now();
        absl::StatusOr<std::vector<Position>> positions = log.Append(span, before + kAppendTimeout);
        if (!positions.ok()) {
          absl::MutexLock lock(&mu);
          if (first_error.ok()) first_error = positions.status();
          failed.store(true, std::memory_order_relaxed);
          return;
        }
        latencies[t].push_back(absl::Now() - before);
        acknowledged[t] += static_cast<int64_t>(positions->size());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const absl::Duration elapsed = absl::Now() - start;
  // The threads are joined: nothing else touches first_error any more.
  if (!first_error.ok()) return first_error;

  int64_t total = 0;
  std::vector<absl::Duration> all;
  for (int t = 0; t < appenders; ++t) {
    total += acknowledged[t];
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
  }
  return SummarizeRun(total, elapsed, std::move(all));
}

absl::StatusOr<Throughput> RunEmbedded(const std::string& value, int batch, int appenders,
                                       absl::Duration duration) {
  // A fresh log per cell, so that no cell pays for an earlier one's compactions.
  testing::ScopedTempDir dir;
  ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log, OpenEmbeddedLog({.path = dir.path()}));
  return RunAppenders(*log, value, batch, appenders, duration);
}

absl::StatusOr<Throughput> RunKafka(TestBroker& broker, const std::string& value, int batch,
                                    int appenders, absl::Duration duration) {
  // Lingering lets the producer fill its batches when each call brings many records.
  ASSIGN_OR_RETURN(std::unique_ptr<EventLog> log,
                   OpenKafkaLog({.brokers = broker.bootstrap_servers(),
                                 .linger_ms = batch == 1 ? 0 : 5,
                                 .fetch_wait_max_ms = 10},
                                absl::Now() + kAppendTimeout));
  return RunAppenders(*log, value, batch, appenders, duration);
}

absl::StatusOr<Throughput> RunRaw(const std::string& value, int batch, int appenders,
                                  absl::Duration duration) {
  testing::ScopedTempDir dir;
  return MeasureRawRocksDbWrites({.path = dir.path(),
                                  .value_bytes = value.size(),
                                  .batch = batch,
                                  .threads = appenders,
                                  .duration = duration});
}

void Json(const std::string& line) {
  const std::string path = absl::GetFlag(FLAGS_json);
  if (!path.empty()) std::ofstream(path, std::ios::app) << line << "\n";
}

// Raw librdkafka against its own test cluster (one broker, the log's
// partitions, a fresh topic): produce, then consume back the same count.
int RawKafka(size_t value_bytes) {
  absl::StatusOr<std::unique_ptr<TestBroker>> broker =
      TestBroker::Start({.brokers = 1, .partitions = kDefaultPartitions, .topic = "raw"});
  if (!broker.ok()) {
    absl::FPrintF(stderr, "eventlog_bench: test broker: %s\n", broker.status().ToString());
    return 1;
  }
  const int64_t records =
      absl::GetFlag(FLAGS_quick) ? 5'000 : absl::GetFlag(FLAGS_raw_kafka_records);
  absl::StatusOr<RawKafkaThroughput> raw = MeasureRawKafka({.brokers = (*broker)->bootstrap_servers(),
                                                            .topic = "raw",
                                                            .partitions = kDefaultPartitions,
                                                            .value_bytes = value_bytes,
                                                            .records = records});
  if (!raw.ok()) {
    absl::FPrintF(stderr, "eventlog_bench: raw librdkafka: %s\n", raw.status().ToString());
    return 1;
  }
  absl::PrintF("| rawkafka produce | - | 1 | %.0f | - | %.2f | %.2f |\n", raw->produce.per_second(),
               absl::ToDoubleMilliseconds(raw->produce.p50),
               absl::ToDoubleMilliseconds(raw->produce.p99));
  absl::PrintF("| rawkafka consume | - | 1 | %.0f | - | - | - |\n", raw->consume.per_second());
  std::fflush(stdout);
  Json(absl::StrFormat(R"({"table":"raw_kafka","direction":"produce","per_s":%.1f,)"
                       R"("p50_ms":%.3f,"p99_ms":%.3f})",
                       raw->produce.per_second(), absl::ToDoubleMilliseconds(raw->produce.p50),
                       absl::ToDoubleMilliseconds(raw->produce.p99)));
  Json(absl::StrFormat(R"({"table":"raw_kafka","direction":"consume","per_s":%.1f})",
                       raw->consume.per_second()));
  return 0;
}

int Main() {
  const absl::Duration per_cell = absl::GetFlag(FLAGS_quick)
                                      ? absl::Milliseconds(300)
                                      : absl::Seconds(absl::GetFlag(FLAGS_seconds));
  if (per_cell <= absl::ZeroDuration()) {
    absl::FPrintF(stderr, "eventlog_bench: --seconds must be positive\n");
    return 1;
  }
  const int value_bytes = absl::GetFlag(FLAGS_value_bytes);
  if (value_bytes <= 0 || static_cast<size_t>(value_bytes) > kMaxRecordValueBytes) {
    absl::FPrintF(stderr, "eventlog_bench: --value_bytes must be in [1, %d]\n",
                  kMaxRecordValueBytes);
    return 1;
  }
  const std::vector<std::string> backends = absl::GetFlag(FLAGS_backends);
  for (const std::string& backend : backends) {
    if (backend != "embedded" && backend != "kafka" && backend != "raw" && backend != "rawkafka") {
      absl::FPrintF(stderr,
                    "eventlog_bench: unknown backend \"%s\" (embedded, kafka, raw, rawkafka)\n",
                    backend);
      return 1;
    }
  }
  absl::StatusOr<BenchValue> value = MakeValue(static_cast<size_t>(value_bytes));
  if (!value.ok()) {
    absl::FPrintF(stderr, "eventlog_bench: %s\n", value.status().ToString());
    return 1;
  }

  absl::PrintF("machine: nproc %d; value %d bytes (%s); %s per cell\n\n",
               std::thread::hardware_concurrency(), value->bytes.size(), value->origin,
               absl::FormatDuration(per_cell));
  absl::PrintF("| backend | batch | appenders | records/s | calls/s | p50 ms | p99 ms |\n");
  absl::PrintF("|---|---:|---:|---:|---:|---:|---:|\n");
  std::fflush(stdout);

  // Started once for every Kafka cell. The mock cluster silently drops a
  // partition's oldest data past 5 MiB: harmless here, since nothing is read back.
  std::unique_ptr<TestBroker> broker;
  for (const std::string& backend : backends) {
    if (backend == "rawkafka") {
      if (int code = RawKafka(value->bytes.size()); code != 0) return code;
      continue;
    }
    if (backend == "kafka" && broker == nullptr) {
      absl::StatusOr<std::unique_ptr<TestBroker>> started =
          TestBroker::Start({.brokers = 3, .partitions = kDefaultPartitions});
      if (!started.ok()) {
        absl::FPrintF(stderr, "eventlog_bench: starting the test broker: %s\n",
                      started.status().ToString());
        return 1;
      }
      broker = *std::move(started);
    }
    for (int batch : kBatchSizes) {
      for (int appenders : kAppenderCounts) {
        absl::StatusOr<Throughput> result =
            backend == "embedded" ? RunEmbedded(value->bytes, batch, appenders, per_cell)
            : backend == "kafka"  ? RunKafka(*broker, value->bytes, batch, appenders, per_cell)
                                  : RunRaw(value->bytes, batch, appenders, per_cell);
        if (!result.ok()) {
          absl::FPrintF(stderr, "eventlog_bench: %s, batch %d, %d appenders: %s\n", backend, batch,
                        appenders, result.status().ToString());
          return 1;
        }
        absl::PrintF("| %s | %d | %d | %.0f | %.0f | %.2f | %.2f |\n", backend, batch, appenders,
                     result->per_second(), result->calls_per_second(),
                     absl::ToDoubleMilliseconds(result->p50),
                     absl::ToDoubleMilliseconds(result->p99));
        std::fflush(stdout);
        Json(absl::StrFormat(
            R"({"table":"append","log":"%s","batch":%d,"appenders":%d,"per_s":%.1f,)"
            R"("p50_ms":%.3f,"p99_ms":%.3f})",
            backend, batch, appenders, result->per_second(),
            absl::ToDoubleMilliseconds(result->p50), absl::ToDoubleMilliseconds(result->p99)));
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace vanguard::eventlog

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Prints the event log's append throughput: eventlog_bench [--seconds=3] [--quick] "
      "[--value_bytes=250] [--backends=embedded,kafka,raw]");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    absl::FPrintF(stderr, "eventlog_bench: unexpected argument \"%s\"\n",
                  std::string(positional[1]));
    return 1;
  }
  return vanguard::eventlog::Main();
}
