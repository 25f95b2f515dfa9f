// The dashboard over real HTTP on port 0, in front of a real ViewService on
// views a projector built from a log: the JSON equals the ViewService's
// answer, scope and tokens are the ViewService's, bad parameters name their
// field, and the page itself is served.
#include "services/dashboard/dashboard.h"

#include <civetweb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/server.h"
#include "libs/views/testing.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"

namespace vanguard::dashboard {
namespace {

using ::testing::HasSubstr;

struct Reply {
  int status = 0;
  std::string body;
};

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log", .partitions = 2});
    ASSERT_TRUE(log.ok());
    log_ = *std::move(log);
    auto views = views::ViewStore::Open(
        {.path = dir_.path() + "/views", .log_id = log_->log_id(), .partitions = 2});
    ASSERT_TRUE(views.ok());
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    ASSERT_TRUE(projector.ok());
    projector_ = *std::move(projector);
    auto tokens = rpc::TokenStore::Parse(
        absl::StrCat(rpc::TokenStore::HashToken("admin"), " admin admin county\n",
                     rpc::TokenStore::HashToken("east"), " clerk-east clerk town-east\n"));
    ASSERT_TRUE(tokens.ok());
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    service_ = std::make_unique<query::ViewServiceImpl>(*views_, *tokens_);
    auto server = rpc::Server::Start({}, {service_.get()});
    ASSERT_TRUE(server.ok());
    server_ = *std::move(server);
    auto dashboard = Dashboard::Start({}, server_->InProcessChannel(), *tokens_);
    ASSERT_TRUE(dashboard.ok()) << dashboard.status();
    dashboard_ = *std::move(dashboard);
    stub_ = v1::ViewService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));

    // county → town-east (v1, v2), town-west (v3); p1 fulfilled in v1, p2 approved in v2.
    Register("county", "");
    Register("town-east", "county");
    Register("town-west", "county");
    Register("v1", "town-east");
    Register("v2", "town-east");
    Register("v3", "town-west");
    Pledge("p1", "v1");
    Event("p1", [](v1::Envelope& e) { e.mutable_pledge_approved(); });
    Event("p1", [](v1::Envelope& e) { e.mutable_pledge_fulfilled()->set_description("修好了"); });
    Pledge("p2", "v2");
    Event("p2", [](v1::Envelope& e) { e.mutable_pledge_approved(); });
    Pledge("p3", "v3");
    ASSERT_TRUE(log_->Append(pending_, absl::Now() + absl::Seconds(10)).ok());
    ASSERT_TRUE(projector_->WaitCaughtUp(absl::Now() + absl::Seconds(10)));
  }

  void Register(const std::string& id, const std::string& parent) {
    Event("org-tree", [&](v1::Envelope& e) {
      auto* r = e.mutable_organisation_registered();
      r->set_organisation_id(id);
      r->set_parent_id(parent);
      r->set_name(id + "党组织");
      r->set_kind(parent.empty() ? v1::ORGANISATION_KIND_COMMITTEE : v1::ORGANISATION_KIND_BRANCH);
      r->set_sector(v1::SECTOR_VILLAGE);
    });
  }

  void Pledge(const std::string& id, const std::string& organisation) {
    Event(id, [&](v1::Envelope& e) {
      auto* r = e.mutable_pledge_made();
      r->mutable_pledger()->set_organisation_id(organisation);
      r->set_organisation_id(organisation);
      r->set_kind(v1::PLEDGE_KIND_DEED);
      *r->mutable_due_on() = views::testing::MakeDate(2010, 9, 30);
    });
  }

  template <typename Fill>
  void Event(const std::string& aggregate, Fill fill) {
    v1::Envelope e;
    fill(e);
    e.set_event_id(absl::StrCat("e", ++count_));
    e.set_aggregate_id(aggregate);
    e.set_aggregate_version(++versions_[aggregate]);
    e.set_schema_version(1);
    e.mutable_occurred_at()->set_seconds(1262322000 + count_ * 86400);  // from 2010-01-01
    e.set_event_type(std::string(
        v1::Envelope::descriptor()->FindFieldByNumber(e.payload_case())->message_type()->full_name()));
    auto sealed = eventlog::Seal(e, heads_[aggregate], "/test");
    ASSERT_TRUE(sealed.ok());
    heads_[aggregate] = sealed->hash;
    pending_.push_back(sealed->record);
  }

  // GET `path` from the dashboard, with `token` as the bearer token unless empty.
  Reply Get(const std::string& path, const std::string& token = "") {
    std::string headers = token.empty() ? "" : "Authorization: Bearer " + token + "\r\n";
    char error[256] = "";
    mg_connection* connection =
        mg_download("127.0.0.1", dashboard_->port(), 0, error, sizeof(error),
                    "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", path.c_str(), headers.c_str());
    if (connection == nullptr) {
      ADD_FAILURE() << "GET " << path << ": " << error;
      return {};
    }
    Reply reply{mg_get_response_info(connection)->status_code, ""};
    char buffer[4096];
    for (int n; (n = mg_read(connection, buffer, sizeof(buffer))) > 0;) reply.body.append(buffer, n);
    mg_close_connection(connection);
    return reply;
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  template <typename Message>
  Message Parse(const std::string& json) {
    Message message;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &message).ok()) << json;
    return message;
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<query::ViewServiceImpl> service_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<Dashboard> dashboard_;
  std::unique_ptr<v1::ViewService::Stub> stub_;
  std::map<std::string, int64_t> versions_;
  std::map<std::string, std::string> heads_;
  std::vector<eventlog::Record> pending_;
  int count_ = 0;
};

TEST_F(DashboardTest, LevelFiguresAreTheViewServicesAnswer) {
  Reply reply = Get("/api/level?id=town-east&period=2010", "east");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("\"completion_rate_bp\":5000"));

  v1::GetLevelViewRequest request;
  request.set_organisation_id("town-east");
  request.mutable_bucket()->set_period("2010");
  v1::GetLevelViewResponse direct;
  ASSERT_TRUE(stub_->GetLevelView(As("east").get(), request, &direct).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      Parse<v1::GetLevelViewResponse>(reply.body), direct));
}

TEST_F(DashboardTest, ChildrenRankedTreeAndPledgeHistory) {
  Reply children = Get("/api/children?id=town-east&by=completion_rate", "east");
  ASSERT_EQ(children.status, 200) << children.body;
  auto ranked = Parse<v1::ListChildrenResponse>(children.body);
  ASSERT_EQ(ranked.children_size(), 2);
  EXPECT_EQ(ranked.children(0).view().organisation().organisation_id(), "v1");
  EXPECT_EQ(ranked.children(0).value(), 10000);

  Reply tree = Get("/api/organisation?id=county", "admin");
  ASSERT_EQ(tree.status, 200) << tree.body;
  EXPECT_EQ(Parse<v1::GetOrganisationResponse>(tree.body).children_size(), 2);

  Reply pledge = Get("/api/pledge?id=p1", "east");
  ASSERT_EQ(pledge.status, 200) << pledge.body;
  auto history = Parse<v1::GetPledgeResponse>(pledge.body);
  EXPECT_EQ(history.pledge().state(), v1::PLEDGE_STATE_FULFILLED);
  EXPECT_EQ(history.history_size(), 3);

  Reply overdue = Get("/api/overdue?id=town-east&as_of=2010-12-31", "east");
  ASSERT_EQ(overdue.status, 200) << overdue.body;
  EXPECT_EQ(Parse<v1::ListOverduePledgesResponse>(overdue.body).pledges_size(), 1);

  Reply me = Get("/api/me", "east");
  ASSERT_EQ(me.status, 200);
  EXPECT_THAT(me.body, HasSubstr("\"organisation_id\":\"town-east\""));
  EXPECT_THAT(me.body, HasSubstr("\"store\":\"live\""));
}

TEST_F(DashboardTest, TokensAndScopeAreTheViewServices) {
  Reply none = Get("/api/level?id=town-east");
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_THAT(none.body, HasSubstr("UNAUTHENTICATED"));
  EXPECT_EQ(Get("/api/level?id=town-east", "not-a-token").status, 401);
  EXPECT_EQ(Get("/api/me").status, 401);

  Reply outside = Get("/api/level?id=town-west", "east");
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_THAT(outside.body, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Get("/api/children?id=county", "east").status, 403);
  EXPECT_EQ(Get("/api/pledge?id=p3", "east").status, 403);
  EXPECT_EQ(Get("/api/level?id=town-west", "admin").status, 200);
  EXPECT_EQ(Get("/api/level?id=nowhere", "admin").status, 404);
}

TEST_F(DashboardTest, BadParametersNameTheirField) {
  struct Case {
    std::string path;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/level", "id"},
           {"/api/level?id=town-east&period=2010-Q5", "bucket.period"},
           {"/api/level?id=town-east&as_of=2010-13-01", "as_of"},
           {"/api/children?id=town-east&by=beauty", "by"},
           {"/api/children?id=town-east&page_size=many", "page_size"},
           {"/api/children?id=town-east&page_size=5000", "page_size"},
           {"/api/unreviewed?id=town-east&quarter=2010-3", "quarter"},
       }) {
    Reply reply = Get(c.path, "east");
    EXPECT_EQ(reply.status, 400) << c.path << ": " << reply.body;
    EXPECT_THAT(reply.body, HasSubstr(absl::StrCat("\"field\":\"", c.field, "\""))) << c.path;
  }
  EXPECT_EQ(Get("/api/nothing?id=town-east", "east").status, 404);
}

TEST_F(DashboardTest, ServesThePageAndEcharts) {
  Reply page = Get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("echarts.min.js"));
  EXPECT_EQ(Get("/echarts.min.js").status, 200);
  EXPECT_EQ(Get("/app.js").status, 200);
}

TEST(DashboardStartTest, RefusesToListenOffLoopback) {
  auto tokens = rpc::TokenStore::Parse("");
  ASSERT_TRUE(tokens.ok());
  auto dashboard = Dashboard::Start({.listen_address = "0.0.0.0:0"},
                                    grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
                                    *tokens);
  EXPECT_EQ(dashboard.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vanguard::dashboard
