// `vanguard replay` from the command line: after the seed township, a full
// replay's digest equals the live views' digest; a replay as of a day before
// anything was recorded is empty; and a replayed store is served read-only by
// `vanguard projector --read_only`, so the township can be read as it stood.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "grpcpp/grpcpp.h"
#include "libs/eventlog/testing.h"
#include "services/demo/seed_township.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard {
namespace {

using eventlog::testing::ScopedTempDir;
using vanguard::testing::RunShell;
using vanguard::testing::Subprocess;

std::string Digest(const std::vector<std::string>& argv) {
  Subprocess process(argv);
  std::string line = process.ReadLine();
  EXPECT_EQ(process.Wait(), 0) << argv[1];
  EXPECT_TRUE(line.starts_with("digest ")) << line;
  return line.substr(std::min<size_t>(7, line.size()));
}

grpc::Status TownshipMembers(const std::string& views_dir, const std::string& tokens,
                             int64_t* members) {
  Subprocess server({VANGUARD_BINARY, "projector", "--read_only", "--views_dir=" + views_dir,
                     "--tokens_file=" + tokens, "--listen=127.0.0.1:0"});
  std::string address = server.ReadLine();
  grpc::Status status;
  {
    auto stub = v1::ViewService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + demo::SeedToken("county-admin"));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetLevelViewRequest request;
    request.set_organisation_id("township");
    v1::GetLevelViewResponse response;
    status = stub->GetLevelView(&context, request, &response);
    *members = response.view().figures().structure().members();
  }
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0);
  return status;
}

TEST(ReplayCliTest, ReplayEqualsLiveAndServesThePastReadOnly) {
  ScopedTempDir dir;
  int code = 0;
  RunShell(absl::StrCat(VANGUARD_BINARY, " demo --once --data_dir=", dir.path(), " >/dev/null"), &code);
  ASSERT_EQ(code, 0);
  std::string tokens = dir.path() + "/tokens";
  std::ofstream(tokens) << demo::SeedTownshipTokens();

  std::string live = Digest({VANGUARD_BINARY, "projector", "--data_dir=" + dir.path(),
                             "--exit_when_caught_up"});
  std::string full = Digest({VANGUARD_BINARY, "replay", "--data_dir=" + dir.path(),
                             "--views_dir=" + dir.path() + "/replayed"});
  EXPECT_EQ(full, live) << "the demo's live views equal a replay of the log alone";
  std::string before = Digest({VANGUARD_BINARY, "replay", "--data_dir=" + dir.path(),
                               "--views_dir=" + dir.path() + "/before", "--as_of=2010-10-12"});
  EXPECT_NE(before, live);

  int64_t members = -1;
  ASSERT_TRUE(TownshipMembers(dir.path() + "/replayed", tokens, &members).ok());
  EXPECT_EQ(members, 566);
  EXPECT_EQ(TownshipMembers(dir.path() + "/before", tokens, &members).error_code(),
            grpc::StatusCode::NOT_FOUND)
      << "on 2010-10-12 nothing had been recorded yet";

  RunShell(absl::StrCat(VANGUARD_BINARY, " replay --data_dir=", dir.path(), " --views_dir=",
                        dir.path(), "/replayed 2>/dev/null"),
           &code);
  EXPECT_EQ(code, 2) << "a replay never writes over existing views";
}

}  // namespace
}  // namespace vanguard
