// Broker loss on the test Kafka cluster, under a steady command load through
// real gRPC.
//
// One process holds what `vanguard serve --log kafka` holds: a writer over the
// Kafka log, the command services, the projector and the ViewService, on a
// gRPC server on loopback; the log lives on a three-broker test cluster
// (librdkafka's mock cluster, real Kafka protocol over TCP). Eight clients
// each make a pledge every 50 ms with a 2 s deadline; a client that gets
// UNAVAILABLE (the outcome unknown) retries the same request id, as the API
// asks. Meanwhile:
//   1. Produce requests fail with NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT,
//      NOT_ENOUGH_REPLICAS(_AFTER_APPEND) and NETWORK_EXCEPTION for a while;
//   2. every broker goes down for 30 s, then comes back.
// It proves what a department's client relies on:
//   - no call hangs: each is answered before its deadline; while the brokers
//     are down every call fails with UNAVAILABLE, none succeeds;
//   - memory stays bounded (RSS after the outage against before);
//   - nothing acknowledged is lost and nothing is applied twice: read from
//     offset zero with the acceptance rule, every acknowledged request is in
//     the log exactly once, and no request is accepted twice;
//   - everything resumes by itself: commands succeed again without a restart,
//     and the projector's views catch up and count every pledge once.
// The figures are printed at the end.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/domain/validation.h"
#include "libs/eventlog/acceptance.h"
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
#include "vanguard/v1/campaign_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/pledge_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard {
namespace {

using Api = eventlog::TestBroker::Api;

constexpr char kToken[] = "reliability-admin";
constexpr int kBrokers = 3;
constexpr int kClients = 8;
constexpr int kVillages = 8;
constexpr absl::Duration kDeadline = absl::Seconds(2);
constexpr absl::Duration kPace = absl::Milliseconds(50);        // between a client's commands
constexpr absl::Duration kRetryPause = absl::Milliseconds(50);  // before retrying an unknown outcome
constexpr absl::Duration kWarmUp = absl::Seconds(4);
constexpr absl::Duration kFaults = absl::Seconds(6);
constexpr absl::Duration kOutage = absl::Seconds(30);
constexpr absl::Duration kMaxResume = absl::Seconds(30);
constexpr absl::Duration kAfter = absl::Seconds(5);
// Kafka protocol error codes injected into Produce requests.
constexpr int16_t kNotLeader = 6, kRequestTimedOut = 7, kNetworkException = 13,
                  kNotEnoughReplicas = 19, kNotEnoughReplicasAfterAppend = 20;

int Year() { return absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(8 * 3600)).year(); }

int64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

double Mib(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// A village's clerk makes its pledges; the admin sets up and reads.
std::string VillageToken(int village) { return absl::StrCat(kToken, "-village-", village); }

void SetAuth(grpc::ClientContext& context, absl::Duration deadline,
             const std::string& token = kToken) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
}

// One finished call as its client saw it.
struct Call {
  absl::Time start;
  absl::Duration took;
  grpc::StatusCode code;
  std::string message;
};

// An acknowledged command: the request and the pledge it made.
struct Acknowledged {
  std::string request_id;
  std::string pledge_id;
  std::string token;
  absl::Time at;
  int attempts = 1;
};

// The log, the writer, the command services, the projector and the
// ViewService, as `vanguard serve --log kafka` composes them.
class Vanguard {
 public:
  Vanguard() {
    auto broker = eventlog::TestBroker::Start({.brokers = kBrokers});
    Check(broker.status());
    broker_ = *std::move(broker);
    auto log = eventlog::OpenKafkaLog(
        {.brokers = broker_->bootstrap_servers(), .fetch_wait_max_ms = 10},
        absl::Now() + absl::Seconds(20));
    Check(log.status());
    log_ = *std::move(log);
    auto store = writer::StateStore::Open({.path = dir_.path() + "/state", .log_id = log_->log_id()});
    Check(store.status());
    store_ = *std::move(store);
    auto writer = writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "broker-loss"},
                                        absl::Now() + absl::Seconds(30));
    Check(writer.status());
    writer_ = *std::move(writer);
    auto views = views::ViewStore::Open({.path = dir_.path() + "/views",
                                         .log_id = log_->log_id(),
                                         .partitions = log_->partition_count()});
    Check(views.status());
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    Check(projector.status());
    projector_ = *std::move(projector);
    std::string lines = absl::StrCat(rpc::TokenStore::HashToken(kToken), " admin-1 admin province\n");
    for (int v = 0; v < kVillages; ++v) {
      absl::StrAppend(&lines, rpc::TokenStore::HashToken(VillageToken(v)), " clerk-", v,
                      " clerk village-", v, "\n");
    }
    auto tokens = rpc::TokenStore::Parse(lines);
    Check(tokens.status());
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    commands_ = std::make_unique<command::CommandServices>(writer_.get(), tokens_.get());
    queries_ = std::make_unique<query::ViewServiceImpl>(*views_, *tokens_);
    std::vector<grpc::Service*> services = commands_->services();
    services.push_back(queries_.get());
    auto server = rpc::Server::Start({}, services);
    Check(server.status());
    server_ = *std::move(server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }
  ~Vanguard() {
    server_->Shutdown(absl::Now() + absl::Seconds(5));
    projector_->Stop();
  }

  // A connection of its own, as each department's client has.
  std::shared_ptr<grpc::Channel> NewChannel() const {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), arguments);
  }

  eventlog::TestBroker& broker() { return *broker_; }
  eventlog::EventLog& log() { return *log_; }
  projector::Projector& projector() { return *projector_; }

 private:
  static void Check(const absl::Status& status) {
    if (!status.ok()) {
      std::cerr << "setting up: " << status << std::endl;
      std::abort();
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
  std::string address_;
};

// The province, its county and the villages that pledge, and the campaign.
std::string SetUpTree(Vanguard& vanguard) {
  auto organisations = v1::OrganisationService::NewStub(vanguard.NewChannel());
  auto add = [&](const std::string& id, const std::string& parent, v1::OrganisationLevel level,
                 v1::OrganisationKind kind, v1::Sector sector) {
    v1::RegisterOrganisationRequest request;
    request.set_request_id("register-" + id);
    request.set_organisation_id(id);
    request.set_parent_id(parent);
    request.set_name(id);
    request.set_kind(kind);
    request.set_level(level);
    request.set_sector(sector);
    v1::RegisterOrganisationResponse response;
    grpc::ClientContext context;
    SetAuth(context, absl::Seconds(30));
    grpc::Status status = organisations->RegisterOrganisation(&context, request, &response);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
  };
  add("province", "", v1::ORGANISATION_LEVEL_PROVINCE, v1::ORGANISATION_KIND_COMMITTEE,
      v1::SECTOR_TERRITORIAL);
  add("county", "province", v1::ORGANISATION_LEVEL_COUNTY, v1::ORGANISATION_KIND_COMMITTEE,
      v1::SECTOR_TERRITORIAL);
  for (int v = 0; v < kVillages; ++v) {
    add(absl::StrCat("village-", v), "county", v1::ORGANISATION_LEVEL_GRASSROOTS,
        v1::ORGANISATION_KIND_BRANCH, v1::SECTOR_VILLAGE);
  }
  auto campaigns = v1::CampaignService::NewStub(vanguard.NewChannel());
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
  grpc::ClientContext context;
  SetAuth(context, absl::Seconds(30));
  grpc::Status status = campaigns->LaunchCampaign(&context, launch, &launched);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return launched.result().aggregate_id();
}

// A client that makes a pledge every kPace; an unknown outcome (UNAVAILABLE,
// DEADLINE_EXCEEDED) is retried with the same request id until it is known.
class LoadClient {
 public:
  LoadClient(Vanguard& vanguard, int client, std::string campaign)
      : client_(client),
        campaign_(std::move(campaign)),
        stub_(v1::PledgeService::NewStub(vanguard.NewChannel())) {}
  ~LoadClient() { Stop(); }

  void Start() { thread_ = std::thread([this] { Run(); }); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::vector<Call> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::vector<Acknowledged> acknowledged() const {
    absl::MutexLock lock(&mu_);
    return acknowledged_;
  }

 private:
  void Run() {
    int64_t sequence = 0;
    int attempts = 0;
    while (!stop_) {
      const std::string request_id = absl::StrCat("client-", client_, "-", sequence);
      v1::MakePledgeRequest request;
      request.set_request_id(request_id);
      request.set_campaign_id(campaign_);
      request.mutable_pledger()->set_organisation_id(absl::StrCat("village-", client_ % kVillages));
      request.set_kind(v1::PLEDGE_KIND_DEED);
      request.set_theme(v1::PLEDGE_THEME_PEOPLES_WISHES);
      request.set_text("硬化村道两公里");
      request.mutable_target()->set_description("硬化村道两公里");
      request.mutable_target()->mutable_measure()->mutable_quantity()->set_value_milli(2000);
      request.mutable_target()->mutable_measure()->mutable_quantity()->set_unit("公里");
      request.mutable_due_on()->set_year(Year());
      request.mutable_due_on()->set_month(12);
      request.mutable_due_on()->set_day(31);
      v1::MakePledgeResponse response;
      grpc::ClientContext context;
      SetAuth(context, kDeadline, VillageToken(client_ % kVillages));
      const absl::Time start = absl::Now();
      grpc::Status status = stub_->MakePledge(&context, request, &response);
      const absl::Duration took = absl::Now() - start;
      ++attempts;
      {
        absl::MutexLock lock(&mu_);
        calls_.push_back({start, took, status.error_code(), status.error_message()});
        if (status.ok()) {
          acknowledged_.push_back({request_id, response.result().aggregate_id(),
                                   response.result().consistency_token(), absl::Now(), attempts});
        }
      }
      const bool unknown = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
      if (unknown) {
        absl::SleepFor(kRetryPause);
        continue;
      }
      ++sequence;  // known: done (an unexpected error fails the test below)
      attempts = 0;
      absl::SleepFor(kPace);
    }
  }

  const int client_;
  const std::string campaign_;
  std::unique_ptr<v1::PledgeService::Stub> stub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<Acknowledged> acknowledged_ ABSL_GUARDED_BY(mu_);
};

// What the log holds, read from offset zero with the acceptance rule.
struct LogCensus {
  int64_t records = 0;
  int64_t rejected = 0;
  // (aggregate id, request id) → accepted events carrying it.
  std::map<std::pair<std::string, std::string>, int> accepted;
  // request id → the aggregates whose accepted events carry it.
  std::map<std::string, std::set<std::string>> aggregates_of_request;
};

LogCensus ReadLog(eventlog::EventLog& log) {
  LogCensus census;
  eventlog::PositionMap from, end;
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    from[p] = 0;
    auto offset = log.EndOffset(p, absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(offset.ok()) << offset.status();
    end[p] = offset.value_or(0);
  }
  auto reader = log.OpenReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return census;
  std::map<std::string, eventlog::AggregateHead> heads;
  std::map<int32_t, int64_t> epochs;
  eventlog::PositionMap read = from;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  auto done = [&] {
    for (const auto& [p, offset] : end) {
      if (read[p] < offset) return false;
    }
    return true;
  };
  while (!done() && absl::Now() < give_up) {
    auto records = (*reader)->Poll(10'000, absl::Now() + absl::Seconds(1));
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) break;
    for (const eventlog::StoredRecord& record : *records) {
      if (record.offset >= end[record.partition]) continue;
      read[record.partition] = record.offset + 1;
      ++census.records;
      eventlog::Judgement judgement = eventlog::Accept(
          record, heads[record.key], epochs[record.partition], log.partition_count());
      if (!judgement.accepted) {
        ++census.rejected;
        continue;
      }
      heads[record.key] = {judgement.envelope.aggregate_version(), judgement.hash};
      if (judgement.is_claim) {
        epochs[record.partition] = judgement.envelope.owner_claimed().epoch();
        continue;
      }
      const std::string& request = judgement.envelope.request_id();
      ++census.accepted[{judgement.envelope.aggregate_id(), request}];
      census.aggregates_of_request[request].insert(judgement.envelope.aggregate_id());
    }
  }
  EXPECT_TRUE(done()) << "the log could not be read to its end";
  return census;
}

int64_t PledgesInViews(Vanguard& vanguard, const std::string& token) {
  auto views = v1::ViewService::NewStub(vanguard.NewChannel());
  v1::GetLevelViewRequest request;
  request.set_organisation_id("province");
  request.set_consistency_token(token);
  v1::GetLevelViewResponse response;
  grpc::ClientContext context;
  SetAuth(context, absl::Seconds(30));
  grpc::Status status = views->GetLevelView(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  return response.view().figures().pledges().total().made();
}

TEST(BrokerLossTest, CommandsFailFastLoseNothingAndResume) {
  Vanguard vanguard;
  const std::string campaign = SetUpTree(vanguard);
  ASSERT_FALSE(campaign.empty());
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  std::vector<std::unique_ptr<LoadClient>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::make_unique<LoadClient>(vanguard, c, campaign));
  }
  const absl::Time load_started = absl::Now();
  for (auto& client : clients) client->Start();
  absl::SleepFor(kWarmUp);

  // Produce requests fail, a few at a time, for a while.
  const absl::Time faults_started = absl::Now();
  int64_t injected = 0;
  const std::vector<int16_t> faults = {kNotLeader, kRequestTimedOut, kNotEnoughReplicas,
                                       kNotEnoughReplicasAfterAppend, kNetworkException};
  while (absl::Now() < faults_started + kFaults) {
    vanguard.broker().PushRequestErrors(Api::kProduce, faults);
    injected += static_cast<int64_t>(faults.size());
    absl::SleepFor(absl::Milliseconds(250));
  }
  const absl::Time faults_ended = absl::Now();
  absl::SleepFor(absl::Seconds(1));
  const int64_t rss_before = RssBytes();

  // Every broker down for kOutage.
  for (int b = 1; b <= kBrokers; ++b) ASSERT_TRUE(vanguard.broker().SetBrokerDown(b).ok());
  const absl::Time down = absl::Now();  // every broker is down from here
  absl::SleepFor(kOutage);
  const int64_t rss_down = RssBytes();
  const absl::Time up = absl::Now();
  for (int b = 1; b <= kBrokers; ++b) ASSERT_TRUE(vanguard.broker().SetBrokerUp(b).ok());

  // Resumed: every client has an acknowledgement of a call started after the brokers came back.
  auto resumed_clients = [&] {
    int resumed = 0;
    for (auto& client : clients) {
      for (const Call& call : client->calls()) {
        if (call.start >= up && call.code == grpc::StatusCode::OK) {
          ++resumed;
          break;
        }
      }
    }
    return resumed;
  };
  while (resumed_clients() < kClients && absl::Now() < up + kMaxResume) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const absl::Time all_resumed = absl::Now();
  absl::SleepFor(kAfter);
  for (auto& client : clients) client->Stop();
  const absl::Time load_ended = absl::Now();
  const int64_t rss_after = RssBytes();

  // The calls, by phase.
  int64_t sent = 0, ok = 0, unavailable = 0, other = 0, late = 0, slow = 0;
  int64_t during_calls = 0, during_ok = 0, during_unavailable = 0;
  int64_t fault_calls = 0, fault_ok = 0, after_ok = 0, after_errors = 0;
  absl::Duration max_took, max_took_down, sum_took_down;
  absl::Time first_ok_after = absl::InfiniteFuture();
  std::map<std::string, int64_t> messages;
  for (auto& client : clients) {
    for (const Call& call : client->calls()) {
      ++sent;
      max_took = std::max(max_took, call.took);
      // The first command of each partition waits for the log until just
      // before its deadline; the rest fail at once.
      if (call.took >= kDeadline / 2) ++slow;
      if (call.took >= kDeadline) {
        ++late;
        ADD_FAILURE() << "a call started " << (call.start - down)
                      << " after the brokers went down took " << call.took << ": " << call.code
                      << " " << call.message;
      }
      const absl::Time end = call.start + call.took;
      switch (call.code) {
        case grpc::StatusCode::OK: ++ok; break;
        case grpc::StatusCode::UNAVAILABLE: ++unavailable; break;
        default:
          ++other;
          ++messages[absl::StrCat(call.code, " ", call.message)];
      }
      if (call.start >= faults_started && end <= faults_ended) {
        ++fault_calls;
        if (call.code == grpc::StatusCode::OK) ++fault_ok;
      }
      if (call.start >= down && end <= up) {
        ++during_calls;
        max_took_down = std::max(max_took_down, call.took);
        sum_took_down += call.took;
        if (call.code == grpc::StatusCode::OK) ++during_ok;
        if (call.code == grpc::StatusCode::UNAVAILABLE) ++during_unavailable;
      }
      if (call.start >= up && call.code == grpc::StatusCode::OK) {
        first_ok_after = std::min(first_ok_after, end);
      }
      if (call.start >= all_resumed) {
        if (call.code == grpc::StatusCode::OK) {
          ++after_ok;
        } else {
          ++after_errors;
        }
      }
    }
  }
  for (const auto& [message, count] : messages) {
    ADD_FAILURE() << count << " calls answered " << message;
  }
  EXPECT_EQ(other, 0) << "every failure is UNAVAILABLE (retryable)";
  EXPECT_EQ(late, 0) << "calls answered at or after their deadline of " << kDeadline;
  EXPECT_LT(max_took, kDeadline);
  EXPECT_GT(during_calls, 0);
  EXPECT_EQ(during_ok, 0) << "nothing is acknowledged while every broker is down";
  EXPECT_EQ(during_unavailable, during_calls);
  EXPECT_EQ(resumed_clients(), kClients) << "every client succeeds again after the outage";
  EXPECT_GT(after_ok, 0);
  EXPECT_EQ(after_errors, 0) << "once resumed, commands succeed";
  EXPECT_GT(fault_ok, 0) << "commands succeed through injected produce errors";
  EXPECT_LT(rss_after - rss_before, int64_t{64} << 20) << "memory stays bounded";

  // Nothing acknowledged is lost, nothing applied twice.
  std::vector<Acknowledged> acknowledged;
  int64_t retried_ok = 0;
  for (auto& client : clients) {
    for (Acknowledged& a : client->acknowledged()) {
      if (a.attempts > 1) ++retried_ok;
      acknowledged.push_back(std::move(a));
    }
  }
  LogCensus census = ReadLog(vanguard.log());
  std::set<std::string> pledges;
  for (const Acknowledged& a : acknowledged) {
    EXPECT_EQ((census.accepted[{a.pledge_id, a.request_id}]), 1)
        << a.request_id << " (pledge " << a.pledge_id << ", " << a.attempts << " attempts)";
    pledges.insert(a.pledge_id);
  }
  int64_t pledge_requests = 0;
  for (const auto& [key, count] : census.accepted) {
    if (!key.second.starts_with("client-")) continue;
    ++pledge_requests;
    EXPECT_EQ(count, 1) << key.second << " accepted " << count << " times on " << key.first;
  }
  for (const auto& [request, aggregates] : census.aggregates_of_request) {
    EXPECT_EQ(aggregates.size(), 1u) << request << " applied to several aggregates";
  }
  // An accepted request nobody heard of is an unknown outcome its client
  // was still retrying when the load stopped; at most one per client.
  EXPECT_LE(pledge_requests - static_cast<int64_t>(pledges.size()), kClients);
  EXPECT_EQ(pledges.size(), acknowledged.size()) << "two requests made the same pledge";

  // The projector catches up by itself and counts every pledge once.
  const absl::Time caught_up_from = absl::Now();
  EXPECT_TRUE(vanguard.projector().WaitCaughtUp(absl::Now() + absl::Seconds(60)))
      << vanguard.projector().status();
  const absl::Duration catch_up = absl::Now() - caught_up_from;
  EXPECT_TRUE(vanguard.projector().status().ok()) << vanguard.projector().status();
  std::string last_token;
  absl::Time last_at = absl::InfinitePast();
  for (const Acknowledged& a : acknowledged) {
    if (a.at > last_at) last_at = a.at, last_token = a.token;
  }
  const int64_t in_views = PledgesInViews(vanguard, last_token);
  EXPECT_EQ(in_views, pledge_requests);

  std::cout << absl::StreamFormat(
      "broker loss, %d brokers, %d clients, deadline %s, outage %s\n"
      "  load                %.1f s\n"
      "  commands sent       %d (OK %d, UNAVAILABLE %d, other %d)\n"
      "  produce faults      %d injected; %d calls in that window, %d OK\n"
      "  during the outage   %d calls: OK %d, UNAVAILABLE %d; latency max %s, mean %s\n"
      "  max latency         %s against a deadline of %s; %d at or past it, %d past half of it\n"
      "  resumed             first OK %s after the brokers came back, every client %s\n"
      "  after resuming      %d OK, %d errors\n"
      "  acknowledged        %d (%d after retries of an unknown outcome), each in the log once\n"
      "  log                 %d records, %d rejected by the acceptance rule\n"
      "  views               %d pledges made; projector caught up %s after the load\n"
      "  RSS                 %.1f MiB before the outage, %.1f MiB at its end, %.1f MiB after\n",
      kBrokers, kClients, absl::FormatDuration(kDeadline), absl::FormatDuration(kOutage),
      absl::ToDoubleSeconds(load_ended - load_started), sent, ok, unavailable, other, injected,
      fault_calls, fault_ok, during_calls, during_ok, during_unavailable,
      absl::FormatDuration(absl::Trunc(max_took_down, absl::Milliseconds(1))),
      absl::FormatDuration(absl::Trunc(
          during_calls ? sum_took_down / during_calls : absl::ZeroDuration(), absl::Milliseconds(1))),
      absl::FormatDuration(absl::Trunc(max_took, absl::Milliseconds(1))),
      absl::FormatDuration(kDeadline), late, slow,
      absl::FormatDuration(absl::Trunc(first_ok_after - up, absl::Milliseconds(1))),
      absl::FormatDuration(absl::Trunc(all_resumed - up, absl::Milliseconds(1))), after_ok,
      after_errors, static_cast<int64_t>(acknowledged.size()), retried_ok, census.records,
      census.rejected, in_views, absl::FormatDuration(absl::Trunc(catch_up, absl::Milliseconds(1))),
      Mib(rss_before), Mib(rss_down), Mib(rss_after));
}

}  // namespace
}  // namespace vanguard
