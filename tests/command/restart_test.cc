// Idempotency survives the command process: a command acknowledged by
// `vanguard command` on the embedded log, retried after the process was
// killed with SIGKILL and started again on the same data, gets the first
// result and appends nothing.
#include <signal.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"

namespace vanguard {
namespace {

constexpr char kToken[] = "county-admin-token";

class CommandProcess {
 public:
  explicit CommandProcess(const std::string& dir)
      : process_({VANGUARD_BINARY, "command", "--log=embedded", "--listen=127.0.0.1:0",
                  "--data_dir=" + dir, "--tokens_file=" + dir + "/tokens"}) {
    address_ = process_.ReadLine();
    stub_ = v1::OrganisationService::NewStub(
        grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  }
  grpc::Status Register(const v1::RegisterOrganisationRequest& request,
                        v1::RegisterOrganisationResponse* response) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub_->RegisterOrganisation(&context, request, response);
  }
  testing::Subprocess& process() { return process_; }
  const std::string& address() const { return address_; }

 private:
  testing::Subprocess process_;
  std::string address_;
  std::unique_ptr<v1::OrganisationService::Stub> stub_;
};

int64_t TotalRecords(const std::string& dir) {
  auto log = eventlog::OpenEmbeddedLog({.path = dir + "/log"});
  EXPECT_TRUE(log.ok()) << log.status();
  int64_t total = 0;
  for (int32_t p = 0; p < (*log)->partition_count(); ++p) {
    total += *(*log)->EndOffset(p, absl::InfiniteFuture());
  }
  return total;
}

TEST(CommandRestartTest, ARetryAfterSigkillAndRestartGetsTheFirstResult) {
  eventlog::testing::ScopedTempDir dir;
  std::ofstream(dir.path() + "/tokens")
      << rpc::TokenStore::HashToken(kToken) << " admin-1 admin county\n";
  v1::RegisterOrganisationRequest request;
  request.set_request_id("register-county");
  request.set_organisation_id("county");
  request.set_name("县委");
  request.set_kind(v1::ORGANISATION_KIND_COMMITTEE);
  request.set_level(v1::ORGANISATION_LEVEL_COUNTY);
  request.set_sector(v1::SECTOR_TERRITORIAL);

  v1::RegisterOrganisationResponse first;
  {
    CommandProcess command(dir.path());
    ASSERT_FALSE(command.address().empty());
    grpc::Status status = command.Register(request, &first);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(first.result().replayed());
    command.process().Signal(SIGKILL);
    EXPECT_EQ(command.process().Wait(), 128 + SIGKILL);
  }
  int64_t records = TotalRecords(dir.path());

  CommandProcess restarted(dir.path());
  v1::RegisterOrganisationResponse retry;
  grpc::Status status = restarted.Register(request, &retry);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(retry.result().replayed());
  EXPECT_EQ(retry.result().version(), first.result().version());
  EXPECT_EQ(retry.result().consistency_token(), first.result().consistency_token());

  v1::RegisterOrganisationRequest reused = request;
  reused.set_name("另一个县委");
  v1::RegisterOrganisationResponse ignored;
  EXPECT_EQ(restarted.Register(reused, &ignored).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  restarted.process().Signal(SIGTERM);
  EXPECT_EQ(restarted.process().Wait(), 0);
  // The restart appended only its partition claims; the retry appended nothing.
  EXPECT_EQ(TotalRecords(dir.path()), records + 12);
}

}  // namespace
}  // namespace vanguard
