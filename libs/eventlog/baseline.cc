#include "libs/eventlog/baseline.h"

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

}  // namespace vanguard::eventlog
