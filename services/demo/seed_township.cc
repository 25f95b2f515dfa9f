#include "services/demo/seed_township.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/acceptance.h"
#include "libs/rpc/auth.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"

namespace vanguard::demo {
namespace {

constexpr int kYear = 2010;
constexpr int kVillages = 11;
constexpr int kStations = 8;
constexpr int kPostsPerVillage = 6;
constexpr int kStationMembers = 157, kRuralMembers = 385, kRetiredMembers = 24;

std::string Village(int v) { return absl::StrCat("village-", v); }

// Calls the public API as the principals of the seed, one command at a time.
class Builder {
 public:
  Builder(const std::shared_ptr<grpc::Channel>& channel, std::function<void(int, int)> progress)
      : organisations_(v1::OrganisationService::NewStub(channel)),
        members_(v1::MemberService::NewStub(channel)),
        funds_(v1::FundsService::NewStub(channel)),
        progress_(std::move(progress)) {}

  absl::Status Build();

 private:
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<v1::CommandResult> Call(Stub* stub,
                                         grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                      const Request&, Response*),
                                         const std::string& principal, const Request& request) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + SeedToken(principal));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    Response response;
    grpc::Status status = (stub->*method)(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(
          static_cast<absl::StatusCode>(status.error_code()),
          absl::StrCat(request.request_id(), " by ", principal, ": ", status.error_message()));
    }
    if (progress_) progress_(++done_, kTotalCommands);
    return response.result();
  }

  absl::Status Register(const std::string& id, const std::string& parent, const std::string& name,
                        v1::OrganisationKind kind, v1::OrganisationLevel level, v1::Sector sector);
  absl::StatusOr<std::string> Enrol(const std::string& organisation, v1::MemberCategory category,
                                    int n);
  absl::Status Allocate(const std::string& principal, const std::string& source,
                        v1::FundsPurpose purpose, int64_t amount_fen);
  absl::Status Disburse(const std::string& principal, const std::string& source,
                        v1::FundsPurpose purpose, v1::Subject recipient, int64_t amount_fen,
                        v1::ReferenceKind kind, const std::string& reference);

  // Registrations, enrolments, three commands per post, four per pairing, one allocation.
  static constexpr int kTotalCommands = (1 + 8 + 1 + kStations + kVillages + 48) +
                                        (kStationMembers + kRuralMembers + kRetiredMembers) +
                                        (3 * kVillages * kPostsPerVillage + 1) + 3 * 8;

  std::unique_ptr<v1::OrganisationService::Stub> organisations_;
  std::unique_ptr<v1::MemberService::Stub> members_;
  std::unique_ptr<v1::FundsService::Stub> funds_;
  std::function<void(int, int)> progress_;
  int done_ = 0;
};

absl::Status Builder::Register(const std::string& id, const std::string& parent,
                               const std::string& name, v1::OrganisationKind kind,
                               v1::OrganisationLevel level, v1::Sector sector) {
  return Call(organisations_.get(), &v1::OrganisationService::Stub::RegisterOrganisation,
              "county-admin", RegisterRequest(id, parent, name, kind, level, sector))
      .status();
}

absl::StatusOr<std::string> Builder::Enrol(const std::string& organisation,
                                           v1::MemberCategory category, int n) {
  v1::EnrolMemberRequest request;
  request.set_request_id(absl::StrCat("enrol-", organisation, "-", n));
  request.set_organisation_id(organisation);
  v1::MemberAttributes* attributes = request.mutable_attributes();
  attributes->set_name(absl::StrCat(organisation, "党员", n));
  attributes->set_category(category);
  attributes->set_ethnicity(n % 3 == 0 ? "彝族" : "汉族");
  ASSIGN_OR_RETURN(
      v1::CommandResult result,
      Call(members_.get(), &v1::MemberService::Stub::EnrolMember, "county-admin", request));
  return result.aggregate_id();
}

absl::Status Builder::Allocate(const std::string& principal, const std::string& source,
                               v1::FundsPurpose purpose, int64_t amount_fen) {
  v1::AllocateBudgetRequest request;
  request.set_request_id(absl::StrCat("allocate-", source, "-", purpose));
  request.set_source_organisation_id(source);
  request.set_purpose(purpose);
  request.set_year(kYear);
  request.set_amount_fen(amount_fen);
  request.set_description(purpose == v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY ? "无职党员带薪设岗补助"
                                                                            : "结对共建经费");
  return Call(funds_.get(), &v1::FundsService::Stub::AllocateBudget, principal, request).status();
}

absl::Status Builder::Disburse(const std::string& principal, const std::string& source,
                               v1::FundsPurpose purpose, v1::Subject recipient, int64_t amount_fen,
                               v1::ReferenceKind kind, const std::string& reference) {
  v1::DisburseFundsRequest request;
  request.set_request_id(absl::StrCat("disburse-", source, "-", reference));
  request.set_source_organisation_id(source);
  request.set_purpose(purpose);
  request.set_year(kYear);
  *request.mutable_recipient() = std::move(recipient);
  request.set_amount_fen(amount_fen);
  request.mutable_reference()->set_kind(kind);
  request.mutable_reference()->set_id(reference);
  request.set_description(kind == v1::REFERENCE_KIND_PIONEER_POST ? "先锋岗考核合格补助"
                                                                  : "结对共建投入");
  return Call(funds_.get(), &v1::FundsService::Stub::DisburseFunds, principal, request).status();
}

absl::Status Builder::Build() {
  using v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_KIND_COMMITTEE,
      v1::ORGANISATION_KIND_GENERAL_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS;
  // The tree: the county (root), its departments, the township and its 67 organisations.
  RETURN_IF_ERROR(Register("county", "", "县委", ORGANISATION_KIND_COMMITTEE,
                           v1::ORGANISATION_LEVEL_COUNTY, v1::SECTOR_TERRITORIAL));
  for (const Department& d : kSeedDepartments) {
    RETURN_IF_ERROR(Register(d.id, "county", absl::StrCat(d.name, "党组"),
                             v1::ORGANISATION_KIND_LEADING_GROUP, ORGANISATION_LEVEL_GRASSROOTS,
                             v1::SECTOR_DEPARTMENT));
  }
  RETURN_IF_ERROR(Register("township", "county", "乡党委", ORGANISATION_KIND_COMMITTEE,
                           v1::ORGANISATION_LEVEL_TOWNSHIP, v1::SECTOR_TERRITORIAL));
  std::vector<std::string> stations, village_branches;
  for (int s = 1; s <= kStations; ++s) {
    stations.push_back(absl::StrCat("station-", s));
    RETURN_IF_ERROR(Register(stations.back(), "township", absl::StrCat("机关站所第", s, "党支部"),
                             ORGANISATION_KIND_BRANCH, ORGANISATION_LEVEL_GRASSROOTS,
                             v1::SECTOR_ORGAN_STATION));
  }
  for (int v = 1; v <= kVillages; ++v) {
    RETURN_IF_ERROR(Register(Village(v), "township", absl::StrCat("第", v, "村党总支"),
                             ORGANISATION_KIND_GENERAL_BRANCH, ORGANISATION_LEVEL_GRASSROOTS,
                             v1::SECTOR_VILLAGE));
    for (int b = 1; b <= (v <= 4 ? 5 : 4); ++b) {  // 4 × 5 + 7 × 4 = 48
      village_branches.push_back(absl::StrCat(Village(v), "-branch-", b));
      RETURN_IF_ERROR(Register(village_branches.back(), Village(v),
                               absl::StrCat("第", v, "村第", b, "党支部"), ORGANISATION_KIND_BRANCH,
                               ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_VILLAGE));
    }
  }

  // 566 members: 157 in the stations, 385 rural and 24 retired in the villages.
  std::map<std::string, std::vector<std::string>> rural_by_village;
  for (int i = 0; i < kStationMembers; ++i) {
    RETURN_IF_ERROR(Enrol(stations[i % kStations], v1::MEMBER_CATEGORY_ORGAN_STATION, i).status());
  }
  for (int i = 0; i < kRuralMembers; ++i) {
    const std::string& branch = village_branches[i % village_branches.size()];
    ASSIGN_OR_RETURN(std::string member, Enrol(branch, v1::MEMBER_CATEGORY_RURAL, i));
    rural_by_village[branch.substr(0, branch.find("-branch-"))].push_back(member);
  }
  for (int i = 0; i < kRetiredMembers; ++i) {
    RETURN_IF_ERROR(Enrol(village_branches[(i * 7) % village_branches.size()],
                          v1::MEMBER_CATEGORY_RETIRED, 1000 + i)
                        .status());
  }

  // Six pioneer posts per village, held by rural members without a post,
  // assessed by the township, each paid ¥600 from the township's budget.
  RETURN_IF_ERROR(Allocate("township-treasurer", "township", v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY,
                           kVillages * kPostsPerVillage * kSubsidyFen));
  for (int v = 1; v <= kVillages; ++v) {
    const std::vector<std::string>& holders = rural_by_village[Village(v)];
    for (int p = 0; p < kPostsPerVillage; ++p) {
      v1::EstablishPioneerPostRequest establish;
      establish.set_request_id(absl::StrCat("post-", v, "-", p));
      establish.set_organisation_id(Village(v));
      establish.set_member_id(holders[p]);
      establish.set_year(kYear);
      establish.set_post("党员先锋岗");
      establish.set_duty(p % 2 ? "环境卫生监督" : "矛盾纠纷调解");
      ASSIGN_OR_RETURN(v1::CommandResult post,
                       Call(funds_.get(), &v1::FundsService::Stub::EstablishPioneerPost,
                            "clerk-" + Village(v), establish));
      v1::AssessPioneerPostRequest assess;
      assess.set_request_id(absl::StrCat("assess-", post.aggregate_id()));
      assess.set_post_id(post.aggregate_id());
      assess.set_year(kYear);
      assess.set_result(v1::ASSESSMENT_RESULT_PASSED);
      RETURN_IF_ERROR(Call(funds_.get(), &v1::FundsService::Stub::AssessPioneerPost,
                           "township-reviewer", assess)
                          .status());
      v1::Subject holder;
      holder.set_member_id(holders[p]);
      RETURN_IF_ERROR(Disburse("township-treasurer", "township",
                               v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY, holder, kSubsidyFen,
                               v1::REFERENCE_KIND_PIONEER_POST, post.aggregate_id()));
    }
  }

  // Eight pairings, each department funding its village (co-building).
  int village = 0;
  for (const Department& department : kSeedDepartments) {
    ++village;
    v1::EstablishPairingRequest pair;
    pair.set_request_id(absl::StrCat("pair-", department.id));
    pair.set_department_organisation_id(department.id);
    pair.set_recipient_organisation_id(Village(village));
    pair.set_programme("五联五创");
    pair.set_agreement_text("共创协议");
    ASSIGN_OR_RETURN(v1::CommandResult pairing,
                     Call(funds_.get(), &v1::FundsService::Stub::EstablishPairing,
                          std::string(department.id), pair));
    RETURN_IF_ERROR(Allocate(department.id, department.id, v1::FUNDS_PURPOSE_CO_BUILDING,
                             department.yuan * 100));
    v1::Subject recipient;
    recipient.set_organisation_id(Village(village));
    RETURN_IF_ERROR(Disburse(department.id, department.id, v1::FUNDS_PURPOSE_CO_BUILDING, recipient,
                             department.yuan * 100, v1::REFERENCE_KIND_PAIRING,
                             pairing.aggregate_id()));
  }
  return absl::OkStatus();
}

}  // namespace

v1::RegisterOrganisationRequest RegisterRequest(const std::string& id, const std::string& parent,
                                                const std::string& name, v1::OrganisationKind kind,
                                                v1::OrganisationLevel level, v1::Sector sector) {
  v1::RegisterOrganisationRequest request;
  request.set_request_id("register-" + id);
  request.set_organisation_id(id);
  request.set_parent_id(parent);
  request.set_name(name);
  request.set_kind(kind);
  request.set_level(level);
  request.set_sector(sector);
  return request;
}

std::string SeedToken(const std::string& principal) { return "seed-token-of-" + principal; }

std::string SeedTownshipTokens() {
  std::string tokens;
  auto add = [&](const std::string& principal, const std::string& roles, const std::string& org) {
    absl::StrAppend(&tokens, rpc::TokenStore::HashToken(SeedToken(principal)), " ", principal, " ",
                    roles, " ", org, "\n");
  };
  add("county-admin", "admin", "county");
  add("township-reviewer", "reviewer", "township");
  add("township-treasurer", "department", "township");
  for (int v = 1; v <= kVillages; ++v) add("clerk-" + Village(v), "clerk", Village(v));
  // A department pairs as a clerk of itself and pays as a department.
  for (const Department& d : kSeedDepartments) add(d.id, "clerk,department", d.id);
  return tokens;
}

absl::Status BuildSeedTownship(const std::shared_ptr<grpc::Channel>& channel,
                               const std::function<void(int, int)>& progress) {
  return Builder(channel, progress).Build();
}

absl::StatusOr<LogCensus> TakeCensus(eventlog::EventLog& log, absl::Time deadline) {
  LogCensus census;
  std::map<std::string, eventlog::AggregateHead> heads;
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    int64_t epoch = 0;
    ASSIGN_OR_RETURN(int64_t end, log.EndOffset(p, deadline));
    if (end == 0) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<eventlog::LogReader> reader, log.OpenReader({{p, 0}}));
    for (int64_t read = 0; read < end;) {
      ASSIGN_OR_RETURN(std::vector<eventlog::StoredRecord> records, reader->Poll(10'000, deadline));
      if (records.empty()) return absl::DeadlineExceededError("census: the log stopped short");
      for (const eventlog::StoredRecord& record : records) {
        if (record.offset >= end) break;
        ++read;
        ++census.records;
        eventlog::Judgement j =
            eventlog::Accept(record, heads[record.key], epoch, log.partition_count());
        if (!j.accepted) {
          ++census.rejected;
          continue;
        }
        heads[record.key] = {j.envelope.aggregate_version(), j.hash};
        if (j.is_claim) epoch = j.envelope.owner_claimed().epoch();
        const v1::Envelope& e = j.envelope;
        ++census.events[e.event_type()];
        if (e.has_member_enrolled()) ++census.members[e.member_enrolled().attributes().category()];
        if (e.has_organisation_registered()) {
          const v1::OrganisationRegistered& o = e.organisation_registered();
          ++census.organisations[absl::StrCat(v1::Sector_Name(o.sector()), "/",
                                              v1::OrganisationKind_Name(o.kind()))];
        }
        if (e.has_funds_disbursed()) {
          const v1::FundsDisbursed& f = e.funds_disbursed();
          if (f.purpose() == v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY) {
            census.subsidies_fen += f.amount_fen();
          } else {
            census.funds_by_source_fen[f.source_organisation_id()] += f.amount_fen();
          }
        }
      }
    }
  }
  return census;
}

}  // namespace vanguard::demo
