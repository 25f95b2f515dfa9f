#include "libs/writer/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <filesystem>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/internal/rocksdb_status.h"

namespace vanguard::writer {
namespace {

using eventlog::AggregateHead;
using eventlog::internal::FromRocksDb;

enum Family { kMeta, kHeads, kEvents, kRequests, kClaims, kPositions, kRejected, kFamilies };
constexpr const char* kFamilyNames[kFamilies] = {"default", "heads",     "events",  "requests",
                                                 "claims",  "positions", "rejected"};

void PutFixed(std::string& out, uint64_t value, int bytes = 8) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view& in, int bytes = 8) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(in[i]);
  in.remove_prefix(bytes);
  return value;
}

std::string PartitionKey(int32_t partition) {
  std::string key;
  PutFixed(key, static_cast<uint32_t>(partition), 4);
  return key;
}

// Ids never contain NUL (the services refuse them), so NUL separates parts.
std::string EventKey(const std::string& aggregate_id, int64_t version) {
  std::string key = aggregate_id;
  key.push_back('\0');
  PutFixed(key, static_cast<uint64_t>(version));
  return key;
}

std::string RequestKey(const std::string& aggregate_id, const std::string& request_id) {
  return absl::StrCat(aggregate_id, std::string(1, '\0'), request_id);
}

std::string EncodeHead(const AggregateHead& head) {
  std::string out;
  PutFixed(out, static_cast<uint64_t>(head.version));
  out += head.hash;
  return out;
}

AggregateHead DecodeHead(std::string_view in) {
  AggregateHead head;
  head.version = static_cast<int64_t>(GetFixed(in));
  head.hash = std::string(in);
  return head;
}

std::string EncodeRequest(const RequestRecord& r) {
  std::string out;
  PutFixed(out, static_cast<uint32_t>(r.partition), 4);
  PutFixed(out, static_cast<uint64_t>(r.first_offset));
  PutFixed(out, static_cast<uint64_t>(r.last_offset));
  PutFixed(out, static_cast<uint64_t>(r.last_version));
  out += r.fingerprint;
  return out;
}

RequestRecord DecodeRequest(std::string_view in) {
  RequestRecord r;
  r.partition = static_cast<int32_t>(GetFixed(in, 4));
  r.first_offset = static_cast<int64_t>(GetFixed(in));
  r.last_offset = static_cast<int64_t>(GetFixed(in));
  r.last_version = static_cast<int64_t>(GetFixed(in));
  r.fingerprint = std::string(in);
  return r;
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

struct OpenedStore {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
};

absl::StatusOr<OpenedStore> OpenDatabase(const StateStoreOptions& options);

class RocksStateStore final : public StateStore {
 public:
  RocksStateStore(StateStoreOptions options, OpenedStore opened)
      : options_(std::move(options)),
        db_(std::move(opened.db)),
        families_(std::move(opened.families)),
        positions_(options_.partitions),
        last_recorded_(options_.partitions, absl::InfinitePast()),
        claims_(options_.partitions) {}

  ~RocksStateStore() override {
    absl::WriterMutexLock db_lock(&db_mu_);
    CloseDatabase();
  }

  absl::Status Initialize() {
    absl::WriterMutexLock db_lock(&db_mu_);
    return Load();
  }

  // Reads what the database holds into memory.
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_) {
    for (int32_t p = 0; p < static_cast<int32_t>(positions_.size()); ++p) {
      std::string value;
      rocksdb::Status s = db_->Get({}, families_[kPositions], PartitionKey(p), &value);
      if (s.ok()) {
        std::string_view in = value;
        positions_[p] = static_cast<int64_t>(GetFixed(in));
        absl::MutexLock lock(&mu_);
        last_recorded_[p] = absl::FromUnixMicros(static_cast<int64_t>(GetFixed(in)));
      } else if (!s.IsNotFound()) {
        return FromRocksDb(s, "reading positions");
      }
      s = db_->Get({}, families_[kClaims], PartitionKey(p), &value);
      absl::MutexLock lock(&mu_);
      if (s.ok()) {
        std::string_view in = value;
        claims_[p].epoch = static_cast<int64_t>(GetFixed(in));
        claims_[p].endpoint = std::string(in);
      } else if (!s.IsNotFound()) {
        return FromRocksDb(s, "reading claims");
      }
    }
    int64_t rejected = 0;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, families_[kRejected]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++rejected;
    rejected_ = rejected;
    return FromRocksDb(it->status(), "counting rejected records");
  }

  absl::StatusOr<std::vector<AppliedEvent>> Apply(
      int32_t partition, std::span<const eventlog::StoredRecord> records) override {
    if (partition < 0 || partition >= static_cast<int32_t>(positions_.size())) {
      return absl::InvalidArgumentError(absl::StrCat("partition ", partition, " is out of range"));
    }
    std::vector<AppliedEvent> applied;
    if (records.empty()) return applied;
    if (write_failed_) RETURN_IF_ERROR(Reopen());
    absl::ReaderMutexLock db_lock(&db_mu_);
    RETURN_IF_ERROR(OpenOrUnavailable());
    int64_t next = positions_[partition].load();
    Claim claim = LatestClaim(partition);
    absl::Time last_recorded = LastRecordedAt(partition);
    // Heads and requests touched by this batch, ahead of the database.
    std::map<std::string, AggregateHead> heads;
    std::map<std::string, RequestRecord> requests;
    rocksdb::WriteBatch batch;
    int64_t rejected = 0;
    for (const eventlog::StoredRecord& record : records) {
      if (record.partition != partition || record.offset != next) {
        return absl::InternalError(absl::StrCat("state store: expected partition ", partition,
                                                " offset ", next, ", got ", record.partition, "/",
                                                record.offset));
      }
      ++next;
      auto head_it = heads.find(record.key);
      if (head_it == heads.end()) {
        head_it = heads.emplace(record.key, HeadLocked(record.key)).first;
      }
      eventlog::Judgement j = eventlog::Accept(record, head_it->second, claim.epoch,
                                               static_cast<int32_t>(positions_.size()));
      if (!j.accepted) {
        std::string key = PartitionKey(partition);
        PutFixed(key, static_cast<uint64_t>(record.offset));
        batch.Put(families_[kRejected], key, j.reason);
        ++rejected;
        continue;
      }
      const v1::Envelope& e = j.envelope;
      head_it->second = {e.aggregate_version(), j.hash};
      batch.Put(families_[kHeads], record.key, EncodeHead(head_it->second));
      batch.Put(families_[kEvents], EventKey(record.key, e.aggregate_version()), j.envelope_bytes);
      if (j.is_claim) {
        claim = {e.owner_claimed().epoch(), e.owner_claimed().endpoint()};
        std::string value;
        PutFixed(value, static_cast<uint64_t>(claim.epoch));
        value += claim.endpoint;
        batch.Put(families_[kClaims], PartitionKey(partition), value);
      }
      if (!e.request_id().empty()) {
        std::string key = RequestKey(record.key, e.request_id());
        auto it = requests.find(key);
        if (it == requests.end()) {
          // A command's events are consecutive versions under one request id;
          // an earlier batch may hold its first ones.
          std::optional<RequestRecord> stored = FindRequestLocked(record.key, e.request_id());
          RequestRecord fresh{.partition = partition,
                              .first_offset = record.offset,
                              .fingerprint = e.request_fingerprint()};
          bool continues = stored && stored->last_version + 1 == e.aggregate_version();
          it = requests.emplace(key, continues ? *stored : fresh).first;
        }
        it->second.last_offset = record.offset;
        it->second.last_version = e.aggregate_version();
      }
      last_recorded = std::max(last_recorded, ToTime(e.recorded_at()));
      applied.push_back({{partition, record.offset}, e});
    }
    for (const auto& [key, request] : requests) {
      batch.Put(families_[kRequests], key, EncodeRequest(request));
    }
    std::string position;
    PutFixed(position, static_cast<uint64_t>(next));
    PutFixed(position, static_cast<uint64_t>(absl::ToUnixMicros(last_recorded)));
    batch.Put(families_[kPositions], PartitionKey(partition), position);
    rocksdb::WriteOptions options;
    // The log is durable already: a lost tail is re-applied from it after a crash.
    options.sync = false;
    if (absl::Status written = FromRocksDb(db_->Write(options, &batch), "applying to the state store");
        !written.ok()) {
      write_failed_ = true;  // the next Apply reopens the database
      return written;
    }
    positions_[partition] = next;
    rejected_ += rejected;
    absl::MutexLock lock(&mu_);
    claims_[partition] = claim;
    last_recorded_[partition] = last_recorded;
    return applied;
  }

  int64_t position(int32_t partition) const override { return positions_[partition].load(); }

  AggregateHead Head(const std::string& aggregate_id) const override {
    absl::ReaderMutexLock db_lock(&db_mu_);
    if (db_ == nullptr) return {};
    return HeadLocked(aggregate_id);
  }

  AggregateHead HeadLocked(const std::string& aggregate_id) const
      ABSL_SHARED_LOCKS_REQUIRED(db_mu_) {
    std::string value;
    if (!db_->Get({}, families_[kHeads], aggregate_id, &value).ok()) return {};
    return DecodeHead(value);
  }

  absl::StatusOr<std::vector<v1::Envelope>> History(
      const std::string& aggregate_id) const override {
    std::vector<v1::Envelope> history;
    std::string prefix = aggregate_id;
    prefix.push_back('\0');
    absl::ReaderMutexLock db_lock(&db_mu_);
    RETURN_IF_ERROR(OpenOrUnavailable());
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, families_[kEvents]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (!history.emplace_back().ParseFromArray(it->value().data(),
                                                 static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            absl::StrCat("state store: an event of ", aggregate_id, " does not parse"));
      }
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), "reading history"));
    return history;
  }

  std::optional<RequestRecord> FindRequest(const std::string& aggregate_id,
                                           const std::string& request_id) const override {
    absl::ReaderMutexLock db_lock(&db_mu_);
    if (db_ == nullptr) return std::nullopt;
    return FindRequestLocked(aggregate_id, request_id);
  }

  std::optional<RequestRecord> FindRequestLocked(const std::string& aggregate_id,
                                                 const std::string& request_id) const
      ABSL_SHARED_LOCKS_REQUIRED(db_mu_) {
    std::string value;
    if (!db_->Get({}, families_[kRequests], RequestKey(aggregate_id, request_id), &value).ok()) {
      return std::nullopt;
    }
    return DecodeRequest(value);
  }

  Claim LatestClaim(int32_t partition) const override {
    absl::MutexLock lock(&mu_);
    return claims_[partition];
  }

  absl::Time LastRecordedAt(int32_t partition) const override {
    absl::MutexLock lock(&mu_);
    return last_recorded_[partition];
  }

  int64_t rejected_count() const override { return rejected_.load(); }

 private:
  // After a failed write RocksDB refuses every later one (an I/O error in its
  // write-ahead log is fatal to it), so the next Apply reopens the database
  // and reloads positions, claims and counts from what it holds. Apply calls
  // of other partitions wait; reads answer as if nothing were stored while
  // the store is closed (the writer's acknowledgements then fail, never lie).
  absl::Status Reopen() ABSL_LOCKS_EXCLUDED(db_mu_) {
    absl::WriterMutexLock db_lock(&db_mu_);
    if (!write_failed_) return absl::OkStatus();  // another partition's Apply reopened it
    CloseDatabase();
    absl::StatusOr<OpenedStore> opened = OpenDatabase(options_);
    if (!opened.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "the state store's storage failed and the store cannot be reopened yet: ",
          opened.status().message()));
    }
    db_ = std::move(opened->db);
    families_ = std::move(opened->families);
    RETURN_IF_ERROR(Load());
    write_failed_ = false;
    return absl::OkStatus();
  }

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
        "the state store is closed after a storage failure; the next Apply reopens it");
  }

  const StateStoreOptions options_;
  mutable absl::Mutex db_mu_;  // held shared while using db_, exclusively while reopening it
  std::unique_ptr<rocksdb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  std::vector<rocksdb::ColumnFamilyHandle*> families_ ABSL_GUARDED_BY(db_mu_);
  std::atomic<bool> write_failed_{false};
  std::vector<std::atomic<int64_t>> positions_;
  mutable absl::Mutex mu_;
  std::vector<absl::Time> last_recorded_ ABSL_GUARDED_BY(mu_);
  std::vector<Claim> claims_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> rejected_{0};
};

absl::StatusOr<OpenedStore> OpenDatabase(const StateStoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  if (options.env != nullptr) db_options.env = options.env;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kFamilyNames)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::Open(db_options, options.path, descriptors, &families, &raw),
                  absl::StrCat("opening the state store at ", options.path)));
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string stored_log;
  rocksdb::Status s = db->Get({}, families[kMeta], "log_id", &stored_log);
  if (s.IsNotFound()) {
    s = db->Put({}, families[kMeta], "log_id", options.log_id);
    stored_log = options.log_id;
  }
  if (!s.ok() || stored_log != options.log_id) {
    for (auto* family : families) db->DestroyColumnFamilyHandle(family);
    if (!s.ok()) return FromRocksDb(s, "reading the state store's log id");
    return absl::FailedPreconditionError(absl::StrCat("the state store at ", options.path,
                                                      " was built from log ", stored_log,
                                                      ", not from ", options.log_id));
  }
  return OpenedStore{.db = std::move(db), .families = std::move(families)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(const StateStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("path: must not be empty");
  if (options.partitions <= 0) return absl::InvalidArgumentError("partitions: must be positive");
  ASSIGN_OR_RETURN(OpenedStore opened, OpenDatabase(options));
  auto store = std::make_unique<RocksStateStore>(options, std::move(opened));
  RETURN_IF_ERROR(store->Initialize());
  return store;
}

}  // namespace vanguard::writer
