#include "libs/views/view_store.h"

#include <openssl/evp.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/internal/rocksdb_status.h"
#include "libs/views/figures.h"
#include "libs/views/internal/projection.h"

namespace vanguard::views {
namespace {

using eventlog::internal::FromRocksDb;

enum Family {
  kMeta,
  kTallies,
  kRecords,
  kIndex,
  kHistory,
  kHeads,
  kParked,
  kRejected,
  kPositions,
  kFamilies
};
constexpr const char* kFamilyNames[kFamilies] = {"default", "tallies", "records",
                                                 "index",   "history", "heads",
                                                 "parked",  "rejected", "positions"};
// What the digest covers, in this order.
constexpr Family kDigested[] = {kTallies, kRecords, kIndex, kHistory, kHeads, kParked, kRejected};
// Tallies kept in memory between batches (the hot ones: upper levels).
constexpr size_t kTallyCacheLimit = 200'000;

void PutFixed(std::string& out, uint64_t value, int bytes = 8) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view& in, int bytes = 8) {
  uint64_t value = 0;
  for (int i = 0; i < bytes && i < static_cast<int>(in.size()); ++i) {
    value = (value << 8) | static_cast<uint8_t>(in[i]);
  }
  in.remove_prefix(std::min<size_t>(bytes, in.size()));
  return value;
}

std::string PartitionKey(int32_t partition) {
  std::string key;
  PutFixed(key, static_cast<uint32_t>(partition), 4);
  return key;
}

std::string Serialize(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

std::string EncodeHead(const eventlog::AggregateHead& head) {
  std::string out;
  PutFixed(out, static_cast<uint64_t>(head.version));
  return out + head.hash;
}

absl::Time RecordedAt(const v1::Envelope& e) {
  return absl::FromUnixSeconds(e.recorded_at().seconds()) +
         absl::Nanoseconds(e.recorded_at().nanos());
}

eventlog::AggregateHead DecodeHead(std::string_view in) {
  eventlog::AggregateHead head;
  head.version = static_cast<int64_t>(GetFixed(in));
  head.hash = std::string(in);
  return head;
}

struct PartitionState {
  int64_t next = 0;
  int64_t epoch = 0;
};

std::string EncodePosition(const PartitionState& p) {
  std::string out;
  PutFixed(out, static_cast<uint64_t>(p.next));
  PutFixed(out, static_cast<uint64_t>(p.epoch));
  return out;
}

PartitionState DecodePosition(std::string_view in) {
  PartitionState p;
  p.next = static_cast<int64_t>(GetFixed(in));
  p.epoch = static_cast<int64_t>(GetFixed(in));
  return p;
}

class Reader final : public ViewReader {
 public:
  Reader(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
         int32_t partitions, int64_t rejected)
      : db_(db), families_(families), partitions_(partitions), rejected_(rejected) {
    snapshot_ = db_->GetSnapshot();
    options_.snapshot = snapshot_;
  }
  ~Reader() override { db_->ReleaseSnapshot(snapshot_); }

  eventlog::PositionMap positions() const override {
    eventlog::PositionMap out;
    for (int32_t p = 0; p < partitions_; ++p) {
      std::optional<std::string> value = Get(kPositions, PartitionKey(p));
      out[p] = value ? DecodePosition(*value).next : 0;
    }
    return out;
  }

  v1::Tally GetTally(const std::string& node, const std::string& campaign,
                     const std::string& period) const override {
    v1::Tally tally;
    if (period.size() != 4 && !(period.size() == 7 && period[5] == 'Q')) {
      if (std::optional<std::string> value = Get(kTallies, TallyKey(node, campaign, period))) {
        tally.ParseFromString(*value);
      }
      return tally;
    }
    // A year or a quarter: its months, plus what is kept for the period itself
    // (organisations reviewed in a quarter, which do not add up from months).
    int first = 1, last = 12;
    if (period.size() == 7) {
      first = (period[6] - '0') * 3 - 2;
      last = first + 2;
    }
    std::string year = period.substr(0, 4);
    TallyValue sum;
    std::string prefix = TallyKey(node, campaign, year);
    Scan(kTallies, prefix, [&](std::string_view key, std::string_view value) {
      std::string_view p = key.substr(prefix.size() - 4);
      bool wanted = p == period;
      if (IsMonthPeriod(absl::string_view(p.data(), p.size()))) {
        int month = (p[5] - '0') * 10 + (p[6] - '0');
        wanted = month >= first && month <= last;
      }
      if (wanted) {
        v1::Tally part;
        part.ParseFromArray(value.data(), static_cast<int>(value.size()));
        sum.Add(part);
      }
      return true;
    });
    return sum.ToProto();
  }

  std::vector<std::string> Periods(const std::string& node,
                                   const std::string& campaign) const override {
    std::string prefix = TallyKey(node, campaign, "");
    std::vector<std::string> periods;
    Scan(kTallies, prefix, [&](std::string_view key, std::string_view) {
      periods.emplace_back(key.substr(prefix.size()));
      return true;
    });
    return periods;
  }

  std::optional<v1::OrganisationRecord> GetOrganisation(const std::string& id) const override {
    return GetRecord<v1::OrganisationRecord>(internal::OrganisationKey(id));
  }
  std::optional<v1::MemberRecord> GetMember(const std::string& id) const override {
    return GetRecord<v1::MemberRecord>(internal::MemberKey(id));
  }
  std::optional<v1::PledgeRecord> GetPledge(const std::string& id) const override {
    return GetRecord<v1::PledgeRecord>(internal::PledgeKey(id));
  }
  std::optional<v1::CampaignRecord> GetCampaign(const std::string& id) const override {
    return GetRecord<v1::CampaignRecord>(internal::CampaignKey(id));
  }

  std::vector<std::string> Children(const std::string& organisation_id) const override {
    std::string prefix = internal::ChildrenPrefix(organisation_id);
    std::vector<std::string> children;
    Scan(kIndex, prefix, [&](std::string_view key, std::string_view) {
      children.emplace_back(key.substr(prefix.size()));
      return true;
    });
    return children;
  }

  absl::StatusOr<std::vector<v1::Envelope>> PledgeHistory(
      const std::string& pledge_id) const override {
    std::vector<v1::Envelope> history;
    bool parsed = true;
    Scan(kHistory, internal::HistoryPrefix(pledge_id), [&](std::string_view, std::string_view v) {
      parsed = history.emplace_back().ParseFromArray(v.data(), static_cast<int>(v.size()));
      return parsed;
    });
    if (!parsed) return absl::DataLossError(absl::StrCat("an event of ", pledge_id, " does not parse"));
    return history;
  }

  bool Reviewed(const std::string& campaign, int year, int quarter,
                const std::string& organisation_id) const override {
    return Get(kIndex, internal::ReviewedKey(campaign, year, quarter, organisation_id)).has_value();
  }

  std::vector<OpenPledge> OpenPledgesDueBefore(int32_t before, const std::string& after,
                                               size_t limit) const override {
    std::vector<OpenPledge> out;
    std::string prefix(internal::kOpenDuePrefix);
    std::string end = internal::OpenDueKey(before, "");
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options_, families_[kIndex]));
    if (after.empty()) {
      it->Seek(prefix);
    } else {
      it->Seek(after);
      if (it->Valid() && it->key() == rocksdb::Slice(after)) it->Next();
    }
    for (; it->Valid() && out.size() < limit; it->Next()) {
      std::string_view key = it->key().ToStringView();
      if (!key.starts_with(prefix) || key >= end) break;
      std::string_view rest = key.substr(prefix.size());
      OpenPledge p;
      p.due_on = std::atoi(std::string(rest.substr(0, 8)).c_str());
      p.pledge_id = std::string(rest.substr(9));
      p.node = it->value().ToString();
      out.push_back(std::move(p));
    }
    return out;
  }

  std::vector<v1::ParkedAggregate> Parked(const std::string& after, size_t limit) const override {
    std::vector<v1::ParkedAggregate> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options_, families_[kParked]));
    it->Seek(after);
    if (it->Valid() && !after.empty() && it->key() == rocksdb::Slice(after)) it->Next();
    for (; it->Valid() && out.size() < limit; it->Next()) {
      out.emplace_back().ParseFromArray(it->value().data(), static_cast<int>(it->value().size()));
    }
    return out;
  }

  int64_t parked_count() const override {
    int64_t n = 0;
    Scan(kParked, "", [&](std::string_view, std::string_view) { return ++n, true; });
    return n;
  }
  int64_t rejected_count() const override { return rejected_; }

 private:
  std::optional<std::string> Get(Family family, const std::string& key) const {
    std::string value;
    if (!db_->Get(options_, families_[family], key, &value).ok()) return std::nullopt;
    return value;
  }

  template <typename Message>
  std::optional<Message> GetRecord(const std::string& key) const {
    std::optional<std::string> value = Get(kRecords, key);
    if (!value) return std::nullopt;
    Message m;
    if (!m.ParseFromString(*value)) return std::nullopt;
    return m;
  }

  template <typename Visit>
  void Scan(Family family, const std::string& prefix, Visit visit) const {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options_, families_[family]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
    }
  }

  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& families_;
  int32_t partitions_;
  int64_t rejected_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

class RocksViewStore final : public ViewStore, private internal::ProjectionState {
 public:
  RocksViewStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> families,
                 const ViewStoreOptions& options, absl::TimeZone zone)
      : db_(std::move(db)),
        families_(std::move(families)),
        log_id_(options.log_id),
        read_only_(options.read_only),
        partitions_(options.partitions),
        projection_(parents_, zone) {}

  ~RocksViewStore() override {
    for (auto* family : families_) db_->DestroyColumnFamilyHandle(family);
    db_->Close().PermitUncheckedError();
  }

  absl::Status Load() {
    for (int32_t p = 0; p < partitions_; ++p) {
      std::string value;
      rocksdb::Status s = db_->Get({}, families_[kPositions], PartitionKey(p), &value);
      if (s.ok()) {
        partitions_state_[p] = DecodePosition(value);
      } else if (!s.IsNotFound()) {
        return FromRocksDb(s, "reading the views' positions");
      }
    }
    absl::Status status = ScanFamily(kRecords, "o|", [&](std::string_view, std::string_view v) {
      v1::OrganisationRecord o;
      if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) return;
      parents_[OrganisationNode(o.organisation_id())] =
          o.parent_id().empty() ? "" : OrganisationNode(o.parent_id());
    });
    RETURN_IF_ERROR(status);
    RETURN_IF_ERROR(ScanFamily(kRecords, "m|", [&](std::string_view, std::string_view v) {
      v1::MemberRecord m;
      if (!m.ParseFromArray(v.data(), static_cast<int>(v.size()))) return;
      parents_[MemberNode(m.member_id())] = OrganisationNode(m.organisation_id());
    }));
    RETURN_IF_ERROR(ScanFamily(kParked, "", [&](std::string_view key, std::string_view) {
      parked_.insert(std::string(key));
    }));
    int64_t rejected = 0;
    RETURN_IF_ERROR(ScanFamily(kRejected, "", [&](std::string_view, std::string_view) {
      ++rejected;
    }));
    rejected_ = rejected;
    parked_count_ = static_cast<int64_t>(parked_.size());
    if (!read_only_ && !parked_.empty()) RETURN_IF_ERROR(RetryParked());
    return absl::OkStatus();
  }

  const std::string& log_id() const override { return log_id_; }
  int32_t partition_count() const override { return partitions_; }

  void StopAtFirstRecordedAfter(absl::Time instant) override { stop_after_ = instant; }

  absl::Status Apply(std::span<const eventlog::StoredRecord> records) override {
    if (read_only_) return absl::FailedPreconditionError("the views were opened read-only");
    if (!broken_.ok()) return broken_;
    if (records.empty()) return absl::OkStatus();
    std::map<int32_t, PartitionState> touched;
    {
      // Every record must be the next of its partition; checked before
      // anything changes, so a refused call leaves the views as they were.
      absl::MutexLock lock(&mu_);
      std::map<int32_t, int64_t> next;
      for (const eventlog::StoredRecord& record : records) {
        if (record.partition < 0 || record.partition >= partitions_) {
          return absl::InvalidArgumentError(
              absl::StrCat("partition ", record.partition, " is out of range"));
        }
        auto [at, fresh] = next.try_emplace(record.partition, 0);
        if (fresh) at->second = partitions_state_[record.partition].next;
        if (record.offset != at->second) {
          return absl::InternalError(absl::StrCat("views: expected partition ", record.partition,
                                                  " offset ", at->second, ", got offset ",
                                                  record.offset));
        }
        ++at->second;
        touched.try_emplace(record.partition, partitions_state_[record.partition]);
      }
    }
    int64_t applied = 0;
    for (const eventlog::StoredRecord& record : records) {
      if (stopped_.contains(record.partition)) continue;
      PartitionState& partition = touched[record.partition];
      eventlog::AggregateHead head;
      if (std::optional<std::string> h = Pending(kHeads, record.key)) head = DecodeHead(*h);
      eventlog::Judgement j = eventlog::Accept(record, head, partition.epoch, partitions_);
      if (j.accepted && stop_after_ && RecordedAt(j.envelope) > *stop_after_) {
        stopped_.insert(record.partition);
        continue;
      }
      ++partition.next;
      if (!j.accepted) {
        std::string key = PartitionKey(record.partition);
        PutFixed(key, static_cast<uint64_t>(record.offset));
        Put(kRejected, key, j.reason);
        ++rejected_in_batch_;
        continue;
      }
      Put(kHeads, record.key, EncodeHead({j.envelope.aggregate_version(), j.hash}));
      if (j.is_claim) {
        partition.epoch = j.envelope.owner_claimed().epoch();
        continue;
      }
      ++applied;
      if (parked_.contains(record.key)) {
        v1::ParkedAggregate parked;
        parked.ParseFromString(Pending(kParked, record.key).value_or(""));
        parked.add_envelopes(j.envelope_bytes);
        Put(kParked, record.key, Serialize(parked));
        continue;
      }
      absl::Status status = projection_.Apply(*this, j.envelope, j.envelope_bytes);
      if (!status.ok()) {
        v1::ParkedAggregate parked;
        parked.set_aggregate_id(record.key);
        parked.set_reason(std::string(status.message()));
        parked.set_partition(record.partition);
        parked.set_offset(record.offset);
        parked.set_event_type(j.envelope.event_type());
        parked.add_envelopes(j.envelope_bytes);
        Put(kParked, record.key, Serialize(parked));
        parked_.insert(record.key);
      }
    }
    for (const auto& [p, state] : touched) Put(kPositions, PartitionKey(p), EncodePosition(state));
    RETURN_IF_ERROR(Commit());
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [p, state] : touched) partitions_state_[p] = state;
    }
    applied_ += applied;
    rejected_ += rejected_in_batch_;
    rejected_in_batch_ = 0;
    parked_count_ = static_cast<int64_t>(parked_.size());
    return absl::OkStatus();
  }

  eventlog::PositionMap positions() const override {
    absl::MutexLock lock(&mu_);
    eventlog::PositionMap out;
    for (const auto& [p, state] : partitions_state_) out[p] = state.next;
    for (int32_t p = 0; p < partitions_; ++p) out.try_emplace(p, 0);
    return out;
  }

  bool WaitUntil(const eventlog::PositionMap& target, absl::Time deadline) const override {
    auto reached = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      for (const auto& [p, offset] : target) {
        auto it = partitions_state_.find(p);
        if (offset > (it == partitions_state_.end() ? 0 : it->second.next)) return false;
      }
      return true;
    };
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  }

  std::unique_ptr<ViewReader> NewReader() const override {
    return std::make_unique<Reader>(db_.get(), families_, partitions_, rejected_.load());
  }

  absl::StatusOr<std::string> Digest() const override {
    ASSIGN_OR_RETURN(DigestAt at, DigestWithPositions());
    return at.digest;
  }

  absl::StatusOr<DigestAt> DigestWithPositions() const override {
    DigestAt at;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    rocksdb::ReadOptions options;
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    options.snapshot = snapshot;
    absl::Status status;
    for (Family family : kDigested) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, families_[family]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        std::string frame;
        PutFixed(frame, static_cast<uint32_t>(family), 4);
        PutFixed(frame, it->key().size(), 4);
        frame.append(it->key().data(), it->key().size());
        PutFixed(frame, it->value().size(), 4);
        EVP_DigestUpdate(ctx, frame.data(), frame.size());
        EVP_DigestUpdate(ctx, it->value().data(), it->value().size());
      }
      if (status.ok()) status = FromRocksDb(it->status(), "computing the views' digest");
    }
    for (int32_t p = 0; p < partitions_; ++p) {
      std::string value;
      at.positions[p] = db_->Get(options, families_[kPositions], PartitionKey(p), &value).ok()
                            ? DecodePosition(value).next
                            : 0;
    }
    db_->ReleaseSnapshot(snapshot);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    EVP_MD_CTX_free(ctx);
    RETURN_IF_ERROR(status);
    at.digest =
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
    return at;
  }

  int64_t parked_count() const override { return parked_count_.load(); }
  int64_t rejected_count() const override { return rejected_.load(); }
  int64_t applied_count() const override { return applied_.load(); }

 private:
  // ProjectionState: reads see this batch's writes first.
  std::optional<std::string> GetRecord(const std::string& key) override {
    return Pending(kRecords, key);
  }
  void PutRecord(const std::string& key, std::string value) override {
    Put(kRecords, key, std::move(value));
  }
  bool HasIndex(const std::string& key) override { return Pending(kIndex, key).has_value(); }
  void PutIndex(const std::string& key, std::string value) override {
    Put(kIndex, key, std::move(value));
  }
  void DeleteIndex(const std::string& key) override { pending_[{kIndex, key}] = std::nullopt; }
  void PutHistory(const std::string& key, std::string value) override {
    Put(kHistory, key, std::move(value));
  }

  TallyValue& MutableTally(const std::string& key) override {
    auto [it, fresh] = tallies_.try_emplace(key);
    if (fresh) {
      std::string value;
      if (db_->Get({}, families_[kTallies], key, &value).ok()) {
        v1::Tally stored;
        stored.ParseFromString(value);
        it->second.tally = TallyValue(stored);
      }
    }
    if (!it->second.dirty) {
      it->second.dirty = true;
      dirty_.insert(key);
    }
    return it->second.tally;
  }

  // The database holds every clean tally; the dirty ones are newer in memory.
  std::vector<std::pair<std::string, v1::Tally>> NodeTallies(const std::string& node) override {
    std::string prefix = TallyPrefix(node);
    std::map<std::string, v1::Tally> found;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, families_[kTallies]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      found[it->key().ToString()].ParseFromArray(it->value().data(),
                                                 static_cast<int>(it->value().size()));
    }
    for (auto d = dirty_.lower_bound(prefix); d != dirty_.end() && d->starts_with(prefix); ++d) {
      found[*d] = tallies_[*d].tally.ToProto();
    }
    std::vector<std::pair<std::string, v1::Tally>> out;
    for (auto& [key, tally] : found) {
      if (!IsEmpty(tally)) out.emplace_back(key, std::move(tally));
    }
    return out;
  }

  std::optional<std::string> Pending(Family family, const std::string& key) {
    auto it = pending_.find({family, key});
    if (it != pending_.end()) return it->second;
    std::string value;
    if (!db_->Get({}, families_[family], key, &value).ok()) return std::nullopt;
    return value;
  }

  void Put(Family family, const std::string& key, std::string value) {
    pending_[{family, key}] = std::move(value);
  }

  // Writes this batch's changes with the positions, then forgets them.
  absl::Status Commit() {
    rocksdb::WriteBatch batch;
    for (const auto& [at, value] : pending_) {
      if (value) {
        batch.Put(families_[at.first], at.second, *value);
      } else {
        batch.Delete(families_[at.first], at.second);
      }
    }
    for (const std::string& key : dirty_) {
      const TallyValue& tally = tallies_[key].tally;
      if (tally.empty()) {
        batch.Delete(families_[kTallies], key);
      } else {
        batch.Put(families_[kTallies], key, Serialize(tally.ToProto()));
      }
    }
    rocksdb::WriteOptions options;
    // The log is durable; a lost tail of the views is re-applied from it.
    options.sync = false;
    absl::Status status = FromRocksDb(db_->Write(options, &batch), "writing the views");
    pending_.clear();
    if (!status.ok()) {
      // The in-memory tree and cache ran ahead of the store: reopen to recover.
      broken_ = absl::FailedPreconditionError(
          absl::StrCat("the views store failed a write and must be reopened: ", status.message()));
      tallies_.clear();
      dirty_.clear();
      return status;
    }
    for (const std::string& key : dirty_) tallies_[key].dirty = false;
    if (tallies_.size() > kTallyCacheLimit) {
      // Members' tallies are many and each is touched rarely; organisations'
      // are few and touched by every fact below them: keep those.
      absl::erase_if(tallies_, [](const auto& entry) { return entry.first.starts_with("m:"); });
      if (tallies_.size() > kTallyCacheLimit / 2) tallies_.clear();
    }
    dirty_.clear();
    return absl::OkStatus();
  }

  absl::Status RetryParked() {
    std::vector<std::string> ids(parked_.begin(), parked_.end());
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      v1::ParkedAggregate parked;
      parked.ParseFromString(Pending(kParked, id).value_or(""));
      int done = 0;
      absl::Status status;
      for (const std::string& bytes : parked.envelopes()) {
        v1::Envelope envelope;
        if (!envelope.ParseFromString(bytes)) break;
        status = projection_.Apply(*this, envelope, bytes);
        if (!status.ok()) break;
        ++done;
      }
      if (done == parked.envelopes_size()) {
        pending_[{kParked, id}] = std::nullopt;
        parked_.erase(id);
      } else if (done > 0) {
        v1::ParkedAggregate rest = parked;
        rest.clear_envelopes();
        for (int i = done; i < parked.envelopes_size(); ++i) rest.add_envelopes(parked.envelopes(i));
        rest.set_reason(std::string(status.message()));
        Put(kParked, id, Serialize(rest));
      }
    }
    return Commit();
  }

  template <typename Visit>
  absl::Status ScanFamily(Family family, const std::string& prefix, Visit visit) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, families_[family]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      visit(it->key().ToStringView(), it->value().ToStringView());
    }
    return FromRocksDb(it->status(), "loading the views");
  }

  struct CachedTally {
    TallyValue tally;
    bool dirty = false;
  };

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  const std::string log_id_;
  const bool read_only_;
  const int32_t partitions_;
  internal::ParentMap parents_;
  internal::Projection projection_;
  absl::Status broken_;
  // Writes of the batch being applied; nullopt deletes.
  absl::flat_hash_map<std::pair<Family, std::string>, std::optional<std::string>> pending_;
  absl::flat_hash_map<std::string, CachedTally> tallies_;
  // An as-of replay's instant, and the partitions stopped at it (Apply's thread only).
  std::optional<absl::Time> stop_after_;
  std::set<int32_t> stopped_;
  // Keys of the tallies changed in this batch, ordered for NodeTallies.
  absl::btree_set<std::string> dirty_;
  absl::flat_hash_set<std::string> parked_;
  int64_t rejected_in_batch_ = 0;
  mutable absl::Mutex mu_;
  std::map<int32_t, PartitionState> partitions_state_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> rejected_{0};
  std::atomic<int64_t> parked_count_{0};
  std::atomic<int64_t> applied_{0};
};

}  // namespace

absl::StatusOr<std::unique_ptr<ViewStore>> ViewStore::Open(const ViewStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("path: must not be empty");
  if (options.partitions <= 0) return absl::InvalidArgumentError("partitions: must be positive");
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Shanghai", &zone)) {
    return absl::FailedPreconditionError(
        "the Asia/Shanghai time zone cannot be loaded (install tzdata): quarters and months "
        "would be wrong");
  }
  std::error_code ec;
  if (!options.read_only) std::filesystem::create_directories(options.path, ec);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  if (options.env != nullptr) db_options.env = options.env;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kFamilyNames) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &families, &raw)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &families, &raw);
  RETURN_IF_ERROR(FromRocksDb(opened, absl::StrCat("opening the views at ", options.path)));
  std::unique_ptr<rocksdb::DB> db(raw);
  auto close = [&] {
    for (auto* family : families) db->DestroyColumnFamilyHandle(family);
  };
  std::string stored_log;
  rocksdb::Status s = db->Get({}, families[kMeta], "log_id", &stored_log);
  if (s.IsNotFound() && !options.read_only) {
    s = db->Put({}, families[kMeta], "log_id", options.log_id);
    stored_log = options.log_id;
  }
  if (!s.ok()) {
    close();
    return FromRocksDb(s, "reading the views' log id");
  }
  if (!options.log_id.empty() && stored_log != options.log_id) {
    close();
    return absl::FailedPreconditionError(absl::StrCat("the views at ", options.path,
                                                      " were built from log ", stored_log,
                                                      ", not from ", options.log_id));
  }
  ViewStoreOptions effective = options;
  effective.log_id = stored_log;
  auto store = std::make_unique<RocksViewStore>(std::move(db), std::move(families), effective, zone);
  RETURN_IF_ERROR(store->Load());
  return store;
}

}  // namespace vanguard::views
