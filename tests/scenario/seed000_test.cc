// The township of seed 000 (a 2010 work report), built through the public gRPC
// API by the principals who would really act: its 67 organisations (8
// organ/station branches, 11 village general branches, 48 village branches)
// under the township committee, 566 members (385 rural, 157 organ/station, 24
// retired), 6 pioneer posts in each village with ¥600 each after passing, and
// 8 county departments paired with villages, disbursing ¥80,000, 50,000,
// 40,000, 40,000, 30,000, 20,000, 20,000 and 20,000. Then the log, read with
// the acceptance rule every reader uses, must hold exactly those events.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/command/command_services.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"

namespace vanguard {
namespace {

constexpr int kYear = 2010;
constexpr int kVillages = 11;
constexpr int kStations = 8;
constexpr int kPostsPerVillage = 6;
constexpr int64_t kSubsidyFen = 600 * 100;

struct Department {
  const char* id;
  const char* name;
  int64_t yuan;
};
// Seed 000: eight villages paired with county departments, and what each gave.
constexpr Department kDepartments[] = {
    {"water-bureau", "县水务局", 80'000},         {"forestry-bureau", "县林业局", 50'000},
    {"education-bureau", "县教育局", 40'000},     {"transport-bureau", "县交通局", 40'000},
    {"health-bureau", "县卫生局", 30'000},        {"agriculture-bureau", "县农业局", 20'000},
    {"civil-affairs-bureau", "县民政局", 20'000}, {"finance-bureau", "县财政局", 20'000},
};

std::string Village(int v) { return absl::StrCat("village-", v); }
std::string Token(const std::string& principal) { return "token-of-" + principal; }

class Seed000Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log"});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store =
        writer::StateStore::Open({.path = dir_.path() + "/state", .log_id = log_->log_id()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto writer = writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "seed000"},
                                        absl::Now() + absl::Minutes(1));
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);

    // Who acts: the county admin, the township's reviewer and treasurer, a
    // clerk per village, and each department (pairs as clerk, pays as department).
    std::string tokens;
    auto add = [&](const std::string& principal, const std::string& roles, const std::string& org) {
      absl::StrAppend(&tokens, rpc::TokenStore::HashToken(Token(principal)), " ", principal, " ",
                      roles, " ", org, "\n");
    };
    add("county-admin", "admin", "county");
    add("township-reviewer", "reviewer", "township");
    add("township-treasurer", "department", "township");
    for (int v = 1; v <= kVillages; ++v) add("clerk-" + Village(v), "clerk", Village(v));
    for (const Department& d : kDepartments) add(d.id, "clerk,department", d.id);
    auto parsed = rpc::TokenStore::Parse(tokens);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(parsed));
    services_ = std::make_unique<command::CommandServices>(writer_.get(), tokens_.get());
    auto server = rpc::Server::Start({}, services_->services());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    organisations_ = v1::OrganisationService::NewStub(channel);
    members_ = v1::MemberService::NewStub(channel);
    funds_ = v1::FundsService::NewStub(channel);
  }

  // Calls `method` as `principal`; fails the test on any error.
  template <typename Stub, typename Request, typename Response>
  v1::CommandResult Call(Stub* stub,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                      Response*),
                         const std::string& principal, const Request& request) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + Token(principal));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Response response;
    grpc::Status status = (stub->*method)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << principal << " " << request.request_id() << ": "
                             << status.error_message();
    return response.result();
  }

  void Register(const std::string& id, const std::string& parent, const std::string& name,
                v1::OrganisationKind kind, v1::OrganisationLevel level, v1::Sector sector) {
    v1::RegisterOrganisationRequest request;
    request.set_request_id("register-" + id);
    request.set_organisation_id(id);
    request.set_parent_id(parent);
    request.set_name(name);
    request.set_kind(kind);
    request.set_level(level);
    request.set_sector(sector);
    Call(organisations_.get(), &v1::OrganisationService::Stub::RegisterOrganisation, "county-admin",
         request);
  }

  std::string Enrol(const std::string& organisation, v1::MemberCategory category, int n) {
    v1::EnrolMemberRequest request;
    request.set_request_id(absl::StrCat("enrol-", organisation, "-", n));
    request.set_organisation_id(organisation);
    v1::MemberAttributes* a = request.mutable_attributes();
    a->set_name(absl::StrCat(organisation, "党员", n));
    a->set_category(category);
    a->set_ethnicity(n % 3 == 0 ? "彝族" : "汉族");
    return Call(members_.get(), &v1::MemberService::Stub::EnrolMember, "county-admin", request)
        .aggregate_id();
  }

  void Allocate(const std::string& principal, const std::string& source, v1::FundsPurpose purpose,
                int64_t amount_fen) {
    v1::AllocateBudgetRequest request;
    request.set_request_id(absl::StrCat("allocate-", source, "-", purpose));
    request.set_source_organisation_id(source);
    request.set_purpose(purpose);
    request.set_year(kYear);
    request.set_amount_fen(amount_fen);
    request.set_description(purpose == v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY
                                ? "无职党员带薪设岗补助"
                                : "结对共建经费");
    Call(funds_.get(), &v1::FundsService::Stub::AllocateBudget, principal, request);
  }

  v1::CommandResult Disburse(const std::string& principal, const std::string& source,
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
    return Call(funds_.get(), &v1::FundsService::Stub::DisburseFunds, principal, request);
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<command::CommandServices> services_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<v1::OrganisationService::Stub> organisations_;
  std::unique_ptr<v1::MemberService::Stub> members_;
  std::unique_ptr<v1::FundsService::Stub> funds_;
};

TEST_F(Seed000Test, TheTownshipAsItsReportDescribesIt) {
  using v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_KIND_COMMITTEE,
      v1::ORGANISATION_KIND_GENERAL_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS;
  // The tree: the county (root), its departments, the township and its 67 organisations.
  Register("county", "", "县委", ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_COUNTY,
           v1::SECTOR_TERRITORIAL);
  for (const Department& d : kDepartments) {
    Register(d.id, "county", absl::StrCat(d.name, "党组"), v1::ORGANISATION_KIND_LEADING_GROUP,
             ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_DEPARTMENT);
  }
  Register("township", "county", "乡党委", ORGANISATION_KIND_COMMITTEE,
           v1::ORGANISATION_LEVEL_TOWNSHIP, v1::SECTOR_TERRITORIAL);
  std::vector<std::string> stations, village_branches;
  for (int s = 1; s <= kStations; ++s) {
    stations.push_back(absl::StrCat("station-", s));
    Register(stations.back(), "township", absl::StrCat("机关站所第", s, "党支部"),
             ORGANISATION_KIND_BRANCH, ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_ORGAN_STATION);
  }
  for (int v = 1; v <= kVillages; ++v) {
    Register(Village(v), "township", absl::StrCat("第", v, "村党总支"),
             ORGANISATION_KIND_GENERAL_BRANCH, ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_VILLAGE);
    for (int b = 1; b <= (v <= 4 ? 5 : 4); ++b) {  // 4 × 5 + 7 × 4 = 48
      village_branches.push_back(absl::StrCat(Village(v), "-branch-", b));
      Register(village_branches.back(), Village(v), absl::StrCat("第", v, "村第", b, "党支部"),
               ORGANISATION_KIND_BRANCH, ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_VILLAGE);
    }
  }
  ASSERT_EQ(village_branches.size(), 48u);

  // 566 members: 157 in the stations, 385 rural and 24 retired in the villages.
  std::map<std::string, std::vector<std::string>> rural_by_village;
  for (int i = 0; i < 157; ++i) {
    Enrol(stations[i % kStations], v1::MEMBER_CATEGORY_ORGAN_STATION, i);
  }
  for (int i = 0; i < 385; ++i) {
    const std::string& branch = village_branches[i % village_branches.size()];
    std::string member = Enrol(branch, v1::MEMBER_CATEGORY_RURAL, i);
    rural_by_village[branch.substr(0, branch.find("-branch-"))].push_back(member);
  }
  for (int i = 0; i < 24; ++i) {
    Enrol(village_branches[(i * 7) % village_branches.size()], v1::MEMBER_CATEGORY_RETIRED,
          1000 + i);
  }

  // Six pioneer posts per village, held by rural members without a post,
  // assessed by the township, each paid ¥600 from the township's budget.
  Allocate("township-treasurer", "township", v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY,
           kVillages * kPostsPerVillage * kSubsidyFen);
  int64_t subsidies_fen = 0;
  for (int v = 1; v <= kVillages; ++v) {
    const std::vector<std::string>& holders = rural_by_village[Village(v)];
    ASSERT_GE(holders.size(), static_cast<size_t>(kPostsPerVillage));
    for (int p = 0; p < kPostsPerVillage; ++p) {
      v1::EstablishPioneerPostRequest establish;
      establish.set_request_id(absl::StrCat("post-", v, "-", p));
      establish.set_organisation_id(Village(v));
      establish.set_member_id(holders[p]);
      establish.set_year(kYear);
      establish.set_post("党员先锋岗");
      establish.set_duty(p % 2 ? "环境卫生监督" : "矛盾纠纷调解");
      std::string post = Call(funds_.get(), &v1::FundsService::Stub::EstablishPioneerPost,
                              "clerk-" + Village(v), establish)
                             .aggregate_id();
      v1::AssessPioneerPostRequest assess;
      assess.set_request_id(absl::StrCat("assess-", post));
      assess.set_post_id(post);
      assess.set_year(kYear);
      assess.set_result(v1::ASSESSMENT_RESULT_PASSED);
      Call(funds_.get(), &v1::FundsService::Stub::AssessPioneerPost, "township-reviewer", assess);
      v1::Subject holder;
      holder.set_member_id(holders[p]);
      Disburse("township-treasurer", "township", v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY, holder,
               kSubsidyFen, v1::REFERENCE_KIND_PIONEER_POST, post);
      subsidies_fen += kSubsidyFen;
    }
  }

  // Eight pairings, each department funding its village (co-building).
  for (size_t d = 0; d < std::size(kDepartments); ++d) {
    const Department& department = kDepartments[d];
    v1::EstablishPairingRequest pair;
    pair.set_request_id(absl::StrCat("pair-", department.id));
    pair.set_department_organisation_id(department.id);
    pair.set_recipient_organisation_id(Village(static_cast<int>(d) + 1));
    pair.set_programme("五联五创");
    pair.set_agreement_text("共创协议");
    std::string pairing = Call(funds_.get(), &v1::FundsService::Stub::EstablishPairing,
                               std::string(department.id), pair)
                              .aggregate_id();
    Allocate(department.id, department.id, v1::FUNDS_PURPOSE_CO_BUILDING, department.yuan * 100);
    v1::Subject village;
    village.set_organisation_id(Village(static_cast<int>(d) + 1));
    Disburse(department.id, department.id, v1::FUNDS_PURPOSE_CO_BUILDING, village,
             department.yuan * 100, v1::REFERENCE_KIND_PAIRING, pairing);
  }

  // The log itself, judged by the acceptance rule.
  std::map<std::string, int> events;  // event type → accepted count
  std::map<v1::MemberCategory, int> members;
  std::map<std::string, int> organisations_by_sector_kind;
  std::map<std::string, int64_t> paid_by_source;
  int64_t subsidies_in_log = 0;
  std::map<std::string, eventlog::AggregateHead> heads;
  std::map<int32_t, int64_t> epochs;
  int rejected = 0;
  for (int32_t p = 0; p < log_->partition_count(); ++p) {
    int64_t end = *log_->EndOffset(p, absl::InfiniteFuture());
    auto reader = log_->OpenReader({{p, 0}});
    ASSERT_TRUE(reader.ok());
    for (int64_t read = 0; read < end;) {
      auto records = (*reader)->Poll(10'000, absl::Now() + absl::Seconds(5));
      ASSERT_TRUE(records.ok() && !records->empty());
      for (const eventlog::StoredRecord& record : *records) {
        ++read;
        eventlog::Judgement j = eventlog::Accept(record, heads[record.key], epochs[p]);
        if (!j.accepted) {
          ++rejected;
          continue;
        }
        heads[record.key] = {j.envelope.aggregate_version(), j.hash};
        if (j.is_claim) epochs[p] = j.envelope.owner_claimed().epoch();
        const v1::Envelope& e = j.envelope;
        ++events[e.event_type()];
        if (e.has_member_enrolled()) ++members[e.member_enrolled().attributes().category()];
        if (e.has_organisation_registered()) {
          const auto& o = e.organisation_registered();
          ++organisations_by_sector_kind[absl::StrCat(v1::Sector_Name(o.sector()), "/",
                                                      v1::OrganisationKind_Name(o.kind()))];
        }
        if (e.has_funds_disbursed()) {
          const auto& f = e.funds_disbursed();
          if (f.purpose() == v1::FUNDS_PURPOSE_PIONEER_POST_SUBSIDY) {
            subsidies_in_log += f.amount_fen();
          } else {
            paid_by_source[f.source_organisation_id()] += f.amount_fen();
          }
        }
      }
    }
  }
  EXPECT_EQ(rejected, 0);
  EXPECT_EQ(events["vanguard.v1.OwnerClaimed"], log_->partition_count());
  EXPECT_EQ(events["vanguard.v1.OrganisationRegistered"], 1 + 8 + 1 + 67);
  EXPECT_EQ(organisations_by_sector_kind["SECTOR_ORGAN_STATION/ORGANISATION_KIND_BRANCH"], 8);
  EXPECT_EQ(organisations_by_sector_kind["SECTOR_VILLAGE/ORGANISATION_KIND_GENERAL_BRANCH"], 11);
  EXPECT_EQ(organisations_by_sector_kind["SECTOR_VILLAGE/ORGANISATION_KIND_BRANCH"], 48);
  EXPECT_EQ(events["vanguard.v1.MemberEnrolled"], 566);
  EXPECT_EQ(members[v1::MEMBER_CATEGORY_RURAL], 385);
  EXPECT_EQ(members[v1::MEMBER_CATEGORY_ORGAN_STATION], 157);
  EXPECT_EQ(members[v1::MEMBER_CATEGORY_RETIRED], 24);
  EXPECT_EQ(events["vanguard.v1.PioneerPostEstablished"], 66);
  EXPECT_EQ(events["vanguard.v1.PioneerPostAssessed"], 66);
  EXPECT_EQ(events["vanguard.v1.PairingEstablished"], 8);
  EXPECT_EQ(events["vanguard.v1.BudgetAllocated"], 1 + 8);
  EXPECT_EQ(events["vanguard.v1.FundsDisbursed"], 66 + 8);
  EXPECT_EQ(subsidies_in_log, 39'600 * 100) << "¥39,600 of subsidies";
  EXPECT_EQ(subsidies_fen, subsidies_in_log);
  int64_t pairing_total = 0;
  for (const Department& d : kDepartments) {
    EXPECT_EQ(paid_by_source[d.id], d.yuan * 100) << d.id;
    pairing_total += paid_by_source[d.id];
  }
  EXPECT_EQ(pairing_total, 300'000 * 100) << "¥300,000 of pairing funds";
  size_t kinds = 0;
  for (const auto& [type, count] : events) kinds += count > 0;
  EXPECT_EQ(kinds, 8u) << "no other kind of event";

  auto report = eventlog::VerifyLog(*log_, absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->breaks.empty());
}

}  // namespace
}  // namespace vanguard
