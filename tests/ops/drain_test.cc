// `vanguard serve` as an operator runs it: it reports itself alive at once and
// ready once caught up; SIGTERM under a steady load of commands drains and
// exits 0, and every command it acknowledged is in the log exactly once when
// it is started again; its logs are JSON lines; /metrics shows the append
// latency and the stores' sizes.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"

namespace vanguard {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "county-admin-token";

// grpc.health.v1.Health/Check of `service`: "SERVING", "NOT_SERVING", or the error.
std::string Health(const std::string& address, const std::string& service) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  std::string bytes;
  if (!service.empty()) bytes = std::string(1, '\x0a') + static_cast<char>(service.size()) + service;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(status); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return status.error_message();
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return "unreadable";
  std::string answer;
  for (const grpc::Slice& part : slices) {
    answer.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  return answer == std::string("\x08\x01", 2)   ? "SERVING"
         : answer == std::string("\x08\x02", 2) ? "NOT_SERVING"
                                                : "unknown";
}

// `vanguard serve` on `dir`, its stderr (the logs) appended to dir/logs.jsonl.
class Serve {
 public:
  explicit Serve(const std::string& dir)
      : process_({"/bin/sh", "-c",
                  absl::StrCat("exec ", VANGUARD_BINARY,
                               " serve --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0"
                               " --drain_seconds=10 --data_dir=",
                               dir, " --tokens_file=", dir, "/tokens 2>>", dir, "/logs.jsonl")}) {
    address_ = process_.ReadLine();
    std::string metrics = process_.ReadLine();
    metrics_port_ = metrics.substr(metrics.rfind(':') + 1);
  }
  testing::Subprocess& process() { return process_; }
  const std::string& address() const { return address_; }

  std::string Metrics() {
    int code = 0;
    return testing::RunShell(
        absl::StrCat("bash -c 'exec 3<>/dev/tcp/127.0.0.1/", metrics_port_,
                     "; printf \"GET /metrics HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3'"),
        &code);
  }

 private:
  testing::Subprocess process_;
  std::string address_;
  std::string metrics_port_;
};

template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
  return (stub.*method)(&context, request, response);
}

v1::EnrolMemberRequest Enrol(const std::string& request_id) {
  v1::EnrolMemberRequest request;
  request.set_request_id(request_id);
  request.set_organisation_id("county");
  request.mutable_attributes()->set_name("党员");
  request.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_OTHER);
  return request;
}

TEST(DrainTest, SigtermUnderLoadDrainsExitsZeroAndLosesNothingAcknowledged) {
  eventlog::testing::ScopedTempDir dir;
  std::ofstream(dir.path() + "/tokens")
      << rpc::TokenStore::HashToken(kToken) << " admin-1 admin county\n";

  // Acknowledged enrolments: request id → member id.
  std::map<std::string, std::string> acknowledged;
  {
    Serve serve(dir.path());
    ASSERT_FALSE(serve.address().empty());
    EXPECT_EQ(Health(serve.address(), "liveness"), "SERVING");
    // Ready once it has caught up (at once on an empty log, within seconds anyway).
    const absl::Time until = absl::Now() + absl::Seconds(30);
    while (Health(serve.address(), "") != "SERVING" && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    ASSERT_EQ(Health(serve.address(), ""), "SERVING");

    auto organisations = v1::OrganisationService::NewStub(
        grpc::CreateChannel(serve.address(), grpc::InsecureChannelCredentials()));
    v1::RegisterOrganisationRequest county;
    county.set_request_id("register-county");
    county.set_organisation_id("county");
    county.set_name("县委");
    county.set_kind(v1::ORGANISATION_KIND_COMMITTEE);
    county.set_level(v1::ORGANISATION_LEVEL_COUNTY);
    county.set_sector(v1::SECTOR_TERRITORIAL);
    v1::RegisterOrganisationResponse registered;
    ASSERT_TRUE(Call(*organisations, &v1::OrganisationService::Stub::RegisterOrganisation, county,
                     &registered)
                    .ok());

    // Eight clients enrol members until the server stops answering.
    absl::Mutex mu;
    std::atomic<int> sent{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
      clients.emplace_back([&, c] {
        auto members = v1::MemberService::NewStub(
            grpc::CreateChannel(serve.address(), grpc::InsecureChannelCredentials()));
        for (int i = 0;; ++i) {
          const std::string request_id = absl::StrCat("enrol-", c, "-", i);
          v1::EnrolMemberResponse response;
          ++sent;
          grpc::Status status = Call(*members, &v1::MemberService::Stub::EnrolMember,
                                     Enrol(request_id), &response);
          if (!status.ok()) return;
          absl::MutexLock lock(&mu);
          acknowledged[request_id] = response.result().aggregate_id();
        }
      });
    }
    absl::SleepFor(absl::Seconds(1));
    const std::string metrics = serve.Metrics();
    EXPECT_THAT(metrics, HasSubstr("vanguard_store_bytes{store=\"log\"}"));
    EXPECT_THAT(metrics, HasSubstr("vanguard_store_bytes{store=\"views\"}"));
    EXPECT_THAT(metrics, HasSubstr("vanguard_log_append_seconds_count"));
    EXPECT_THAT(metrics, ::testing::Not(HasSubstr("vanguard_log_appended_records_total 0\n")));
    const absl::Time signalled = absl::Now();
    serve.process().Signal(SIGTERM);
    EXPECT_EQ(serve.process().Wait(), 0);
    EXPECT_LT(absl::Now() - signalled, absl::Seconds(15)) << "within the drain's grace";
    for (std::thread& client : clients) client.join();
    absl::MutexLock lock(&mu);
    EXPECT_GT(acknowledged.size(), 50u) << "the load ran";
    std::cerr << acknowledged.size() << " of " << sent.load() << " enrolments acknowledged\n";
  }

  // Started again on the same data: every acknowledged command answers its
  // first result as a retry (it is in the log) and appends nothing (once).
  Serve again(dir.path());
  auto members = v1::MemberService::NewStub(
      grpc::CreateChannel(again.address(), grpc::InsecureChannelCredentials()));
  for (const auto& [request_id, member_id] : acknowledged) {
    v1::EnrolMemberResponse response;
    grpc::Status status =
        Call(*members, &v1::MemberService::Stub::EnrolMember, Enrol(request_id), &response);
    ASSERT_TRUE(status.ok()) << request_id << ": " << status.error_message();
    EXPECT_TRUE(response.result().replayed()) << request_id << " was lost";
    EXPECT_EQ(response.result().aggregate_id(), member_id);
    EXPECT_EQ(response.result().version(), 1) << request_id << " applied twice";
  }
  again.process().Signal(SIGTERM);
  EXPECT_EQ(again.process().Wait(), 0);

  // The logs: JSON lines, the lifecycle in order.
  std::ifstream logs(dir.path() + "/logs.jsonl");
  std::stringstream text;
  text << logs.rdbuf();
  std::vector<std::string> messages;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StartsWith(line, "{\"time\":\"") && absl::EndsWith(line, "}")) << line;
    EXPECT_THAT(std::string(line), HasSubstr("\"level\":\""));
    if (absl::StrContains(line, "\"component\":\"serve\"")) {
      const size_t at = line.find("\"message\":\"") + 11;
      messages.emplace_back(line.substr(at, line.find('"', at) - at));
    }
  }
  EXPECT_THAT(messages, ::testing::IsSupersetOf({"serving commands, views and audit", "ready",
                                                 "draining", "drained", "stopped"}));
}

}  // namespace
}  // namespace vanguard
