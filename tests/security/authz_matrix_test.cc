// The authorisation matrix (issue 10): every command RPC, every ViewService
// read and the AuditService, called over real gRPC by a principal of each
// role acting for the township "town", on a target inside its scope (the
// town's subtree) and outside it (the sibling township "town2"), and with no
// token, an unknown token, a malformed `authorization` header and an expired
// token of each role. Over mTLS (a throwaway CA, server and client
// certificates made with the openssl tool), a clerk identified by its client
// certificate alone, inside and outside its scope, a client certificate of
// the trusted CA that the tokens file does not list, and one of an unknown
// CA. Exactly the allowed cells succeed; a refused cell is PERMISSION_DENIED
// (or UNAUTHENTICATED, or UNAVAILABLE for a certificate the handshake
// refuses), appends nothing, and its message names no organisation outside
// the caller's scope that the caller did not name itself, no person or
// figure of the target, and no token.
//
// Every cell gets a fresh target (a new pledge to approve, a new member to
// transfer, ...) made beforehand by principals who may, so that a cell's
// outcome never depends on the cells before it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/audit/audit_service.h"
#include "services/command/command_services_test_fixture.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard::command::testing {
namespace {

using Code = grpc::StatusCode;

// The principals of the matrix, each acting for the township "town".
enum Who : int { kClerk = 1, kReviewer = 2, kDepartment = 4, kAuditor = 8, kAdministrator = 16 };
constexpr int kEveryRole = kClerk | kReviewer | kDepartment | kAuditor | kAdministrator;
constexpr int kNobody = 0;

struct Caller {
  Who who;
  const char* name;
  const char* token;
};
constexpr Caller kCallers[] = {{kClerk, "clerk", "m-clerk"},
                               {kReviewer, "reviewer", "m-reviewer"},
                               {kDepartment, "department", "m-department"},
                               {kAuditor, "auditor", "m-auditor"},
                               {kAdministrator, "admin", "m-admin"}};

// The same principals with tokens whose lines expired.
constexpr Caller kExpiredCallers[] = {{kClerk, "clerk", "x-clerk"},
                                      {kReviewer, "reviewer", "x-reviewer"},
                                      {kDepartment, "department", "x-department"},
                                      {kAuditor, "auditor", "x-auditor"},
                                      {kAdministrator, "admin", "x-admin"}};

// Principals who prepare the cells' targets (never called in a cell); those of
// town2 make the targets outside the matrix principals' scope.
constexpr char kSetupTownClerk[] = "s-clerk-town";
constexpr char kSetupTown2Clerk[] = "s-clerk-town2";
constexpr char kSetupTownReviewer[] = "s-reviewer-town";
constexpr char kSetupTown2Reviewer[] = "s-reviewer-town2";
constexpr char kSetupTownDepartment[] = "s-department-town";
constexpr char kSetupTown2Department[] = "s-department-town2";
constexpr char kSetupWaterClerk[] = "s-clerk-water";
constexpr char kSetupGeneralClerk[] = "s-clerk-general";
constexpr char kSetupGeneral2Clerk[] = "s-clerk-general2";
constexpr char kSetupBranchClerk[] = "s-clerk-branch";
constexpr char kSetupBranch2Clerk[] = "s-clerk-branch2";
constexpr char kSetupWater2Clerk[] = "s-clerk-water2";
constexpr char kSetupCountyReviewer[] = "s-reviewer-county";
constexpr char kSetupAdmin[] = "s-admin";

std::string MatrixTokens() {
  const std::pair<const char*, const char*> lines[] = {
      {"m-clerk", "clerk-town clerk town"},
      {"m-reviewer", "reviewer-town reviewer town"},
      {"m-department", "department-town department town"},
      {"m-auditor", "auditor-town auditor town"},
      {"m-admin", "admin-county admin county"},
      {kSetupTownClerk, "s-clerk-town clerk town"},
      {kSetupTown2Clerk, "s-clerk-town2 clerk town2"},
      {kSetupTownReviewer, "s-reviewer-town reviewer town"},
      {kSetupTown2Reviewer, "s-reviewer-town2 reviewer town2"},
      {kSetupTownDepartment, "s-department-town department town"},
      {kSetupTown2Department, "s-department-town2 department town2"},
      {kSetupWaterClerk, "s-clerk-water clerk water"},
      {kSetupWater2Clerk, "s-clerk-water2 clerk water2"},
      {kSetupGeneralClerk, "s-clerk-general clerk general"},
      {kSetupGeneral2Clerk, "s-clerk-general2 clerk general2"},
      {kSetupBranchClerk, "s-clerk-branch clerk branch"},
      {kSetupBranch2Clerk, "s-clerk-branch2 clerk branch2"},
      {kSetupCountyReviewer, "s-reviewer-county reviewer county"},
      {kSetupAdmin, "s-admin admin county"}};
  std::string text;
  for (const auto& [token, rest] : lines) {
    absl::StrAppend(&text, rpc::TokenStore::HashToken(token), " ", rest, "\n");
  }
  for (const Caller& expired : kExpiredCallers) {
    absl::StrAppend(&text, rpc::TokenStore::HashToken(expired.token), " ", expired.token, " ",
                    expired.name == std::string("admin") ? "admin county" :
                    absl::StrCat(expired.name, " town"),
                    " expires=2025-01-01T00:00:00+08:00\n");
  }
  // Client certificates: a clerk of the town by its common name alone.
  absl::StrAppend(&text, "cert:m-cert-clerk cert-clerk-town clerk town\n");
  return text;
}

// A throwaway CA with a server certificate for localhost, a client
// certificate the tokens file lists (CN m-cert-clerk), one it does not (CN
// m-cert-unknown), and one of another CA, made with the openssl tool in `dir`.
bool MakeCertificates(const std::string& dir) {
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  auto client = [&](const std::string& name, const std::string& ca) {
    return absl::StrCat("openssl req ", ec, " -keyout ", name, ".key -out ", name,
                        ".csr -subj /CN=m-", name, ";", "openssl x509 -req -in ", name,
                        ".csr -CA ", ca, ".pem -CAkey ", ca, ".key -CAcreateserial -out ", name,
                        ".pem -days 1;");
  };
  const std::string script = absl::StrCat(
      "set -e; cd ", dir, ";", "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext;",
      "openssl req -x509 ", ec, " -keyout ca.key -out ca.pem -days 1 -subj /CN=matrix-ca;",
      "openssl req -x509 ", ec, " -keyout other-ca.key -out other-ca.pem -days 1 -subj /CN=other-ca;",
      "openssl req ", ec, " -keyout server.key -out server.csr -subj /CN=localhost;",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
      " -out server.pem -days 1 -extfile server.ext;", client("cert-clerk", "ca"),
      client("cert-unknown", "ca"), client("cert-foreign", "other-ca"));
  return std::system(absl::StrCat("sh -c \"", script, "\" >/dev/null 2>&1").c_str()) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Organisations outside the matrix principals' scope (town and below).
constexpr const char* kOutside[] = {"town2", "general2", "branch2", "water2"};
// What no refusal may show: names of people and organisations, and figures.
constexpr const char* kPrivate[] = {"党组织", "张三", "硬化村道", "1000000"};

// Where a cell's request goes: set, through this channel (the mTLS server)
// instead of the stub it was prepared with (the plaintext one).
std::shared_ptr<grpc::Channel>& CellChannel() {
  static std::shared_ptr<grpc::Channel> channel;
  return channel;
}

// The stub a cell sends with: `prepared`, or one on CellChannel() when set.
template <typename Stub>
std::unique_ptr<Stub> CellStub(Stub* /*prepared*/) {
  if (CellChannel() == nullptr) return nullptr;
  return std::make_unique<Stub>(CellChannel());
}

// A request ready to send with any `authorization` header ("" sends none).
struct Prepared {
  std::string request_text;
  std::function<grpc::Status(const std::string& authorization)> send;
};

template <typename Stub, typename Request, typename Response>
Prepared Unary(Stub* stub,
               grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
               Request request) {
  return {request.ShortDebugString(), [stub, method, request](const std::string& authorization) {
            grpc::ClientContext context;
            if (!authorization.empty()) context.AddMetadata("authorization", authorization);
            context.set_deadline(absl::ToChronoTime(Soon()));
            Response response;
            std::unique_ptr<Stub> cell = CellStub(stub);
            return ((cell ? cell.get() : stub)->*method)(&context, request, &response);
          }};
}

// One row of the matrix: an RPC, who may call it inside and outside the scope.
struct Rpc {
  const char* name;
  int inside;   // roles allowed on a target in the town's subtree
  int outside;  // roles allowed on a target in town2's subtree
  bool writes;  // a command; a read never appends, even when allowed
  // Makes the cell's target (n numbers the cell) and the request on it.
  std::function<Prepared(bool inside, int n)> prepare;
  // The domain refuses some cells as FAILED_PRECONDITION rather than
  // PERMISSION_DENIED (a report sent to an organisation that is not a superior).
  bool refuses_as_precondition = false;
};

class AuthzMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log"});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store =
        writer::StateStore::Open({.path = dir_.path() + "/state", .log_id = log_->log_id()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto writer =
        writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "127.0.0.1:0"}, Soon());
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);
    auto tokens = rpc::TokenStore::Parse(MatrixTokens());
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    auto keys = privacy::KeyStore::Open({.path = dir_.path() + "/keys"});
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
    services_ = std::make_unique<CommandServices>(writer_.get(), tokens_.get(), CommandLimits{},
                                                  keys_.get());
    auto views = views::ViewStore::Open({.path = dir_.path() + "/views",
                                         .log_id = log_->log_id(),
                                         .partitions = log_->partition_count()});
    ASSERT_TRUE(views.ok()) << views.status();
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    ASSERT_TRUE(projector.ok()) << projector.status();
    projector_ = *std::move(projector);
    view_service_ = std::make_unique<query::ViewServiceImpl>(*views_, *tokens_);
    audit_service_ =
        std::make_unique<audit::AuditServiceImpl>(*log_, *tokens_, views_.get(), dir_.path());
    std::vector<grpc::Service*> all = services_->services();
    all.push_back(view_service_.get());
    all.push_back(audit_service_.get());
    auto server = rpc::Server::Start({}, all);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    plaintext_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                     grpc::InsecureChannelCredentials());
    // The same services over mTLS.
    ASSERT_TRUE(MakeCertificates(dir_.path())) << "openssl could not make test certificates";
    auto tls_server = rpc::Server::Start({.listen_address = "127.0.0.1:0",
                                          .tls_cert_file = dir_.path() + "/server.pem",
                                          .tls_key_file = dir_.path() + "/server.key",
                                          .tls_client_ca_file = dir_.path() + "/ca.pem"},
                                         all);
    ASSERT_TRUE(tls_server.ok()) << tls_server.status();
    tls_server_ = *std::move(tls_server);
    organisations_ = v1::OrganisationService::NewStub(plaintext_);
    members_ = v1::MemberService::NewStub(plaintext_);
    pledges_ = v1::PledgeService::NewStub(plaintext_);
    campaigns_ = v1::CampaignService::NewStub(plaintext_);
    reviews_ = v1::ReviewService::NewStub(plaintext_);
    funds_ = v1::FundsService::NewStub(plaintext_);
    honours_ = v1::HonourService::NewStub(plaintext_);
    supervision_ = v1::SupervisionService::NewStub(plaintext_);
    view_ = v1::ViewService::NewStub(plaintext_);
    audit_ = v1::AuditService::NewStub(plaintext_);
    BuildTree();
  }

  // A channel to the mTLS server presenting the client certificate `name`.
  std::shared_ptr<grpc::Channel> TlsChannel(const std::string& name) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(dir_.path() + "/ca.pem");
    ssl.pem_private_key = ReadFile(dir_.path() + "/" + name + ".key");
    ssl.pem_cert_chain = ReadFile(dir_.path() + "/" + name + ".pem");
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", tls_server_->port()),
                                     grpc::SslCredentials(ssl), arguments);
  }

  void TearDown() override {
    if (tls_server_) tls_server_->Shutdown(absl::Now() + absl::Seconds(5));
    if (server_) server_->Shutdown(absl::Now() + absl::Seconds(5));
    if (projector_) projector_.reset();
  }

  // county → town → general → branch, town → water (a department); the same under town2.
  void BuildTree() {
    Must(Send(organisations_.get(), &OrgStub::RegisterOrganisation, kSetupAdmin,
              RegisterRequest("tree-county", "county", "", v1::ORGANISATION_KIND_COMMITTEE,
                              v1::ORGANISATION_LEVEL_COUNTY),
              Soon()));
    for (const std::string suffix : {"", "2"}) {
      auto add = [&](const std::string& id, const std::string& parent, v1::OrganisationKind kind,
                     v1::OrganisationLevel level, v1::Sector sector) {
        v1::RegisterOrganisationRequest request =
            RegisterRequest(absl::StrCat("tree-", id), id, parent, kind, level);
        request.set_sector(sector);
        Must(Send(organisations_.get(), &OrgStub::RegisterOrganisation, kSetupAdmin, request,
                  Soon()));
      };
      add("town" + suffix, "county", v1::ORGANISATION_KIND_COMMITTEE,
          v1::ORGANISATION_LEVEL_TOWNSHIP, v1::SECTOR_TERRITORIAL);
      add("general" + suffix, "town" + suffix, v1::ORGANISATION_KIND_GENERAL_BRANCH,
          v1::ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_VILLAGE);
      add("branch" + suffix, "general" + suffix, v1::ORGANISATION_KIND_BRANCH,
          v1::ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_VILLAGE);
      add("water" + suffix, "town" + suffix, v1::ORGANISATION_KIND_LEADING_GROUP,
          v1::ORGANISATION_LEVEL_GRASSROOTS, v1::SECTOR_DEPARTMENT);
    }
    for (const std::string town : {"town", "town2"}) {
      v1::AllocateBudgetRequest allocate;
      allocate.set_request_id(absl::StrCat("tree-budget-", town));
      allocate.set_source_organisation_id(town);
      allocate.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
      allocate.set_year(ThisYear());
      allocate.set_amount_fen(1'000'000);
      allocate.set_description("年度经费");
      Must(Send(funds_.get(), &FundsStub::AllocateBudget,
                town == "town" ? kSetupTownDepartment : kSetupTown2Department, allocate, Soon()));
    }
  }

  static int32_t ThisYear() { return static_cast<int32_t>(Today().year()); }

  // The aggregate id of a preparing command, which must succeed.
  std::string Must(const Outcome& outcome) {
    EXPECT_TRUE(outcome.ok()) << "preparing: " << outcome;
    last_token_ = outcome.result.consistency_token();
    return outcome.result.aggregate_id();
  }

  std::string Unique(const char* what, int n) { return absl::StrCat(what, "-", n); }

  // Fresh targets, made by principals who may.
  std::string NewMember(bool inside, int n) {
    return Must(Send(members_.get(), &MemberStub::EnrolMember, kSetupAdmin,
                     EnrolRequest(Unique("prep-member", n), inside ? "branch" : "branch2", "张三"),
                     Soon()));
  }
  // A village branch under the general branch, or under the township itself.
  std::string NewOrganisation(bool inside, int n, bool under_town = false) {
    const std::string id = Unique(inside ? "org" : "org2", n);
    const std::string parent = under_town ? "town" : "general";
    Must(Send(organisations_.get(), &OrgStub::RegisterOrganisation, kSetupAdmin,
              RegisterRequest(Unique("prep-org", n), id, inside ? parent : parent + "2",
                              v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS),
              Soon()));
    return id;
  }
  const char* ClerkOf(bool inside) { return inside ? kSetupTownClerk : kSetupTown2Clerk; }
  const char* ReviewerOf(bool inside) { return inside ? kSetupTownReviewer : kSetupTown2Reviewer; }
  // A pledge of the general branch, under review by the township.
  std::string NewPledge(bool inside, int n) {
    return Must(Send(
        pledges_.get(), &PledgeStub::MakePledge, inside ? kSetupGeneralClerk : kSetupGeneral2Clerk,
        MakeRequest(Unique("prep-pledge", n), OrganisationPledger(inside ? "general" : "general2")),
        Soon()));
  }
  // The township's own pledge, which the county reviews.
  std::string NewTownPledge(bool inside, int n) {
    return Must(Send(
        pledges_.get(), &PledgeStub::MakePledge, ClerkOf(inside),
        MakeRequest(Unique("prep-town-pledge", n), OrganisationPledger(inside ? "town" : "town2")),
        Soon()));
  }
  // An approved pledge of the general branch, or of the township itself.
  std::string NewApprovedPledge(bool inside, int n, bool of_town = false) {
    const std::string pledge = of_town ? NewTownPledge(inside, n) : NewPledge(inside, n);
    v1::ApprovePledgeRequest approve;
    approve.set_request_id(Unique("prep-approve", n));
    approve.set_pledge_id(pledge);
    Must(Send(pledges_.get(), &PledgeStub::ApprovePledge,
              of_town ? kSetupCountyReviewer : ReviewerOf(inside), approve, Soon()));
    return pledge;
  }

  std::vector<int64_t> EndOffsets() {
    std::vector<int64_t> ends;
    for (int32_t p = 0; p < log_->partition_count(); ++p) {
      absl::StatusOr<int64_t> end = log_->EndOffset(p, Soon());
      EXPECT_TRUE(end.ok()) << end.status();
      ends.push_back(end.value_or(-1));
    }
    return ends;
  }

  std::vector<Rpc> CommandRpcs();
  std::vector<Rpc> ReadRpcs();

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<privacy::KeyStore> keys_;
  std::unique_ptr<CommandServices> services_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<query::ViewServiceImpl> view_service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_service_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<rpc::Server> tls_server_;
  std::shared_ptr<grpc::Channel> plaintext_;
  std::unique_ptr<OrgStub> organisations_;
  std::unique_ptr<MemberStub> members_;
  std::unique_ptr<PledgeStub> pledges_;
  std::unique_ptr<CampaignStub> campaigns_;
  std::unique_ptr<ReviewStub> reviews_;
  std::unique_ptr<FundsStub> funds_;
  std::unique_ptr<HonourStub> honours_;
  std::unique_ptr<SupervisionStub> supervision_;
  std::unique_ptr<v1::ViewService::Stub> view_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::string last_token_;
  // Read by the ViewService rows.
  std::string member_in_, member_out_, pledge_in_, pledge_out_;
};

constexpr int kRecorders = kClerk | kAdministrator;
constexpr int kReviewers = kReviewer | kAdministrator;

std::vector<Rpc> AuthzMatrixTest::CommandRpcs() {
  std::vector<Rpc> rpcs;
  // Organisations and members: clerks of the subtree, and the admin anywhere.
  rpcs.push_back(
      {"RegisterOrganisation", kRecorders, kAdministrator, true, [this](bool inside, int n) {
         return Unary(
             organisations_.get(), &OrgStub::RegisterOrganisation,
             RegisterRequest(Unique("cell", n), Unique("new", n), inside ? "general" : "general2",
                             v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS));
       }});
  rpcs.push_back(
      {"RenameOrganisation", kRecorders, kAdministrator, true, [this](bool inside, int n) {
         v1::RenameOrganisationRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_organisation_id(NewOrganisation(inside, n));
         request.set_name(Unique("新名", n));
         return Unary(organisations_.get(), &OrgStub::RenameOrganisation, request);
       }});
  rpcs.push_back({"MoveOrganisation", kRecorders, kAdministrator, true, [this](bool inside, int n) {
                    v1::MoveOrganisationRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_organisation_id(NewOrganisation(inside, n, /*under_town=*/true));
                    request.set_parent_id(inside ? "general" : "general2");
                    request.set_level(v1::ORGANISATION_LEVEL_GRASSROOTS);
                    return Unary(organisations_.get(), &OrgStub::MoveOrganisation, request);
                  }});
  rpcs.push_back(
      {"DissolveOrganisation", kRecorders, kAdministrator, true, [this](bool inside, int n) {
         v1::DissolveOrganisationRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_organisation_id(NewOrganisation(inside, n));
         request.set_reason("合并");
         return Unary(organisations_.get(), &OrgStub::DissolveOrganisation, request);
       }});
  rpcs.push_back({"EnrolMember", kRecorders, kAdministrator, true, [this](bool inside, int n) {
                    return Unary(
                        members_.get(), &MemberStub::EnrolMember,
                        EnrolRequest(Unique("cell", n), inside ? "branch" : "branch2", "李四"));
                  }});
  rpcs.push_back({"UpdateMember", kRecorders, kAdministrator, true, [this](bool inside, int n) {
                    v1::UpdateMemberRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_member_id(NewMember(inside, n));
                    request.mutable_attributes()->set_name("李四");
                    request.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
                    return Unary(members_.get(), &MemberStub::UpdateMember, request);
                  }});
  rpcs.push_back({"TransferMember", kRecorders, kAdministrator, true, [this](bool inside, int n) {
                    v1::TransferMemberRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_member_id(NewMember(inside, n));
                    request.set_to_organisation_id(inside ? "general" : "general2");
                    return Unary(members_.get(), &MemberStub::TransferMember, request);
                  }});
  rpcs.push_back({"RecordMemberLeft", kRecorders, kAdministrator, true, [this](bool inside, int n) {
                    v1::RecordMemberLeftRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_member_id(NewMember(inside, n));
                    request.set_reason(v1::LEAVE_REASON_DECEASED);
                    return Unary(members_.get(), &MemberStub::RecordMemberLeft, request);
                  }});
  // Erasing personal information: admins only (the county's admin covers both townships).
  rpcs.push_back({"EraseMemberPersonalInfo", kAdministrator, kAdministrator, true,
                  [this](bool inside, int n) {
                    v1::EraseMemberPersonalInfoRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_member_id(NewMember(inside, n));
                    return Unary(members_.get(), &MemberStub::EraseMemberPersonalInfo, request);
                  }});
  // Pledges: the pledger's side is the clerks'; the reviewer's side belongs to
  // the pledger's superior alone (the township), so not to the county's admin.
  // A pledge is made by its pledger's own organisation only: the township's
  // own pledge here, which the county's admin may not make for it.
  rpcs.push_back({"MakePledge", kClerk, kNobody, true, [this](bool inside, int n) {
                    return Unary(pledges_.get(), &PledgeStub::MakePledge,
                                 MakeRequest(Unique("cell", n),
                                             OrganisationPledger(inside ? "town" : "town2")));
                  }});
  rpcs.push_back({"ApprovePledge", kReviewer, kNobody, true, [this](bool inside, int n) {
                    v1::ApprovePledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewPledge(inside, n));
                    return Unary(pledges_.get(), &PledgeStub::ApprovePledge, request);
                  }});
  rpcs.push_back({"SendBackPledge", kReviewer, kNobody, true, [this](bool inside, int n) {
                    v1::SendBackPledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewPledge(inside, n));
                    request.set_comment("请补充");
                    return Unary(pledges_.get(), &PledgeStub::SendBackPledge, request);
                  }});
  // The pledger's side on the township's own pledge: its clerk only.
  rpcs.push_back({"RevisePledge", kClerk, kNobody, true, [this](bool inside, int n) {
                    const std::string pledge = NewTownPledge(inside, n);
                    v1::SendBackPledgeRequest send_back;
                    send_back.set_request_id(Unique("prep-send-back", n));
                    send_back.set_pledge_id(pledge);
                    send_back.set_comment("请补充");
                    Must(Send(pledges_.get(), &PledgeStub::SendBackPledge, kSetupCountyReviewer,
                              send_back, Soon()));
                    v1::RevisePledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(pledge);
                    request.set_kind(v1::PLEDGE_KIND_DEED);
                    request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
                    request.set_text("年内修路 12 公里");
                    *request.mutable_target() = Road();
                    *request.mutable_due_on() = domain::ToDate(Today() + 60);
                    return Unary(pledges_.get(), &PledgeStub::RevisePledge, request);
                  }});
  rpcs.push_back({"ReportPledgeProgress", kClerk, kNobody, true, [this](bool inside, int n) {
                    v1::ReportPledgeProgressRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewApprovedPledge(inside, n, /*of_town=*/true));
                    *request.mutable_as_of() = domain::ToDate(Today());
                    *request.mutable_achieved() = Kilometres(1000);
                    request.set_description("已完成 1 公里");
                    return Unary(pledges_.get(), &PledgeStub::ReportPledgeProgress, request);
                  }});
  rpcs.push_back({"AssessPledge", kReviewer, kNobody, true, [this](bool inside, int n) {
                    v1::AssessPledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewApprovedPledge(inside, n));
                    request.set_year(ThisYear());
                    request.set_quarter((Today().month() - 1) / 3 + 1);
                    request.set_rating(v1::RATING_GOOD);
                    return Unary(pledges_.get(), &PledgeStub::AssessPledge, request);
                  }});
  rpcs.push_back({"FulfilPledge", kClerk, kNobody, true, [this](bool inside, int n) {
                    v1::FulfilPledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewApprovedPledge(inside, n, /*of_town=*/true));
                    *request.mutable_achieved() = Kilometres(10000);
                    request.set_description("已完成");
                    return Unary(pledges_.get(), &PledgeStub::FulfilPledge, request);
                  }});
  rpcs.push_back({"WithdrawPledge", kClerk, kNobody, true, [this](bool inside, int n) {
                    v1::WithdrawPledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewTownPledge(inside, n));
                    request.set_reason("情况变化");
                    return Unary(pledges_.get(), &PledgeStub::WithdrawPledge, request);
                  }});
  rpcs.push_back({"EvaluatePledge", kReviewer, kNobody, true, [this](bool inside, int n) {
                    v1::EvaluatePledgeRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pledge_id(NewApprovedPledge(inside, n));
                    request.set_year(ThisYear());
                    request.set_rating(v1::RATING_GOOD);
                    return Unary(pledges_.get(), &PledgeStub::EvaluatePledge, request);
                  }});
  // Campaigns: launched by a committee in scope; changed only by its launcher.
  auto launch = [](const std::string& request_id, const std::string& organisation) {
    v1::LaunchCampaignRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id(organisation);
    request.set_name("创先争优活动");
    request.set_theme("强组织、增活力");
    request.set_carrier("四创四争");
    v1::PhasePlan* phase = request.add_phases();
    phase->set_phase(v1::CAMPAIGN_PHASE_MOBILISATION);
    *phase->mutable_starts_on() = domain::ToDate(Today() - 10);
    *phase->mutable_ends_on() = domain::ToDate(Today() + 10);
    phase = request.add_phases();
    phase->set_phase(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
    *phase->mutable_starts_on() = domain::ToDate(Today() + 11);
    *phase->mutable_ends_on() = domain::ToDate(Today() + 60);
    return request;
  };
  rpcs.push_back({"LaunchCampaign", kClerk, kNobody, true, [this, launch](bool inside, int n) {
                    return Unary(campaigns_.get(), &CampaignStub::LaunchCampaign,
                                 launch(Unique("cell", n), inside ? "town" : "town2"));
                  }});
  auto new_campaign = [this, launch](bool inside, int n) {
    return Must(Send(campaigns_.get(), &CampaignStub::LaunchCampaign, ClerkOf(inside),
                     launch(Unique("prep-campaign", n), inside ? "town" : "town2"), Soon()));
  };
  rpcs.push_back(
      {"ChangeCampaignPhase", kClerk, kNobody, true, [this, new_campaign](bool inside, int n) {
         v1::ChangeCampaignPhaseRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_campaign_id(new_campaign(inside, n));
         request.set_phase(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
         return Unary(campaigns_.get(), &CampaignStub::ChangeCampaignPhase, request);
       }});
  rpcs.push_back(
      {"SetCampaignTargets", kClerk, kNobody, true, [this, new_campaign](bool inside, int n) {
         v1::SetCampaignTargetsRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_campaign_id(new_campaign(inside, n));
         request.set_year(ThisYear());
         request.set_leader_reviews_per_quarter(1);
         return Unary(campaigns_.get(), &CampaignStub::SetCampaignTargets, request);
       }});
  // Reviews, evaluations, appraisals and rectifications: a superior's reviewer.
  rpcs.push_back({"DoLeaderReview", kReviewers, kAdministrator, true, [this](bool inside, int n) {
                    v1::DoLeaderReviewRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_leader_name("书记");
                    *request.mutable_subject() =
                        OrganisationPledger(inside ? "general" : "general2");
                    request.set_achievements("扎实");
                    request.set_rating(v1::RATING_GOOD);
                    return Unary(reviews_.get(), &ReviewStub::DoLeaderReview, request);
                  }});
  rpcs.push_back({"DoMassEvaluation", kReviewers, kAdministrator, true, [this](bool inside, int n) {
                    v1::DoMassEvaluationRequest request;
                    request.set_request_id(Unique("cell", n));
                    *request.mutable_subject() =
                        OrganisationPledger(inside ? "general" : "general2");
                    request.set_period(v1::REPORT_PERIOD_HALF_YEAR);
                    request.set_year(ThisYear());
                    request.mutable_counts()->set_satisfied(40);
                    return Unary(reviews_.get(), &ReviewStub::DoMassEvaluation, request);
                  }});
  // Only the member's own organisation appraises: not the township.
  rpcs.push_back({"AppraiseMember", kNobody, kNobody, true, [this](bool inside, int n) {
                    v1::AppraiseMemberRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_member_id(NewMember(inside, n));
                    request.set_year(ThisYear());
                    request.set_grade(v1::APPRAISAL_GRADE_QUALIFIED);
                    return Unary(reviews_.get(), &ReviewStub::AppraiseMember, request);
                  }});
  auto issue = [](const std::string& request_id, bool inside) {
    v1::IssueRectificationRequest request;
    request.set_request_id(request_id);
    *request.mutable_responsible() = OrganisationPledger(inside ? "general" : "general2");
    request.mutable_source()->set_kind(v1::REFERENCE_KIND_INSPECTION);
    request.mutable_source()->set_id("sup-1");
    request.set_problem("台账不全");
    request.set_required_action("补齐");
    *request.mutable_deadline() = domain::ToDate(Today() + 30);
    return request;
  };
  rpcs.push_back(
      {"IssueRectification", kReviewers, kAdministrator, true, [this, issue](bool inside, int n) {
         return Unary(reviews_.get(), &ReviewStub::IssueRectification,
                      issue(Unique("cell", n), inside));
       }});
  rpcs.push_back(
      {"CloseRectification", kReviewer, kNobody, true, [this, issue](bool inside, int n) {
         v1::CloseRectificationRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_rectification_id(
             Must(Send(reviews_.get(), &ReviewStub::IssueRectification, ReviewerOf(inside),
                       issue(Unique("prep-issue", n), inside), Soon())));
         request.set_resolution("已补齐");
         return Unary(reviews_.get(), &ReviewStub::CloseRectification, request);
       }});
  // Funds: pioneer posts like the records and reviews above; pairings are
  // signed and ended by a side of them only; a budget is spent by its source.
  auto post = [](const std::string& request_id, bool inside, const std::string& member) {
    v1::EstablishPioneerPostRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id(inside ? "branch" : "branch2");
    request.set_member_id(member);
    request.set_year(static_cast<int32_t>(Today().year()));
    request.set_post("党员示范岗");
    request.set_duty("带头修路");
    return request;
  };
  // Only the village organisation itself sets up its posts.
  rpcs.push_back({"EstablishPioneerPost", kNobody, kNobody, true, [this, post](bool inside, int n) {
                    return Unary(funds_.get(), &FundsStub::EstablishPioneerPost,
                                 post(Unique("cell", n), inside, NewMember(inside, n)));
                  }});
  rpcs.push_back(
      {"AssessPioneerPost", kReviewers, kAdministrator, true, [this, post](bool inside, int n) {
         v1::AssessPioneerPostRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_post_id(
             Must(Send(funds_.get(), &FundsStub::EstablishPioneerPost,
                       inside ? kSetupBranchClerk : kSetupBranch2Clerk,
                       post(Unique("prep-post", n), inside, NewMember(inside, n)), Soon())));
         request.set_year(ThisYear());
         request.set_result(v1::ASSESSMENT_RESULT_PASSED);
         return Unary(funds_.get(), &FundsStub::AssessPioneerPost, request);
       }});
  auto pairing = [](const std::string& request_id, bool inside) {
    v1::EstablishPairingRequest request;
    request.set_request_id(request_id);
    request.set_department_organisation_id(inside ? "water" : "water2");
    request.set_recipient_organisation_id(inside ? "branch" : "branch2");
    request.set_agreement_text("结对帮扶");
    return request;
  };
  rpcs.push_back({"EstablishPairing", kNobody, kNobody, true, [this, pairing](bool inside, int n) {
                    return Unary(funds_.get(), &FundsStub::EstablishPairing,
                                 pairing(Unique("cell", n), inside));
                  }});
  rpcs.push_back({"EndPairing", kNobody, kNobody, true, [this, pairing](bool inside, int n) {
                    v1::EndPairingRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_pairing_id(
                        Must(Send(funds_.get(), &FundsStub::EstablishPairing,
                                  inside ? kSetupWaterClerk : kSetupWater2Clerk,
                                  pairing(Unique("prep-pairing", n), inside), Soon())));
                    request.set_reason("到期");
                    return Unary(funds_.get(), &FundsStub::EndPairing, request);
                  }});
  auto allocate = [](const std::string& request_id, bool inside) {
    v1::AllocateBudgetRequest request;
    request.set_request_id(request_id);
    request.set_source_organisation_id(inside ? "town" : "town2");
    request.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
    request.set_year(static_cast<int32_t>(Today().year()));
    request.set_amount_fen(500);
    request.set_description("追加");
    return request;
  };
  rpcs.push_back(
      {"AllocateBudget", kDepartment, kNobody, true, [this, allocate](bool inside, int n) {
         return Unary(funds_.get(), &FundsStub::AllocateBudget,
                      allocate(Unique("cell", n), inside));
       }});
  auto disburse = [](const std::string& request_id, bool inside) {
    v1::DisburseFundsRequest request;
    request.set_request_id(request_id);
    request.set_source_organisation_id(inside ? "town" : "town2");
    request.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
    request.set_year(static_cast<int32_t>(Today().year()));
    request.mutable_recipient()->set_organisation_id(inside ? "branch" : "branch2");
    request.set_amount_fen(300);
    request.set_description("修路");
    return request;
  };
  rpcs.push_back(
      {"DisburseFunds", kDepartment, kNobody, true, [this, disburse](bool inside, int n) {
         return Unary(funds_.get(), &FundsStub::DisburseFunds, disburse(Unique("cell", n), inside));
       }});
  rpcs.push_back({"ReverseFunds", kDepartment, kNobody, true, [this, disburse](bool inside, int n) {
                    grpc::ClientContext context;
                    context.AddMetadata("authorization",
                                        absl::StrCat("Bearer ", inside ? kSetupTownDepartment
                                                                       : kSetupTown2Department));
                    v1::DisburseFundsResponse paid;
                    grpc::Status status = funds_->DisburseFunds(
                        &context, disburse(Unique("prep-disburse", n), inside), &paid);
                    EXPECT_TRUE(status.ok()) << status.error_message();
                    v1::ReverseFundsRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_source_organisation_id(inside ? "town" : "town2");
                    request.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
                    request.set_year(ThisYear());
                    request.set_disbursement_id(paid.disbursement_id());
                    request.set_amount_fen(100);
                    request.set_reason("多付");
                    return Unary(funds_.get(), &FundsStub::ReverseFunds, request);
                  }});
  // Honours: a superior's reviewer; revoked by whoever conferred them.
  auto confer = [](const std::string& request_id, bool inside) {
    v1::ConferHonourRequest request;
    request.set_request_id(request_id);
    request.set_kind(v1::HONOUR_KIND_ADVANCED_ORGANISATION);
    request.set_level(v1::HONOUR_LEVEL_TOWNSHIP);
    request.set_year(static_cast<int32_t>(Today().year()));
    *request.mutable_recipient() = OrganisationPledger(inside ? "general" : "general2");
    request.set_citation("成绩突出");
    return request;
  };
  rpcs.push_back(
      {"ConferHonour", kReviewers, kAdministrator, true, [this, confer](bool inside, int n) {
         return Unary(honours_.get(), &HonourStub::ConferHonour, confer(Unique("cell", n), inside));
       }});
  rpcs.push_back(
      {"RevokeHonour", kReviewers, kAdministrator, true, [this, confer](bool inside, int n) {
         v1::RevokeHonourRequest request;
         request.set_request_id(Unique("cell", n));
         request.set_honour_id(
             Must(Send(honours_.get(), &HonourStub::ConferHonour, ReviewerOf(inside),
                       confer(Unique("prep-honour", n), inside), Soon())));
         request.set_reason("事迹失实");
         return Unary(honours_.get(), &HonourStub::RevokeHonour, request);
       }});
  // Supervision: a clerk records inspections of the subtree; reports go up.
  rpcs.push_back({"RecordInspection", kRecorders, kAdministrator, true, [this](bool inside, int n) {
                    v1::RecordInspectionRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_inspected_organisation_id(inside ? "general" : "general2");
                    request.set_kind(v1::INSPECTION_KIND_SUPERVISION);
                    request.set_period(v1::REPORT_PERIOD_MONTHLY);
                    request.set_inspector_count(3);
                    request.set_findings("到位");
                    request.set_rating(v1::RATING_GOOD);
                    return Unary(supervision_.get(), &SupervisionStub::RecordInspection, request);
                  }});
  // A report goes to a superior: the county from the town, never town2; the
  // county's admin has no superior to report to.
  rpcs.push_back({"SubmitReport", kClerk, kNobody, true,
                  [this](bool inside, int n) {
                    v1::SubmitReportRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_recipient_organisation_id(inside ? "county" : "town2");
                    request.set_period(v1::REPORT_PERIOD_WEEKLY);
                    *request.mutable_period_starts_on() = domain::ToDate(Today() - 6);
                    *request.mutable_period_ends_on() = domain::ToDate(Today());
                    request.set_title("周报");
                    request.set_content("完成公示");
                    return Unary(supervision_.get(), &SupervisionStub::SubmitReport, request);
                  },
                  /*refuses_as_precondition=*/true});
  rpcs.push_back({"HoldMeeting", kRecorders, kRecorders, true, [this](bool, int n) {
                    v1::HoldMeetingRequest request;
                    request.set_request_id(Unique("cell", n));
                    request.set_kind(v1::MEETING_KIND_PARTY_LECTURE);
                    request.set_title("党课");
                    request.set_expected_count(30);
                    request.set_attended_count(28);
                    return Unary(supervision_.get(), &SupervisionStub::HoldMeeting, request);
                  }});
  return rpcs;
}

std::vector<Rpc> AuthzMatrixTest::ReadRpcs() {
  using View = v1::ViewService::Stub;
  // Every principal reads its subtree; auditors and admins read everything.
  constexpr int kReadsEverything = kAuditor | kAdministrator;
  auto organisation = [](bool inside) { return std::string(inside ? "general" : "general2"); };
  std::vector<Rpc> rpcs;
  rpcs.push_back(
      {"GetLevelView", kEveryRole, kReadsEverything, false, [this, organisation](bool inside, int) {
         v1::GetLevelViewRequest request;
         request.set_organisation_id(organisation(inside));
         return Unary(view_.get(), &View::GetLevelView, request);
       }});
  rpcs.push_back({"ListChildren", kEveryRole, kReadsEverything, false, [this](bool inside, int) {
                    v1::ListChildrenRequest request;
                    request.set_organisation_id(inside ? "town" : "town2");
                    return Unary(view_.get(), &View::ListChildren, request);
                  }});
  rpcs.push_back(
      {"GetSeries", kEveryRole, kReadsEverything, false, [this, organisation](bool inside, int) {
         v1::GetSeriesRequest request;
         request.set_organisation_id(organisation(inside));
         return Unary(view_.get(), &View::GetSeries, request);
       }});
  rpcs.push_back({"GetPledge", kEveryRole, kReadsEverything, false, [this](bool inside, int) {
                    v1::GetPledgeRequest request;
                    request.set_pledge_id(inside ? pledge_in_ : pledge_out_);
                    return Unary(view_.get(), &View::GetPledge, request);
                  }});
  rpcs.push_back({"GetOrganisation", kEveryRole, kReadsEverything, false,
                  [this, organisation](bool inside, int) {
                    v1::GetOrganisationRequest request;
                    request.set_organisation_id(organisation(inside));
                    return Unary(view_.get(), &View::GetOrganisation, request);
                  }});
  rpcs.push_back({"GetMember", kEveryRole, kReadsEverything, false, [this](bool inside, int) {
                    v1::GetMemberRequest request;
                    request.set_member_id(inside ? member_in_ : member_out_);
                    return Unary(view_.get(), &View::GetMember, request);
                  }});
  rpcs.push_back(
      {"ListOverduePledges", kEveryRole, kReadsEverything, false, [this](bool inside, int) {
         v1::ListOverduePledgesRequest request;
         request.set_organisation_id(inside ? "town" : "town2");
         return Unary(view_.get(), &View::ListOverduePledges, request);
       }});
  rpcs.push_back({"ListUnreviewedOrganisations", kEveryRole, kReadsEverything, false,
                  [this](bool inside, int) {
                    v1::ListUnreviewedOrganisationsRequest request;
                    request.set_organisation_id(inside ? "town" : "town2");
                    request.set_year(ThisYear());
                    request.set_quarter(1);
                    return Unary(view_.get(), &View::ListUnreviewedOrganisations, request);
                  }});
  rpcs.push_back({"ListParkedEvents", kReadsEverything, kReadsEverything, false, [this](bool, int) {
                    return Unary(view_.get(), &View::ListParkedEvents,
                                 v1::ListParkedEventsRequest());
                  }});
  rpcs.push_back({"StreamHistory", kReadsEverything, kReadsEverything, false,
                  [this, organisation](bool inside, int) {
                    v1::StreamHistoryRequest request;
                    request.set_organisation_id(organisation(inside));
                    v1::AuditService::Stub* stub = audit_.get();
                    return Prepared{request.ShortDebugString(),
                                    [stub, request](const std::string& authorization) {
                                      grpc::ClientContext context;
                                      if (!authorization.empty()) {
                                        context.AddMetadata("authorization", authorization);
                                      }
                                      context.set_deadline(absl::ToChronoTime(Soon()));
                                      auto cell = CellStub(stub);
                                      auto reader = (cell ? cell.get() : stub)
                                                        ->StreamHistory(&context, request);
                                      v1::StreamHistoryResponse page;
                                      while (reader->Read(&page)) {
                                      }
                                      return reader->Finish();
                                    }};
                  }});
  rpcs.push_back(
      {"CompareWithReplay", kReadsEverything, kReadsEverything, false, [this](bool, int) {
         return Unary(audit_.get(), &v1::AuditService::Stub::CompareWithReplay,
                      v1::CompareWithReplayRequest());
       }});
  return rpcs;
}

// A refusal shows nothing of the target: no organisation outside the scope
// that the request did not name, no person, no text, no figure.
void ExpectLeaksNothing(const grpc::Status& status, const Prepared& prepared) {
  for (const std::string& said : {status.error_message(), status.error_details()}) {
    for (const char* outside : kOutside) {
      if (absl::StrContains(prepared.request_text, outside)) continue;
      EXPECT_FALSE(absl::StrContains(said, outside)) << status.error_message();
    }
    for (const char* secret : kPrivate) {
      EXPECT_FALSE(absl::StrContains(said, secret)) << status.error_message();
    }
  }
}

TEST_F(AuthzMatrixTest, ExactlyTheAllowedCellsSucceedAndRefusalsAppendAndShowNothing) {
  member_in_ = NewMember(true, 0);
  member_out_ = NewMember(false, -1);
  pledge_in_ = NewPledge(true, 0);
  pledge_out_ = NewPledge(false, -1);
  {  // The reads see everything prepared so far.
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kSetupAdmin));
    context.set_deadline(absl::ToChronoTime(Soon()));
    v1::GetOrganisationRequest request;
    request.set_organisation_id("general2");
    request.set_consistency_token(last_token_);
    v1::GetOrganisationResponse response;
    ASSERT_TRUE(view_->GetOrganisation(&context, request, &response).ok());
  }

  // No credentials, credentials nobody issued, and headers that are not
  // `Bearer <token>` (a bare token of a real principal included).
  const std::string kNotAuthenticated[] = {"", "Bearer unknown-token",
                                           "Basic bS1hZG1pbg==", "m-admin", "Bearer"};
  int cells = 0;
  int allowed = 0;
  int expired_cells = 0;
  int tls_cells = 0;
  int n = 1;
  const std::shared_ptr<grpc::Channel> clerk_by_certificate = TlsChannel("cert-clerk");
  const std::shared_ptr<grpc::Channel> unknown_certificate = TlsChannel("cert-unknown");
  const std::shared_ptr<grpc::Channel> foreign_certificate = TlsChannel("cert-foreign");
  std::vector<Rpc> rpcs = CommandRpcs();
  for (Rpc& read : ReadRpcs()) rpcs.push_back(std::move(read));
  for (const Rpc& rpc : rpcs) {
    for (const bool inside : {true, false}) {
      for (const Caller& caller : kCallers) {
        SCOPED_TRACE(absl::StrCat(rpc.name, " by the ", caller.name, " ",
                                  inside ? "inside" : "outside", " its scope"));
        const Prepared prepared = rpc.prepare(inside, n++);
        const std::vector<int64_t> before = EndOffsets();
        const grpc::Status status = prepared.send(absl::StrCat("Bearer ", caller.token));
        ++cells;
        if (((inside ? rpc.inside : rpc.outside) & caller.who) != 0) {
          ++allowed;
          EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
          if (!rpc.writes) {
            EXPECT_EQ(EndOffsets(), before);
          }
        } else {
          if (rpc.refuses_as_precondition && status.error_code() == Code::FAILED_PRECONDITION) {
            EXPECT_TRUE(absl::StrContains(status.error_message(), "superior"))
                << status.error_message();
          } else {
            EXPECT_EQ(status.error_code(), Code::PERMISSION_DENIED) << status.error_message();
          }
          // Nothing is outside an admin's scope.
          if (caller.who != kAdministrator) ExpectLeaksNothing(status, prepared);
          EXPECT_EQ(EndOffsets(), before);
        }
      }
    }
    for (const std::string& authorization : kNotAuthenticated) {
      SCOPED_TRACE(absl::StrCat(rpc.name, " with authorization \"", authorization, "\""));
      const Prepared prepared = rpc.prepare(true, n++);
      const std::vector<int64_t> before = EndOffsets();
      const grpc::Status status = prepared.send(authorization);
      ++cells;
      EXPECT_EQ(status.error_code(), Code::UNAUTHENTICATED) << status.error_message();
      ExpectLeaksNothing(status, prepared);
      EXPECT_EQ(EndOffsets(), before);
    }
    // Tokens that were valid once, inside the scope.
    for (const Caller& expired : kExpiredCallers) {
      SCOPED_TRACE(absl::StrCat(rpc.name, " by the ", expired.name, " with an expired token"));
      const Prepared prepared = rpc.prepare(true, n++);
      const std::vector<int64_t> before = EndOffsets();
      const grpc::Status status = prepared.send(absl::StrCat("Bearer ", expired.token));
      ++cells;
      ++expired_cells;
      EXPECT_EQ(status.error_code(), Code::UNAUTHENTICATED) << status.error_message();
      EXPECT_EQ(status.error_message(), "token expired");
      for (const std::string& said : {status.error_message(), status.error_details()}) {
        EXPECT_FALSE(absl::StrContains(said, expired.token));
        EXPECT_FALSE(absl::StrContains(said, rpc::TokenStore::HashToken(expired.token)));
      }
      ExpectLeaksNothing(status, prepared);
      EXPECT_EQ(EndOffsets(), before);
    }
    // mTLS: no bearer token, the client certificate is the credential. The
    // targets are prepared over the plaintext channel, the cell goes over mTLS.
    for (const bool inside : {true, false}) {
      SCOPED_TRACE(absl::StrCat(rpc.name, " by a clerk's client certificate ",
                                inside ? "inside" : "outside", " its scope"));
      const Prepared prepared = rpc.prepare(inside, n++);
      const std::vector<int64_t> before = EndOffsets();
      CellChannel() = clerk_by_certificate;
      const grpc::Status status = prepared.send("");
      CellChannel() = nullptr;
      ++cells;
      ++tls_cells;
      if (((inside ? rpc.inside : rpc.outside) & kClerk) != 0) {
        ++allowed;
        EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
        if (!rpc.writes) {
          EXPECT_EQ(EndOffsets(), before);
        }
      } else {
        if (rpc.refuses_as_precondition && status.error_code() == Code::FAILED_PRECONDITION) {
          EXPECT_TRUE(absl::StrContains(status.error_message(), "superior"))
              << status.error_message();
        } else {
          EXPECT_EQ(status.error_code(), Code::PERMISSION_DENIED) << status.error_message();
        }
        ExpectLeaksNothing(status, prepared);
        EXPECT_EQ(EndOffsets(), before);
      }
    }
    for (const auto& [certificate, code, message] :
         {std::tuple{&unknown_certificate, Code::UNAUTHENTICATED, "unknown client certificate"},
          std::tuple{&foreign_certificate, Code::UNAVAILABLE, ""}}) {
      SCOPED_TRACE(absl::StrCat(rpc.name, " with ",
                                certificate == &unknown_certificate
                                    ? "a client certificate the tokens file does not list"
                                    : "a client certificate of an unknown CA"));
      const Prepared prepared = rpc.prepare(true, n++);
      const std::vector<int64_t> before = EndOffsets();
      CellChannel() = *certificate;
      const grpc::Status status = prepared.send("");
      CellChannel() = nullptr;
      ++cells;
      ++tls_cells;
      EXPECT_EQ(status.error_code(), code) << status.error_message();
      if (*message != '\0') {
        EXPECT_EQ(status.error_message(), message);
      }
      ExpectLeaksNothing(status, prepared);
      EXPECT_EQ(EndOffsets(), before);
    }
  }
  std::printf(
      "authorisation matrix: %zu RPCs, %d cells (%d with expired tokens, %d over mTLS), %d "
      "allowed, %d refused\n",
      rpcs.size(), cells, expired_cells, tls_cells, allowed, cells - allowed);
  RecordProperty("cells", cells);
  RecordProperty("allowed", allowed);
}

}  // namespace
}  // namespace vanguard::command::testing
