// A first look at the ledger: the organisation tree of the seed township
// (67 organisations under its committee, as its 2010 report lists them)
// written as sealed events, read back and verified.
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/eventlog/hash_chain.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/subcommands.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard {
namespace {

constexpr char kTreeId[] = "org-tree";

struct Organisation {
  std::string id, parent_id, name;
  v1::OrganisationKind kind;
  v1::OrganisationLevel level;
  v1::Sector sector;
};

// Seed 000: 8 organ/station branches, 11 village general branches and 48
// village branches under the township committee.
std::vector<Organisation> SeedTownship() {
  std::vector<Organisation> out;
  out.push_back({"org-township", "", "乡党委", v1::ORGANISATION_KIND_COMMITTEE,
                 v1::ORGANISATION_LEVEL_TOWNSHIP, v1::SECTOR_TERRITORIAL});
  for (int i = 1; i <= 8; ++i) {
    out.push_back({absl::StrCat("org-station-", i), "org-township",
                   absl::StrCat("机关站所第", i, "党支部"), v1::ORGANISATION_KIND_BRANCH,
                   v1::ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_ORGAN_STATION});
  }
  int branch = 0;
  for (int v = 1; v <= 11; ++v) {
    std::string village = absl::StrCat("org-village-", v);
    out.push_back({village, "org-township", absl::StrCat("第", v, "村党总支"),
                   v1::ORGANISATION_KIND_GENERAL_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS,
                   v1::SECTOR_VILLAGE});
    int branches = v <= 4 ? 5 : 4;  // 4 × 5 + 7 × 4 = 48
    for (int b = 1; b <= branches; ++b, ++branch) {
      out.push_back({absl::StrCat(village, "-branch-", b), village,
                     absl::StrCat("第", v, "村第", b, "党支部"), v1::ORGANISATION_KIND_BRANCH,
                     v1::ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_VILLAGE});
    }
  }
  return out;
}

v1::Envelope Registered(const Organisation& org, int64_t version) {
  v1::Envelope envelope;
  envelope.set_event_id(absl::StrCat("demo-", kTreeId, "-", version));
  envelope.set_aggregate_type(v1::AGGREGATE_TYPE_ORG_TREE);
  envelope.set_aggregate_id(kTreeId);
  envelope.set_aggregate_version(version);
  envelope.set_event_type("vanguard.v1.OrganisationRegistered");
  auto now =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
  *envelope.mutable_occurred_at() = now;
  *envelope.mutable_recorded_at() = now;
  envelope.mutable_actor()->set_principal_id("demo");
  envelope.mutable_actor()->set_organisation_id("org-township");
  envelope.set_request_id(absl::StrCat("demo-register-", org.id));
  envelope.set_schema_version(1);
  envelope.set_org_tree_version(version - 1);
  auto* registered = envelope.mutable_organisation_registered();
  registered->set_organisation_id(org.id);
  registered->set_parent_id(org.parent_id);
  registered->set_name(org.name);
  registered->set_kind(org.kind);
  registered->set_level(org.level);
  registered->set_sector(org.sector);
  return envelope;
}

}  // namespace

int RunLogDemo() {
  auto log = OpenLogFromFlags();
  if (!log.ok()) {
    std::cerr << "vanguard demo: " << log.status() << "\n";
    return 2;
  }
  eventlog::EventLog& events = **log;
  auto deadline = [] { return absl::Now() + absl::Seconds(30); };
  for (int32_t p = 0; p < events.partition_count(); ++p) {
    if (auto end = events.EndOffset(p, deadline()); !end.ok() || *end != 0) {
      std::cerr << "vanguard demo: the log " << events.log_id()
                << " is not empty; give the demo a fresh --data_dir\n";
      return 2;
    }
  }

  std::vector<Organisation> township = SeedTownship();
  std::cout << "Writing the seed township's organisation tree to " << events.log_id() << "\n";
  std::string head;
  std::vector<eventlog::Record> batch;
  std::map<std::string, int> by_kind;
  absl::Time start = absl::Now();
  eventlog::Position last;
  for (size_t i = 0; i < township.size(); ++i) {
    auto sealed = eventlog::Seal(Registered(township[i], static_cast<int64_t>(i) + 1), head,
                                 "/vanguard/demo");
    if (!sealed.ok()) {
      std::cerr << "vanguard demo: " << sealed.status() << "\n";
      return 1;
    }
    head = sealed->hash;
    batch.push_back(std::move(sealed->record));
    by_kind[v1::OrganisationKind_Name(township[i].kind) + " / " +
            v1::Sector_Name(township[i].sector)]++;
    if (batch.size() == 10 || i + 1 == township.size()) {
      auto positions = events.Append(batch, deadline());
      if (!positions.ok()) {
        std::cerr << "vanguard demo: " << positions.status() << "\n";
        return 1;
      }
      last = positions->back();
      batch.clear();
    }
  }
  absl::Duration took = absl::Now() - start;

  std::cout << "\n  " << std::left << std::setw(56) << "organisations (kind / sector)"
            << "count\n";
  for (const auto& [kind, count] : by_kind) {
    std::cout << "  " << std::setw(56) << kind << count << "\n";
  }
  std::cout << "\n  " << township.size() << " events on partition " << last.partition
            << ", offsets 0.." << last.offset << ", durable in " << absl::FormatDuration(took)
            << "\n";
  std::cout << "  head of " << kTreeId << ": version " << township.size() << ", hash "
            << absl::BytesToHexString(head).substr(0, 16) << "…\n";

  auto report = eventlog::VerifyLog(events, deadline());
  if (!report.ok()) {
    std::cerr << "vanguard demo: " << report.status() << "\n";
    return 1;
  }
  std::cout << "  verify: " << report->records << " records read back, every hash chain "
            << (report->breaks.empty() ? "intact" : "BROKEN") << "\n";
  return report->breaks.empty() ? 0 : 1;
}

}  // namespace vanguard
