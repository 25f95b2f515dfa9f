#include "libs/eventlog/hash_chain.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/acceptance.h"

namespace vanguard::eventlog {

std::string ChainHash(std::string_view prev_hash, std::string_view envelope_bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, prev_hash.data(), prev_hash.size());
  EVP_DigestUpdate(ctx, envelope_bytes.data(), envelope_bytes.size());
  EVP_DigestFinal_ex(ctx, digest, &size);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

absl::StatusOr<SealedRecord> Seal(const v1::Envelope& envelope, std::string_view prev_hash,
                                  std::string_view source) {
  if (envelope.event_id().empty()) return absl::InvalidArgumentError("event_id: must be set");
  if (envelope.aggregate_id().empty()) {
    return absl::InvalidArgumentError("aggregate_id: must be set");
  }
  if (envelope.aggregate_version() < 1) {
    return absl::InvalidArgumentError("aggregate_version: must be at least 1");
  }
  if (envelope.event_type().empty()) return absl::InvalidArgumentError("event_type: must be set");
  if (!prev_hash.empty() && prev_hash.size() != kHashBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("prev_hash: ", prev_hash.size(), " bytes, expected 0 or ", kHashBytes));
  }
  v1::Sealed sealed;
  if (!envelope.SerializeToString(sealed.mutable_envelope())) {
    return absl::InvalidArgumentError("envelope: cannot be serialized");
  }
  sealed.set_prev_hash(std::string(prev_hash));
  sealed.set_hash(ChainHash(prev_hash, sealed.envelope()));

  SealedRecord out;
  out.hash = sealed.hash();
  out.record.key = envelope.aggregate_id();
  out.record.value = sealed.SerializeAsString();
  out.record.cloud_event = {
      .id = envelope.event_id(),
      .type = envelope.event_type(),
      .source = std::string(source),
      .time = absl::FromUnixNanos(
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(envelope.recorded_at())),
  };
  return out;
}

std::optional<ChainBreak> ChainVerifier::Check(const StoredRecord& record) {
  Judgement j = Accept(record, heads_[record.key], epochs_[record.partition], partition_count_);
  if (j.accepted) {
    heads_[record.key] = {j.envelope.aggregate_version(), j.hash};
    if (j.is_claim) epochs_[record.partition] = j.envelope.owner_claimed().epoch();
    return std::nullopt;
  }
  ChainBreak broken;
  broken.position = {record.partition, record.offset};
  broken.aggregate_id = j.readable ? j.envelope.aggregate_id() : record.key;
  broken.version = j.readable ? j.envelope.aggregate_version() : 0;
  broken.reason = std::move(j.reason);
  return broken;
}

absl::StatusOr<VerifyReport> VerifyLog(EventLog& log, absl::Time deadline) {
  VerifyReport report;
  ChainVerifier verifier(log.partition_count());
  for (int32_t partition = 0; partition < log.partition_count(); ++partition) {
    ASSIGN_OR_RETURN(int64_t end, log.EndOffset(partition, deadline));
    if (end == 0) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader, log.OpenReader({{partition, 0}}));
    int64_t next = 0;
    while (next < end) {
      ASSIGN_OR_RETURN(std::vector<StoredRecord> records, reader->Poll(1024, deadline));
      if (records.empty()) {
        return absl::DeadlineExceededError(absl::StrCat("verify: partition ", partition,
                                                        " stopped at offset ", next, " of ", end));
      }
      for (const StoredRecord& record : records) {
        if (record.offset >= end) break;
        ++report.records;
        if (auto broken = verifier.Check(record)) report.breaks.push_back(*std::move(broken));
        next = record.offset + 1;
      }
    }
  }
  return report;
}

}  // namespace vanguard::eventlog
