#include "libs/eventlog/testing.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"

namespace vanguard::eventlog::testing {

ScopedTempDir::ScopedTempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = absl::StrCat(base && *base ? base : "/tmp", "/vanguard-test-XXXXXX");
  char* made = mkdtemp(pattern.data());
  if (!made) abort();
  path_ = made;
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

v1::Envelope SampleEnvelope(const std::string& aggregate_id, int64_t version,
                            const std::string& name) {
  static std::atomic<int64_t> sequence{0};
  v1::Envelope envelope;
  envelope.set_event_id(absl::StrCat("evt-", aggregate_id, "-", version, "-", sequence++));
  envelope.set_aggregate_type(v1::AGGREGATE_TYPE_ORG_TREE);
  envelope.set_aggregate_id(aggregate_id);
  envelope.set_aggregate_version(version);
  envelope.set_event_type("vanguard.v1.OrganisationRegistered");
  int64_t now = absl::ToUnixNanos(absl::Now());
  *envelope.mutable_occurred_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(now);
  *envelope.mutable_recorded_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(now);
  envelope.mutable_actor()->set_principal_id("clerk-township-001");
  envelope.mutable_actor()->set_organisation_id("org-township-001");
  envelope.set_request_id(absl::StrCat("req-", envelope.event_id()));
  envelope.set_schema_version(1);
  envelope.set_claim_epoch(0);  // no claims in sample logs: epoch 0 is the latest
  envelope.set_org_tree_version(version - 1);
  v1::OrganisationRegistered* registered = envelope.mutable_organisation_registered();
  registered->set_organisation_id(absl::StrCat("org-village-", version));
  registered->set_parent_id("org-township-001");
  registered->set_name(name);
  registered->set_kind(v1::ORGANISATION_KIND_BRANCH);
  registered->set_level(v1::ORGANISATION_LEVEL_GRASSROOTS);
  registered->set_sector(v1::SECTOR_VILLAGE);
  return envelope;
}

std::vector<SealedRecord> SampleChain(const std::string& aggregate_id, int count) {
  std::vector<SealedRecord> chain;
  std::string head;
  for (int version = 1; version <= count; ++version) {
    auto sealed = Seal(SampleEnvelope(aggregate_id, version), head, "/vanguard/test");
    if (!sealed.ok()) abort();
    head = sealed->hash;
    chain.push_back(*std::move(sealed));
  }
  return chain;
}

Record RawRecord(std::string key, std::string value) {
  Record record;
  record.key = std::move(key);
  record.value = std::move(value);
  record.cloud_event = {.id = absl::StrCat("raw-", record.key, "-", record.value.size()),
                        .type = "vanguard.test.Raw",
                        .source = "/vanguard/test",
                        .time = absl::Now()};
  return record;
}

}  // namespace vanguard::eventlog::testing
