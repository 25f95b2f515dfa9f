// The fixture of the command services' tests: a writer on an embedded log,
// the three services over real gRPC on a loopback port, principals of every
// role, and the tree county → town → general → branch registered through the API
// (tests of funds add the county water bureau with RegisterWaterBureau).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/domain/validation.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/command/command_services.h"
#include "vanguard/v1/campaign_service.grpc.pb.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/honour_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"
#include "vanguard/v1/review_service.grpc.pb.h"
#include "vanguard/v1/supervision_service.grpc.pb.h"

namespace vanguard::command::testing {

using OrgStub = v1::OrganisationService::Stub;
using MemberStub = v1::MemberService::Stub;
using PledgeStub = v1::PledgeService::Stub;
using CampaignStub = v1::CampaignService::Stub;
using ReviewStub = v1::ReviewService::Stub;
using FundsStub = v1::FundsService::Stub;
using HonourStub = v1::HonourService::Stub;
using SupervisionStub = v1::SupervisionService::Stub;

// Bearer tokens of the principals; the tree is county → town → general → branch.
inline constexpr char kAdmin[] = "t-admin";
inline constexpr char kCountyClerk[] = "t-county-clerk";
inline constexpr char kGeneralClerk[] = "t-general-clerk";
inline constexpr char kBranchClerk[] = "t-branch-clerk";
inline constexpr char kTownReviewer[] = "t-town-reviewer";
inline constexpr char kBranchReviewer[] = "t-branch-reviewer";
inline constexpr char kAuditor[] = "t-auditor";
// Of the county water bureau (see RegisterWaterBureau).
inline constexpr char kWaterDepartment[] = "t-water-department";
inline constexpr char kWaterClerk[] = "t-water-clerk";
inline constexpr char kCountyReviewer[] = "t-county-reviewer";
inline constexpr char kCountyDepartment[] = "t-county-department";

inline absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

inline std::string TokensFile() {
  struct Line {
    const char* token;
    const char* rest;
  };
  const Line lines[] = {{kAdmin, "admin-1 admin county"},
                        {kCountyClerk, "clerk-county clerk county"},
                        {kGeneralClerk, "clerk-general clerk general"},
                        {kBranchClerk, "clerk-branch clerk branch"},
                        {kTownReviewer, "reviewer-town reviewer town"},
                        {kBranchReviewer, "reviewer-branch reviewer branch"},
                        {kAuditor, "auditor-1 auditor county"},
                        {kWaterDepartment, "dept-water department water"},
                        {kWaterClerk, "clerk-water clerk water"},
                        {kCountyReviewer, "reviewer-county reviewer county"},
                        {kCountyDepartment, "dept-county department county"}};
  std::string text;
  for (const Line& line : lines) {
    absl::StrAppend(&text, rpc::TokenStore::HashToken(line.token), " ", line.rest, "\n");
  }
  return text;
}

inline absl::CivilDay Today() { return domain::ShanghaiDay(absl::Now()).value(); }

struct Outcome {
  grpc::Status status;
  v1::CommandResult result;

  bool ok() const { return status.ok(); }
  grpc::StatusCode code() const { return status.error_code(); }
};

inline std::ostream& operator<<(std::ostream& os, const Outcome& outcome) {
  return os << outcome.status.error_code() << " " << outcome.status.error_message();
}

template <typename Stub, typename Request, typename Response>
Outcome Send(Stub* stub,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
             const std::string& token, const Request& request, absl::Time deadline) {
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(absl::ToChronoTime(deadline));
  Response response;
  Outcome outcome;
  outcome.status = (stub->*method)(&context, request, &response);
  outcome.result = response.result();
  return outcome;
}

inline v1::RegisterOrganisationRequest RegisterRequest(const std::string& request_id,
                                                       const std::string& id,
                                                       const std::string& parent,
                                                       v1::OrganisationKind kind,
                                                       v1::OrganisationLevel level) {
  v1::RegisterOrganisationRequest request;
  request.set_request_id(request_id);
  request.set_organisation_id(id);
  request.set_parent_id(parent);
  request.set_name(absl::StrCat(id, "党组织"));
  request.set_kind(kind);
  request.set_level(level);
  request.set_sector(level == v1::ORGANISATION_LEVEL_GRASSROOTS ? v1::SECTOR_VILLAGE
                                                                : v1::SECTOR_TERRITORIAL);
  return request;
}

inline v1::EnrolMemberRequest EnrolRequest(const std::string& request_id, const std::string& org,
                                           const std::string& name) {
  v1::EnrolMemberRequest request;
  request.set_request_id(request_id);
  request.set_organisation_id(org);
  request.mutable_attributes()->set_name(name);
  request.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
  return request;
}

inline v1::Target Road() {
  v1::Target target;
  target.set_description("硬化村道 10 公里");
  target.mutable_measure()->mutable_quantity()->set_value_milli(10000);
  target.mutable_measure()->mutable_quantity()->set_unit("公里");
  return target;
}

inline v1::Measure Kilometres(int64_t milli) {
  v1::Measure measure;
  measure.mutable_quantity()->set_value_milli(milli);
  measure.mutable_quantity()->set_unit("公里");
  return measure;
}

inline v1::MakePledgeRequest MakeRequest(const std::string& request_id, v1::Subject pledger) {
  v1::MakePledgeRequest request;
  request.set_request_id(request_id);
  request.set_campaign_id("campaign-2024");
  *request.mutable_pledger() = std::move(pledger);
  request.set_kind(v1::PLEDGE_KIND_DEED);
  request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
  request.set_text("年内硬化村道 10 公里");
  *request.mutable_target() = Road();
  *request.mutable_due_on() = domain::ToDate(Today() + 30);
  return request;
}

inline v1::Subject OrganisationPledger(const std::string& id) {
  v1::Subject subject;
  subject.set_organisation_id(id);
  return subject;
}

inline v1::Subject MemberPledger(const std::string& id) {
  v1::Subject subject;
  subject.set_member_id(id);
  return subject;
}

class CommandServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log", .env = log_env_});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store = writer::StateStore::Open(
        {.path = dir_.path() + "/state", .log_id = log_->log_id(), .env = store_env_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto started =
        writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "127.0.0.1:0"}, Soon());
    ASSERT_TRUE(started.ok()) << started.status();
    writer_ = *std::move(started);
    auto tokens = rpc::TokenStore::Parse(TokensFile());
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    auto keys = privacy::KeyStore::Open({.path = dir_.path() + "/keys"});
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
    services_ = std::make_unique<CommandServices>(writer_.get(), tokens_.get(), CommandLimits{},
                                                  keys_.get());
    auto server = rpc::Server::Start({}, services_->services());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    organisations_ = v1::OrganisationService::NewStub(channel);
    members_ = v1::MemberService::NewStub(channel);
    pledges_ = v1::PledgeService::NewStub(channel);
    campaigns_ = v1::CampaignService::NewStub(channel);
    reviews_ = v1::ReviewService::NewStub(channel);
    funds_ = v1::FundsService::NewStub(channel);
    honours_ = v1::HonourService::NewStub(channel);
    supervision_ = v1::SupervisionService::NewStub(channel);

    tree_results_.push_back(Register(
        kAdmin, RegisterRequest("setup-county", "county", "", v1::ORGANISATION_KIND_COMMITTEE,
                                v1::ORGANISATION_LEVEL_COUNTY)));
    tree_results_.push_back(
        Register(kCountyClerk,
                 RegisterRequest("setup-town", "town", "county", v1::ORGANISATION_KIND_COMMITTEE,
                                 v1::ORGANISATION_LEVEL_TOWNSHIP)));
    tree_results_.push_back(Register(
        kCountyClerk,
        RegisterRequest("setup-general", "general", "town", v1::ORGANISATION_KIND_GENERAL_BRANCH,
                        v1::ORGANISATION_LEVEL_GRASSROOTS)));
    tree_results_.push_back(
        Register(kCountyClerk,
                 RegisterRequest("setup-branch", "branch", "general", v1::ORGANISATION_KIND_BRANCH,
                                 v1::ORGANISATION_LEVEL_GRASSROOTS)));
    for (const Outcome& outcome : tree_results_) ASSERT_TRUE(outcome.ok()) << outcome;
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Now() + absl::Seconds(5));
  }

  int64_t TotalRecords() {
    int64_t total = 0;
    for (int32_t p = 0; p < log_->partition_count(); ++p) total += *log_->EndOffset(p, Soon());
    return total;
  }

  Outcome Register(const std::string& token, const v1::RegisterOrganisationRequest& request,
                   absl::Time deadline = Soon()) {
    return Send(organisations_.get(), &OrgStub::RegisterOrganisation, token, request, deadline);
  }
  Outcome Rename(const std::string& token, const v1::RenameOrganisationRequest& request) {
    return Send(organisations_.get(), &OrgStub::RenameOrganisation, token, request, Soon());
  }
  Outcome Move(const std::string& token, const v1::MoveOrganisationRequest& request) {
    return Send(organisations_.get(), &OrgStub::MoveOrganisation, token, request, Soon());
  }
  Outcome Dissolve(const std::string& token, const v1::DissolveOrganisationRequest& request) {
    return Send(organisations_.get(), &OrgStub::DissolveOrganisation, token, request, Soon());
  }
  Outcome Enrol(const std::string& token, const v1::EnrolMemberRequest& request) {
    return Send(members_.get(), &MemberStub::EnrolMember, token, request, Soon());
  }
  Outcome Update(const std::string& token, const v1::UpdateMemberRequest& request) {
    return Send(members_.get(), &MemberStub::UpdateMember, token, request, Soon());
  }
  Outcome Transfer(const std::string& token, const v1::TransferMemberRequest& request) {
    return Send(members_.get(), &MemberStub::TransferMember, token, request, Soon());
  }
  Outcome Leave(const std::string& token, const v1::RecordMemberLeftRequest& request) {
    return Send(members_.get(), &MemberStub::RecordMemberLeft, token, request, Soon());
  }
  Outcome Erase(const std::string& token, const v1::EraseMemberPersonalInfoRequest& request) {
    return Send(members_.get(), &MemberStub::EraseMemberPersonalInfo, token, request, Soon());
  }
  Outcome Make(const std::string& token, const v1::MakePledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::MakePledge, token, request, Soon());
  }
  Outcome Approve(const std::string& token, const v1::ApprovePledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::ApprovePledge, token, request, Soon());
  }
  Outcome SendBack(const std::string& token, const v1::SendBackPledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::SendBackPledge, token, request, Soon());
  }
  Outcome Revise(const std::string& token, const v1::RevisePledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::RevisePledge, token, request, Soon());
  }
  Outcome Report(const std::string& token, const v1::ReportPledgeProgressRequest& request) {
    return Send(pledges_.get(), &PledgeStub::ReportPledgeProgress, token, request, Soon());
  }
  Outcome Assess(const std::string& token, const v1::AssessPledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::AssessPledge, token, request, Soon());
  }
  Outcome Fulfil(const std::string& token, const v1::FulfilPledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::FulfilPledge, token, request, Soon());
  }
  Outcome Withdraw(const std::string& token, const v1::WithdrawPledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::WithdrawPledge, token, request, Soon());
  }
  Outcome Evaluate(const std::string& token, const v1::EvaluatePledgeRequest& request) {
    return Send(pledges_.get(), &PledgeStub::EvaluatePledge, token, request, Soon());
  }

  // Any RPC of any service, with a deadline of Soon().
  template <typename Stub, typename Request, typename Response>
  Outcome Call(const std::unique_ptr<Stub>& stub,
               grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
               const std::string& token, const Request& request) {
    return Send(stub.get(), method, token, request, Soon());
  }

  // The county water bureau (水务局), a department under the county.
  void RegisterWaterBureau() {
    v1::RegisterOrganisationRequest request =
        RegisterRequest("setup-water", "water", "county", v1::ORGANISATION_KIND_LEADING_GROUP,
                        v1::ORGANISATION_LEVEL_GRASSROOTS);
    request.set_sector(v1::SECTOR_DEPARTMENT);
    Outcome registered = Register(kCountyClerk, request);
    ASSERT_TRUE(registered.ok()) << registered;
  }

  // Enrols a member of the village branch; its id.
  std::string EnrolInBranch(const std::string& request_id) {
    Outcome enrolled = Enrol(kBranchClerk, EnrolRequest(request_id, "branch", "张三"));
    EXPECT_TRUE(enrolled.ok()) << enrolled;
    return enrolled.result.aggregate_id();
  }

  v1::ApprovePledgeRequest ApproveRequest(const std::string& request_id,
                                          const std::string& pledge_id) {
    v1::ApprovePledgeRequest request;
    request.set_request_id(request_id);
    request.set_pledge_id(pledge_id);
    request.set_comment("同意");
    return request;
  }

  v1::RevisePledgeRequest ReviseRequest(const std::string& request_id,
                                        const std::string& pledge_id) {
    v1::RevisePledgeRequest request;
    request.set_request_id(request_id);
    request.set_pledge_id(pledge_id);
    request.set_kind(v1::PLEDGE_KIND_DEED);
    request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
    request.set_text("年内硬化村道 10 公里，并安装路灯");
    *request.mutable_target() = Road();
    *request.mutable_due_on() = domain::ToDate(Today() + 60);
    request.set_comment("已按意见补充");
    return request;
  }

  eventlog::testing::ScopedTempDir dir_;
  rocksdb::Env* log_env_ = nullptr;  // the log's storage: the local disk unless a test sets it
  rocksdb::Env* store_env_ = nullptr;  // the state store's, likewise
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<privacy::KeyStore> keys_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<CommandServices> services_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<OrgStub> organisations_;
  std::unique_ptr<MemberStub> members_;
  std::unique_ptr<PledgeStub> pledges_;
  std::unique_ptr<CampaignStub> campaigns_;
  std::unique_ptr<ReviewStub> reviews_;
  std::unique_ptr<FundsStub> funds_;
  std::unique_ptr<HonourStub> honours_;
  std::unique_ptr<SupervisionStub> supervision_;
  std::vector<Outcome> tree_results_;
};

}  // namespace vanguard::command::testing
