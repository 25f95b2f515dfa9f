// Two command processes share the partitions of a test Kafka cluster; one is
// killed (SIGKILL) or paused (SIGSTOP) in the middle of a load, and the other
// takes its partitions over. Afterwards the log itself must show:
//   - every acknowledged command's events exactly once, accepted;
//   - no two acknowledged results for one version of one aggregate;
//   - a retry through the survivor of an acknowledged command gets the first
//     result, appending nothing.
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/acceptance.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"

namespace vanguard {
namespace {

using testing::Subprocess;

constexpr char kToken[] = "admin-secret-token";

struct Acked {
  std::string member_id;
  int64_t version = 0;
  std::string token;
};

class TwoWritersTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<Subprocess>(
        std::vector<std::string>{VANGUARD_BINARY, "dev-kafka", "--brokers=1", "--partitions=12"});
    bootstrap_ = broker_->ReadLine();
    ASSERT_FALSE(bootstrap_.empty());
    std::ofstream(dir_.path() + "/tokens")
        << rpc::TokenStore::HashToken(kToken) << " admin-1 admin county\n";
    for (const char* name : {"a", "b"}) writers_[name] = Start(name);
    for (auto& [name, writer] : writers_) {
      std::string address = writer->ReadLine();
      ASSERT_FALSE(address.empty()) << "writer " << name << " did not start";
      addresses_[name] = address;
      channels_[name] = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    }
  }

  std::unique_ptr<Subprocess> Start(const std::string& name) {
    return std::make_unique<Subprocess>(std::vector<std::string>{
        VANGUARD_BINARY, "command", "--log=kafka", "--brokers=" + bootstrap_,
        "--listen=127.0.0.1:0", "--data_dir=" + dir_.path() + "/" + name,
        "--tokens_file=" + dir_.path() + "/tokens", "--instance_id=" + name,
        "--session_timeout_ms=4000"});
  }

  template <typename Stub, typename Request, typename Response>
  grpc::Status CallOnce(
      const std::string& target,
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
      std::unique_ptr<Stub> (*make)(const std::shared_ptr<grpc::ChannelInterface>&,
                                    const grpc::StubOptions&),
      const Request& request, Response* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto stub = make(channels_[target], grpc::StubOptions());
    return (stub.get()->*method)(&context, request, response);
  }

  // Sends `request` until a writer acknowledges it, trying each live writer in turn.
  template <typename Stub, typename Request, typename Response>
  grpc::Status CallUntilAcknowledged(
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
      std::unique_ptr<Stub> (*make)(const std::shared_ptr<grpc::ChannelInterface>&,
                                    const grpc::StubOptions&),
      const Request& request, Response* response, const std::set<std::string>& targets) {
    grpc::Status last;
    for (absl::Time end = absl::Now() + absl::Seconds(60); absl::Now() < end;) {
      for (const std::string& target : targets) {
        last = CallOnce(target, method, make, request, response);
        if (last.ok()) return last;
        if (last.error_code() != grpc::StatusCode::UNAVAILABLE &&
            last.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
          return last;
        }
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return last;
  }

  grpc::Status Enrol(int i, const std::set<std::string>& targets,
                     v1::EnrolMemberResponse* response) {
    v1::EnrolMemberRequest request;
    request.set_request_id(absl::StrCat("enrol-", i));
    request.set_organisation_id("village-1");
    v1::MemberAttributes* attributes = request.mutable_attributes();
    attributes->set_name(absl::StrCat("党员", i));
    attributes->set_category(v1::MEMBER_CATEGORY_RURAL);
    return CallUntilAcknowledged(&v1::MemberService::Stub::EnrolMember, &v1::MemberService::NewStub,
                                 request, response, targets);
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<Subprocess> broker_;
  std::string bootstrap_;
  std::map<std::string, std::unique_ptr<Subprocess>> writers_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::map<std::string, std::string> addresses_;
};

TEST_P(TwoWritersTest, TheSurvivorTakesOverAndNothingAcknowledgedIsLostOrDoubled) {
  const int stop_signal = GetParam();
  const std::set<std::string> both = {"a", "b"};
  auto register_org = [&](const std::string& id, const std::string& parent,
                          v1::OrganisationLevel level, v1::OrganisationKind kind,
                          v1::Sector sector) {
    v1::RegisterOrganisationRequest request;
    request.set_request_id("register-" + id);
    request.set_organisation_id(id);
    request.set_parent_id(parent);
    request.set_name(id);
    request.set_kind(kind);
    request.set_level(level);
    request.set_sector(sector);
    v1::RegisterOrganisationResponse response;
    return CallUntilAcknowledged(&v1::OrganisationService::Stub::RegisterOrganisation,
                                 &v1::OrganisationService::NewStub, request, &response, both);
  };
  ASSERT_TRUE(register_org("county", "", v1::ORGANISATION_LEVEL_COUNTY,
                           v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL)
                  .ok());
  ASSERT_TRUE(register_org("township", "county", v1::ORGANISATION_LEVEL_TOWNSHIP,
                           v1::ORGANISATION_KIND_COMMITTEE, v1::SECTOR_TERRITORIAL)
                  .ok());
  auto village = register_org("village-1", "township", v1::ORGANISATION_LEVEL_GRASSROOTS,
                              v1::ORGANISATION_KIND_BRANCH, v1::SECTOR_VILLAGE);
  ASSERT_TRUE(village.ok()) << village.error_message();

  constexpr int kCommands = 160;
  std::map<int, Acked> acked;
  std::set<std::string> targets = both;
  for (int i = 0; i < kCommands; ++i) {
    if (i == kCommands / 3) {
      writers_["a"]->Signal(stop_signal);
      targets = {"b"};  // clients retry through the survivor
    }
    v1::EnrolMemberResponse response;
    grpc::Status status = Enrol(i, targets, &response);
    ASSERT_TRUE(status.ok()) << "command " << i << ": " << status.error_message();
    acked[i] = {response.result().aggregate_id(), response.result().version(),
                response.result().consistency_token()};
  }
  if (stop_signal == SIGSTOP) writers_["a"]->Signal(SIGCONT);  // the old owner wakes up late

  // Retries of acknowledged commands through the survivor get the first result.
  for (int i : {0, 1, kCommands / 3 - 1, kCommands / 3, kCommands - 1}) {
    v1::EnrolMemberResponse again;
    ASSERT_TRUE(Enrol(i, {"b"}, &again).ok());
    EXPECT_TRUE(again.result().replayed()) << i;
    EXPECT_EQ(again.result().aggregate_id(), acked[i].member_id);
    EXPECT_EQ(again.result().version(), acked[i].version);
    EXPECT_EQ(again.result().consistency_token(), acked[i].token);
  }
  if (stop_signal == SIGSTOP) {
    // Whatever the woken writer does, it cannot double a command.
    v1::EnrolMemberResponse late;
    grpc::Status status = Enrol(0, {"a", "b"}, &late);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(late.result().aggregate_id(), acked[0].member_id);
  }

  // The log is the judge: walk it with the acceptance rule every reader uses.
  auto log = eventlog::OpenKafkaLog({.brokers = bootstrap_, .fetch_wait_max_ms = 10},
                                    absl::Now() + absl::Seconds(20));
  ASSERT_TRUE(log.ok()) << log.status();
  std::map<std::string, eventlog::AggregateHead> heads;
  std::map<int32_t, int64_t> epochs;
  std::map<std::string, int> accepted_by_request;         // "aggregate/request" → count
  std::map<int32_t, std::vector<std::string>> claimants;  // accepted claims' endpoints, in order
  int rejected = 0;
  for (int32_t p = 0; p < (*log)->partition_count(); ++p) {
    auto end = (*log)->EndOffset(p, absl::Now() + absl::Seconds(10));
    ASSERT_TRUE(end.ok());
    auto reader = (*log)->OpenReader({{p, 0}});
    ASSERT_TRUE(reader.ok());
    for (int64_t read = 0; read < *end;) {
      auto records = (*reader)->Poll(1000, absl::Now() + absl::Seconds(10));
      ASSERT_TRUE(records.ok()) << records.status();
      ASSERT_FALSE(records->empty());
      for (const auto& record : *records) {
        ++read;
        eventlog::Judgement j =
            eventlog::Accept(record, heads[record.key], epochs[p], (*log)->partition_count());
        if (!j.accepted) {
          ++rejected;
          continue;
        }
        heads[record.key] = {j.envelope.aggregate_version(), j.hash};
        if (j.is_claim) {
          epochs[p] = j.envelope.owner_claimed().epoch();
          claimants[p].push_back(j.envelope.owner_claimed().endpoint());
        }
        ++accepted_by_request[absl::StrCat(j.envelope.aggregate_id(), "/",
                                           j.envelope.request_id())];
      }
    }
  }
  std::set<std::pair<std::string, int64_t>> versions;
  for (const auto& [i, result] : acked) {
    EXPECT_EQ((accepted_by_request[absl::StrCat(result.member_id, "/enrol-", i)]), 1)
        << "command " << i << " is not in the log exactly once";
    EXPECT_TRUE(versions.insert({result.member_id, result.version}).second)
        << "two acknowledged results for " << result.member_id << " v" << result.version;
    EXPECT_EQ(heads[result.member_id].version, 1);
  }
  RecordProperty("rejected_records", rejected);
  // Both shared the partitions, and the survivor took over the other's.
  int shared_then_taken = 0;
  std::set<std::string> owners;
  for (const auto& [p, endpoints] : claimants) {
    owners.insert(endpoints.begin(), endpoints.end());
    auto a = std::find(endpoints.begin(), endpoints.end(), addresses_["a"]);
    if (a != endpoints.end() && std::find(a, endpoints.end(), addresses_["b"]) != endpoints.end()) {
      ++shared_then_taken;
    }
  }
  EXPECT_TRUE(owners.count(addresses_["a"]) && owners.count(addresses_["b"]));
  EXPECT_GT(shared_then_taken, 0) << "no partition went from a to b";
  log->reset();

  for (auto& [name, writer] : writers_) writer->Signal(SIGKILL);
  broker_->Signal(SIGTERM);
  EXPECT_EQ(broker_->Wait(), 0);
}

INSTANTIATE_TEST_SUITE_P(StopSignals, TwoWritersTest, ::testing::Values(SIGKILL, SIGSTOP),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGKILL ? "Killed" : "Paused");
                         });

}  // namespace
}  // namespace vanguard
