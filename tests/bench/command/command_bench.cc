// Commands, freshness and queries through gRPC, on the embedded log, on the
// test Kafka cluster and on the PostgreSQL peer, as a markdown table and as
// JSON lines for tests/bench/run.
//
//   command_bench --seconds=3 --backends=embedded,kafka,peer --clients=1,4,16,64
//   command_bench --seconds=0.2 --backends=embedded    # a smoke run
//
// Each backend is composed as `vanguard serve` composes it: one writer, the
// command services, the projector following the log into the views and the
// ViewService, on one gRPC server on loopback. The load generator runs in
// the same process, on the same two cores, and is counted.
//
// The workload is the campaign's everyday work, per client in a loop: a
// village makes a pledge, its township approves it, the village fulfils it,
// and a county department pays the village from its budget (make → approve →
// fulfil → disburse; four commands, three on the pledge, one on the budget;
// sixteen departments, so budgets are shared at high concurrency). The peer
// (tests/bench/peer) answers the same four RPCs from PostgreSQL.
//
// Cells:
//  - commands: closed loop, each client waits for its answer; throughput and
//    latency at each concurrency; `submit`: pledges made over SubmitService
//    streams, one stream per client (a stream is one principal and does not
//    know a new pledge's id before its answer, so it only makes pledges).
//  - half load: paced clients at half the best throughput measured; the
//    latency there, and freshness — a probe pays, then reads the village's
//    level view with the payment's consistency token (the peer: waits until
//    its projector passed the payment's row); the time from the answer to
//    the view that includes it.
//  - queries: GetLevelView of a random organisation of the tree, closed loop.
//  - grpc floor: the health check, a call that does nothing: what gRPC's
//    synchronous API costs per call on this machine, client and server.
#include <algorithm>
#include <atomic>
#include <deque>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "libs/domain/validation.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/views/view_store.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/command/command_services.h"
#include "services/projector/projector.h"
#include "services/query/view_service.h"
#include "tests/bench/peer/pg_peer.h"
#include "vanguard/v1/campaign_service.grpc.pb.h"
#include "vanguard/v1/funds_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"
#include "vanguard/v1/submit_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

ABSL_FLAG(double, seconds, 3, "Duration of each cell");
ABSL_FLAG(std::vector<std::string>, backends, std::vector<std::string>({"embedded", "kafka", "peer"}),
          "What to measure: embedded, kafka (the test cluster), peer (PostgreSQL)");
ABSL_FLAG(std::vector<std::string>, clients, std::vector<std::string>({"1", "4", "16", "64"}),
          "The concurrency sweep: client threads per cell");
ABSL_FLAG(std::vector<std::string>, cells,
          std::vector<std::string>({"commands", "half", "submit", "queries", "grpc"}),
          "Which cells to run: commands, half (half load and freshness; needs commands), submit, "
          "queries, grpc (the health check: what a call costs when it does nothing)");
ABSL_FLAG(std::string, json, "", "Also append each cell as a JSON line to this file");

namespace vanguard {
namespace {

constexpr char kToken[] = "bench-admin";
constexpr int kTownships = 4, kVillagesPerTownship = 8, kDepartments = 16;
// Commands a submitting client keeps unanswered (see submit_service.proto).
constexpr size_t kSubmitWindow = 64;
constexpr int64_t kBudgetFen = int64_t{1} << 50;

[[noreturn]] void Fail(const std::string& what, const std::string& why) {
  std::cerr << "command_bench: " << what << ": " << why << std::endl;
  std::exit(1);
}
void Check(const std::string& what, const absl::Status& status) {
  if (!status.ok()) Fail(what, status.ToString());
}
void Check(const std::string& what, const grpc::Status& status) {
  if (!status.ok()) Fail(what, absl::StrCat(status.error_code(), " ", status.error_message()));
}

int Year() { return absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(8 * 3600)).year(); }

// The tree every backend holds: province → city → county → 4 townships → 32
// villages, and 16 departments under the county with a budget each.
struct Tree {
  std::vector<std::pair<std::string, std::string>> organisations;  // (id, parent), parents first
  std::vector<std::string> villages, departments, all;

  Tree() {
    Add("province", "");
    Add("city", "province");
    Add("county", "city");
    for (int t = 0; t < kTownships; ++t) {
      std::string township = absl::StrCat("township-", t);
      Add(township, "county");
      for (int v = 0; v < kVillagesPerTownship; ++v) {
        villages.push_back(absl::StrCat(township, "-village-", v));
        Add(villages.back(), township);
      }
    }
    for (int d = 0; d < kDepartments; ++d) {
      departments.push_back(absl::StrCat("department-", d));
      Add(departments.back(), "county");
    }
  }
  std::string TownshipOf(const std::string& village) const {
    return village.substr(0, village.find("-village-"));
  }
  void Add(const std::string& id, const std::string& parent) {
    organisations.emplace_back(id, parent);
    all.push_back(id);
  }
};

// What a cell measured.
struct Cell {
  std::string backend, cell;
  int clients = 0;
  int64_t done = 0;
  double seconds = 0;
  std::vector<absl::Duration> latencies;  // sorted
  std::vector<absl::Duration> freshness;  // sorted

  double Rate() const { return done / seconds; }
  static double Ms(const std::vector<absl::Duration>& sorted, double q) {
    if (sorted.empty()) return 0;
    return absl::ToDoubleMilliseconds(sorted[static_cast<size_t>(q * (sorted.size() - 1))]);
  }
};

template <typename Stub>
struct Caller {
  std::unique_ptr<typename Stub::Stub> stub;
  explicit Caller(const std::shared_ptr<grpc::Channel>& channel) : stub(Stub::NewStub(channel)) {}
  template <typename Request, typename Response>
  grpc::Status operator()(grpc::Status (Stub::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                          Response*),
                          const Request& request, Response* response,
                          const std::string& token = kToken) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ((*stub).*rpc)(&context, request, response);
  }
};

v1::MakePledgeRequest MakeRequest(const std::string& request_id, const std::string& campaign,
                                  const std::string& village) {
  v1::MakePledgeRequest request;
  request.set_request_id(request_id);
  request.set_campaign_id(campaign);
  request.mutable_pledger()->set_organisation_id(village);
  request.set_kind(v1::PLEDGE_KIND_DEED);
  request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
  request.set_text("硬化村道两公里");
  request.mutable_target()->set_description("硬化村道两公里");
  request.mutable_target()->mutable_measure()->mutable_quantity()->set_value_milli(2000);
  request.mutable_target()->mutable_measure()->mutable_quantity()->set_unit("公里");
  request.mutable_due_on()->set_year(Year());
  request.mutable_due_on()->set_month(12);
  request.mutable_due_on()->set_day(31);
  return request;
}

v1::DisburseFundsRequest DisburseRequest(const std::string& request_id,
                                         const std::string& department,
                                         const std::string& village) {
  v1::DisburseFundsRequest request;
  request.set_request_id(request_id);
  request.set_source_organisation_id(department);
  request.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
  request.set_year(Year());
  request.mutable_recipient()->set_organisation_id(village);
  request.set_amount_fen(100);
  request.set_description("结对共建投入");
  return request;
}

// One backend behind one gRPC channel.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::shared_ptr<grpc::Channel> channel() = 0;
  // A connection of its own, as each department's client has: one HTTP/2
  // connection is served by one thread at a time at either end.
  std::shared_ptr<grpc::Channel> NewChannel() const {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
  }
  std::string address;
  // Blocks until the views include the command that returned `result`.
  virtual void WaitApplied(const v1::CommandResult& result) = 0;
  virtual bool has_views() const = 0;
  virtual bool has_submit() const = 0;
  // The token of the organisation's principal: a village's clerk makes and
  // fulfils its pledges, its township's reviewer approves them, a department
  // spends its own budget.
  virtual std::string TokenOf(const std::string& organisation) const = 0;
  // The campaign pledges are made in.
  std::string campaign = "bench-campaign";
};

// The log, the writer, the command services, the projector and the
// ViewService, as `vanguard serve` runs them.
class VanguardBackend : public Backend {
 public:
  VanguardBackend(const std::string& kind, const Tree& tree) {
    if (kind == "embedded") {
      auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log"});
      Check("log", log.status());
      log_ = *std::move(log);
    } else {
      auto broker = eventlog::TestBroker::Start({.brokers = 1});
      Check("test broker", broker.status());
      broker_ = *std::move(broker);
      auto log = eventlog::OpenKafkaLog(
          {.brokers = broker_->bootstrap_servers(), .fetch_wait_max_ms = 10},
          absl::Now() + absl::Seconds(20));
      Check("log", log.status());
      log_ = *std::move(log);
    }
    auto store = writer::StateStore::Open({.path = dir_.path() + "/state", .log_id = log_->log_id()});
    Check("state store", store.status());
    store_ = *std::move(store);
    auto writer = writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "bench"},
                                        absl::Now() + absl::Minutes(1));
    Check("writer", writer.status());
    writer_ = *std::move(writer);
    auto views = views::ViewStore::Open({.path = dir_.path() + "/views",
                                         .log_id = log_->log_id(),
                                         .partitions = log_->partition_count()});
    Check("views", views.status());
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    Check("projector", projector.status());
    projector_ = *std::move(projector);
    std::string lines = rpc::TokenStore::HashToken(kToken) + " admin-1 admin province\n";
    for (const auto& [id, parent] : tree.organisations) {
      const char* role = id.starts_with("department-")  ? "department"
                         : id.starts_with("township-") &&
                                 id.find("village") == std::string::npos
                             ? "reviewer"
                             : "clerk";
      absl::StrAppend(&lines, rpc::TokenStore::HashToken(TokenOf(id)), " principal-", id, " ",
                      role, " ", id, "\n");
    }
    auto tokens = rpc::TokenStore::Parse(lines);
    Check("tokens", tokens.status());
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    commands_ = std::make_unique<command::CommandServices>(writer_.get(), tokens_.get());
    queries_ = std::make_unique<query::ViewServiceImpl>(*views_, *tokens_);
    std::vector<grpc::Service*> services = commands_->services();
    services.push_back(queries_.get());
    auto server = rpc::Server::Start({}, services);
    Check("server", server.status());
    server_ = *std::move(server);
    address = absl::StrCat("127.0.0.1:", server_->port());
    channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    SetUp(tree);
  }
  ~VanguardBackend() override {
    server_.reset();
    projector_->Stop();
  }

  std::shared_ptr<grpc::Channel> channel() override { return channel_; }
  bool has_views() const override { return true; }
  bool has_submit() const override { return true; }
  std::string TokenOf(const std::string& organisation) const override {
    return absl::StrCat(kToken, "-", organisation);
  }
  void WaitApplied(const v1::CommandResult& result) override {
    thread_local Caller<v1::ViewService> views(channel_);
    v1::GetLevelViewRequest request;
    request.set_organisation_id("province");
    request.set_consistency_token(result.consistency_token());
    v1::GetLevelViewResponse response;
    Check("GetLevelView", views(&v1::ViewService::Stub::GetLevelView, request, &response));
  }

 private:
  // The tree, the campaign and the departments' budgets, through the API.
  void SetUp(const Tree& tree) {
    Caller<v1::OrganisationService> organisations(channel_);
    for (const auto& [id, parent] : tree.organisations) {
      v1::RegisterOrganisationRequest request;
      request.set_request_id("register-" + id);
      request.set_organisation_id(id);
      request.set_parent_id(parent);
      request.set_name(id);
      const bool department = id.starts_with("department-");
      const bool village = id.find("village") != std::string::npos;
      request.set_kind(department ? v1::ORGANISATION_KIND_LEADING_GROUP
                       : village  ? v1::ORGANISATION_KIND_BRANCH
                                  : v1::ORGANISATION_KIND_COMMITTEE);
      request.set_level(department || village         ? v1::ORGANISATION_LEVEL_GRASSROOTS
                        : id.starts_with("township")  ? v1::ORGANISATION_LEVEL_TOWNSHIP
                        : id == "county"              ? v1::ORGANISATION_LEVEL_COUNTY
                        : id == "city"                ? v1::ORGANISATION_LEVEL_CITY
                                                      : v1::ORGANISATION_LEVEL_PROVINCE);
      request.set_sector(department ? v1::SECTOR_DEPARTMENT
                         : village  ? v1::SECTOR_VILLAGE
                                    : v1::SECTOR_TERRITORIAL);
      v1::RegisterOrganisationResponse response;
      Check("register " + id, organisations(&v1::OrganisationService::Stub::RegisterOrganisation,
                                            request, &response));
    }
    Caller<v1::CampaignService> campaigns(channel_);
    v1::LaunchCampaignRequest launch;
    launch.set_request_id("launch");
    launch.set_organisation_id("province");
    launch.set_name("深入开展创先争优活动");
    launch.set_theme("强基础、转作风、树形象");
    launch.set_carrier("公开承诺、领导点评、群众评议");
    const absl::CivilDay from(Year(), 1, 1), to(Year(), 12, 31);
    const int64_t days = to - from + 1;
    for (int phase = 1; phase <= 5; ++phase) {
      v1::PhasePlan* plan = launch.add_phases();
      plan->set_phase(static_cast<v1::CampaignPhase>(phase));
      *plan->mutable_starts_on() = domain::ToDate(from + (phase - 1) * days / 5);
      *plan->mutable_ends_on() = domain::ToDate(phase == 5 ? to : from + phase * days / 5 - 1);
    }
    v1::LaunchCampaignResponse launched;
    Check("launch", campaigns(&v1::CampaignService::Stub::LaunchCampaign, launch, &launched));
    campaign = launched.result().aggregate_id();
    Caller<v1::FundsService> funds(channel_);
    for (const std::string& department : tree.departments) {
      v1::AllocateBudgetRequest request;
      request.set_request_id("allocate-" + department);
      request.set_source_organisation_id(department);
      request.set_purpose(v1::FUNDS_PURPOSE_CO_BUILDING);
      request.set_year(Year());
      request.set_amount_fen(kBudgetFen);
      request.set_campaign_id(campaign);
      request.set_description("结对共建经费");
      v1::AllocateBudgetResponse response;
      Check("allocate", funds(&v1::FundsService::Stub::AllocateBudget, request, &response,
                              TokenOf(department)));
    }
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::TestBroker> broker_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<command::CommandServices> commands_;
  std::unique_ptr<query::ViewServiceImpl> queries_;
  std::unique_ptr<rpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// The same four RPCs the way a user would build them on PostgreSQL.
class PeerBackend : public Backend {
 public:
  explicit PeerBackend(const Tree& tree) {
    bench::PgPeerOptions options;
    options.token = kToken;
    options.organisations = tree.organisations;
    for (const std::string& department : tree.departments) {
      options.budgets.push_back(
          {department, v1::FUNDS_PURPOSE_CO_BUILDING, Year(), kBudgetFen});
    }
    auto peer = bench::PgPeer::Start(options);
    Check("PostgreSQL peer", peer.status());
    peer_ = *std::move(peer);
    address = peer_->address();
    channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  std::shared_ptr<grpc::Channel> channel() override { return channel_; }
  bool has_views() const override { return false; }
  bool has_submit() const override { return false; }
  std::string TokenOf(const std::string&) const override { return kToken; }
  // The peer's answers carry no position: wait for everything committed by
  // the time of the answer, which includes the command's own row.
  void WaitApplied(const v1::CommandResult&) override {
    const int64_t last = peer_->LastPosition();
    while (peer_->ProjectedPosition() < last) absl::SleepFor(absl::Microseconds(200));
  }

 private:
  std::unique_ptr<bench::PgPeer> peer_;
  std::shared_ptr<grpc::Channel> channel_;
};

// One client's loop of make → approve → fulfil → disburse.
class MixClient {
 public:
  MixClient(Backend& backend, const Tree& tree, std::string prefix, int client)
      : tree_(tree),
        backend_(backend),
        campaign_(backend.campaign),
        prefix_(std::move(prefix)),
        client_(client),
        channel_(backend.NewChannel()),
        pledges_(channel_),
        funds_(channel_) {}

  // One round of the four commands; each latency goes to `latencies`.
  void Round(std::vector<absl::Duration>* latencies) {
    const std::string& village = tree_.villages[(client_ * 7 + round_) % tree_.villages.size()];
    const std::string id = absl::StrCat(prefix_, "-", client_, "-", round_++);
    v1::MakePledgeResponse made;
    Timed(latencies, [&] {
      return pledges_(&v1::PledgeService::Stub::MakePledge,
                      MakeRequest("make-" + id, campaign_, village), &made,
                      backend_.TokenOf(village));
    });
    v1::ApprovePledgeRequest approve;
    approve.set_request_id("approve-" + id);
    approve.set_pledge_id(made.result().aggregate_id());
    approve.set_comment("同意");
    v1::ApprovePledgeResponse approved;
    Timed(latencies,
          [&] {
            return pledges_(&v1::PledgeService::Stub::ApprovePledge, approve, &approved,
                            backend_.TokenOf(tree_.TownshipOf(village)));
          });
    v1::FulfilPledgeRequest fulfil;
    fulfil.set_request_id("fulfil-" + id);
    fulfil.set_pledge_id(made.result().aggregate_id());
    fulfil.mutable_achieved()->mutable_quantity()->set_value_milli(2000);
    fulfil.mutable_achieved()->mutable_quantity()->set_unit("公里");
    fulfil.set_description("村道硬化完成");
    v1::FulfilPledgeResponse fulfilled;
    Timed(latencies,
          [&] {
            return pledges_(&v1::PledgeService::Stub::FulfilPledge, fulfil, &fulfilled,
                            backend_.TokenOf(village));
          });
    Disburse("disburse-" + id, village, latencies);
  }

  v1::CommandResult Disburse(const std::string& request_id, const std::string& village,
                             std::vector<absl::Duration>* latencies) {
    v1::DisburseFundsResponse paid;
    Timed(latencies, [&] {
      return funds_(&v1::FundsService::Stub::DisburseFunds,
                    DisburseRequest(request_id, Department(), village), &paid,
                    backend_.TokenOf(Department()));
    });
    return paid.result();
  }

  const std::string& Department() const {
    return tree_.departments[client_ % tree_.departments.size()];
  }

 private:
  template <typename Call>
  void Timed(std::vector<absl::Duration>* latencies, Call call) {
    absl::Time start = absl::Now();
    Check("command", call());
    latencies->push_back(absl::Now() - start);
  }

  const Tree& tree_;
  Backend& backend_;
  const std::string campaign_;
  const std::string prefix_;
  const int client_;
  int round_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  Caller<v1::PledgeService> pledges_;
  Caller<v1::FundsService> funds_;
};

class Bench {
 public:
  Bench(std::string name, Backend& backend, const Tree& tree, absl::Duration length)
      : name_(std::move(name)), backend_(backend), tree_(tree), length_(length) {}

  // Closed loop: every client waits for each answer.
  Cell Commands(int clients) {
    return RunClients("commands", clients, [&](int c, absl::Time end, Cell& cell) {
      MixClient client(backend_, tree_, Prefix("mix", clients), c);
      while (absl::Now() < end) client.Round(&cell.latencies);
    });
  }

  // Paced clients at `rate` commands/s in all; a probe measures freshness.
  Cell HalfLoad(double rate) {
    constexpr int kClients = 16;
    std::atomic<bool> stop{false};
    std::vector<absl::Duration> freshness;
    std::thread probe;
    if (rate > 0) {
      probe = std::thread([&] {
        MixClient client(backend_, tree_, Prefix("probe", 0), 999);
        for (int i = 0; !stop; ++i) {
          std::vector<absl::Duration> ignored;
          v1::CommandResult paid =
              client.Disburse(absl::StrCat(Prefix("probe", 0), "-", i), tree_.villages[0], &ignored);
          absl::Time answered = absl::Now();
          backend_.WaitApplied(paid);
          freshness.push_back(absl::Now() - answered);
          absl::SleepFor(absl::Milliseconds(10));
        }
      });
    }
    Cell cell = RunClients("half load", kClients, [&](int c, absl::Time end, Cell& cell) {
      MixClient client(backend_, tree_, Prefix("half", c), c);
      // Four commands a round; rounds spaced so that all clients together make `rate`.
      const absl::Duration every = absl::Seconds(4.0 * kClients / rate);
      // Staggered, so that the clients' rounds spread over the interval
      // instead of arriving together.
      for (absl::Time next = absl::Now() + every * c / kClients; next < end; next += every) {
        if (absl::Now() < next) absl::SleepFor(next - absl::Now());
        client.Round(&cell.latencies);
      }
    });
    stop = true;
    if (probe.joinable()) probe.join();
    std::sort(freshness.begin(), freshness.end());
    cell.freshness = std::move(freshness);
    return cell;
  }

  // Pledges made over Submit streams, kSubmitWindow unanswered each.
  Cell Submit(int clients) {
    return RunClients("submit", clients, [&](int c, absl::Time end, Cell& cell) {
      auto stub = v1::SubmitService::NewStub(backend_.NewChannel());
      grpc::ClientContext context;
      // A stream is one principal: a village's clerk, pledging for the village.
      const std::string& village = tree_.villages[c % tree_.villages.size()];
      context.AddMetadata("authorization",
                          absl::StrCat("Bearer ", backend_.TokenOf(village)));
      auto stream = stub->Submit(&context);
      std::deque<absl::Time> unanswered;
      const std::string prefix = absl::StrCat(Prefix("submit", clients), "-", c);
      v1::SubmitResponse response;
      for (int i = 0;;) {
        if (absl::Now() < end && unanswered.size() < kSubmitWindow) {
          v1::SubmitRequest request;
          *request.mutable_make_pledge() =
              MakeRequest(absl::StrCat(prefix, "-", i), backend_.campaign, village);
          ++i;
          unanswered.push_back(absl::Now());
          if (!stream->Write(request)) break;
          continue;
        }
        if (unanswered.empty()) break;
        if (!stream->Read(&response)) break;
        if (response.has_error()) Fail("submit", response.error().message());
        // Answers come in completion order; the oldest send is the fair start.
        cell.latencies.push_back(absl::Now() - unanswered.front());
        unanswered.pop_front();
      }
      stream->WritesDone();
      Check("submit", stream->Finish());
      if (!unanswered.empty()) Fail("submit", "the stream ended with commands unanswered");
    });
  }

  // The floor under every unary call: the gRPC health check, which does
  // nothing, over the same server and the same kind of connection.
  Cell Health(int clients) {
    return RunClients("grpc floor", clients, [&](int, absl::Time end, Cell& cell) {
      std::shared_ptr<grpc::Channel> channel = backend_.NewChannel();
      const grpc::internal::RpcMethod check("/grpc.health.v1.Health/Check",
                                            grpc::internal::RpcMethod::NORMAL_RPC);
      grpc::Slice empty("");  // HealthCheckRequest{service: ""} serializes to no bytes
      const grpc::ByteBuffer request(&empty, 1);
      while (absl::Now() < end) {
        grpc::ClientContext context;
        grpc::ByteBuffer response;
        absl::Time start = absl::Now();
        Check("Health.Check", grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
                                  channel.get(), check, &context, request, &response));
        cell.latencies.push_back(absl::Now() - start);
      }
    });
  }

  // GetLevelView of random organisations, closed loop.
  Cell Queries(int clients) {
    return RunClients("queries", clients, [&](int c, absl::Time end, Cell& cell) {
      Caller<v1::ViewService> views(backend_.NewChannel());
      std::mt19937 random(c);
      while (absl::Now() < end) {
        v1::GetLevelViewRequest request;
        request.set_organisation_id(tree_.all[random() % tree_.all.size()]);
        v1::GetLevelViewResponse response;
        absl::Time start = absl::Now();
        Check("GetLevelView", views(&v1::ViewService::Stub::GetLevelView, request, &response));
        cell.latencies.push_back(absl::Now() - start);
      }
    });
  }

 private:
  std::string Prefix(const std::string& cell, int n) {
    return absl::StrCat(name_, "-", cell, "-", n, "-", ++cells_);
  }

  template <typename Loop>
  Cell RunClients(const std::string& name, int clients, Loop loop) {
    std::vector<Cell> per_client(clients);
    absl::Time start = absl::Now(), end = start + length_;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] { loop(c, end, per_client[c]); });
    }
    for (auto& t : threads) t.join();
    Cell cell{.backend = name_, .cell = name, .clients = clients};
    cell.seconds = absl::ToDoubleSeconds(absl::Now() - start);
    for (const Cell& c : per_client) {
      cell.latencies.insert(cell.latencies.end(), c.latencies.begin(), c.latencies.end());
    }
    cell.done = static_cast<int64_t>(cell.latencies.size());
    std::sort(cell.latencies.begin(), cell.latencies.end());
    return cell;
  }

  const std::string name_;
  Backend& backend_;
  const Tree& tree_;
  const absl::Duration length_;
  int cells_ = 0;
};

void Print(const Cell& c) {
  const std::string freshness =
      c.freshness.empty() ? ""
                          : absl::StrFormat("%.2f / %.2f", Cell::Ms(c.freshness, 0.5),
                                            Cell::Ms(c.freshness, 0.99));
  std::cout << absl::StrFormat("| %s | %s | %d | %.0f | %.2f | %.2f | %s |\n", c.backend, c.cell,
                               c.clients, c.Rate(), Cell::Ms(c.latencies, 0.5),
                               Cell::Ms(c.latencies, 0.99), freshness)
            << std::flush;
  const std::string path = absl::GetFlag(FLAGS_json);
  if (path.empty()) return;
  std::string line = absl::StrFormat(
      R"({"table":"%s","log":"%s","clients":%d,"per_s":%.1f,"p50_ms":%.3f,"p99_ms":%.3f)",
      c.cell, c.backend, c.clients, c.Rate(), Cell::Ms(c.latencies, 0.5),
      Cell::Ms(c.latencies, 0.99));
  if (!c.freshness.empty()) {
    absl::StrAppendFormat(&line, R"(,"freshness_p50_ms":%.3f,"freshness_p99_ms":%.3f)",
                          Cell::Ms(c.freshness, 0.5), Cell::Ms(c.freshness, 0.99));
  }
  std::ofstream(path, std::ios::app) << line << "}\n";
}

}  // namespace
}  // namespace vanguard

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace vanguard;
  const absl::Duration length = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<int> sweep;
  for (const std::string& n : absl::GetFlag(FLAGS_clients)) sweep.push_back(std::stoi(n));
  std::cout << "| log | cell | clients | per s | p50 ms | p99 ms | freshness p50 / p99 ms |\n"
            << "|---|---|---:|---:|---:|---:|---:|\n";
  const Tree tree;
  for (const std::string& name : absl::GetFlag(FLAGS_backends)) {
    std::unique_ptr<Backend> backend;
    if (name == "peer") {
      backend = std::make_unique<PeerBackend>(tree);
    } else if (name == "embedded" || name == "kafka") {
      backend = std::make_unique<VanguardBackend>(name, tree);
    } else {
      Fail("--backends", "unknown backend " + name);
    }
    Bench bench(name, *backend, tree, length);
    const std::vector<std::string> cells = absl::GetFlag(FLAGS_cells);
    auto wanted = [&](const char* cell) {
      return std::find(cells.begin(), cells.end(), cell) != cells.end();
    };
    double best = 0;
    if (wanted("commands")) {
      for (int clients : sweep) {
        Cell cell = bench.Commands(clients);
        best = std::max(best, cell.Rate());
        Print(cell);
      }
    }
    if (wanted("half") && best > 0) Print(bench.HalfLoad(best / 2));
    if (wanted("submit") && backend->has_submit()) {
      for (int clients : sweep) Print(bench.Submit(clients));
    }
    if (wanted("queries") && backend->has_views()) {
      for (int clients : sweep) Print(bench.Queries(clients));
    }
    if (wanted("grpc") && backend->has_views()) {
      for (int clients : sweep) Print(bench.Health(clients));
    }
  }
  return 0;
}
