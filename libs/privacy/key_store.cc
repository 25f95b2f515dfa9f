#include "libs/privacy/key_store.h"

#include <openssl/rand.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <array>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vanguard::privacy {
namespace {

// Values: 'L' + the key's bytes for a live key, 'E' for a destroyed one.
constexpr char kLive = 'L';
constexpr char kErased = 'E';
constexpr size_t kStripes = 64;
constexpr absl::Duration kCatchUpEvery = absl::Seconds(1);

absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("key store: ", what, ": ", s.ToString()));
}

class RocksDbKeyStore final : public KeyStore {
 public:
  RocksDbKeyStore(std::unique_ptr<rocksdb::DB> db, bool secondary)
      : db_(std::move(db)), secondary_(secondary) {}

  absl::StatusOr<std::string> KeyForSealing(const std::string& member_id) override {
    if (secondary_) return absl::FailedPreconditionError("key store: read-only secondary");
    absl::MutexLock lock(&StripeOf(member_id));
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), member_id, &value);
    if (s.ok()) {
      if (!value.empty() && value[0] == kLive && value.size() == 1 + kKeyBytes) {
        return value.substr(1);
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "member ", member_id, ": personal information was erased; nothing personal can be "
          "recorded for it any more"));
    }
    if (!s.IsNotFound()) return FromRocksDb(s, "read");
    std::array<unsigned char, kKeyBytes> key;
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
      return absl::InternalError("key store: no random bytes for a key");
    }
    value.assign(1, kLive);
    value.append(reinterpret_cast<const char*>(key.data()), key.size());
    rocksdb::WriteOptions synced;
    synced.sync = true;
    if (absl::Status put = FromRocksDb(db_->Put(synced, member_id, value), "write"); !put.ok()) {
      return put;
    }
    return value.substr(1);
  }

  absl::StatusOr<KeyLookup> Find(const std::string& member_id) const override {
    if (secondary_) CatchUp(false);
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), member_id, &value);
    if (s.IsNotFound() && secondary_ && CatchUp(true)) {
      s = db_->Get(rocksdb::ReadOptions(), member_id, &value);
    }
    if (s.IsNotFound()) return KeyLookup{.state = KeyState::kMissing};
    if (!s.ok()) return FromRocksDb(s, "read");
    if (!value.empty() && value[0] == kLive && value.size() == 1 + kKeyBytes) {
      return KeyLookup{.state = KeyState::kLive, .key = value.substr(1)};
    }
    if (value.size() == 1 && value[0] == kErased) return KeyLookup{.state = KeyState::kErased};
    return absl::DataLossError(absl::StrCat("key store: the entry of ", member_id,
                                            " is not a key (", value.size(), " bytes)"));
  }

  absl::Status Destroy(const std::string& member_id) override {
    if (secondary_) return absl::FailedPreconditionError("key store: read-only secondary");
    {
      absl::MutexLock lock(&StripeOf(member_id));
      rocksdb::WriteOptions synced;
      synced.sync = true;
      if (absl::Status put =
              FromRocksDb(db_->Put(synced, member_id, std::string(1, kErased)), "write");
          !put.ok()) {
        return put;
      }
    }
    // The tombstone is durable: the key is gone for every reader. Now make
    // sure no live file still holds the key's bytes: flush the memtable (its
    // write-ahead log becomes obsolete and is deleted) and rewrite the SST
    // files that overlap the member's entry, dropping the older version.
    absl::MutexLock lock(&compaction_mu_);
    if (absl::Status flushed = FromRocksDb(db_->Flush(rocksdb::FlushOptions()), "flush");
        !flushed.ok()) {
      return flushed;
    }
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    rocksdb::Slice key(member_id);
    return FromRocksDb(db_->CompactRange(compact, &key, &key), "compact");
  }

  bool secondary() const override { return secondary_; }

 private:
  absl::Mutex& StripeOf(const std::string& member_id) {
    return stripes_[std::hash<std::string>()(member_id) % kStripes];
  }

  // Follows the primary; `now` forces it. True when it caught up.
  bool CatchUp(bool now) const {
    absl::MutexLock lock(&catch_up_mu_);
    if (!now && absl::Now() - last_catch_up_ < kCatchUpEvery) return false;
    last_catch_up_ = absl::Now();
    return db_->TryCatchUpWithPrimary().ok();
  }

  std::unique_ptr<rocksdb::DB> db_;
  const bool secondary_;
  std::array<absl::Mutex, kStripes> stripes_;
  absl::Mutex compaction_mu_;
  mutable absl::Mutex catch_up_mu_;
  mutable absl::Time last_catch_up_ ABSL_GUARDED_BY(catch_up_mu_) = absl::InfinitePast();
};

}  // namespace

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(const KeyStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("key store: path is empty");
  rocksdb::Options db_options;
  // Obsolete write-ahead logs are deleted, never archived: a destroyed key
  // must not survive in one.
  db_options.WAL_ttl_seconds = 0;
  db_options.WAL_size_limit_MB = 0;
  db_options.recycle_log_file_num = 0;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.secondary) {
    if (options.secondary_path.empty()) {
      return absl::InvalidArgumentError("key store: a secondary needs a secondary_path");
    }
    db_options.max_open_files = -1;  // required of a secondary
    s = rocksdb::DB::OpenAsSecondary(db_options, options.path, options.secondary_path, &raw);
  } else {
    db_options.create_if_missing = true;
    s = rocksdb::DB::Open(db_options, options.path, &raw);
  }
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("key store: cannot open ", options.path, ": ", s.ToString()));
  }
  return std::make_unique<RocksDbKeyStore>(std::unique_ptr<rocksdb::DB>(raw), options.secondary);
}

}  // namespace vanguard::privacy
