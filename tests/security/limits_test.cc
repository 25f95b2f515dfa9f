// Limits a hostile caller meets, over real gRPC against a writer, a projector,
// the ViewService and the AuditService in this process: a request larger than
// the server receives is RESOURCE_EXHAUSTED before any handler and appends
// nothing; every page size is 0..1000 and anything else INVALID_ARGUMENT; a
// history stream sends at most its per-call share of records and ends with a
// token that resumes; and a history stream reads only what it was asked for
// (an organisation's subtree, one aggregate), whatever page token it is given.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"
#include "services/audit/audit_service.h"
#include "services/command/command_services_test_fixture.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/submit_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard::command::testing {
namespace {

using Code = grpc::StatusCode;

constexpr char kAdminToken[] = "l-admin";
constexpr char kAuditorToken[] = "l-auditor";
constexpr int64_t kRecordsPerCall = 5;

class LimitsTest : public ::testing::Test {
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
    auto tokens = rpc::TokenStore::Parse(
        absl::StrCat(rpc::TokenStore::HashToken(kAdminToken), " l-admin admin county\n",
                     rpc::TokenStore::HashToken(kAuditorToken), " l-auditor auditor county\n"));
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    services_ = std::make_unique<CommandServices>(writer_.get(), tokens_.get());
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
    audit_service_->set_max_records_per_call(kRecordsPerCall);
    std::vector<grpc::Service*> all = services_->services();
    all.push_back(view_service_.get());
    all.push_back(audit_service_.get());
    // The default options: what every process serves with.
    auto server = rpc::Server::Start({}, all);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    organisations_ = v1::OrganisationService::NewStub(channel);
    members_ = v1::MemberService::NewStub(channel);
    submit_ = v1::SubmitService::NewStub(channel);
    view_ = v1::ViewService::NewStub(channel);
    audit_ = v1::AuditService::NewStub(channel);

    // county → town-a → branch-a and county → town-b → branch-b.
    Register("county", "", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_COUNTY);
    for (const char* side : {"a", "b"}) {
      Register(absl::StrCat("town-", side), "county", v1::ORGANISATION_KIND_COMMITTEE,
               v1::ORGANISATION_LEVEL_TOWNSHIP);
      Register(absl::StrCat("branch-", side), absl::StrCat("town-", side),
               v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS);
    }
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Now() + absl::Seconds(5));
    projector_.reset();
  }

  void Register(const std::string& id, const std::string& parent, v1::OrganisationKind kind,
                v1::OrganisationLevel level) {
    Outcome outcome = Send(organisations_.get(), &OrgStub::RegisterOrganisation, kAdminToken,
                           RegisterRequest(absl::StrCat("register-", id), id, parent, kind, level),
                           Soon());
    ASSERT_TRUE(outcome.ok()) << outcome;
  }

  std::string Enrol(const std::string& request_id, const std::string& organisation) {
    Outcome outcome = Send(members_.get(), &MemberStub::EnrolMember, kAdminToken,
                           EnrolRequest(request_id, organisation, "张三"), Soon());
    EXPECT_TRUE(outcome.ok()) << outcome;
    return outcome.result.aggregate_id();
  }

  int64_t TotalRecords() {
    int64_t total = 0;
    for (int32_t p = 0; p < log_->partition_count(); ++p) total += *log_->EndOffset(p, Soon());
    return total;
  }

  // One StreamHistory call: its pages and status.
  std::vector<v1::StreamHistoryResponse> History(const v1::StreamHistoryRequest& request,
                                                 grpc::Status* status) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kAuditorToken));
    context.set_deadline(absl::ToChronoTime(Soon()));
    auto reader = audit_->StreamHistory(&context, request);
    std::vector<v1::StreamHistoryResponse> pages;
    v1::StreamHistoryResponse page;
    while (reader->Read(&page)) pages.push_back(page);
    *status = reader->Finish();
    return pages;
  }

  // The AuditService's records per call (0: no limit).
  void SetLimit(int64_t records) {
    limit_ = records;
    audit_service_->set_max_records_per_call(records);
  }

  // Every record of a history, call after call, each call checked to send at
  // most the limit's records; `calls` counts them.
  std::vector<v1::HistoryRecord> WholeHistory(v1::StreamHistoryRequest request, int* calls) {
    std::vector<v1::HistoryRecord> records;
    *calls = 0;
    while (true) {
      ++*calls;
      grpc::Status status;
      std::vector<v1::StreamHistoryResponse> pages = History(request, &status);
      EXPECT_TRUE(status.ok()) << status.error_message();
      int64_t sent = 0;
      for (const auto& page : pages) {
        sent += page.records_size();
        for (const auto& record : page.records()) records.push_back(record);
      }
      if (limit_ > 0) {
        EXPECT_LE(sent, limit_);
      }
      if (pages.empty() || pages.back().next_page_token().empty() || *calls > 100) break;
      request.set_page_token(pages.back().next_page_token());
    }
    return records;
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<CommandServices> services_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<query::ViewServiceImpl> view_service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_service_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<OrgStub> organisations_;
  std::unique_ptr<MemberStub> members_;
  std::unique_ptr<v1::SubmitService::Stub> submit_;
  std::unique_ptr<v1::ViewService::Stub> view_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  int64_t limit_ = kRecordsPerCall;
};

TEST_F(LimitsTest, ARequestLargerThanTheServerReceivesIsRefusedAndAppendsNothing) {
  const int64_t before = TotalRecords();
  // 2 MiB: past the server's 1 MiB, refused by gRPC before any handler.
  v1::EnrolMemberRequest huge = EnrolRequest("huge", "branch-a", std::string(2 << 20, 'x'));
  Outcome unary = Send(members_.get(), &MemberStub::EnrolMember, kAdminToken, huge, Soon());
  EXPECT_EQ(unary.code(), Code::RESOURCE_EXHAUSTED) << unary;
  EXPECT_EQ(TotalRecords(), before);

  // The same command in a Submit stream ends the stream.
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kAdminToken));
    context.set_deadline(absl::ToChronoTime(Soon()));
    auto stream = submit_->Submit(&context);
    v1::SubmitRequest command;
    *command.mutable_enrol_member() = huge;
    stream->Write(command);
    stream->WritesDone();
    v1::SubmitResponse response;
    EXPECT_FALSE(stream->Read(&response)) << "answered: " << response.ShortDebugString();
    grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), Code::RESOURCE_EXHAUSTED) << status.error_message();
  }
  EXPECT_EQ(TotalRecords(), before);

  // Under the limit, the request reaches its handler, which names the field.
  v1::EnrolMemberRequest long_name =
      EnrolRequest("long-name", "branch-a", std::string(512 << 10, 'x'));
  Outcome handled = Send(members_.get(), &MemberStub::EnrolMember, kAdminToken, long_name, Soon());
  EXPECT_EQ(handled.code(), Code::INVALID_ARGUMENT) << handled;
  EXPECT_TRUE(absl::StrContains(handled.status.error_message(), "name")) << handled;
  EXPECT_EQ(TotalRecords(), before);
}

TEST_F(LimitsTest, EveryPageSizeIsZeroToAThousand) {
  Enrol("member-1", "branch-a");
  ASSERT_TRUE(projector_->WaitCaughtUp(Soon()));
  // Sends each list with a page size; the status.
  const std::vector<std::pair<const char*, std::function<grpc::Status(int32_t)>>> lists = {
      {"ListChildren",
       [&](int32_t size) {
         v1::ListChildrenRequest request;
         request.set_organisation_id("county");
         request.set_page_size(size);
         v1::ListChildrenResponse response;
         grpc::ClientContext context;
         context.AddMetadata("authorization", absl::StrCat("Bearer ", kAuditorToken));
         return view_->ListChildren(&context, request, &response);
       }},
      {"ListOverduePledges",
       [&](int32_t size) {
         v1::ListOverduePledgesRequest request;
         request.set_organisation_id("county");
         request.set_page_size(size);
         v1::ListOverduePledgesResponse response;
         grpc::ClientContext context;
         context.AddMetadata("authorization", absl::StrCat("Bearer ", kAuditorToken));
         return view_->ListOverduePledges(&context, request, &response);
       }},
      {"ListUnreviewedOrganisations",
       [&](int32_t size) {
         v1::ListUnreviewedOrganisationsRequest request;
         request.set_organisation_id("county");
         request.set_year(static_cast<int32_t>(Today().year()));
         request.set_quarter(1);
         request.set_page_size(size);
         v1::ListUnreviewedOrganisationsResponse response;
         grpc::ClientContext context;
         context.AddMetadata("authorization", absl::StrCat("Bearer ", kAuditorToken));
         return view_->ListUnreviewedOrganisations(&context, request, &response);
       }},
      {"ListParkedEvents",
       [&](int32_t size) {
         v1::ListParkedEventsRequest request;
         request.set_page_size(size);
         v1::ListParkedEventsResponse response;
         grpc::ClientContext context;
         context.AddMetadata("authorization", absl::StrCat("Bearer ", kAuditorToken));
         return view_->ListParkedEvents(&context, request, &response);
       }},
      {"StreamHistory (aggregate)",
       [&](int32_t size) {
         v1::StreamHistoryRequest request;
         request.set_aggregate_id("org-tree");
         request.set_page_size(size);
         grpc::Status status;
         History(request, &status);
         return status;
       }},
      {"StreamHistory (subtree)", [&](int32_t size) {
         v1::StreamHistoryRequest request;
         request.set_organisation_id("town-a");
         request.set_page_size(size);
         grpc::Status status;
         History(request, &status);
         return status;
       }}};
  int refused = 0;
  for (const auto& [name, send] : lists) {
    for (int32_t size : {0, 1, 1000}) {
      grpc::Status status = send(size);
      EXPECT_TRUE(status.ok()) << name << " page_size " << size << ": " << status.error_message();
    }
    for (int32_t size : {-1, 1001, 1 << 30}) {
      grpc::Status status = send(size);
      ++refused;
      EXPECT_EQ(status.error_code(), Code::INVALID_ARGUMENT) << name << " page_size " << size;
      std::vector<google::rpc::BadRequest::FieldViolation> fields = rpc::FieldViolationsOf(status);
      ASSERT_EQ(fields.size(), 1u) << name;
      EXPECT_EQ(fields[0].field(), "page_size") << name;
      EXPECT_EQ(fields[0].description(), "must be 0 (default 100) to 1000") << name;
    }
  }
  std::printf("page sizes: %zu lists, %d out-of-range sizes refused\n", lists.size(), refused);
}

TEST_F(LimitsTest, AHistoryStreamSendsItsShareThenResumesFromItsToken) {
  for (int i = 0; i < 6; ++i) {
    Register(absl::StrCat("village-", i), "town-a", v1::ORGANISATION_KIND_BRANCH,
             v1::ORGANISATION_LEVEL_GRASSROOTS);
  }
  for (int i = 0; i < 12; ++i) Enrol(absl::StrCat("a-", i), "branch-a");
  ASSERT_TRUE(projector_->WaitCaughtUp(Soon()));

  // One aggregate: the tree, 5 + 6 registrations, in pages of 2.
  v1::StreamHistoryRequest tree;
  tree.set_aggregate_id("org-tree");
  tree.set_page_size(2);
  int calls = 0;
  std::vector<v1::HistoryRecord> records = WholeHistory(tree, &calls);
  ASSERT_EQ(records.size(), 11u);
  EXPECT_EQ(calls, 3);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].envelope().aggregate_id(), "org-tree");
    EXPECT_EQ(records[i].envelope().aggregate_version(), static_cast<int64_t>(i) + 1);
    EXPECT_TRUE(records[i].accepted()) << i;
  }
  // Without a limit one call sends them all: the limit, not the data, ended the calls.
  SetLimit(0);
  grpc::Status status;
  int64_t unlimited = 0;
  for (const auto& page : History(tree, &status)) unlimited += page.records_size();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(unlimited, 11);
  SetLimit(kRecordsPerCall);

  // A subtree: town-a's registrations and its twelve members, each once.
  v1::StreamHistoryRequest subtree;
  subtree.set_organisation_id("town-a");
  subtree.set_page_size(3);
  records = WholeHistory(subtree, &calls);
  std::set<std::pair<int32_t, int64_t>> seen;
  int members = 0;
  for (const auto& record : records) {
    EXPECT_TRUE(seen.insert({record.partition(), record.offset()}).second)
        << "sent twice: " << record.partition() << "/" << record.offset();
    members += record.envelope().aggregate_type() == v1::AGGREGATE_TYPE_MEMBER;
  }
  EXPECT_EQ(members, 12);
  EXPECT_GE(calls, static_cast<int>((records.size() + kRecordsPerCall - 1) / kRecordsPerCall));
  std::printf("history: %zu subtree records in %d calls of at most %lld\n", records.size(), calls,
              static_cast<long long>(kRecordsPerCall));
}

TEST_F(LimitsTest, AHistoryStreamReadsOnlyWhatItWasAskedFor) {
  SetLimit(0);
  std::set<std::string> members_a, members_b;
  for (int i = 0; i < 8; ++i) {
    members_a.insert(Enrol(absl::StrCat("a-", i), "branch-a"));
    members_b.insert(Enrol(absl::StrCat("b-", i), "branch-b"));
  }
  ASSERT_TRUE(projector_->WaitCaughtUp(Soon()));

  // town-a's subtree: all of its members, nothing of town-b's, whatever the
  // page size (every page boundary resumes inside the scan).
  for (int32_t page_size : {1, 3, 1000}) {
    SCOPED_TRACE(absl::StrCat("page_size ", page_size));
    v1::StreamHistoryRequest request;
    request.set_organisation_id("town-a");
    request.set_page_size(page_size);
    int calls = 0;
    std::set<std::string> seen_members;
    for (const auto& record : WholeHistory(request, &calls)) {
      const std::string& stored = record.envelope_bytes();
      for (const char* other : {"town-b", "branch-b"}) {
        EXPECT_FALSE(absl::StrContains(stored, other)) << record.envelope().ShortDebugString();
      }
      for (const std::string& member : members_b) {
        EXPECT_FALSE(absl::StrContains(stored, member)) << record.envelope().ShortDebugString();
      }
      if (record.envelope().aggregate_type() == v1::AGGREGATE_TYPE_MEMBER) {
        seen_members.insert(record.envelope().aggregate_id());
      }
    }
    EXPECT_EQ(seen_members, members_a);
  }

  // One aggregate, from any position a token may claim: its records only.
  const std::string member = *members_a.begin();
  for (const std::string& cursor :
       {std::string("0.0..0..0"), std::string("3.0..0..0"), std::string("1.7.00.0.00.99")}) {
    v1::StreamHistoryRequest request;
    request.set_aggregate_id(member);
    request.set_page_token(absl::WebSafeBase64Escape(cursor));
    grpc::Status status;
    for (const auto& page : History(request, &status)) {
      for (const auto& record : page.records()) {
        EXPECT_EQ(record.envelope().aggregate_id(), member) << cursor;
      }
    }
    EXPECT_TRUE(status.ok()) << cursor << ": " << status.error_message();
  }
  // A token that is not one, or names a negative position: refused.
  for (const std::string& token :
       {std::string("not a token"), absl::WebSafeBase64Escape("-1.0..0..0")}) {
    v1::StreamHistoryRequest request;
    request.set_aggregate_id(member);
    request.set_page_token(token);
    grpc::Status status;
    EXPECT_TRUE(History(request, &status).empty());
    EXPECT_EQ(status.error_code(), Code::INVALID_ARGUMENT) << token;
  }
  // A subtree token that claims a partition past the log's: nothing, no error.
  v1::StreamHistoryRequest past;
  past.set_organisation_id("town-a");
  past.set_page_token(absl::WebSafeBase64Escape("o.999.0"));
  grpc::Status status;
  EXPECT_TRUE(History(past, &status).empty());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace vanguard::command::testing
