#include "libs/eventlog/embedded_log.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/internal/rocksdb_status.h"

namespace vanguard::eventlog {
namespace {

using internal::FromRocksDb;

constexpr char kRecordsFamily[] = "records";
constexpr char kPositionsFamily[] = "positions";
constexpr char kMetaLogId[] = "log_id";
constexpr char kMetaPartitions[] = "partitions";

void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian(std::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(in[i]);
  return value;
}

// Records sort by (partition, offset): big-endian keys.
std::string RecordKey(int32_t partition, int64_t offset) {
  std::string key;
  key.reserve(12);
  PutBigEndian(key, static_cast<uint32_t>(partition), 4);
  PutBigEndian(key, static_cast<uint64_t>(offset), 8);
  return key;
}

std::string PositionKey(std::string_view consumer, int32_t partition) {
  std::string key(consumer);
  key.push_back('\0');
  PutBigEndian(key, static_cast<uint32_t>(partition), 4);
  return key;
}

// A stored record: timestamp, key, headers, then the value to the end, each
// length a fixed 32-bit prefix. The value is kept byte for byte.
void PutBytes(std::string& out, std::string_view bytes) {
  PutBigEndian(out, bytes.size(), 4);
  out.append(bytes);
}

std::string EncodeRecord(const Record& record) {
  std::string out;
  out.reserve(record.key.size() + record.value.size() + 256);
  PutBigEndian(out, static_cast<uint64_t>(absl::ToUnixMicros(record.cloud_event.time)), 8);
  PutBytes(out, record.key);
  auto headers = CloudEventHeaders(record.cloud_event);
  PutBigEndian(out, headers.size(), 4);
  for (const auto& [name, value] : headers) {
    PutBytes(out, name);
    PutBytes(out, value);
  }
  out.append(record.value);
  return out;
}

absl::Status DecodeRecord(std::string_view in, StoredRecord& out) {
  auto corrupt = [&] {
    return absl::DataLossError(absl::StrCat("stored record at partition ", out.partition,
                                            " offset ", out.offset, " is malformed"));
  };
  auto take = [&](size_t n) -> std::optional<std::string_view> {
    if (in.size() < n) return std::nullopt;
    std::string_view head = in.substr(0, n);
    in.remove_prefix(n);
    return head;
  };
  auto take_bytes = [&]() -> std::optional<std::string_view> {
    auto size = take(4);
    if (!size) return std::nullopt;
    return take(GetBigEndian(*size, 4));
  };
  auto micros = take(8);
  if (!micros) return corrupt();
  out.timestamp = absl::FromUnixMicros(static_cast<int64_t>(GetBigEndian(*micros, 8)));
  auto key = take_bytes();
  auto count = take(4);
  if (!key || !count) return corrupt();
  out.key = std::string(*key);
  uint64_t headers = GetBigEndian(*count, 4);
  out.headers.clear();
  for (uint64_t i = 0; i < headers; ++i) {
    auto name = take_bytes();
    auto value = take_bytes();
    if (!name || !value) return corrupt();
    out.headers.emplace_back(std::string(*name), std::string(*value));
  }
  out.value = std::string(in);
  return absl::OkStatus();
}

class EmbeddedLog;

// An open database with its families, identity and the end of each partition.
struct OpenedLog {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // default (meta), records, positions
  std::string log_id;
  std::vector<int64_t> end_offsets;
};

absl::StatusOr<OpenedLog> OpenDatabase(const EmbeddedLogOptions& options);

class EmbeddedReader final : public LogReader {
 public:
  EmbeddedReader(EmbeddedLog* log, PositionMap from) : log_(log), positions_(std::move(from)) {}

  absl::StatusOr<std::vector<StoredRecord>> Poll(size_t max_records, absl::Time deadline) override;
  PositionMap positions() const override { return positions_; }

 private:
  EmbeddedLog* log_;
  PositionMap positions_;
  size_t next_partition_ = 0;  // round-robin start, so no partition starves
};

class EmbeddedLog final : public EventLog {
 public:
  EmbeddedLog(EmbeddedLogOptions options, OpenedLog opened)
      : options_(std::move(options)),
        db_(std::move(opened.db)),
        families_(std::move(opened.families)),
        log_id_(std::move(opened.log_id)),
        partitions_(static_cast<int32_t>(opened.end_offsets.size())),
        end_offsets_(std::move(opened.end_offsets)) {}

  ~EmbeddedLog() override {
    absl::WriterMutexLock db_lock(&db_mu_);
    CloseDatabase();
  }

  const std::string& log_id() const override { return log_id_; }
  // Not end_offsets_.size(): appenders replace that vector under mu_.
  int32_t partition_count() const override { return partitions_; }

  absl::StatusOr<std::vector<Position>> Append(std::span<const Record> records,
                                               absl::Time deadline) override;

  absl::StatusOr<std::unique_ptr<LogReader>> OpenReader(const PositionMap& from) override {
    for (const auto& [partition, offset] : from) {
      if (partition < 0 || partition >= partition_count()) {
        return absl::InvalidArgumentError(
            absl::StrCat("partition ", partition, " is not in [0, ", partition_count(), ")"));
      }
      if (offset < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("offset ", offset, " of partition ", partition, " is negative"));
      }
    }
    return std::make_unique<EmbeddedReader>(this, from);
  }

  absl::StatusOr<int64_t> EndOffset(int32_t partition, absl::Time) override {
    if (partition < 0 || partition >= partition_count()) {
      return absl::InvalidArgumentError(
          absl::StrCat("partition ", partition, " is not in [0, ", partition_count(), ")"));
    }
    RETURN_IF_ERROR(ResolveUnknownOutcome());
    absl::MutexLock lock(&mu_);
    return end_offsets_[partition];
  }

  absl::Status CommitPositions(std::string_view consumer, const PositionMap& positions,
                               absl::Time) override {
    if (consumer.empty()) return absl::InvalidArgumentError("consumer: must not be empty");
    rocksdb::WriteOptions options;
    options.sync = true;
    absl::Status status;
    {
      absl::ReaderMutexLock db_lock(&db_mu_);
      RETURN_IF_ERROR(OpenOrUnavailable());
      rocksdb::WriteBatch batch;
      for (const auto& [partition, offset] : positions) {
        std::string value;
        PutBigEndian(value, static_cast<uint64_t>(offset), 8);
        batch.Put(families_[2], PositionKey(consumer, partition), value);
      }
      status = FromRocksDb(db_->Write(options, &batch), "committing positions");
    }
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      write_failed_ = true;  // the next append reopens the database
    }
    return status;
  }

  absl::StatusOr<PositionMap> CommittedPositions(std::string_view consumer, absl::Time) override {
    std::string prefix(consumer);
    prefix.push_back('\0');
    PositionMap positions;
    absl::ReaderMutexLock db_lock(&db_mu_);
    RETURN_IF_ERROR(OpenOrUnavailable());
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, families_[2]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      std::string_view key = it->key().ToStringView().substr(prefix.size());
      positions[static_cast<int32_t>(GetBigEndian(key, 4))] =
          static_cast<int64_t>(GetBigEndian(it->value().ToStringView(), 8));
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "reading positions"));
    return positions;
  }

  // Reads what is durable in `partition` from `offset`, at most `max` records.
  absl::Status ReadPartition(int32_t partition, int64_t offset, size_t max,
                             std::vector<StoredRecord>& out) {
    RETURN_IF_ERROR(ResolveUnknownOutcome());
    int64_t end;
    {
      absl::MutexLock lock(&mu_);
      end = end_offsets_[partition];
    }
    if (offset > end) {
      return absl::OutOfRangeError(absl::StrCat("position ", offset, " of partition ", partition,
                                                " is past the log's end ", end));
    }
    if (offset == end || max == 0) return absl::OkStatus();
    std::string upper = RecordKey(partition, end);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &upper_slice;
    absl::ReaderMutexLock db_lock(&db_mu_);
    RETURN_IF_ERROR(OpenOrUnavailable());
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, families_[1]));
    int64_t expected = offset;
    for (it->Seek(RecordKey(partition, offset)); it->Valid() && max > 0; it->Next(), --max) {
      StoredRecord record;
      record.partition = partition;
      record.offset = static_cast<int64_t>(GetBigEndian(it->key().ToStringView().substr(4), 8));
      if (record.offset != expected) {
        return absl::DataLossError(
            absl::StrCat("partition ", partition, " has no record at offset ", expected));
      }
      RETURN_IF_ERROR(DecodeRecord(it->value().ToStringView(), record));
      out.push_back(std::move(record));
      ++expected;
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "reading records"));
    if (expected == offset) {
      return absl::DataLossError(absl::StrCat("partition ", partition, " has no record at offset ",
                                              offset, " below its end ", end));
    }
    return absl::OkStatus();
  }

  // Waits until something is appended after `generation`, or until `deadline`.
  void AwaitAppend(uint64_t generation, absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    while (generation_ == generation) {
      if (appended_.WaitWithDeadline(&mu_, deadline)) return;
    }
  }

  uint64_t generation() {
    absl::MutexLock lock(&mu_);
    return generation_;
  }

 private:
  struct PendingAppend {
    std::span<const Record> records;
    std::vector<Position> positions;
    absl::Status status;
    bool done = false;
  };

  // Writes `group` in one synced batch; called by one leader at a time.
  absl::Status WriteGroup(const std::vector<PendingAppend*>& group, std::vector<int64_t>& next);

  // After a failed write RocksDB refuses every later one: it resumes by itself
  // once a full disk has room again, but treats an I/O error as fatal. So the
  // leader reopens the database, which replays its write-ahead log: a batch
  // whose write failed after reaching the file may be found there, whole (the
  // log then holds it, as a Kafka append that failed may still have written).
  // `next` becomes the reopened ends. Called by one leader at a time.
  absl::Status Reopen(std::vector<int64_t>& next);

  // After an append failed and the reopen that followed failed too, nobody
  // knows whether the batch reached the disk, so nobody knows the log's end:
  // reopens the database (as the leader of no group) to find out, or answers
  // UNAVAILABLE while it cannot. OK at once when the end is known.
  absl::Status ResolveUnknownOutcome();

  void CloseDatabase() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_) {
    if (db_ == nullptr) return;
    for (auto* family : families_) db_->DestroyColumnFamilyHandle(family);
    families_.clear();
    db_->Close().PermitUncheckedError();
    db_.reset();
  }

  absl::Status OpenOrUnavailable() const ABSL_SHARED_LOCKS_REQUIRED(db_mu_) {
    if (db_ != nullptr) return absl::OkStatus();
    return absl::UnavailableError(
        absl::StrCat("the embedded log is closed after a storage failure (", closed_because_,
                     "); the next append reopens it"));
  }

  const EmbeddedLogOptions options_;
  mutable absl::Mutex db_mu_;  // held shared while using db_, exclusively while reopening it
  std::unique_ptr<rocksdb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  std::vector<rocksdb::ColumnFamilyHandle*> families_
      ABSL_GUARDED_BY(db_mu_);  // default (meta), records, positions
  std::string closed_because_ ABSL_GUARDED_BY(db_mu_);
  const std::string log_id_;
  const int32_t partitions_;

  absl::Mutex mu_;
  absl::CondVar appended_;
  std::vector<int64_t> end_offsets_ ABSL_GUARDED_BY(mu_);  // durable and visible
  std::deque<PendingAppend*> queue_ ABSL_GUARDED_BY(mu_);
  bool leader_active_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  // An append failed and the database could not be reopened since: the ends
  // are unknown (see ResolveUnknownOutcome).
  bool outcome_unknown_ ABSL_GUARDED_BY(mu_) = false;
};

absl::Status EmbeddedLog::WriteGroup(const std::vector<PendingAppend*>& group,
                                     std::vector<int64_t>& next) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  RETURN_IF_ERROR(OpenOrUnavailable());
  rocksdb::WriteBatch batch;
  for (PendingAppend* pending : group) {
    pending->positions.reserve(pending->records.size());
    for (const Record& record : pending->records) {
      int32_t partition = PartitionOf(record, partition_count());
      int64_t offset = next[partition]++;
      pending->positions.push_back({partition, offset});
      rocksdb::Status s =
          batch.Put(families_[1], RecordKey(partition, offset), EncodeRecord(record));
      if (!s.ok()) return FromRocksDb(s, "preparing the batch");
    }
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocksDb(db_->Write(options, &batch), "appending");
}

absl::Status EmbeddedLog::Reopen(std::vector<int64_t>& next) {
  absl::WriterMutexLock db_lock(&db_mu_);
  CloseDatabase();
  absl::StatusOr<OpenedLog> opened = OpenDatabase(options_);
  if (!opened.ok()) {
    closed_because_ = std::string(opened.status().message());
    return absl::UnavailableError(absl::StrCat(
        "the embedded log's storage failed and the log cannot be reopened yet: ",
        opened.status().message()));
  }
  for (int32_t p = 0; p < partitions_; ++p) {
    if (opened->end_offsets[p] < next[p]) {
      // Appends that were acknowledged are gone: never serve that.
      db_ = std::move(opened->db);
      families_ = std::move(opened->families);
      CloseDatabase();
      closed_because_ = absl::StrCat("partition ", p, " ends at ", opened->end_offsets[p],
                                     " after reopening, below its acknowledged end ", next[p]);
      return absl::DataLossError(closed_because_);
    }
  }
  db_ = std::move(opened->db);
  families_ = std::move(opened->families);
  next = std::move(opened->end_offsets);
  return absl::OkStatus();
}

absl::Status EmbeddedLog::ResolveUnknownOutcome() {
  absl::MutexLock lock(&mu_);
  if (!outcome_unknown_) return absl::OkStatus();
  while (leader_active_) appended_.Wait(&mu_);
  if (!outcome_unknown_) return absl::OkStatus();  // the leader reopened it
  leader_active_ = true;
  std::vector<int64_t> next = end_offsets_;
  mu_.Unlock();
  absl::Status status = Reopen(next);
  mu_.Lock();
  if (status.ok()) {
    end_offsets_ = std::move(next);
    write_failed_ = false;
    outcome_unknown_ = false;
  }
  leader_active_ = false;
  ++generation_;
  appended_.SignalAll();  // an append waiting for a leader may lead now
  if (status.code() != absl::StatusCode::kUnavailable) return status;  // OK, or data lost
  return absl::UnavailableError(
      absl::StrCat("the embedded log is closed after a storage failure: whether the append that "
                   "failed reached the disk, and so the log's end, is unknown until it reopens (",
                   status.message(), ")"));
}

absl::StatusOr<std::vector<Position>> EmbeddedLog::Append(std::span<const Record> records,
                                                          absl::Time) {
  RETURN_IF_ERROR(ValidateRecords(records, partition_count()));
  PendingAppend self{.records = records};
  absl::MutexLock lock(&mu_);
  queue_.push_back(&self);
  while (!self.done) {
    if (leader_active_) {
      appended_.Wait(&mu_);
      continue;
    }
    // Lead: write everything queued so far, own append included, in one batch.
    leader_active_ = true;
    std::vector<PendingAppend*> group(queue_.begin(), queue_.end());
    queue_.clear();
    std::vector<int64_t> next = end_offsets_;
    const std::vector<int64_t> acknowledged = end_offsets_;
    bool reopen = write_failed_;
    mu_.Unlock();
    absl::Status status = absl::OkStatus();
    if (reopen) {
      status = Reopen(next);
      if (status.ok()) {
        // A batch found in the reopened log is readable from now on.
        absl::MutexLock lock(&mu_);
        end_offsets_ = next;
        write_failed_ = false;
        outcome_unknown_ = false;
        ++generation_;
      }
    }
    const bool attempted = status.ok();
    if (attempted) status = WriteGroup(group, next);
    bool reopened = false;
    if (!status.ok() && !reopen) {
      // Reopen at once: if the failure was brief, the batch's fate is known
      // before its callers read back, and later appends do not wait for it.
      next = acknowledged;
      reopened = Reopen(next).ok();
    }
    mu_.Lock();
    if (status.ok()) end_offsets_ = std::move(next);
    if (reopened) {
      end_offsets_ = std::move(next);  // with the failed batch, if it reached the disk
    } else if (!status.ok()) {
      write_failed_ = true;
      if (attempted) outcome_unknown_ = true;  // the batch may be on the disk
    }
    for (PendingAppend* pending : group) {
      pending->status = status;
      pending->done = true;
    }
    leader_active_ = false;
    ++generation_;
    appended_.SignalAll();  // followers: done, or one of them leads next
  }
  if (!self.status.ok()) return self.status;
  return std::move(self.positions);
}

absl::StatusOr<std::vector<StoredRecord>> EmbeddedReader::Poll(size_t max_records,
                                                               absl::Time deadline) {
  std::vector<StoredRecord> out;
  if (positions_.empty() || max_records == 0) return out;
  while (true) {
    uint64_t generation = log_->generation();
    std::vector<int32_t> order;
    for (const auto& [partition, offset] : positions_) order.push_back(partition);
    std::rotate(order.begin(), order.begin() + (next_partition_ % order.size()), order.end());
    ++next_partition_;
    for (int32_t partition : order) {
      size_t before = out.size();
      RETURN_IF_ERROR(
          log_->ReadPartition(partition, positions_[partition], max_records - out.size(), out));
      positions_[partition] += static_cast<int64_t>(out.size() - before);
      if (out.size() == max_records) break;
    }
    if (!out.empty() || absl::Now() >= deadline) return out;
    log_->AwaitAppend(generation, deadline);
  }
}

absl::StatusOr<std::string> ReadOrInitMeta(rocksdb::DB& db, const std::string& key,
                                           const std::string& initial) {
  std::string value;
  rocksdb::Status s = db.Get({}, key, &value);
  if (s.ok()) return value;
  if (!s.IsNotFound()) return FromRocksDb(s, "reading the log's metadata");
  rocksdb::WriteOptions options;
  options.sync = true;
  RETURN_IF_ERROR(FromRocksDb(db.Put(options, key, initial), "writing the log's metadata"));
  return initial;
}

absl::StatusOr<OpenedLog> OpenDatabase(const EmbeddedLogOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("path: must not be empty");
  if (options.partitions <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("partitions: ", options.partitions, " must be positive"));
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", options.path, ": ", ec.message()));
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  if (options.env != nullptr) db_options.env = options.env;
  rocksdb::ColumnFamilyOptions family_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, family_options},
      {kRecordsFamily, family_options},
      {kPositionsFamily, family_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::Open(db_options, options.path, descriptors, &families, &raw),
                  absl::StrCat("opening the embedded log at ", options.path)));
  std::unique_ptr<rocksdb::DB> db(raw);
  auto release = [&](absl::Status status) {
    for (auto* family : families) db->DestroyColumnFamilyHandle(family);
    return status;
  };

  absl::BitGen random;
  std::string fresh_id = absl::StrFormat("embedded-%016x%016x", absl::Uniform<uint64_t>(random),
                                         absl::Uniform<uint64_t>(random));
  auto log_id = ReadOrInitMeta(*db, kMetaLogId, fresh_id);
  if (!log_id.ok()) return release(log_id.status());
  auto partitions = ReadOrInitMeta(*db, kMetaPartitions, absl::StrCat(options.partitions));
  if (!partitions.ok()) return release(partitions.status());
  int32_t stored_partitions = 0;
  if (!absl::SimpleAtoi(*partitions, &stored_partitions) ||
      stored_partitions != options.partitions) {
    return release(absl::FailedPreconditionError(
        absl::StrCat("the log at ", options.path, " has ", *partitions,
                     " partitions; this process is configured for ", options.partitions)));
  }

  // The end of each partition is one past its last record.
  std::vector<int64_t> end_offsets(options.partitions, 0);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, families[1]));
  for (int32_t p = 0; p < options.partitions; ++p) {
    it->SeekForPrev(RecordKey(p, std::numeric_limits<int64_t>::max()));
    if (it->Valid() && GetBigEndian(it->key().ToStringView(), 4) == static_cast<uint32_t>(p)) {
      end_offsets[p] =
          static_cast<int64_t>(GetBigEndian(it->key().ToStringView().substr(4), 8)) + 1;
    }
  }
  if (absl::Status s = FromRocksDb(it->status(), "scanning the log"); !s.ok()) {
    it.reset();
    return release(s);
  }
  it.reset();
  return OpenedLog{.db = std::move(db),
                   .families = std::move(families),
                   .log_id = *std::move(log_id),
                   .end_offsets = std::move(end_offsets)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> OpenEmbeddedLog(const EmbeddedLogOptions& options) {
  ASSIGN_OR_RETURN(OpenedLog opened, OpenDatabase(options));
  return std::make_unique<EmbeddedLog>(options, std::move(opened));
}

namespace internal {

absl::Status FlipStoredByteForTesting(const std::string& path, int32_t partition, int64_t offset) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, {}}, {kRecordsFamily, {}}, {kPositionsFamily, {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocksDb(rocksdb::DB::Open({}, path, descriptors, &families, &raw),
                              absl::StrCat("opening the embedded log at ", path)));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string stored;
  absl::Status status = FromRocksDb(
      db->Get({}, families[1], RecordKey(partition, offset), &stored), "reading the record");
  if (status.ok()) {
    // The value ends with the prev_hash and hash fields (34 bytes each at
    // most); 80 bytes from the end lies inside the envelope.
    size_t at = stored.size() > 200 ? stored.size() - 80 : stored.size() / 2;
    stored[at] = static_cast<char>(stored[at] ^ 0x01);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    status = FromRocksDb(db->Put(sync, families[1], RecordKey(partition, offset), stored),
                         "writing the record");
  }
  for (auto* family : families) db->DestroyColumnFamilyHandle(family);
  return status;
}

}  // namespace internal

}  // namespace vanguard::eventlog
