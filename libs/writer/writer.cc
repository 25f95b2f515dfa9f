#include "libs/writer/writer.h"

#include "libs/domain/schema.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/base/status_macros.h"
#include "libs/domain/schema.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/partitioner.h"
#include "libs/rpc/status.h"
#include "vanguard/v1/token.pb.h"

namespace vanguard::writer {
namespace {

constexpr size_t kMaxIdBytes = 128;

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  int64_t micros = absl::ToUnixMicros(t);
  out.set_seconds(micros / 1'000'000);
  out.set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  return out;
}

absl::Status CheckId(const char* field, const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", id.size(), " bytes exceeds the limit of ", kMaxIdBytes));
  }
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": must not contain control characters"));
    }
  }
  return absl::OkStatus();
}

// When a command that arrived at `arrived` must be done with the log so that
// its answer, even a failure, reaches the client before `deadline`.
absl::Time AnswerBy(absl::Time arrived, absl::Time deadline) {
  const absl::Duration reserve =
      std::clamp((deadline - arrived) / 10, absl::Milliseconds(5), absl::Milliseconds(250));
  return deadline - reserve;
}

absl::Status Unanswered(int32_t partition, absl::string_view why) {
  return rpc::WithErrorInfo(
      absl::UnavailableError(absl::StrCat(why, "; nothing of this command was written, retry "
                                               "with the same request_id")),
      "LOG_UNAVAILABLE", {{"partition", absl::StrCat(partition)}});
}

std::string NewEventId() {
  absl::BitGen random;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                         absl::Uniform<uint64_t>(random));
}

}  // namespace

std::string Fingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return eventlog::ChainHash("", bytes);  // SHA-256 of the bytes
}

std::string DerivedId(const std::string& prefix, const std::string& principal_id,
                      const std::string& request_id) {
  std::string digest =
      eventlog::ChainHash(principal_id, absl::StrCat(std::string(1, '\0'), request_id));
  return absl::StrCat(prefix, absl::BytesToHexString(digest).substr(0, 24));
}

Writer::Writer(eventlog::EventLog* log, StateStore* store, WriterOptions options)
    : log_(log),
      store_(store),
      options_(std::move(options)),
      endpoint_(options_.endpoint),
      tree_partition_(eventlog::Murmur2Partition(kOrgTreeId, log->partition_count())) {
  for (int32_t p = 0; p < log_->partition_count(); ++p) {
    partitions_.push_back(std::make_unique<Partition>());
  }
}

absl::StatusOr<std::unique_ptr<Writer>> Writer::Start(eventlog::EventLog* log, StateStore* store,
                                                      WriterOptions options, absl::Time deadline) {
  std::vector<int32_t> owned;
  if (options.ownership == WriterOptions::Ownership::kAll) {
    for (int32_t p = 0; p < log->partition_count(); ++p) owned.push_back(p);
  } else if (options.ownership == WriterOptions::Ownership::kListed) {
    owned = options.owned_partitions;
  }
  std::unique_ptr<Writer> writer(new Writer(log, store, std::move(options)));
  ASSIGN_OR_RETURN(std::vector<v1::Envelope> tree_history, store->History(kOrgTreeId));
  {
    absl::MutexLock lock(&writer->tree_mu_);
    for (const v1::Envelope& e : tree_history) writer->tree_.Apply(e);
  }
  for (int32_t p = 0; p < log->partition_count(); ++p) {
    RETURN_IF_ERROR(writer->CatchUp(p, deadline));
  }
  RETURN_IF_ERROR(writer->Acquire(owned, deadline));
  return writer;
}

absl::Status Writer::Acquire(const std::vector<int32_t>& partitions, absl::Time deadline) {
  for (int32_t p : partitions) {
    if (p < 0 || p >= log_->partition_count()) {
      return absl::InvalidArgumentError(absl::StrCat("partition ", p, " is out of range"));
    }
    RETURN_IF_ERROR(ClaimPartition(p, deadline));
  }
  return absl::OkStatus();
}

void Writer::Release(const std::vector<int32_t>& partitions) {
  for (int32_t p : partitions) {
    if (p < 0 || p >= log_->partition_count()) continue;
    absl::MutexLock lock(&partitions_[p]->mu);  // after the command in progress
    partitions_[p]->owned = false;
  }
}

int32_t Writer::PartitionOf(const std::string& aggregate_id) const {
  return eventlog::Murmur2Partition(aggregate_id, log_->partition_count());
}

absl::Status Writer::ApplyToTree(const std::vector<AppliedEvent>& applied) {
  for (const AppliedEvent& event : applied) {
    if (event.envelope.aggregate_id() != kOrgTreeId) continue;
    absl::MutexLock lock(&tree_mu_);
    tree_.Apply(event.envelope);
  }
  return absl::OkStatus();
}

absl::Status Writer::CatchUp(int32_t partition, absl::Time deadline) {
  Partition& part = *partitions_[partition];
  absl::MutexLock lock(&part.apply_mu);
  ASSIGN_OR_RETURN(int64_t end, log_->EndOffset(partition, deadline));
  while (store_->position(partition) < end) {
    int64_t from = store_->position(partition);
    if (!part.reader || part.reader->positions()[partition] != from) {
      ASSIGN_OR_RETURN(part.reader, log_->OpenReader({{partition, from}}));
    }
    ASSIGN_OR_RETURN(std::vector<eventlog::StoredRecord> records,
                     part.reader->Poll(4096, deadline));
    if (records.empty()) {
      return absl::UnavailableError(absl::StrCat("catching up partition ", partition,
                                                 ": no records past ", from, " of ", end,
                                                 " by the deadline"));
    }
    ASSIGN_OR_RETURN(std::vector<AppliedEvent> applied, store_->Apply(partition, records));
    RETURN_IF_ERROR(ApplyToTree(applied));
  }
  writer::Claim latest = store_->LatestClaim(partition);
  if (part.owned && latest.epoch != part.epoch) part.owned = false;  // a newer owner claimed it
  return absl::OkStatus();
}

absl::Status Writer::ClaimPartition(int32_t partition, absl::Time deadline) {
  Partition& part = *partitions_[partition];
  absl::MutexLock lock(&part.mu);
  if (part.owned) return absl::OkStatus();
  RETURN_IF_ERROR(CatchUp(partition, deadline));
  int64_t epoch = store_->LatestClaim(partition).epoch + 1;
  std::string aggregate = eventlog::ClaimAggregateId(partition);
  eventlog::AggregateHead head = store_->Head(aggregate);
  absl::Time now = std::max(absl::Now(), store_->LastRecordedAt(partition) + absl::Microseconds(1));
  v1::Envelope e;
  e.set_event_id(NewEventId());
  e.set_aggregate_type(v1::AGGREGATE_TYPE_PARTITION);
  e.set_aggregate_id(aggregate);
  e.set_aggregate_version(head.version + 1);
  e.set_event_type("vanguard.v1.OwnerClaimed");
  *e.mutable_occurred_at() = ToProto(now);
  *e.mutable_recorded_at() = ToProto(now);
  e.mutable_actor()->set_principal_id(endpoint_);
  e.set_schema_version(1);
  e.set_claim_epoch(epoch);
  v1::OwnerClaimed* claim = e.mutable_owner_claimed();
  claim->set_partition(partition);
  claim->set_endpoint(endpoint_);
  claim->set_epoch(epoch);
  ASSIGN_OR_RETURN(eventlog::SealedRecord sealed, eventlog::Seal(e, head.hash, options_.source));
  sealed.record.partition = partition;
  RETURN_IF_ERROR(log_->Append({&sealed.record, 1}, deadline).status());
  // Serve only once the claim is read back as the partition's latest.
  RETURN_IF_ERROR(CatchUp(partition, deadline));
  writer::Claim latest = store_->LatestClaim(partition);
  if (latest.epoch != epoch || latest.endpoint != endpoint_) {
    return absl::UnavailableError(absl::StrCat("partition ", partition, " was claimed by ",
                                               latest.endpoint, " (epoch ", latest.epoch, ")"));
  }
  part.owned = true;
  part.epoch = epoch;
  return absl::OkStatus();
}

std::string Writer::MakeToken(const eventlog::PositionMap& positions) const {
  v1::ConsistencyToken token;
  token.set_log_id(log_->log_id());
  for (const auto& [partition, offset] : positions) {
    v1::PartitionOffset* entry = token.add_positions();
    entry->set_partition(partition);
    entry->set_offset(offset);
  }
  return token.SerializeAsString();
}

absl::StatusOr<CommandResult> Writer::ResultOf(const RequestRecord& request,
                                               const std::string& aggregate_id,
                                               bool replayed) const {
  CommandResult result;
  result.aggregate_id = aggregate_id;
  result.version = request.last_version;
  result.positions = {{request.partition, request.last_offset + 1}};
  result.consistency_token = MakeToken(result.positions);
  result.replayed = replayed;
  return result;
}

absl::StatusOr<std::vector<v1::Envelope>> Writer::HistoryOf(const std::string& aggregate_id,
                                                            absl::Time deadline) {
  int32_t partition = PartitionOf(aggregate_id);
  if (!partitions_[partition]->owned || partitions_[partition]->in_doubt) {
    RETURN_IF_ERROR(CatchUp(partition, deadline));
  }
  return store_->History(aggregate_id);
}

absl::Status Writer::ReadTree(const std::function<void(const domain::OrgTree&)>& read,
                              absl::Time deadline) {
  if (!partitions_[tree_partition_]->owned || partitions_[tree_partition_]->in_doubt) {
    RETURN_IF_ERROR(CatchUp(tree_partition_, deadline));
  }
  absl::ReaderMutexLock lock(&tree_mu_);
  read(tree_);
  return absl::OkStatus();
}

// The commands of a group in the making: their events, sealed but not yet
// written, and what later commands of the group must see of them.
struct Writer::Group {
  std::vector<eventlog::Record> records;
  std::map<std::string, eventlog::AggregateHead> heads;          // after the group's events
  std::map<std::string, std::vector<v1::Envelope>> events;       // by aggregate
  std::map<std::pair<std::string, std::string>, size_t> requests;  // (aggregate, request) → waiter
  std::map<size_t, std::string> fingerprints;                    // waiter → request fingerprint
  std::vector<size_t> written;                                   // waiters whose events are here
  std::vector<std::pair<size_t, size_t>> repeats;  // (waiter, earlier waiter of the same request)
  absl::Time last_recorded = absl::InfinitePast();
  // The earliest answer_by of the written waiters: the group's log I/O ends
  // by then, so every one of them is answered before its deadline.
  absl::Time deadline = absl::InfiniteFuture();
};

absl::StatusOr<CommandResult> Writer::Execute(const Command& command, absl::Time deadline) {
  RETURN_IF_ERROR(CheckId("aggregate_id", command.aggregate_id));
  RETURN_IF_ERROR(CheckId("request_id", command.request_id));
  const int32_t partition = PartitionOf(command.aggregate_id);
  Partition& part = *partitions_[partition];
  const absl::Time arrived = absl::Now();
  if (arrived >= deadline) {
    return absl::DeadlineExceededError("the deadline passed before the command ran");
  }
  Waiter me{.command = &command, .deadline = deadline, .answer_by = AnswerBy(arrived, deadline)};
  // Whoever finds the partition idle leads: it takes everything queued as one
  // group; by the time a waiter would lead, a leader may have answered it. A
  // waiter still queued at its answer_by gives up (the group before it is
  // stuck on the log), so no caller waits past its deadline.
  std::vector<Waiter*> waiters;
  {
    absl::MutexLock lock(&part.queue_mu);
    part.queue.push_back(&me);
    while (part.busy && !me.answered) {
      if (me.taken) {
        part.idle.Wait(&part.queue_mu);  // our leader answers by our answer_by
      } else if (part.idle.WaitWithDeadline(&part.queue_mu, me.answer_by) && part.busy &&
                 !me.taken && !me.answered) {
        part.queue.erase(std::find(part.queue.begin(), part.queue.end(), &me));
        return Unanswered(partition, absl::StrCat("partition ", partition,
                                                  " is still busy with an earlier write"));
      }
    }
    if (me.answered) return *std::move(me.result);
    part.busy = true;
    waiters.swap(part.queue);
    for (Waiter* waiter : waiters) waiter->taken = true;
  }
  {
    absl::MutexLock lock(&part.mu);
    RunGroup(partition, waiters);
  }
  {
    absl::MutexLock lock(&part.queue_mu);
    for (Waiter* waiter : waiters) waiter->answered = true;
    part.busy = false;
  }
  part.idle.SignalAll();
  return *std::move(me.result);
}

void Writer::RunGroup(int32_t partition, const std::vector<Waiter*>& waiters) {
  Partition& part = *partitions_[partition];
  if (!part.owned) {
    writer::Claim owner = store_->LatestClaim(partition);
    absl::Status not_owner = rpc::WithErrorInfo(
        absl::UnavailableError(absl::StrCat("partition ", partition, " is served by ",
                                            owner.endpoint.empty() ? "no writer" : owner.endpoint)),
        "NOT_OWNER", {{"partition", absl::StrCat(partition)}, {"owner", owner.endpoint}});
    for (Waiter* waiter : waiters) waiter->result = not_owner;
    return;
  }
  absl::Time earliest = absl::InfiniteFuture();
  for (Waiter* waiter : waiters) earliest = std::min(earliest, waiter->answer_by);
  // An earlier append's outcome is unknown: read back before deciding
  // anything, or fail fast without writing. Checked before every command, as
  // a write earlier in this group (a change of the tree) may have left it so.
  auto settle = [&](size_t from) {
    if (!part.in_doubt) return true;
    absl::Status caught_up = CatchUp(partition, earliest);
    if (caught_up.ok()) {
      part.in_doubt = false;
      return true;
    }
    absl::Status failed =
        Unanswered(partition, absl::StrCat("an earlier write to partition ", partition,
                                           " is not settled yet (", caught_up.message(), ")"));
    for (size_t i = from; i < waiters.size(); ++i) waiters[i]->result = failed;
    return false;
  };
  if (!settle(0)) return;
  // The tree every decision reads must be current: our own when we own its
  // partition, else caught up with the log.
  if (!partitions_[tree_partition_]->owned || partitions_[tree_partition_]->in_doubt) {
    if (absl::Status caught_up = CatchUp(tree_partition_, earliest); !caught_up.ok()) {
      for (Waiter* waiter : waiters) waiter->result = caught_up;
      return;
    }
  }
  Group group;
  for (size_t i = 0; i < waiters.size(); ++i) {
    const Command& command = *waiters[i]->command;
    // A change of the tree is decided and written alone: every later decision
    // reads the tree it leaves.
    const bool tree = command.aggregate_id == kOrgTreeId;
    if (tree) Flush(partition, group, waiters);
    if (!settle(i)) break;  // a group holds nothing after a failed write
    // Every read and write of the group ends by its earliest answer_by.
    absl::StatusOr<std::optional<CommandResult>> decided =
        Decide(partition, command, earliest, group, i);
    if (!decided.ok()) {
      waiters[i]->result = decided.status();
    } else if (*decided) {
      waiters[i]->result = **std::move(decided);
    }
    if (tree) Flush(partition, group, waiters);
  }
  Flush(partition, group, waiters);
}

absl::StatusOr<std::optional<CommandResult>> Writer::Decide(int32_t partition,
                                                             const Command& command,
                                                             absl::Time deadline, Group& group,
                                                             size_t index) {
  if (absl::Now() >= deadline) {
    return Unanswered(partition, "no time was left to write before the deadline");
  }
  // A request is the same request only from the same principal.
  const std::string fingerprint = eventlog::ChainHash(
      command.context.principal_id, absl::StrCat(std::string(1, '\0'), command.fingerprint));

  auto pending_head = group.heads.find(command.aggregate_id);
  const eventlog::AggregateHead head =
      pending_head != group.heads.end() ? pending_head->second : store_->Head(command.aggregate_id);
  // What the store holds, then what this group has decided before.
  auto with_group = [&group](const std::string& id, std::vector<v1::Envelope> history) {
    if (auto pending = group.events.find(id); pending != group.events.end()) {
      history.insert(history.end(), pending->second.begin(), pending->second.end());
    }
    return history;
  };
  std::vector<v1::Envelope> history;
  if (command.aggregate_id != kOrgTreeId) {
    ASSIGN_OR_RETURN(history, store_->History(command.aggregate_id));
    history = with_group(command.aggregate_id, std::move(history));
  }
  std::map<std::string, std::vector<v1::Envelope>> dependencies;
  for (const std::string& id : command.dependencies) {
    RETURN_IF_ERROR(CheckId("dependencies", id));
    ASSIGN_OR_RETURN(std::vector<v1::Envelope> stored, HistoryOf(id, deadline));
    dependencies[id] = with_group(id, std::move(stored));
  }
  // The decision runs first (it is pure) because it holds the caller's scope
  // check: a caller out of scope learns nothing, not even of a retry's result
  // or the current version. Only then do retries and versions answer, ahead
  // of the domain's own verdict on the current state.
  absl::StatusOr<std::vector<v1::Envelope>> decision;
  int64_t tree_version = 0;
  {
    absl::ReaderMutexLock tree_lock(&tree_mu_);
    decision = command.decide({.history = history, .tree = tree_, .dependencies = dependencies});
    tree_version = tree_.version();
  }
  if (!decision.ok() &&
      (absl::IsPermissionDenied(decision.status()) || absl::IsUnauthenticated(decision.status()))) {
    return decision.status();
  }
  auto reused = [&command] {
    return absl::AlreadyExistsError(absl::StrCat("request_id: ", command.request_id,
                                                 " was used for another request on ",
                                                 command.aggregate_id));
  };
  if (auto earlier = group.requests.find({command.aggregate_id, command.request_id});
      earlier != group.requests.end()) {
    if (group.fingerprints[earlier->second] != fingerprint) return reused();
    group.repeats.emplace_back(index, earlier->second);
    return std::nullopt;
  }
  if (std::optional<RequestRecord> first =
          store_->FindRequest(command.aggregate_id, command.request_id)) {
    if (first->fingerprint != fingerprint) return reused();
    return ResultOf(*first, command.aggregate_id, /*replayed=*/true);
  }
  if (command.expected_version && *command.expected_version != head.version) {
    return rpc::WithErrorInfo(
        absl::AbortedError(absl::StrCat("expected_version: ", *command.expected_version, " but ",
                                        command.aggregate_id, " is at version ", head.version)),
        "VERSION_MISMATCH", {{"current_version", absl::StrCat(head.version)}});
  }
  if (!decision.ok()) return decision.status();
  std::vector<v1::Envelope> events = *std::move(decision);
  if (events.empty()) return absl::InternalError("the decision produced no event");

  // Seal the events after the aggregate's head, with a hybrid logical clock.
  absl::Time recorded = std::max({absl::Now(), store_->LastRecordedAt(partition),
                                  group.last_recorded});
  std::string prev_hash = head.hash;
  const int64_t epoch = partitions_[partition]->epoch;
  std::vector<v1::Envelope>& sealed_events = group.events[command.aggregate_id];
  for (size_t i = 0; i < events.size(); ++i) {
    v1::Envelope& e = events[i];
    recorded += absl::Microseconds(1);
    e.set_event_id(NewEventId());
    e.set_aggregate_type(command.aggregate_type);
    e.set_aggregate_id(command.aggregate_id);
    e.set_aggregate_version(head.version + 1 + static_cast<int64_t>(i));
    *e.mutable_occurred_at() = ToProto(command.context.now);
    *e.mutable_recorded_at() = ToProto(recorded);
    e.mutable_actor()->set_principal_id(command.context.principal_id);
    e.mutable_actor()->set_organisation_id(command.context.actor_organisation_id);
    e.set_request_id(command.request_id);
    e.set_request_fingerprint(fingerprint);
    e.set_correlation_id(command.correlation_id.empty() ? command.request_id
                                                        : command.correlation_id);
    e.set_schema_version(domain::CurrentSchemaVersion(e.payload_case()));
    e.set_claim_epoch(epoch);
    e.set_org_tree_version(tree_version);
    ASSIGN_OR_RETURN(eventlog::SealedRecord sealed, eventlog::Seal(e, prev_hash, options_.source));
    prev_hash = sealed.hash;
    group.records.push_back(std::move(sealed.record));
    sealed_events.push_back(std::move(e));
  }
  group.heads[command.aggregate_id] = {.version = head.version + static_cast<int64_t>(events.size()),
                                       .hash = prev_hash};
  group.requests[{command.aggregate_id, command.request_id}] = index;
  group.fingerprints[index] = fingerprint;
  group.written.push_back(index);
  group.last_recorded = recorded;
  group.deadline = std::min(group.deadline, deadline);
  return std::nullopt;
}

void Writer::Flush(int32_t partition, Group& group, const std::vector<Waiter*>& waiters) {
  if (group.records.empty() && group.repeats.empty()) return;
  Partition& part = *partitions_[partition];
  absl::Status cause = absl::OkStatus();
  if (!group.records.empty()) {
    const int64_t expected = store_->position(partition);
    const absl::Time started = absl::Now();
    absl::StatusOr<std::vector<eventlog::Position>> appended =
        log_->Append(group.records, group.deadline);
    if (options_.on_append) options_.on_append(group.records.size(), absl::Now() - started);
    bool in_place = appended.ok();
    for (size_t i = 0; in_place && i < appended->size(); ++i) {
      in_place =
          (*appended)[i] == eventlog::Position{partition, expected + static_cast<int64_t>(i)};
    }
    if (in_place) {
      // Nothing came between: the records are accepted exactly as written.
      std::vector<eventlog::StoredRecord> stored;
      stored.reserve(group.records.size());
      for (size_t i = 0; i < group.records.size(); ++i) {
        stored.push_back({.partition = partition,
                          .offset = expected + static_cast<int64_t>(i),
                          .key = std::move(group.records[i].key),
                          .value = std::move(group.records[i].value)});
      }
      absl::MutexLock apply_lock(&part.apply_mu);
      absl::StatusOr<std::vector<AppliedEvent>> applied = store_->Apply(partition, stored);
      cause = applied.ok() ? ApplyToTree(*applied) : applied.status();
      // The log holds the records but the store could not take them (its
      // disk failed): the next group must catch up before deciding, or it
      // would decide against a stale head and append records Accept() rejects.
      if (!applied.ok()) part.in_doubt = true;
    } else {
      // Fence: read back to a freshly queried end and trust only the log.
      // Until that succeeds the partition is in doubt (see RunGroup).
      cause = appended.ok() ? absl::AbortedError("another write came first") : appended.status();
      absl::Status caught_up = CatchUp(partition, group.deadline);
      part.in_doubt = !caught_up.ok();
      if (!caught_up.ok()) cause = caught_up;
    }
  }
  // Each command is acknowledged only as the store, now caught up, shows it.
  for (size_t index : group.written) {
    const Command& command = *waiters[index]->command;
    std::optional<RequestRecord> written =
        store_->FindRequest(command.aggregate_id, command.request_id);
    if (written && written->fingerprint == group.fingerprints[index]) {
      waiters[index]->result = ResultOf(*written, command.aggregate_id, /*replayed=*/false);
      continue;
    }
    waiters[index]->result = rpc::WithErrorInfo(
        absl::UnavailableError(absl::StrCat(
            "the command was not accepted (", cause.ok() ? "another write came first" : cause.message(),
            "); retry with the same request_id: a write still in flight is then found, never "
            "doubled")),
        "NOT_ACCEPTED", {{"partition", absl::StrCat(partition)}});
  }
  for (const auto& [index, first] : group.repeats) {
    absl::StatusOr<CommandResult> result = *waiters[first]->result;
    if (result.ok()) result->replayed = true;
    waiters[index]->result = std::move(result);
  }
  group = Group{};
}

}  // namespace vanguard::writer
