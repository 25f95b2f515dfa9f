// Writes the seed corpora of the fuzz targets from a real history: a county's
// tree and a township's year of the campaign, decided request by request as
// the command services decide them (command_harness.h), each event stamped
// and sealed as the writer stamps and seals it.
//
//   build/tests/fuzz/fuzz_make_corpus tests/fuzz/corpus
//
// writes <dir>/command_fuzz/ (each request with the history it was decided
// against), <dir>/envelope_fuzz/ (each kind of event, plus the upcast and
// refused schema versions; the same in <dir>/projection_fuzz/) and <dir>/log_record_fuzz/ (the
// sealed log, whole, per aggregate, tampered and reordered). Seeds are named after what they hold,
// so a rerun rewrites the same files. Exit 1 if a step is refused: the seeds are meant to reach
// past validation.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/time_util.h"
#include "libs/domain/schema.h"
#include "libs/domain/validation.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/partitioner.h"
#include "tests/fuzz/command_harness.h"
#include "tests/fuzz/fuzz_input.h"

namespace vanguard::fuzz {
namespace {

namespace fs = std::filesystem;

constexpr char kTree[] = "org-tree";
constexpr int kPartitions = 4;  // as many as log_record_fuzz's flags address

// Where a writer puts the key, so the acceptance rule takes the seeds.
int PartitionOf(std::string_view key) { return eventlog::Murmur2Partition(key, kPartitions); }

struct StoredForSeed {
  int partition;
  std::string key;
  std::string value;
};

// One stored record as log_record_fuzz reads it (no resealing).
void PutRecord(std::string& out, const StoredForSeed& record, uint8_t extra_flags = 0) {
  out.push_back(static_cast<char>(record.partition << 1 | extra_flags));
  PutChunk(out, record.key);
  PutChunk(out, record.value);
}

class Scenario {
 public:
  explicit Scenario(fs::path dir) : dir_(std::move(dir)) {
    for (const char* target :
         {"command_fuzz", "envelope_fuzz", "log_record_fuzz", "projection_fuzz"}) {
      fs::create_directories(dir_ / target);
    }
    // Every partition is claimed first (epoch 1), as a writer does at start.
    for (int p = 0; p < kPartitions; ++p) {
      v1::Envelope claim;
      claim.set_event_id(absl::StrCat("claim-", p));
      claim.set_aggregate_type(v1::AGGREGATE_TYPE_PARTITION);
      claim.set_aggregate_id(eventlog::ClaimAggregateId(p));
      claim.set_aggregate_version(1);
      claim.set_schema_version(1);
      claim.mutable_owner_claimed()->set_partition(p);
      claim.mutable_owner_claimed()->set_endpoint("127.0.0.1:7400");
      claim.mutable_owner_claimed()->set_epoch(1);
      claim.set_event_type("vanguard.v1.OwnerClaimed");
      Store(claim, p);
    }
  }

  // Decides `text` (a SubmitRequest in text format) as `actor` against the
  // tree, the histories of `also` and the aggregate's own, then records it.
  void Step(std::string_view name, std::string_view text, std::string actor,
            std::string aggregate, std::vector<std::string> also = {}) {
    v1::SubmitRequest request;
    if (!google::protobuf::TextFormat::ParseFromString(std::string(text), &request)) {
      std::fprintf(stderr, "%.*s: the request does not parse\n", static_cast<int>(name.size()),
                   name.data());
      ++refused_;
      return;
    }
    std::vector<v1::Envelope> history = histories_[kTree];
    for (const std::string& id : also) {
      history.insert(history.end(), histories_[id].begin(), histories_[id].end());
    }
    if (aggregate != kTree) {
      history.insert(history.end(), histories_[aggregate].begin(), histories_[aggregate].end());
    }
    int actor_index = static_cast<int>(organisations_.size());
    for (size_t i = 0; i < organisations_.size(); ++i) {
      if (organisations_[i] == actor) actor_index = static_cast<int>(i);
    }
    const std::string input = EncodeCommandInput(history, actor_index, day_, request);
    Write("command_fuzz", absl::StrCat(++steps_, "-", std::string(name)), input);

    CommandInput parsed;
    if (!ParseCommandInput(reinterpret_cast<const uint8_t*>(input.data()), input.size(),
                           parsed)) {
      std::fprintf(stderr, "%.*s: the seed does not read back\n", static_cast<int>(name.size()),
                   name.data());
      ++refused_;
      return;
    }
    absl::StatusOr<std::vector<v1::Envelope>> events = DecideRequest(parsed.world, parsed.request);
    if (!events.ok()) {
      std::fprintf(stderr, "%.*s: refused: %s\n", static_cast<int>(name.size()), name.data(),
                   events.status().ToString().c_str());
      ++refused_;
      return;
    }
    for (v1::Envelope& event : *events) {
      if (event.has_organisation_registered()) {
        organisations_.push_back(event.organisation_registered().organisation_id());
      }
      std::vector<v1::Envelope>& own = histories_[aggregate];
      event.set_event_id(absl::StrCat("evt-", ++events_));
      event.set_aggregate_id(aggregate);
      event.set_aggregate_version(static_cast<int64_t>(own.size()) + 1);
      *event.mutable_recorded_at() =
          google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now()));
      *event.mutable_occurred_at() = event.recorded_at();
      event.mutable_actor()->set_principal_id("seed-principal");
      event.mutable_actor()->set_organisation_id(actor);
      event.set_request_id(absl::StrCat("req-", steps_));
      event.set_schema_version(domain::CurrentSchemaVersion(event.payload_case()));
      event.set_claim_epoch(1);
      event.set_org_tree_version(static_cast<int64_t>(histories_[kTree].size()));
      own.push_back(event);
      if (!seen_types_.contains(event.event_type())) {
        seen_types_[event.event_type()] = true;
        std::string chunk;
        PutChunk(chunk, event.SerializeAsString());
        Write("envelope_fuzz", event.event_type(), chunk);
      }
      all_envelopes_.push_back(event);
      Store(event, PartitionOf(aggregate));
    }
  }

  // The next steps happen `days` later.
  void Advance(int days) { day_ += days; }

  // Writes the seeds that span the whole history; the number of refused steps.
  int Finish() {
    std::string envelopes;
    for (const v1::Envelope& event : all_envelopes_) PutChunk(envelopes, event.SerializeAsString());
    Write("envelope_fuzz", "all-in-order", envelopes);
    // A leader review of schema version 1 (no year and quarter) is upcast; a
    // version newer than this reader knows is refused.
    for (const v1::Envelope& event : all_envelopes_) {
      if (!event.has_leader_review_done()) continue;
      v1::Envelope old = event;
      old.set_schema_version(1);
      old.mutable_leader_review_done()->clear_year();
      old.mutable_leader_review_done()->clear_quarter();
      std::string chunk;
      PutChunk(chunk, old.SerializeAsString());
      Write("envelope_fuzz", "leader-review-schema-1", chunk);
      old = event;
      old.set_schema_version(3);
      chunk.clear();
      PutChunk(chunk, old.SerializeAsString());
      Write("envelope_fuzz", "leader-review-schema-3", chunk);
      break;
    }

    std::string log;
    for (const StoredForSeed& record : stored_) PutRecord(log, record);
    Write("log_record_fuzz", "whole-log", log);
    // Per aggregate, after the claims.
    std::map<std::string, std::string> per_aggregate;
    for (size_t i = kPartitions; i < stored_.size(); ++i) {
      std::string& seed = per_aggregate[stored_[i].key];
      if (seed.empty()) {
        for (int p = 0; p < kPartitions; ++p) PutRecord(seed, stored_[p]);
      }
      PutRecord(seed, stored_[i]);
    }
    for (const auto& [key, seed] : per_aggregate) Write("log_record_fuzz", "aggregate-" + key, seed);
    // A byte flipped inside an envelope, and two events of one aggregate swapped.
    std::string tampered;
    for (size_t i = 0; i < stored_.size(); ++i) {
      StoredForSeed record = stored_[i];
      if (i == stored_.size() / 2) record.value[record.value.size() / 2] ^= 0x01;
      PutRecord(tampered, record);
    }
    Write("log_record_fuzz", "byte-flipped", tampered);
    std::string swapped;
    for (int p = 0; p < kPartitions; ++p) PutRecord(swapped, stored_[p]);
    const std::string& first_key = stored_[kPartitions].key;
    std::vector<StoredForSeed> own;
    for (size_t i = kPartitions; i < stored_.size(); ++i) {
      if (stored_[i].key == first_key) own.push_back(stored_[i]);
    }
    if (own.size() >= 2) std::swap(own[0], own[1]);
    for (const StoredForSeed& record : own) PutRecord(swapped, record);
    Write("log_record_fuzz", "versions-swapped", swapped);
    // The reseal flags: an unsealed copy of the first event that the target
    // seals and links itself.
    std::string resealed;
    for (int p = 0; p < kPartitions; ++p) PutRecord(resealed, stored_[p]);
    StoredForSeed unsealed = stored_[kPartitions];
    v1::Sealed sealed;
    sealed.ParseFromString(unsealed.value);
    sealed.clear_hash();
    unsealed.value = sealed.SerializeAsString();
    PutRecord(resealed, unsealed, 1 | 8);
    Write("log_record_fuzz", "resealed-by-target", resealed);

    std::printf("%d steps (%d refused), %d events, %zu event types, %zu stored records\n",
                steps_, refused_, events_, seen_types_.size(), stored_.size());
    return refused_;
  }

 private:
  absl::Time now() const {
    static const absl::TimeZone shanghai = *domain::ShanghaiTimeZone();
    return absl::FromCivil(absl::CivilDay(2000, 1, 1) + day_, shanghai) + absl::Hours(10);
  }

  void Store(const v1::Envelope& event, int partition) {
    const std::string key = event.aggregate_id();
    absl::StatusOr<eventlog::SealedRecord> sealed =
        eventlog::Seal(event, heads_[key], "/vanguard/command");
    if (!sealed.ok()) {
      std::fprintf(stderr, "sealing %s: %s\n", key.c_str(), sealed.status().ToString().c_str());
      ++refused_;
      return;
    }
    heads_[key] = sealed->hash;
    stored_.push_back({partition, key, sealed->record.value});
  }

  void Write(std::string_view target, std::string_view name, const std::string& bytes) {
    std::string file(name);
    for (char& c : file) {
      if (c == '/' || c == ' ') c = '_';
    }
    std::ofstream(dir_ / target / file, std::ios::binary | std::ios::trunc) << bytes;
    // The projection reads envelopes as envelope_fuzz does: the same seeds.
    if (target == "envelope_fuzz") Write("projection_fuzz", name, bytes);
  }

  fs::path dir_;
  int day_ = static_cast<int>(absl::CivilDay(2010, 3, 1) - absl::CivilDay(2000, 1, 1));
  std::map<std::string, std::vector<v1::Envelope>> histories_;
  std::map<std::string, std::string> heads_;
  std::map<std::string, bool> seen_types_;
  std::vector<std::string> organisations_;
  std::vector<v1::Envelope> all_envelopes_;
  std::vector<StoredForSeed> stored_;
  int steps_ = 0;
  int events_ = 0;
  int refused_ = 0;
};

void Organisation(Scenario& s, const char* id, const char* parent, const char* kind,
                  const char* level, const char* sector) {
  s.Step(absl::StrCat("register-organisation-", id),
         absl::StrCat("register_organisation { request_id: 'r-", id, "' organisation_id: '", id,
                      "' parent_id: '", parent, "' name: '党组织 ", id, "' kind: ", kind,
                      " level: ", level, " sector: ", sector, " }"),
         "", kTree);
}

int Run(const fs::path& dir) {
  Scenario s(dir);
  // province p ─ city c ─ county x ─┬─ department water (county water bureau)
  //                                 └─ township t ─┬─ village general branch v ─ branch b
  //                                                ├─ organ/station branch st
  //                                                └─ school branch h
  Organisation(s, "p", "", "ORGANISATION_KIND_COMMITTEE", "ORGANISATION_LEVEL_PROVINCE",
               "SECTOR_TERRITORIAL");
  Organisation(s, "c", "p", "ORGANISATION_KIND_COMMITTEE", "ORGANISATION_LEVEL_CITY",
               "SECTOR_TERRITORIAL");
  Organisation(s, "x", "c", "ORGANISATION_KIND_COMMITTEE", "ORGANISATION_LEVEL_COUNTY",
               "SECTOR_TERRITORIAL");
  Organisation(s, "water", "x", "ORGANISATION_KIND_LEADING_GROUP", "ORGANISATION_LEVEL_GRASSROOTS",
               "SECTOR_DEPARTMENT");
  Organisation(s, "t", "x", "ORGANISATION_KIND_COMMITTEE", "ORGANISATION_LEVEL_TOWNSHIP",
               "SECTOR_TERRITORIAL");
  Organisation(s, "v", "t", "ORGANISATION_KIND_GENERAL_BRANCH", "ORGANISATION_LEVEL_GRASSROOTS",
               "SECTOR_VILLAGE");
  Organisation(s, "b", "v", "ORGANISATION_KIND_BRANCH", "ORGANISATION_LEVEL_GRASSROOTS",
               "SECTOR_VILLAGE");
  Organisation(s, "st", "t", "ORGANISATION_KIND_BRANCH", "ORGANISATION_LEVEL_GRASSROOTS",
               "SECTOR_ORGAN_STATION");
  Organisation(s, "h", "t", "ORGANISATION_KIND_BRANCH", "ORGANISATION_LEVEL_GRASSROOTS",
               "SECTOR_SCHOOL");
  s.Step("rename-organisation",
         "rename_organisation { request_id: 'r-rn' organisation_id: 'v' name: '雨厦村党总支' "
         "short_name: '雨厦' reason: '村名变更' }",
         "t", kTree);

  s.Step("enrol-member",
         "enrol_member { request_id: 'r-m1' organisation_id: 'b' attributes { name: '李四' "
         "category: MEMBER_CATEGORY_RURAL holds_post: true post_title: '村委委员' "
         "joined_on { year: 1998 month: 7 day: 1 } birth_date { year: 1970 month: 2 day: 3 } } }",
         "b", "mbr-1");
  s.Step("update-member",
         "update_member { request_id: 'r-m2' member_id: 'mbr-1' attributes { name: '李四' "
         "category: MEMBER_CATEGORY_RURAL holds_post: true post_title: '村委主任' "
         "joined_on { year: 1998 month: 7 day: 1 } } reason: '换届' }",
         "b", "mbr-1");
  s.Step("enrol-member-2",
         "enrol_member { request_id: 'r-m3' organisation_id: 'b' attributes { name: '王五' "
         "category: MEMBER_CATEGORY_RURAL } }",
         "b", "mbr-2");

  s.Step("launch-campaign",
         "launch_campaign { request_id: 'r-c1' organisation_id: 'x' "
         "name: '创先争优活动' theme: '推动科学发展' carrier: '公开承诺' "
         "phases { phase: CAMPAIGN_PHASE_MOBILISATION starts_on { year: 2010 month: 3 day: 1 } "
         "ends_on { year: 2010 month: 5 day: 31 } } "
         "phases { phase: CAMPAIGN_PHASE_PUBLIC_PLEDGES starts_on { year: 2010 month: 6 day: 1 } "
         "ends_on { year: 2010 month: 12 day: 31 } } }",
         "x", "cmp-1");
  s.Step("set-campaign-targets",
         "set_campaign_targets { request_id: 'r-c2' campaign_id: 'cmp-1' year: 2010 "
         "advanced_organisation_share_bp: 1000 advanced_organisation_sectors: SECTOR_VILLAGE "
         "advanced_organisation_level: HONOUR_LEVEL_COUNTY excellent_member_share_bp: 500 "
         "excellent_member_level: HONOUR_LEVEL_TOWNSHIP leader_reviews_per_quarter: 1 "
         "leader_review_coverage_bp: 10000 note: '年度目标' }",
         "x", "cmp-1");
  s.Advance(100);  // 2010-06-09
  s.Step("change-campaign-phase",
         "change_campaign_phase { request_id: 'r-c3' campaign_id: 'cmp-1' "
         "phase: CAMPAIGN_PHASE_PUBLIC_PLEDGES }",
         "x", "cmp-1");

  const char* target =
      "target { description: '硬化道路' measure { quantity { value_milli: 3000000 unit: 'km' } } } "
      "due_on { year: 2010 month: 12 day: 31 }";
  s.Step("make-pledge",
         absl::StrCat("make_pledge { request_id: 'r-p1' campaign_id: 'cmp-1' pledger { "
                      "organisation_id: 'b' } kind: PLEDGE_KIND_WORK theme: "
                      "PLEDGE_THEME_CENTRAL_WORK text: '年内硬化村道三公里' ",
                      target, " }"),
         "b", "plg-1");
  s.Step("send-back-pledge",
         "send_back_pledge { request_id: 'r-p2' pledge_id: 'plg-1' comment: '请量化' }", "v",
         "plg-1");
  s.Step("revise-pledge",
         absl::StrCat("revise_pledge { request_id: 'r-p3' pledge_id: 'plg-1' kind: "
                      "PLEDGE_KIND_WORK theme: PLEDGE_THEME_CENTRAL_WORK text: "
                      "'年内硬化村道三公里，惠及两百户' comment: '已量化' ",
                      target, " }"),
         "b", "plg-1");
  s.Step("approve-pledge",
         "approve_pledge { request_id: 'r-p4' pledge_id: 'plg-1' comment: '同意' }", "v",
         "plg-1");
  s.Advance(30);
  s.Step("report-pledge-progress",
         "report_pledge_progress { request_id: 'r-p5' pledge_id: 'plg-1' as_of { year: 2010 "
         "month: 7 day: 1 } achieved { quantity { value_milli: 1500 unit: 'km' } } "
         "description: '完成一半' evidence { description: '照片' uri: 'https://example.org/1' } }",
         "b", "plg-1");
  s.Advance(40);
  s.Step("assess-pledge",
         "assess_pledge { request_id: 'r-p6' pledge_id: 'plg-1' year: 2010 quarter: 3 rating: "
         "RATING_GOOD comment: '进展顺利' }",
         "v", "plg-1");
  s.Step("fulfil-pledge",
         "fulfil_pledge { request_id: 'r-p7' pledge_id: 'plg-1' achieved { quantity { "
         "value_milli: 3000000 unit: 'km' } } description: '全部完成' }",
         "b", "plg-1");
  s.Step("evaluate-pledge",
         "evaluate_pledge { request_id: 'r-p8' pledge_id: 'plg-1' year: 2010 rating: "
         "RATING_EXCELLENT mass_counts { satisfied: 80 basically_satisfied: 15 unsatisfied: 5 } "
         "comment: '群众满意' }",
         "v", "plg-1");
  s.Step("make-member-pledge",
         "make_pledge { request_id: 'r-p9' campaign_id: 'cmp-1' pledger { member_id: 'mbr-1' } "
         "kind: PLEDGE_KIND_DEED theme: PLEDGE_THEME_OWN_SITUATION text: '帮扶两户困难群众' "
         "target { description: '帮扶户数' measure { quantity { value_milli: 2000 unit: '户' } } } "
         "due_on { year: 2010 month: 12 day: 31 } }",
         "b", "plg-2", {"mbr-1"});
  s.Step("withdraw-pledge",
         "withdraw_pledge { request_id: 'r-p10' pledge_id: 'plg-2' reason: '调离' }", "b",
         "plg-2", {"mbr-1"});

  s.Step("do-leader-review",
         "do_leader_review { request_id: 'r-r1' leader_member_id: 'mbr-1' leader_name: '李四' "
         "subject { organisation_id: 'b' } campaign_id: 'cmp-1' achievements: '道路' "
         "problems: '资金' suggestions: '争取' rating: RATING_GOOD }",
         "v", "lrv-1", {"mbr-1"});
  s.Step("do-mass-evaluation",
         "do_mass_evaluation { request_id: 'r-r2' subject { organisation_id: 'b' } campaign_id: "
         "'cmp-1' period: REPORT_PERIOD_QUARTERLY year: 2010 counts { satisfied: 90 "
         "basically_satisfied: 8 unsatisfied: 2 } comment: '满意' }",
         "v", "mev-1");
  s.Step("appraise-member",
         "appraise_member { request_id: 'r-r3' member_id: 'mbr-1' campaign_id: 'cmp-1' year: "
         "2010 grade: APPRAISAL_GRADE_EXCELLENT report_submitted: true mass_counts { "
         "satisfied: 30 } comment: '优秀' }",
         "b", "mbr-1/2010", {"mbr-1"});
  s.Step("issue-rectification",
         "issue_rectification { request_id: 'r-r4' responsible { organisation_id: 'b' } source "
         "{ kind: REFERENCE_KIND_LEADER_REVIEW id: 'lrv-1' } campaign_id: 'cmp-1' problem: '台账不全' "
         "required_action: '补齐台账' deadline { year: 2010 month: 12 day: 1 } }",
         "v", "rct-1");
  s.Step("close-rectification",
         "close_rectification { request_id: 'r-r5' rectification_id: 'rct-1' resolution: "
         "'已补齐' evidence { description: '台账' } }",
         "b", "rct-1");

  s.Step("establish-pioneer-post",
         "establish_pioneer_post { request_id: 'r-f1' organisation_id: 'b' member_id: 'mbr-2' "
         "campaign_id: 'cmp-1' year: 2010 post: '道路养护岗' duty: '巡查村道' }",
         "b", "pp-1", {"mbr-2"});
  s.Step("assess-pioneer-post",
         "assess_pioneer_post { request_id: 'r-f2' post_id: 'pp-1' year: 2010 result: "
         "ASSESSMENT_RESULT_PASSED comment: '合格' }",
         "v", "pp-1");
  s.Step("allocate-subsidy-budget",
         "allocate_budget { request_id: 'r-f8' source_organisation_id: 'water' purpose: "
         "FUNDS_PURPOSE_PIONEER_POST_SUBSIDY year: 2010 amount_fen: 600000 campaign_id: 'cmp-1' "
         "description: '先锋岗补贴' }",
         "water", "bdg-2");
  s.Step("disburse-subsidy",
         "disburse_funds { request_id: 'r-f9' source_organisation_id: 'water' purpose: "
         "FUNDS_PURPOSE_PIONEER_POST_SUBSIDY recipient { member_id: 'mbr-2' } amount_fen: 60000 "
         "reference { kind: REFERENCE_KIND_PIONEER_POST id: 'pp-1' } year: 2010 "
         "description: '先锋岗补贴' }",
         "water", "bdg-2", {"pp-1", "mbr-2"});
  s.Step("establish-pairing",
         "establish_pairing { request_id: 'r-f3' department_organisation_id: 'water' "
         "recipient_organisation_id: 'v' campaign_id: 'cmp-1' programme: '结对共建' "
         "agreement_text: '水利局帮扶雨厦村' }",
         "water", "pr-1");
  s.Step("allocate-budget",
         "allocate_budget { request_id: 'r-f4' source_organisation_id: 'water' purpose: "
         "FUNDS_PURPOSE_CO_BUILDING year: 2010 amount_fen: 10000000 campaign_id: 'cmp-1' "
         "description: '共建资金' }",
         "water", "bdg-1");
  s.Step("disburse-funds",
         "disburse_funds { request_id: 'r-f5' source_organisation_id: 'water' purpose: "
         "FUNDS_PURPOSE_CO_BUILDING recipient { organisation_id: 'v' } amount_fen: 2000000 "
         "reference { kind: REFERENCE_KIND_PAIRING id: 'pr-1' } year: 2010 description: '修路' }",
         "water", "bdg-1");
  s.Step("reverse-funds",
         "reverse_funds { request_id: 'r-f6' source_organisation_id: 'water' purpose: "
         "FUNDS_PURPOSE_CO_BUILDING year: 2010 disbursement_id: 'dsb-r-f5' amount_fen: 500000 "
         "reason: '多付' }",
         "water", "bdg-1");
  s.Step("end-pairing",
         "end_pairing { request_id: 'r-f7' pairing_id: 'pr-1' reason: '期满' }", "water",
         "pr-1");

  s.Step("confer-honour",
         "confer_honour { request_id: 'r-h1' kind: HONOUR_KIND_EXCELLENT_MEMBER level: "
         "HONOUR_LEVEL_TOWNSHIP year: 2010 recipient { member_id: 'mbr-1' } campaign_id: "
         "'cmp-1' citation: '优秀共产党员' }",
         "t", "hnr-1", {"mbr-1"});
  s.Step("revoke-honour",
         "revoke_honour { request_id: 'r-h2' honour_id: 'hnr-1' reason: '核查不实' }", "t",
         "hnr-1");

  s.Step("record-inspection",
         "record_inspection { request_id: 'r-s1' inspected_organisation_id: 't' campaign_id: "
         "'cmp-1' kind: INSPECTION_KIND_SUPERVISION period: REPORT_PERIOD_QUARTERLY "
         "inspector_count: 3 findings: '台账规范' rating: RATING_GOOD }",
         "x", "sup-1");
  s.Step("submit-report",
         "submit_report { request_id: 'r-s2' recipient_organisation_id: 'x' campaign_id: "
         "'cmp-1' period: REPORT_PERIOD_QUARTERLY period_starts_on { year: 2010 month: 4 day: 1 } "
         "period_ends_on { year: 2010 month: 6 day: 30 } title: '二季度报告' content: '进展' }",
         "t", "sup-2");
  s.Step("hold-meeting",
         "hold_meeting { request_id: 'r-s3' campaign_id: 'cmp-1' kind: MEETING_KIND_MOBILISATION "
         "title: '动员大会' expected_count: 50 attended_count: 48 speaker: '书记' summary: '动员' }",
         "t", "sup-3");

  s.Step("transfer-member",
         "transfer_member { request_id: 'r-m4' member_id: 'mbr-2' to_organisation_id: 'st' "
         "reason: '工作调动' }",
         "b", "mbr-2");
  s.Step("record-member-left",
         "record_member_left { request_id: 'r-m5' member_id: 'mbr-2' reason: "
         "LEAVE_REASON_DECEASED note: '病故' }",
         "st", "mbr-2");
  s.Step("move-organisation",
         "move_organisation { request_id: 'r-o1' organisation_id: 'h' parent_id: 'x' reason: "
         "'学校划转' }",
         "x", kTree);
  s.Step("dissolve-organisation",
         "dissolve_organisation { request_id: 'r-o2' organisation_id: 'st' reason: '撤并' "
         "successor_id: 't' }",
         "t", kTree);
  return s.Finish() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vanguard::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  return vanguard::fuzz::Run(argv[1]);
}
