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
    auto server = rpc::Server::Start({}, services_->services());
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

}  // namespace
}  // namespace vanguard
