// The ViewService over real gRPC, on views a projector built from a log:
// entity pages, rankings and their pages, overdue pledges, review coverage,
// series, consistency tokens, scope and precise errors.
#include "services/query/view_service.h"

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
#include "libs/rpc/status.h"
#include "libs/views/testing.h"
#include "services/projector/projector.h"
#include "vanguard/v1/token.pb.h"

namespace vanguard::query {
namespace {

using ::testing::ElementsAre;

// A calendar day.
const auto Day = &views::testing::MakeDate;

class ViewServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log", .partitions = 4});
    ASSERT_TRUE(log.ok());
    log_ = *std::move(log);
    auto views = views::ViewStore::Open(
        {.path = dir_.path() + "/views", .log_id = log_->log_id(), .partitions = 4});
    ASSERT_TRUE(views.ok());
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    ASSERT_TRUE(projector.ok());
    projector_ = *std::move(projector);
    std::string tokens;
    auto add = [&](const std::string& token, const std::string& rest) {
      absl::StrAppend(&tokens, rpc::TokenStore::HashToken(token), " ", rest, "\n");
    };
    add("admin", "admin admin county");
    add("clerk-east", "clerk-east clerk town-east");
    auto parsed = rpc::TokenStore::Parse(tokens);
    ASSERT_TRUE(parsed.ok());
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(parsed));
    service_ = std::make_unique<ViewServiceImpl>(*views_, *tokens_);
    auto server = rpc::Server::Start({}, {service_.get()});
    ASSERT_TRUE(server.ok());
    server_ = *std::move(server);
    stub_ = v1::ViewService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));

    // county → town-east (villages v1, v2), town-west (village v3).
    Register("county", "", v1::ORGANISATION_KIND_COMMITTEE);
    Register("town-east", "county", v1::ORGANISATION_KIND_COMMITTEE);
    Register("town-west", "county", v1::ORGANISATION_KIND_COMMITTEE);
    Register("v1", "town-east", v1::ORGANISATION_KIND_BRANCH);
    Register("v2", "town-east", v1::ORGANISATION_KIND_BRANCH);
    Register("v3", "town-west", v1::ORGANISATION_KIND_BRANCH);
    // Pledges: p1 goes all the way, p2 is approved and overdue in 2010, p3 in the west.
    Pledge("p1", "v1", Day(2010, 6, 30));
    Event("p1", [](v1::Envelope& e) { e.mutable_pledge_sent_back()->set_comment("不具体"); });
    Event("p1", [](v1::Envelope& e) {
      e.mutable_pledge_revised()->set_kind(v1::PLEDGE_KIND_DEED);
      *e.mutable_pledge_revised()->mutable_due_on() = Day(2010, 9, 30);
    });
    Event("p1", [](v1::Envelope& e) { e.mutable_pledge_approved(); });
    Event("p1", [](v1::Envelope& e) { e.mutable_pledge_fulfilled()->set_description("修好了"); });
    Pledge("p2", "v2", Day(2010, 3, 31));
    Event("p2", [](v1::Envelope& e) { e.mutable_pledge_approved(); });
    Pledge("p3", "v3", Day(2010, 2, 28));
    Pledge("p4", "v2", Day(2010, 1, 31));
    // A leader review of v1 in 2010 Q2.
    Event("review-1", [](v1::Envelope& e) {
      e.mutable_leader_review_done()->mutable_subject()->set_organisation_id("v1");
      e.mutable_leader_review_done()->set_year(2010);
      e.mutable_leader_review_done()->set_quarter(2);
      *e.mutable_leader_review_done()->mutable_reviewed_on() = Day(2010, 5, 4);
    });
    last_token_ = Flush();
  }

  void Register(const std::string& id, const std::string& parent, v1::OrganisationKind kind) {
    Event("org-tree", [&](v1::Envelope& e) {
      auto* r = e.mutable_organisation_registered();
      r->set_organisation_id(id);
      r->set_parent_id(parent);
      r->set_name(id + "党组织");
      r->set_kind(kind);
      r->set_sector(v1::SECTOR_VILLAGE);
    });
  }

  void Pledge(const std::string& id, const std::string& organisation, const v1::Date& due) {
    Event(id, [&](v1::Envelope& e) {
      auto* r = e.mutable_pledge_made();
      r->mutable_pledger()->set_organisation_id(organisation);
      r->set_organisation_id(organisation);
      r->set_kind(v1::PLEDGE_KIND_DEED);
      *r->mutable_due_on() = due;
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

  // Appends what is pending; returns a token covering it.
  std::string Flush() {
    auto at = log_->Append(pending_, absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(at.ok());
    pending_.clear();
    v1::ConsistencyToken token;
    token.set_log_id(log_->log_id());
    std::map<int32_t, int64_t> ends;
    for (const eventlog::Position& p : *at) ends[p.partition] = std::max(ends[p.partition], p.offset + 1);
    for (const auto& [p, o] : ends) {
      v1::PartitionOffset* po = token.add_positions();
      po->set_partition(p);
      po->set_offset(o);
    }
    return token.SerializeAsString();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<ViewServiceImpl> service_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<v1::ViewService::Stub> stub_;
  std::map<std::string, int64_t> versions_;
  std::map<std::string, std::string> heads_;
  std::vector<eventlog::Record> pending_;
  std::string last_token_;
  int count_ = 0;
};

TEST_F(ViewServiceTest, APledgeWithItsWholeHistory) {
  v1::GetPledgeRequest request;
  request.set_pledge_id("p1");
  request.set_consistency_token(last_token_);
  v1::GetPledgeResponse response;
  ASSERT_TRUE(stub_->GetPledge(As("admin").get(), request, &response).ok());
  EXPECT_EQ(response.pledge().state(), v1::PLEDGE_STATE_FULFILLED);
  EXPECT_EQ(response.pledge().times_sent_back(), 1);
  std::vector<std::string> types;
  for (const v1::Envelope& e : response.history()) types.push_back(e.event_type());
  EXPECT_THAT(types, ElementsAre("vanguard.v1.PledgeMade", "vanguard.v1.PledgeSentBack",
                                 "vanguard.v1.PledgeRevised", "vanguard.v1.PledgeApproved",
                                 "vanguard.v1.PledgeFulfilled"));
}

TEST_F(ViewServiceTest, LevelFiguresCountTheSubtreeAndOverdueAsOfADay) {
  v1::GetLevelViewRequest request;
  request.set_organisation_id("town-east");
  request.set_consistency_token(last_token_);
  *request.mutable_as_of() = Day(2010, 4, 1);
  v1::GetLevelViewResponse response;
  ASSERT_TRUE(stub_->GetLevelView(As("clerk-east").get(), request, &response).ok());
  const v1::PledgeFigures& p = response.view().figures().pledges();
  EXPECT_EQ(p.total().made(), 3) << "p1, p2 and p4; p3 is in the west";
  EXPECT_EQ(p.total().fulfilled(), 1);
  EXPECT_EQ(p.total().approved(), 1);
  EXPECT_EQ(p.total().under_review(), 1);
  EXPECT_EQ(p.total().overdue(), 2) << "p2 (due 03-31) and p4 (due 01-31) as of 04-01";
  EXPECT_EQ(p.completion_rate_bp(), 3333);
  EXPECT_EQ(p.revision_rate_bp(), 3333);
  EXPECT_EQ(response.view().figures().structure().organisations(), 2);
  EXPECT_EQ(response.applied().position().log_id(), log_->log_id());

  *request.mutable_as_of() = Day(2010, 2, 1);
  ASSERT_TRUE(stub_->GetLevelView(As("clerk-east").get(), request, &response).ok());
  EXPECT_EQ(response.view().figures().pledges().total().overdue(), 1);
}

TEST_F(ViewServiceTest, OverduePledgesOfTheSubtreeOnePageAtATime) {
  std::vector<std::string> seen;
  std::string page_token;
  do {
    v1::ListOverduePledgesRequest request;
    request.set_organisation_id("county");
    *request.mutable_as_of() = Day(2010, 12, 31);
    request.set_page_size(1);
    request.set_page_token(page_token);
    request.set_consistency_token(last_token_);
    v1::ListOverduePledgesResponse response;
    ASSERT_TRUE(stub_->ListOverduePledges(As("admin").get(), request, &response).ok());
    for (const v1::PledgeRecord& p : response.pledges()) seen.push_back(p.pledge_id());
    page_token = response.next_page_token();
  } while (!page_token.empty());
  EXPECT_THAT(seen, ElementsAre("p4", "p3", "p2")) << "earliest due first; p1 is fulfilled";

  v1::ListOverduePledgesRequest east;
  east.set_organisation_id("town-east");
  *east.mutable_as_of() = Day(2010, 12, 31);
  v1::ListOverduePledgesResponse response;
  ASSERT_TRUE(stub_->ListOverduePledges(As("clerk-east").get(), east, &response).ok());
  ASSERT_EQ(response.pledges_size(), 2);
  EXPECT_EQ(response.pledges(0).pledge_id(), "p4");
  EXPECT_EQ(response.pledges(1).pledge_id(), "p2");
}

TEST_F(ViewServiceTest, CoverageAndTheOrganisationsNoLeaderReviewed) {
  v1::ListUnreviewedOrganisationsRequest request;
  request.set_organisation_id("town-east");
  request.set_year(2010);
  request.set_quarter(2);
  request.set_consistency_token(last_token_);
  v1::ListUnreviewedOrganisationsResponse response;
  ASSERT_TRUE(stub_->ListUnreviewedOrganisations(As("admin").get(), request, &response).ok());
  EXPECT_EQ(response.total_organisations(), 3);
  std::vector<std::string> ids;
  for (const auto& o : response.organisations()) ids.push_back(o.organisation_id());
  EXPECT_THAT(ids, ElementsAre("town-east", "v2"));

  v1::GetLevelViewRequest level;
  level.set_organisation_id("town-east");
  level.mutable_bucket()->set_period("2010-Q2");
  v1::GetLevelViewResponse view;
  ASSERT_TRUE(stub_->GetLevelView(As("admin").get(), level, &view).ok());
  EXPECT_EQ(view.view().figures().reviews().organisations_reviewed(), 1);
  EXPECT_EQ(view.view().figures().reviews().coverage_bp(), 3333) << "1 of 3 organisations";
  EXPECT_EQ(view.view().figures().reviews().leader_reviews(), 1);
}

TEST_F(ViewServiceTest, ChildrenRankedAndPaged) {
  v1::ListChildrenRequest request;
  request.set_organisation_id("town-east");
  request.set_order_by(v1::FIGURE_PLEDGES_MADE);
  request.set_page_size(1);
  request.set_consistency_token(last_token_);
  v1::ListChildrenResponse first, second;
  ASSERT_TRUE(stub_->ListChildren(As("admin").get(), request, &first).ok());
  ASSERT_EQ(first.children_size(), 1);
  EXPECT_EQ(first.children(0).view().organisation().organisation_id(), "v2") << "2 pledges";
  EXPECT_EQ(first.children(0).rank(), 1);
  EXPECT_EQ(first.total_children(), 2);
  request.set_page_token(first.next_page_token());
  ASSERT_TRUE(stub_->ListChildren(As("admin").get(), request, &second).ok());
  ASSERT_EQ(second.children_size(), 1);
  EXPECT_EQ(second.children(0).view().organisation().organisation_id(), "v1");
  EXPECT_EQ(second.children(0).rank(), 2);
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(ViewServiceTest, MonthlySeries) {
  v1::GetSeriesRequest request;
  request.set_organisation_id("county");
  request.set_consistency_token(last_token_);
  v1::GetSeriesResponse response;
  ASSERT_TRUE(stub_->GetSeries(As("admin").get(), request, &response).ok());
  int64_t made = 0;
  for (const v1::SeriesPoint& point : response.points()) {
    EXPECT_EQ(point.month().substr(0, 5), "2010-");
    made += point.figures().pledges().total().made();
  }
  EXPECT_EQ(made, 4) << "every pledge in the month it was made";
}

TEST_F(ViewServiceTest, PreciseErrors) {
  auto code = [&](const std::string& as, v1::GetLevelViewRequest request) {
    v1::GetLevelViewResponse response;
    return stub_->GetLevelView(As(as).get(), request, &response);
  };
  v1::GetLevelViewRequest ok;
  ok.set_organisation_id("county");

  EXPECT_EQ(code("nobody", ok).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(code("clerk-east", ok).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "the county is above the clerk's town";
  v1::GetLevelViewRequest unknown = ok;
  unknown.set_organisation_id("nowhere");
  EXPECT_EQ(code("admin", unknown).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::GetLevelViewRequest period = ok;
  period.mutable_bucket()->set_period("2010-13");
  grpc::Status status = code("admin", period);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(rpc::FieldViolationsOf(status).size(), 1u);
  EXPECT_EQ(rpc::FieldViolationsOf(status)[0].field(), "bucket.period");

  v1::GetLevelViewRequest as_of = ok;
  *as_of.mutable_as_of() = Day(2010, 2, 30);
  EXPECT_EQ(rpc::FieldViolationsOf(code("admin", as_of))[0].field(), "as_of");

  v1::GetLevelViewRequest garbage = ok;
  garbage.set_consistency_token("\xff\xff not a token");
  EXPECT_EQ(rpc::FieldViolationsOf(code("admin", garbage))[0].field(), "consistency_token");

  v1::ConsistencyToken other;
  other.set_log_id("another-log");
  v1::GetLevelViewRequest foreign = ok;
  foreign.set_consistency_token(other.SerializeAsString());
  EXPECT_EQ(code("admin", foreign).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A token the views have not reached: DEADLINE_EXCEEDED within the deadline.
  v1::ConsistencyToken ahead;
  ahead.set_log_id(log_->log_id());
  ahead.add_positions()->set_offset(1'000'000);
  v1::GetLevelViewRequest waiting = ok;
  waiting.set_consistency_token(ahead.SerializeAsString());
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer admin");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::GetLevelViewResponse response;
  absl::Time start = absl::Now();
  EXPECT_EQ(stub_->GetLevelView(&context, waiting, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  v1::ListChildrenRequest page;
  page.set_organisation_id("county");
  page.set_page_size(5000);
  v1::ListChildrenResponse children;
  status = stub_->ListChildren(As("admin").get(), page, &children);
  EXPECT_EQ(rpc::FieldViolationsOf(status)[0].field(), "page_size");
  page.set_page_size(0);
  page.set_page_token("not-a-number");
  status = stub_->ListChildren(As("admin").get(), page, &children);
  EXPECT_EQ(rpc::FieldViolationsOf(status)[0].field(), "page_token");

  v1::ListParkedEventsRequest parked;
  v1::ListParkedEventsResponse parked_response;
  EXPECT_EQ(stub_->ListParkedEvents(As("clerk-east").get(), parked, &parked_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->ListParkedEvents(As("admin").get(), parked, &parked_response).ok());
  EXPECT_EQ(parked_response.parked_size(), 0);
}

}  // namespace
}  // namespace vanguard::query
