#include "services/audit/audit_service.h"

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/eventlog/acceptance.h"
#include "libs/privacy/personal_info.h"
#include "libs/rpc/status.h"
#include "services/projector/replay.h"

namespace vanguard::audit {
namespace {

constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 1000;

// Where a history read stands: the next offset of the partition, and what the
// acceptance rule needs to judge the records after it.
struct Cursor {
  int64_t offset = 0;
  eventlog::AggregateHead head;   // the aggregate's
  eventlog::AggregateHead claim;  // the partition's claims'
  int64_t epoch = 0;
};

std::string EncodeCursor(const Cursor& c) {
  return absl::WebSafeBase64Escape(absl::StrCat(
      c.offset, ".", c.head.version, ".", absl::BytesToHexString(c.head.hash), ".",
      c.claim.version, ".", absl::BytesToHexString(c.claim.hash), ".", c.epoch));
}

std::optional<Cursor> DecodeCursor(const std::string& token) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(text, '.');
  Cursor c;
  if (parts.size() != 6 || !absl::SimpleAtoi(parts[0], &c.offset) ||
      !absl::SimpleAtoi(parts[1], &c.head.version) || !absl::SimpleAtoi(parts[3], &c.claim.version) ||
      !absl::SimpleAtoi(parts[5], &c.epoch) || c.offset < 0) {
    return std::nullopt;
  }
  c.head.hash = absl::HexStringToBytes(parts[2]);
  c.claim.hash = absl::HexStringToBytes(parts[4]);
  return c;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}


// Whether a payload names, in any field, something `in_subtree` accepts.
bool Names(const google::protobuf::Message& message,
           const std::function<bool(const std::string& field, const std::string& id)>& in_subtree) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          if (Names(reflection->GetRepeatedMessage(message, field, i), in_subtree)) return true;
        }
      } else if (Names(reflection->GetMessage(message, field), in_subtree)) {
        return true;
      }
    } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
               !field->is_repeated()) {
      if (in_subtree(field->name(), reflection->GetString(message, field))) return true;
    }
  }
  return false;
}

// Fills one history record from a stored record and its judgement.
void Fill(const eventlog::StoredRecord& record, eventlog::Judgement& j, v1::HistoryRecord& out) {
  out.set_partition(record.partition);
  out.set_offset(record.offset);
  out.set_accepted(j.accepted);
  out.set_rejection_reason(j.reason);
  v1::Sealed sealed;
  if (sealed.ParseFromString(record.value)) {
    out.set_envelope_bytes(sealed.envelope());
    out.set_prev_hash(sealed.prev_hash());
    out.set_hash(sealed.hash());
  }
  if (j.readable) *out.mutable_envelope() = std::move(j.envelope);
}

}  // namespace

// Shows members' personal information in history records as one caller may
// see it (privacy::Reveal): in plain text only where the caller's
// organisation is the member's (now, per the views) or lies above it.
class PersonalInfoFilter {
 public:
  PersonalInfoFilter(const privacy::KeyStore* keys, const views::ViewStore* views,
                     std::string caller_organisation)
      : keys_(keys), caller_organisation_(std::move(caller_organisation)) {
    if (views != nullptr) reader_ = views->NewReader();
  }

  void Apply(v1::HistoryRecord& record) {
    if (!record.has_envelope()) return;
    v1::Envelope& e = *record.mutable_envelope();
    v1::MemberAttributes* attributes = nullptr;
    if (e.has_member_enrolled()) attributes = e.mutable_member_enrolled()->mutable_attributes();
    if (e.has_member_updated()) attributes = e.mutable_member_updated()->mutable_attributes();
    if (attributes == nullptr) return;
    const Member& member = Of(e.aggregate_id());
    record.set_personal_info(
        privacy::Reveal(keys_, e.aggregate_id(), member.in_scope, member.erased, *attributes));
  }

 private:
  struct Member {
    bool in_scope = false;
    bool erased = false;
  };

  const Member& Of(const std::string& member_id) {
    auto [it, fresh] = members_.try_emplace(member_id);
    if (!fresh || reader_ == nullptr) return it->second;
    std::optional<v1::MemberRecord> m = reader_->GetMember(member_id);
    if (!m) return it->second;
    it->second.erased = m->personal_info_erased();
    std::string at = m->organisation_id();
    for (int depth = 0; depth < 256 && !at.empty(); ++depth) {
      if (at == caller_organisation_) {
        it->second.in_scope = true;
        break;
      }
      std::optional<v1::OrganisationRecord> o = reader_->GetOrganisation(at);
      if (!o) break;
      at = o->parent_id();
    }
    return it->second;
  }

  const privacy::KeyStore* keys_;
  const std::string caller_organisation_;
  std::unique_ptr<views::ViewReader> reader_;
  absl::flat_hash_map<std::string, Member> members_;
};

namespace {

// Auditors and admins only.
absl::StatusOr<rpc::Principal> CheckAuditor(const rpc::TokenStore& tokens,
                                            const grpc::ServerContext& context) {
  absl::StatusOr<rpc::Principal> principal = tokens.Authenticate(context);
  if (!principal.ok()) return principal.status();
  if (!principal->HasRole(rpc::Role::kAuditor) && !principal->HasRole(rpc::Role::kAdmin)) {
    return absl::PermissionDeniedError("auditing is for auditors and admins");
  }
  return principal;
}

}  // namespace

grpc::Status AuditServiceImpl::CompareWithReplay(grpc::ServerContext* context,
                                                 const v1::CompareWithReplayRequest* request,
                                                 v1::CompareWithReplayResponse* response) {
  if (absl::Status allowed = CheckAuditor(tokens_, *context).status(); !allowed.ok()) {
    return rpc::ToGrpcStatus(allowed);
  }
  if (views_ == nullptr) {
    return rpc::ToGrpcStatus(absl::UnavailableError("this process holds no views to compare"));
  }
  absl::StatusOr<views::ViewStore::DigestAt> live = views_->DigestWithPositions();
  if (!live.ok()) return rpc::ToGrpcStatus(live.status());
  std::error_code ec;
  std::filesystem::path base =
      scratch_dir_.empty() ? std::filesystem::temp_directory_path(ec)
                           : std::filesystem::path(scratch_dir_);
  std::filesystem::path scratch =
      base / absl::StrCat("vanguard-replay-", absl::ToUnixNanos(absl::Now()), "-", getpid(), "-",
                          std::hash<std::thread::id>()(std::this_thread::get_id()));
  absl::Time start = absl::Now();
  absl::Status status;
  {
    absl::StatusOr<std::unique_ptr<views::ViewStore>> replay = views::ViewStore::Open(
        {.path = scratch.string(), .log_id = log_.log_id(), .partitions = log_.partition_count()});
    if (!replay.ok()) return rpc::ToGrpcStatus(replay.status());
    absl::StatusOr<projector::ReplayResult> result =
        projector::Replay(log_, **replay, {.until = live->positions});
    absl::StatusOr<std::string> digest =
        result.ok() ? (*replay)->Digest() : absl::StatusOr<std::string>(result.status());
    if (digest.ok()) {
      response->set_live_digest(live->digest);
      response->set_replay_digest(*digest);
      response->set_equal(*digest == live->digest);
      response->set_records_replayed(result->records_read);
      response->mutable_position()->set_log_id(log_.log_id());
      for (const auto& [partition, offset] : live->positions) {
        v1::PartitionOffset* at = response->mutable_position()->add_positions();
        at->set_partition(partition);
        at->set_offset(offset);
      }
      absl::Duration took = absl::Now() - start;
      response->mutable_replay_duration()->set_seconds(absl::ToInt64Seconds(took));
      response->mutable_replay_duration()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(took % absl::Seconds(1))));
    }
    status = digest.status();
  }
  std::filesystem::remove_all(scratch, ec);
  return rpc::ToGrpcStatus(status);
}

grpc::Status AuditServiceImpl::StreamHistory(grpc::ServerContext* context,
                                             const v1::StreamHistoryRequest* request,
                                             grpc::ServerWriter<v1::StreamHistoryResponse>* writer) {
  absl::StatusOr<rpc::Principal> principal = CheckAuditor(tokens_, *context);
  if (!principal.ok()) return rpc::ToGrpcStatus(principal.status());
  PersonalInfoFilter personal_info(keys_, views_, principal->organisation_id);
  if (request->aggregate_id().empty() == request->organisation_id().empty()) {
    return rpc::ToGrpcStatus(absl::InvalidArgumentError(
        "aggregate_id: give either an aggregate_id or an organisation_id"));
  }
  if (request->page_size() < 0 || request->page_size() > kMaxPageSize) {
    return rpc::ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0 (default ", kDefaultPageSize, ") to ", kMaxPageSize)));
  }
  const size_t page_size = request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  std::optional<absl::Time> from, to;
  if (request->has_recorded_from()) from = TimeOf(request->recorded_from());
  if (request->has_recorded_to()) to = TimeOf(request->recorded_to());
  if (from && to && *to < *from) {
    return rpc::ToGrpcStatus(
        absl::InvalidArgumentError("recorded_to: must not be before recorded_from"));
  }
  if (!request->organisation_id().empty()) {
    return StreamSubtree(*context, *request, page_size, from, to, personal_info, writer);
  }
  Cursor cursor;
  if (!request->page_token().empty()) {
    std::optional<Cursor> decoded = DecodeCursor(request->page_token());
    if (!decoded) {
      return rpc::ToGrpcStatus(
          absl::InvalidArgumentError("page_token: not a token this service returned"));
    }
    cursor = *decoded;
  }

  eventlog::Record probe{.key = request->aggregate_id()};
  const int32_t partition = eventlog::PartitionOf(probe, log_.partition_count());
  const std::string claims = eventlog::ClaimAggregateId(partition);
  absl::StatusOr<int64_t> end = log_.EndOffset(partition, absl::Now() + absl::Seconds(30));
  if (!end.ok()) return rpc::ToGrpcStatus(end.status());
  absl::StatusOr<std::unique_ptr<eventlog::LogReader>> reader =
      log_.OpenReader({{partition, cursor.offset}});
  if (!reader.ok()) return rpc::ToGrpcStatus(reader.status());

  v1::StreamHistoryResponse page;
  int64_t sent = 0;
  auto flush = [&](bool last) {
    page.set_next_page_token(last ? "" : EncodeCursor(cursor));
    bool sent = writer->Write(page);
    page.Clear();
    return sent;
  };
  while (cursor.offset < *end) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    absl::StatusOr<std::vector<eventlog::StoredRecord>> records =
        (*reader)->Poll(1000, absl::Now() + absl::Seconds(5));
    if (!records.ok()) return rpc::ToGrpcStatus(records.status());
    if (records->empty()) {
      return rpc::ToGrpcStatus(absl::UnavailableError(
          absl::StrCat("the log stopped at partition ", partition, " offset ", cursor.offset)));
    }
    for (const eventlog::StoredRecord& record : *records) {
      if (record.offset >= *end) break;
      cursor.offset = record.offset + 1;
      if (record.key == claims) {
        eventlog::Judgement j =
            eventlog::Accept(record, cursor.claim, cursor.epoch, log_.partition_count());
        if (j.accepted && j.is_claim) {
          cursor.claim = {j.envelope.aggregate_version(), j.hash};
          cursor.epoch = j.envelope.owner_claimed().epoch();
        }
        continue;
      }
      if (record.key != request->aggregate_id()) continue;
      eventlog::Judgement j =
          eventlog::Accept(record, cursor.head, cursor.epoch, log_.partition_count());
      if (j.accepted) cursor.head = {j.envelope.aggregate_version(), j.hash};
      if (j.readable && (from || to)) {
        absl::Time recorded = TimeOf(j.envelope.recorded_at());
        if ((from && recorded < *from) || (to && recorded >= *to)) continue;
      }
      Fill(record, j, *page.add_records());
      personal_info.Apply(*page.mutable_records(page.records_size() - 1));
      const bool at_limit = ++sent == max_records_per_call_;
      if ((static_cast<size_t>(page.records_size()) == page_size || at_limit) &&
          cursor.offset < *end) {
        if (!flush(false)) return grpc::Status(grpc::StatusCode::CANCELLED, "the client left");
        // The call's share is sent; the page's token resumes.
        if (at_limit) return grpc::Status::OK;
      }
    }
  }
  if (page.records_size() > 0) flush(true);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::StreamSubtree(const grpc::ServerContext& context,
                                             const v1::StreamHistoryRequest& request,
                                             size_t page_size, std::optional<absl::Time> from,
                                             std::optional<absl::Time> to,
                                             PersonalInfoFilter& personal_info,
                                             grpc::ServerWriter<v1::StreamHistoryResponse>* writer) {
  if (views_ == nullptr) {
    return rpc::ToGrpcStatus(
        absl::UnavailableError("this process holds no views to know the subtree by"));
  }
  // Resume after (partition, offset); the scan itself restarts from zero,
  // since judging a record needs every head before it.
  int32_t resume_partition = 0;
  int64_t resume_offset = 0;
  if (!request.page_token().empty()) {
    std::string text;
    std::vector<std::string> parts;
    if (absl::WebSafeBase64Unescape(request.page_token(), &text)) parts = absl::StrSplit(text, '.');
    if (parts.size() != 3 || parts[0] != "o" || !absl::SimpleAtoi(parts[1], &resume_partition) ||
        !absl::SimpleAtoi(parts[2], &resume_offset)) {
      return rpc::ToGrpcStatus(
          absl::InvalidArgumentError("page_token: not a token this service returned"));
    }
  }
  std::unique_ptr<views::ViewReader> reader = views_->NewReader();
  if (!reader->GetOrganisation(request.organisation_id())) {
    return rpc::ToGrpcStatus(absl::NotFoundError(
        absl::StrCat("organisation ", request.organisation_id(), " is not in the views")));
  }
  absl::flat_hash_set<std::string> subtree = {request.organisation_id()};
  std::vector<std::string> queue = {request.organisation_id()};
  while (!queue.empty()) {
    std::string at = std::move(queue.back());
    queue.pop_back();
    for (std::string& child : reader->Children(at)) {
      if (subtree.insert(child).second) queue.push_back(std::move(child));
    }
  }
  absl::flat_hash_map<std::string, bool> members;  // member id → now in the subtree
  auto in_subtree = [&](const std::string& field, const std::string& id) {
    if (field == "member_id") {
      auto [it, fresh] = members.try_emplace(id, false);
      if (fresh) {
        std::optional<v1::MemberRecord> m = reader->GetMember(id);
        it->second = m && subtree.contains(m->organisation_id());
      }
      return it->second;
    }
    return absl::EndsWith(field, "organisation_id") && subtree.contains(id);
  };

  v1::StreamHistoryResponse page;
  int64_t sent = 0;
  for (int32_t p = 0; p < log_.partition_count(); ++p) {
    absl::StatusOr<int64_t> end = log_.EndOffset(p, absl::Now() + absl::Seconds(30));
    if (!end.ok()) return rpc::ToGrpcStatus(end.status());
    if (p < resume_partition || *end == 0) continue;
    absl::StatusOr<std::unique_ptr<eventlog::LogReader>> log_reader = log_.OpenReader({{p, 0}});
    if (!log_reader.ok()) return rpc::ToGrpcStatus(log_reader.status());
    absl::flat_hash_map<std::string, eventlog::AggregateHead> heads;
    // Aggregates of one entity (a pledge, a member, a post...) concern the
    // subtree from their first event that does; the tree and the budgets are
    // shared, so each of their events is judged alone (a reversal by the
    // disbursement it reverses).
    absl::flat_hash_set<std::string> concerned, disbursements;
    int64_t epoch = 0, next = 0;
    while (next < *end) {
      if (context.IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      absl::StatusOr<std::vector<eventlog::StoredRecord>> records =
          (*log_reader)->Poll(1000, absl::Now() + absl::Seconds(5));
      if (!records.ok()) return rpc::ToGrpcStatus(records.status());
      if (records->empty()) {
        return rpc::ToGrpcStatus(absl::UnavailableError(
            absl::StrCat("the log stopped at partition ", p, " offset ", next)));
      }
      for (const eventlog::StoredRecord& record : *records) {
        if (record.offset >= *end) break;
        next = record.offset + 1;
        eventlog::AggregateHead& head = heads[record.key];
        eventlog::Judgement j = eventlog::Accept(record, head, epoch, log_.partition_count());
        if (j.accepted) {
          head = {j.envelope.aggregate_version(), j.hash};
          if (j.is_claim) epoch = j.envelope.owner_claimed().epoch();
        }
        if (!j.readable || j.is_claim) continue;
        const v1::Envelope& e = j.envelope;
        const bool shared = e.aggregate_type() == v1::AGGREGATE_TYPE_ORG_TREE ||
                            e.aggregate_type() == v1::AGGREGATE_TYPE_BUDGET;
        bool concerns = concerned.contains(record.key) ||
                        (e.has_funds_reversed() &&
                         disbursements.contains(e.funds_reversed().disbursement_id()));
        if (!concerns && j.accepted) {
          const google::protobuf::FieldDescriptor* payload =
              v1::Envelope::descriptor()->FindFieldByNumber(e.payload_case());
          concerns = (e.aggregate_type() == v1::AGGREGATE_TYPE_MEMBER &&
                      in_subtree("member_id", e.aggregate_id())) ||
                     (payload != nullptr &&
                      Names(e.GetReflection()->GetMessage(e, payload), in_subtree));
          if (concerns && !shared) concerned.insert(record.key);
          if (concerns && e.has_funds_disbursed()) {
            disbursements.insert(e.funds_disbursed().disbursement_id());
          }
        }
        if (!concerns || (p == resume_partition && record.offset < resume_offset)) continue;
        absl::Time recorded = TimeOf(j.envelope.recorded_at());
        if ((from && recorded < *from) || (to && recorded >= *to)) continue;
        Fill(record, j, *page.add_records());
        personal_info.Apply(*page.mutable_records(page.records_size() - 1));
        const bool at_limit = ++sent == max_records_per_call_;
        if (static_cast<size_t>(page.records_size()) == page_size || at_limit) {
          page.set_next_page_token(
              absl::WebSafeBase64Escape(absl::StrCat("o.", p, ".", record.offset + 1)));
          if (!writer->Write(page)) return grpc::Status(grpc::StatusCode::CANCELLED, "the client left");
          page.Clear();
          // The call's share is sent; the page's token resumes.
          if (at_limit) return grpc::Status::OK;
        }
      }
    }
  }
  if (page.records_size() > 0) writer->Write(page);
  return grpc::Status::OK;
}

}  // namespace vanguard::audit
