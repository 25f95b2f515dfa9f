// Commands per second through gRPC for one writer, on the embedded log and on
// the test Kafka cluster: client threads enrol members (each command a fresh
// aggregate, so partitions work in parallel), stream enrolments through
// SubmitService (one stream per client thread, up to kSubmitWindow commands
// unanswered; a command's latency runs from its write to its response) and
// register organisations (one aggregate, the serial worst case). A program,
// not a test: it prints a table.
#include <algorithm>
#include <atomic>
#include <deque>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/command/command_services.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/submit_service.grpc.pb.h"

ABSL_FLAG(double, seconds, 3, "Duration of each cell");
ABSL_FLAG(std::string, backends, "embedded,kafka", "Which logs to measure");

namespace vanguard {
namespace {

constexpr char kToken[] = "bench-admin";
// Commands a submitting client keeps unanswered: the read-ahead the server
// promises to take (see submit_service.proto).
constexpr size_t kSubmitWindow = 64;

struct Cell {
  std::string backend, command;
  int clients = 0;
  int64_t done = 0;
  absl::Duration elapsed, p50, p99;
};

void Fail(const std::string& what, const absl::Status& status) {
  std::cerr << what << ": " << status << std::endl;
  std::exit(1);
}

class Bench {
 public:
  Bench(std::unique_ptr<eventlog::EventLog> log, const std::string& dir) : log_(std::move(log)) {
    auto store = writer::StateStore::Open({.path = dir + "/state", .log_id = log_->log_id()});
    if (!store.ok()) Fail("state store", store.status());
    store_ = *std::move(store);
    auto writer = writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "bench"},
                                        absl::Now() + absl::Minutes(1));
    if (!writer.ok()) Fail("writer", writer.status());
    writer_ = *std::move(writer);
    auto tokens =
        rpc::TokenStore::Parse(rpc::TokenStore::HashToken(kToken) + " admin-1 admin county\n");
    if (!tokens.ok()) Fail("tokens", tokens.status());
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    services_ = std::make_unique<command::CommandServices>(writer_.get(), tokens_.get());
    auto server = rpc::Server::Start({}, services_->services());
    if (!server.ok()) Fail("server", server.status());
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    Register("county", "", v1::ORGANISATION_LEVEL_COUNTY, v1::ORGANISATION_KIND_COMMITTEE,
             v1::SECTOR_TERRITORIAL, "setup-county");
    Register("village", "county", v1::ORGANISATION_LEVEL_GRASSROOTS, v1::ORGANISATION_KIND_BRANCH,
             v1::SECTOR_VILLAGE, "setup-village");
  }

  grpc::Status Register(const std::string& id, const std::string& parent,
                        v1::OrganisationLevel level, v1::OrganisationKind kind, v1::Sector sector,
                        const std::string& request_id) {
    auto stub = v1::OrganisationService::NewStub(channel_);
    v1::RegisterOrganisationRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id(id);
    request.set_parent_id(parent);
    request.set_name(id);
    request.set_kind(kind);
    request.set_level(level);
    request.set_sector(sector);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::RegisterOrganisationResponse response;
    return stub->RegisterOrganisation(&context, request, &response);
  }

  static v1::EnrolMemberRequest EnrolRequest(const std::string& request_id) {
    v1::EnrolMemberRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id("village");
    request.mutable_attributes()->set_name("党员");
    request.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
    return request;
  }

  grpc::Status Enrol(const std::string& request_id) {
    thread_local std::unique_ptr<v1::MemberService::Stub> stub;
    if (!stub) stub = v1::MemberService::NewStub(channel_);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::EnrolMemberResponse response;
    return stub->EnrolMember(&context, EnrolRequest(request_id), &response);
  }

  // Enrols over one Submit stream until `end`, keeping up to kSubmitWindow
  // commands unanswered so the server always has the next one to read.
  void SubmitEnrolments(const std::string& prefix, absl::Time end,
                        std::vector<absl::Duration>* latencies, std::atomic<int64_t>* done) {
    auto stub = v1::SubmitService::NewStub(channel_);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    auto stream = stub->Submit(&context);
    std::deque<absl::Time> unanswered;
    v1::SubmitResponse response;
    for (int i = 0;;) {
      if (absl::Now() < end && unanswered.size() < kSubmitWindow) {
        v1::SubmitRequest request;
        *request.mutable_enrol_member() = EnrolRequest(absl::StrCat(prefix, "-", i++));
        unanswered.push_back(absl::Now());
        if (!stream->Write(request)) break;
        continue;
      }
      if (unanswered.empty()) break;
      if (!stream->Read(&response)) break;
      if (response.has_error()) {
        std::cerr << "submit: " << response.error().message() << std::endl;
        std::exit(1);
      }
      latencies->push_back(absl::Now() - unanswered.front());
      unanswered.pop_front();
      ++*done;
    }
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    if (!status.ok() || !unanswered.empty()) {
      std::cerr << "submit: " << status.error_message() << std::endl;
      std::exit(1);
    }
  }

  Cell Run(const std::string& backend, const std::string& command, int clients,
           absl::Duration length) {
    std::atomic<int64_t> done{0};
    std::vector<std::vector<absl::Duration>> latencies(clients);
    absl::Time start = absl::Now(), end = start + length;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        if (command == "submit") {
          SubmitEnrolments(absl::StrCat(backend, "-submit-", clients, "-", c), end, &latencies[c],
                           &done);
          return;
        }
        for (int i = 0; absl::Now() < end; ++i) {
          std::string id = absl::StrCat(backend, "-", command, "-", clients, "-", c, "-", i);
          absl::Time t0 = absl::Now();
          grpc::Status status =
              command == "enrol"
                  ? Enrol(id)
                  : Register(id, "county", v1::ORGANISATION_LEVEL_TOWNSHIP,
                             v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL, id);
          if (!status.ok()) {
            std::cerr << command << ": " << status.error_message() << std::endl;
            std::exit(1);
          }
          latencies[c].push_back(absl::Now() - t0);
          ++done;
        }
      });
    }
    for (auto& t : threads) t.join();
    std::vector<absl::Duration> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    auto at = [&](double q) {
      return all.empty() ? absl::ZeroDuration() : all[static_cast<size_t>(q * (all.size() - 1))];
    };
    return {backend, command, clients, done.load(), absl::Now() - start, at(0.5), at(0.99)};
  }

 private:
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<command::CommandServices> services_;
  std::unique_ptr<rpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace
}  // namespace vanguard

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace vanguard;
  absl::Duration length = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::string backends = absl::GetFlag(FLAGS_backends);
  std::cout << "machine: nproc " << std::thread::hardware_concurrency()
            << "; one writer, gRPC on loopback, clients in the same process\n\n"
            << "| log | command | clients | commands/s | p50 ms | p99 ms |\n"
            << "|---|---|---:|---:|---:|---:|\n";
  for (const std::string backend : {"embedded", "kafka"}) {
    if (backends.find(backend) == std::string::npos) continue;
    eventlog::testing::ScopedTempDir dir;
    std::unique_ptr<eventlog::TestBroker> broker;
    absl::StatusOr<std::unique_ptr<eventlog::EventLog>> log;
    if (backend == "embedded") {
      log = eventlog::OpenEmbeddedLog({.path = dir.path() + "/log"});
    } else {
      auto started = eventlog::TestBroker::Start({.brokers = 1});
      if (!started.ok()) Fail("test broker", started.status());
      broker = *std::move(started);
      log =
          eventlog::OpenKafkaLog({.brokers = broker->bootstrap_servers(), .fetch_wait_max_ms = 10},
                                 absl::Now() + absl::Seconds(20));
    }
    if (!log.ok()) Fail("log", log.status());
    Bench bench(*std::move(log), dir.path());
    for (const std::string command : {"enrol", "submit", "register"}) {
      for (int clients : {1, 4, 16}) {
        Cell c = bench.Run(backend, command, clients, length);
        std::cout << absl::StrFormat(
                         "| %s | %s | %d | %.0f | %.2f | %.2f |\n", c.backend, c.command, c.clients,
                         c.done / absl::ToDoubleSeconds(c.elapsed),
                         absl::ToDoubleMilliseconds(c.p50), absl::ToDoubleMilliseconds(c.p99))
                  << std::flush;
      }
    }
  }
  return 0;
}
