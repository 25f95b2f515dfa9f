#include "libs/eventlog/hash_chain.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/base/status_macros.h"

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
  ChainBreak broken;
  broken.position = {record.partition, record.offset};
  broken.aggregate_id = record.key;
  auto fail = [&](std::string reason) {
    broken.reason = std::move(reason);
    return std::optional<ChainBreak>(std::move(broken));
  };
  v1::Sealed sealed;
  if (!sealed.ParseFromString(record.value)) return fail("the value is not a sealed record");
  std::string recomputed = ChainHash(sealed.prev_hash(), sealed.envelope());
  v1::Envelope envelope;
  bool readable = envelope.ParseFromString(sealed.envelope());
  if (readable) broken.version = envelope.aggregate_version();
  if (recomputed != sealed.hash()) {
    return fail("the stored hash is not SHA-256 of prev_hash and the envelope: altered bytes");
  }
  if (!readable) return fail("the envelope does not parse");
  if (envelope.aggregate_id() != record.key) {
    return fail(absl::StrCat("the record's key differs from its aggregate id ",
                             envelope.aggregate_id()));
  }
  broken.aggregate_id = envelope.aggregate_id();
  Head& head = heads_[envelope.aggregate_id()];
  if (envelope.aggregate_version() != head.version + 1) {
    return fail(absl::StrCat("version ", envelope.aggregate_version(), " follows version ",
                             head.version));
  }
  if (sealed.prev_hash() != head.hash) {
    return fail(absl::StrCat("prev_hash ", absl::BytesToHexString(sealed.prev_hash()),
                             " is not the hash of version ", head.version));
  }
  head = {envelope.aggregate_version(), sealed.hash()};
  return std::nullopt;
}

absl::StatusOr<VerifyReport> VerifyLog(EventLog& log, absl::Time deadline) {
  VerifyReport report;
  ChainVerifier verifier;
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
