#include "libs/eventlog/baseline.h"

#include <librdkafka/rdkafka.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/event_log.h"
#include "libs/eventlog/internal/rocksdb_status.h"

namespace vanguard::eventlog {
namespace {

using internal::FromRocksDb;

void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// The embedded log's record key, so that RocksDB sorts and compacts the same shape.
std::string RecordKey(int32_t partition, int64_t offset) {
  std::string key;
  key.reserve(12);
  PutBigEndian(key, static_cast<uint32_t>(partition), 4);
  PutBigEndian(key, static_cast<uint64_t>(offset), 8);
  return key;
}

// Incompressible bytes: a repeated character would shrink in flushed SST files
// and flatter the baseline against the log's real values.
std::string Filler(size_t bytes) {
  std::string out(bytes, '\0');
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (char& c : out) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state & 0xff);
  }
  return out;
}

// Nearest rank: the smallest latency that at least a fraction q of the calls stayed within.
absl::Duration Percentile(const std::vector<absl::Duration>& sorted, double q) {
  if (sorted.empty()) return absl::ZeroDuration();
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

double Throughput::per_second() const {
  double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(records) / seconds : 0;
}

double Throughput::calls_per_second() const {
  double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(calls) / seconds : 0;
}

Throughput SummarizeRun(int64_t records, absl::Duration elapsed,
                        std::vector<absl::Duration> latencies) {
  std::sort(latencies.begin(), latencies.end());
  return {.records = records,
          .calls = static_cast<int64_t>(latencies.size()),
          .elapsed = elapsed,
          .p50 = Percentile(latencies, 0.50),
          .p99 = Percentile(latencies, 0.99)};
}

absl::StatusOr<Throughput> MeasureRawRocksDbWrites(const RawWriteOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("path: must not be empty");
  if (options.value_bytes == 0) return absl::InvalidArgumentError("value_bytes: must be positive");
  if (options.batch <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch: ", options.batch, " must be positive"));
  }
  if (options.threads <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("threads: ", options.threads, " must be positive"));
  }
  if (options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration: ", absl::FormatDuration(options.duration), " must be positive"));
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", options.path, ": ", ec.message()));
  }

  // The embedded log's settings, so that the two differ only in the log's own work.
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.IncreaseParallelism(2);
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open(db_options, options.path, &raw),
                              absl::StrCat("opening the baseline DB at ", options.path)));
  std::unique_ptr<rocksdb::DB> db(raw);

  const std::string value = Filler(options.value_bytes);
  std::atomic<int64_t> sequence{0};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status first_error;
  std::vector<std::vector<absl::Duration>> latencies(options.threads);
  std::vector<int64_t> written(options.threads);

  const absl::Time start = absl::Now();
  const absl::Time stop = start + options.duration;
  std::vector<std::thread> threads;
  threads.reserve(options.threads);
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t] {
      rocksdb::WriteOptions write_options;
      write_options.sync = true;
      rocksdb::WriteBatch batch;
      latencies[t].reserve(4096);
      while (!failed.load(std::memory_order_relaxed) && absl::Now() < stop) {
        batch.Clear();
        // Round-robin over the partitions keeps every partition's offsets dense, as in the log.
        int64_t first = sequence.fetch_add(options.batch, std::memory_order_relaxed);
        rocksdb::Status s;
        for (int i = 0; i < options.batch && s.ok(); ++i) {
          int64_t n = first + i;
          s = batch.Put(
              RecordKey(static_cast<int32_t>(n % kDefaultPartitions), n / kDefaultPartitions),
              value);
        }
        absl::Time before = absl::Now();
        if (s.ok()) s = db->Write(write_options, &batch);
        if (!s.ok()) {
          absl::MutexLock lock(&mu);
          if (first_error.ok()) first_error = FromRocksDb(s, "writing a baseline batch");
          failed.store(true, std::memory_order_relaxed);
          return;
        }
        latencies[t].push_back(absl::Now() - before);
        written[t] += options.batch;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const absl::Duration elapsed = absl::Now() - start;
  db->Close().PermitUncheckedError();
  // The threads are joined: nothing else touches first_error any more.
  if (!first_error.ok()) return first_error;

  int64_t records = 0;
  std::vector<absl::Duration> all;
  for (int t = 0; t < options.threads; ++t) {
    records += written[t];
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
  }
  return SummarizeRun(records, elapsed, std::move(all));
}

namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

absl::StatusOr<KafkaPtr> NewKafka(rd_kafka_type_t type,
                                  std::vector<std::pair<const char*, std::string>> settings,
                                  void (*on_delivery)(rd_kafka_t*, const rd_kafka_message_t*,
                                                      void*) = nullptr,
                                  void* opaque = nullptr) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("kafka setting ", name, ": ", error));
    }
  }
  if (on_delivery != nullptr) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::UnavailableError(absl::StrCat("kafka client: ", error));
  }
  return KafkaPtr(rk);
}

// What the producer's delivery reports add up to. Each message's opaque is
// the time it was produced.
struct Deliveries {
  std::vector<absl::Duration> latencies;
  int64_t failed = 0;
  std::string first_error;
};

void OnRawDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* deliveries = static_cast<Deliveries*>(opaque);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (deliveries->failed++ == 0) deliveries->first_error = rd_kafka_err2str(message->err);
    return;
  }
  const auto* produced_at = static_cast<const absl::Time*>(message->_private);
  deliveries->latencies.push_back(absl::Now() - *produced_at);
}

}  // namespace

absl::StatusOr<RawKafkaThroughput> MeasureRawKafka(const RawKafkaOptions& options) {
  if (options.partitions <= 0 || options.records <= 0 || options.value_bytes == 0) {
    return absl::InvalidArgumentError("partitions, records and value_bytes must be positive");
  }
  const std::string value = Filler(options.value_bytes);
  RawKafkaThroughput result;

  Deliveries deliveries;
  deliveries.latencies.reserve(static_cast<size_t>(options.records));
  ASSIGN_OR_RETURN(KafkaPtr producer, NewKafka(RD_KAFKA_PRODUCER,
                                               {{"bootstrap.servers", options.brokers},
                                                {"enable.idempotence", "true"},
                                                {"acks", "all"},
                                                {"linger.ms", "5"},
                                                {"socket.nagle.disable", "true"},
                                                {"log_level", "3"}},
                                               &OnRawDelivery, &deliveries));
  std::vector<absl::Time> produced_at(static_cast<size_t>(options.records));
  const absl::Time produce_start = absl::Now();
  for (int64_t i = 0; i < options.records; ++i) {
    const std::string key = absl::StrCat("bench-", i);
    produced_at[i] = absl::Now();
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer.get(), RD_KAFKA_V_TOPIC(options.topic.c_str()),
          RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % options.partitions)),
          RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&produced_at[i]),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return absl::UnavailableError(absl::StrCat("produce: ", rd_kafka_err2str(err)));
      }
      rd_kafka_poll(producer.get(), 1);  // the queue is full: serve delivery reports
    }
    rd_kafka_poll(producer.get(), 0);
  }
  if (rd_kafka_flush(producer.get(), 60'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::DeadlineExceededError("produce: not every record acknowledged within 60 s");
  }
  const absl::Duration produce_elapsed = absl::Now() - produce_start;
  if (deliveries.failed > 0) {
    return absl::UnavailableError(
        absl::StrCat("produce: ", deliveries.failed, " records failed: ", deliveries.first_error));
  }
  result.produce =
      SummarizeRun(options.records, produce_elapsed, std::move(deliveries.latencies));

  ASSIGN_OR_RETURN(KafkaPtr consumer, NewKafka(RD_KAFKA_CONSUMER,
                                               {{"bootstrap.servers", options.brokers},
                                                {"group.id", "raw-bench"},
                                                {"enable.auto.commit", "false"},
                                                {"enable.partition.eof", "false"},
                                                {"fetch.wait.max.ms", "10"},
                                                {"socket.nagle.disable", "true"},
                                                {"log_level", "3"}}));
  rd_kafka_poll_set_consumer(consumer.get());
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(options.partitions);
  for (int32_t p = 0; p < options.partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment, options.topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer.get(), assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("assign: ", rd_kafka_err2str(assigned)));
  }
  const absl::Time consume_start = absl::Now();
  const absl::Time give_up = consume_start + absl::Seconds(120);
  int64_t consumed = 0, bytes = 0;
  while (consumed < options.records) {
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("consume: ", consumed, " of ", options.records, " records in 120 s"));
    }
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++consumed;
      bytes += static_cast<int64_t>(message->len);
    }
    rd_kafka_message_destroy(message);
  }
  result.consume = SummarizeRun(consumed, absl::Now() - consume_start, {});
  rd_kafka_consumer_close(consumer.get());
  if (bytes != consumed * static_cast<int64_t>(options.value_bytes)) {
    return absl::DataLossError("consume: the values read back are not the ones produced");
  }
  return result;
}

}  // namespace vanguard::eventlog
