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

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/command/command_services.h"
#include "services/demo/seed_township.h"
#include "services/audit/audit_service.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard {
namespace {

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
    auto tokens = rpc::TokenStore::Parse(demo::SeedTownshipTokens());
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    services_ = std::make_unique<command::CommandServices>(writer_.get(), tokens_.get());
    auto views = views::ViewStore::Open({.path = dir_.path() + "/views",
                                         .log_id = log_->log_id(),
                                         .partitions = log_->partition_count()});
    ASSERT_TRUE(views.ok()) << views.status();
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    ASSERT_TRUE(projector.ok()) << projector.status();
    projector_ = *std::move(projector);
    view_service_ = std::make_unique<query::ViewServiceImpl>(*views_, *tokens_);
    audit_ = std::make_unique<audit::AuditServiceImpl>(*log_, *tokens_, views_.get(),
                                                       dir_.path());
    std::vector<grpc::Service*> all = services_->services();
    all.push_back(view_service_.get());
    all.push_back(audit_.get());
    auto server = rpc::Server::Start({}, all);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<command::CommandServices> services_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<query::ViewServiceImpl> view_service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_;
  std::unique_ptr<rpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(Seed000Test, TheTownshipAsItsReportDescribesIt) {
  int last_done = 0, total = 0;
  absl::Status built = demo::BuildSeedTownship(channel_, [&](int done, int of) {
    last_done = done;
    total = of;
  });
  ASSERT_TRUE(built.ok()) << built;
  EXPECT_EQ(last_done, total) << "every command reported its progress";

  auto census = demo::TakeCensus(*log_, absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(census.ok()) << census.status();
  std::map<std::string, int64_t>& events = census->events;
  EXPECT_EQ(census->rejected, 0);
  EXPECT_EQ(events["vanguard.v1.OwnerClaimed"], log_->partition_count());
  EXPECT_EQ(events["vanguard.v1.OrganisationRegistered"], 1 + 8 + 1 + 67);
  EXPECT_EQ(census->organisations["SECTOR_ORGAN_STATION/ORGANISATION_KIND_BRANCH"], 8);
  EXPECT_EQ(census->organisations["SECTOR_VILLAGE/ORGANISATION_KIND_GENERAL_BRANCH"], 11);
  EXPECT_EQ(census->organisations["SECTOR_VILLAGE/ORGANISATION_KIND_BRANCH"], 48);
  EXPECT_EQ(events["vanguard.v1.MemberEnrolled"], 566);
  EXPECT_EQ(census->members[v1::MEMBER_CATEGORY_RURAL], 385);
  EXPECT_EQ(census->members[v1::MEMBER_CATEGORY_ORGAN_STATION], 157);
  EXPECT_EQ(census->members[v1::MEMBER_CATEGORY_RETIRED], 24);
  EXPECT_EQ(events["vanguard.v1.PioneerPostEstablished"], 66);
  EXPECT_EQ(events["vanguard.v1.PioneerPostAssessed"], 66);
  EXPECT_EQ(events["vanguard.v1.PairingEstablished"], 8);
  EXPECT_EQ(events["vanguard.v1.BudgetAllocated"], 1 + 8);
  EXPECT_EQ(events["vanguard.v1.FundsDisbursed"], 66 + 8);
  EXPECT_EQ(census->subsidies_fen, 39'600 * 100) << "¥39,600 of subsidies";
  int64_t pairing_total = 0;
  for (const demo::Department& d : demo::kSeedDepartments) {
    EXPECT_EQ(census->funds_by_source_fen[d.id], d.yuan * 100) << d.id;
    pairing_total += census->funds_by_source_fen[d.id];
  }
  EXPECT_EQ(pairing_total, 300'000 * 100) << "¥300,000 of pairing funds";
  EXPECT_EQ(events.size(), 8u) << "no other kind of event";

  auto report = eventlog::VerifyLog(*log_, absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->breaks.empty());
}

// What an admin of the county reads, over gRPC.
v1::GetLevelViewResponse LevelView(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& organisation) {
  auto stub = v1::ViewService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
  v1::GetLevelViewRequest request;
  request.set_organisation_id(organisation);
  v1::GetLevelViewResponse response;
  grpc::Status status = stub->GetLevelView(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

int64_t SectorCount(const v1::StructureFigures& s, v1::Sector sector) {
  for (const v1::SectorCount& c : s.organisations_by_sector()) {
    if (c.sector() == sector) return c.count();
  }
  return 0;
}

int64_t KindCount(const v1::StructureFigures& s, v1::OrganisationKind kind) {
  for (const v1::KindCount& c : s.organisations_by_kind()) {
    if (c.kind() == kind) return c.count();
  }
  return 0;
}

int64_t CategoryCount(const v1::StructureFigures& s, v1::MemberCategory category) {
  for (const v1::CategoryCount& c : s.members_by_category()) {
    if (c.category() == category) return c.count();
  }
  return 0;
}

TEST_F(Seed000Test, TheTownshipsLevelViewShowsTheReportsFigures) {
  ASSERT_TRUE(demo::BuildSeedTownship(channel_).ok());
  ASSERT_TRUE(projector_->WaitCaughtUp(absl::Now() + absl::Seconds(30))) << projector_->status();

  v1::GetLevelViewResponse township = LevelView(channel_, "township");
  const v1::LevelFigures& f = township.view().figures();
  EXPECT_EQ(township.view().organisation().name(), "乡党委");
  EXPECT_EQ(f.structure().organisations(), 67);
  EXPECT_EQ(SectorCount(f.structure(), v1::SECTOR_ORGAN_STATION), 8);
  EXPECT_EQ(SectorCount(f.structure(), v1::SECTOR_VILLAGE), 11 + 48);
  EXPECT_EQ(KindCount(f.structure(), v1::ORGANISATION_KIND_GENERAL_BRANCH), 11);
  EXPECT_EQ(KindCount(f.structure(), v1::ORGANISATION_KIND_BRANCH), 8 + 48);
  EXPECT_EQ(f.structure().members(), 566);
  EXPECT_EQ(CategoryCount(f.structure(), v1::MEMBER_CATEGORY_RURAL), 385);
  EXPECT_EQ(CategoryCount(f.structure(), v1::MEMBER_CATEGORY_ORGAN_STATION), 157);
  EXPECT_EQ(CategoryCount(f.structure(), v1::MEMBER_CATEGORY_RETIRED), 24);
  EXPECT_EQ(f.posts().established(), 66);
  EXPECT_EQ(f.posts().passed(), 66);
  EXPECT_EQ(f.posts().subsidies_paid_fen(), 39'600 * 100) << "¥39,600 once all passed";
  int64_t co_building = 0;
  for (const v1::PurposeAmount& p : f.funds().received_by_purpose()) {
    if (p.purpose() == v1::FUNDS_PURPOSE_CO_BUILDING) co_building = p.amount_fen();
  }
  EXPECT_EQ(co_building, 300'000 * 100) << "¥300,000 of pairing funds";
  std::map<std::string, int64_t> by_source;
  for (const v1::SourceAmount& s : f.funds().received_by_source()) {
    by_source[s.source_organisation_id()] = s.amount_fen();
  }
  for (const demo::Department& d : demo::kSeedDepartments) {
    EXPECT_EQ(by_source[d.id], d.yuan * 100) << d.id;
  }
  EXPECT_EQ(by_source["township"], 39'600 * 100) << "the subsidies came from the township";
  EXPECT_EQ(f.funds().pairings(), 8);
  // The township's own subsidy budget is spent to the fen.
  EXPECT_EQ(f.funds().budget_allocated_fen(), 39'600 * 100);
  EXPECT_EQ(f.funds().budget_left_fen(), 0);
  EXPECT_EQ(township.applied().parked_aggregates(), 0);
  EXPECT_EQ(township.applied().rejected_records(), 0);

  // Each village's row in the children table matches the village's own view.
  auto stub = v1::ViewService::NewStub(channel_);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + demo::SeedToken("township-reviewer"));
  v1::ListChildrenRequest request;
  request.set_organisation_id("township");
  request.set_order_by(v1::FIGURE_FUNDS_RECEIVED);
  v1::ListChildrenResponse children;
  ASSERT_TRUE(stub->ListChildren(&context, request, &children).ok());
  EXPECT_EQ(children.total_children(), 8 + 11);
  ASSERT_EQ(children.children_size(), 19);
  EXPECT_EQ(children.children(0).view().organisation().organisation_id(), "village-1")
      << "the water bureau's ¥80,000 puts village 1 first";
  int64_t members = 0, posts = 0, previous = INT64_MAX;
  for (const v1::ChildRow& row : children.children()) {
    const std::string& id = row.view().organisation().organisation_id();
    EXPECT_LE(row.value(), previous) << "ranked by funds received, the most first";
    previous = row.value();
    members += row.view().figures().structure().members();
    posts += row.view().figures().posts().established();
    v1::GetLevelViewResponse own = LevelView(channel_, id);
    EXPECT_EQ(own.view().figures().SerializeAsString(), row.view().figures().SerializeAsString())
        << id;
    if (id.starts_with("village-")) {
      int v = std::stoi(id.substr(8));
      EXPECT_EQ(row.view().figures().structure().organisations(), v <= 4 ? 5 : 4) << id;
      EXPECT_EQ(row.view().figures().posts().established(), 6) << id;
      EXPECT_EQ(row.view().figures().posts().subsidies_paid_fen(), 6 * 600 * 100) << id;
      int64_t pairing = v <= 8 ? demo::kSeedDepartments[v - 1].yuan * 100 : 0;
      EXPECT_EQ(row.view().figures().funds().received_fen(), pairing + 6 * 600 * 100) << id;
    } else {
      EXPECT_EQ(row.view().figures().structure().organisations(), 0) << id;
    }
  }
  EXPECT_EQ(members, 566) << "every member is in exactly one child's subtree";
  // Villages 9, 10 and 11 tie on ¥3,600 each: natural order breaks the tie.
  EXPECT_EQ(children.children(8).view().organisation().organisation_id(), "village-9");
  EXPECT_EQ(children.children(9).view().organisation().organisation_id(), "village-10");
  EXPECT_EQ(children.children(10).view().organisation().organisation_id(), "village-11");
  EXPECT_EQ(posts, 66);
}

TEST_F(Seed000Test, TheLiveViewsEqualAReplayOfTheLogAlone) {
  ASSERT_TRUE(demo::BuildSeedTownship(channel_).ok());
  ASSERT_TRUE(projector_->WaitCaughtUp(absl::Now() + absl::Seconds(30)));
  auto audit = v1::AuditService::NewStub(channel_);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
  v1::CompareWithReplayResponse compared;
  grpc::Status status = audit->CompareWithReplay(&context, {}, &compared);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(compared.equal()) << compared.live_digest() << " vs " << compared.replay_digest();
  EXPECT_EQ(compared.records_replayed(), 866 + log_->partition_count());

  grpc::ClientContext clerk;
  clerk.AddMetadata("authorization", "Bearer " + demo::SeedToken("clerk-village-1"));
  EXPECT_EQ(audit->CompareWithReplay(&clerk, {}, &compared).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(Seed000Test, TheHistoryOfAVillagesSubtreeFromTheLog) {
  ASSERT_TRUE(demo::BuildSeedTownship(channel_).ok());
  ASSERT_TRUE(projector_->WaitCaughtUp(absl::Now() + absl::Seconds(30)));
  auto audit = v1::AuditService::NewStub(channel_);
  auto read = [&](const std::string& token) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
    v1::StreamHistoryRequest request;
    request.set_organisation_id("village-1");
    request.set_page_size(10);
    request.set_page_token(token);
    auto stream = audit->StreamHistory(&context, request);
    std::vector<v1::StreamHistoryResponse> pages;
    v1::StreamHistoryResponse page;
    while (stream->Read(&page)) pages.push_back(page);
    EXPECT_TRUE(stream->Finish().ok());
    return pages;
  };
  std::vector<v1::StreamHistoryResponse> pages = read("");
  std::map<std::string, int> types;
  std::map<int32_t, int64_t> last_offset;
  for (const auto& page : pages) {
    for (const v1::HistoryRecord& r : page.records()) {
      EXPECT_TRUE(r.accepted());
      ++types[r.envelope().event_type()];
      EXPECT_GT(r.offset(), last_offset.contains(r.partition()) ? last_offset[r.partition()] : -1);
      last_offset[r.partition()] = r.offset();
    }
  }
  EXPECT_EQ(types["vanguard.v1.OrganisationRegistered"], 1 + 5) << "the village and its branches";
  EXPECT_EQ(types["vanguard.v1.MemberEnrolled"],
            LevelView(channel_, "village-1").view().figures().structure().members());
  EXPECT_EQ(types["vanguard.v1.PioneerPostEstablished"], 6);
  EXPECT_EQ(types["vanguard.v1.PioneerPostAssessed"], 6) << "the township's assessments follow";
  EXPECT_EQ(types["vanguard.v1.FundsDisbursed"], 6 + 1) << "six subsidies and the water bureau's";
  EXPECT_EQ(types["vanguard.v1.PairingEstablished"], 1);
  EXPECT_EQ(types.size(), 6u) << "nothing of other villages, no allocations elsewhere";

  // A stream broken after its second page resumes where it stopped.
  ASSERT_GT(pages.size(), 3u);
  std::vector<v1::StreamHistoryResponse> rest = read(pages[1].next_page_token());
  ASSERT_EQ(rest.size(), pages.size() - 2);
  for (size_t i = 0; i < rest.size(); ++i) {
    EXPECT_EQ(rest[i].SerializeAsString(), pages[i + 2].SerializeAsString());
  }
}

TEST_F(Seed000Test, AQueryWithACommandsTokenSeesTheCommand) {
  ASSERT_TRUE(demo::BuildSeedTownship(channel_).ok());
  auto members = v1::MemberService::NewStub(channel_);
  auto views = v1::ViewService::NewStub(channel_);
  for (int i = 0; i < 50; ++i) {
    v1::EnrolMemberRequest enrol;
    enrol.set_request_id(absl::StrCat("ryw-", i));
    enrol.set_organisation_id(i % 2 ? "station-1" : "village-3-branch-2");
    enrol.mutable_attributes()->set_name(absl::StrCat("新党员", i));
    enrol.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
    grpc::ClientContext command;
    command.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
    v1::EnrolMemberResponse enrolled;
    ASSERT_TRUE(members->EnrolMember(&command, enrol, &enrolled).ok());

    grpc::ClientContext query;
    query.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
    query.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetMemberRequest request;
    request.set_member_id(enrolled.result().aggregate_id());
    request.set_consistency_token(enrolled.result().consistency_token());
    v1::GetMemberResponse member;
    grpc::Status status = views->GetMember(&query, request, &member);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
    EXPECT_EQ(member.member().organisation_id(), enrol.organisation_id());

    grpc::ClientContext level;
    level.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
    v1::GetLevelViewRequest township;
    township.set_organisation_id("township");
    township.set_consistency_token(enrolled.result().consistency_token());
    v1::GetLevelViewResponse view;
    ASSERT_TRUE(views->GetLevelView(&level, township, &view).ok());
    EXPECT_EQ(view.view().figures().structure().members(), 566 + i + 1);
  }
}

}  // namespace
}  // namespace vanguard
