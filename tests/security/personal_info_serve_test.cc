// Crypto-shredding in `vanguard serve` as a process: the key store sits in
// --data_dir/keys beside the log, the state and the views; personal
// information is plain only to callers in scope, an erasure survives a
// restart, and `vanguard verify` finds every chain intact afterwards.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/testing.h"
#include "libs/rpc/auth.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard {
namespace {

constexpr char kAdmin[] = "s-admin";           // county
constexpr char kClerk[] = "s-clerk";           // branch
constexpr char kOtherAuditor[] = "s-auditor";  // town2, outside the branch

template <typename Call>
grpc::Status As(const std::string& token, Call call) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return call(&context);
}

class Serve {
 public:
  explicit Serve(const std::string& dir)
      : process_({"/bin/sh", "-c",
                  absl::StrCat("exec ", VANGUARD_BINARY, " serve --listen=127.0.0.1:0 --data_dir=",
                               dir, "/data --tokens_file=", dir,
                               "/tokens --drain_seconds=1 2>>", dir, "/logs.jsonl")}) {
    address_ = process_.ReadLine();
    auto channel = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    organisations = v1::OrganisationService::NewStub(channel);
    members = v1::MemberService::NewStub(channel);
    views = v1::ViewService::NewStub(channel);
    audit = v1::AuditService::NewStub(channel);
  }
  int Stop() {
    process_.Signal(SIGTERM);
    return process_.Wait();
  }
  bool serving() const { return !address_.empty(); }

  std::unique_ptr<v1::OrganisationService::Stub> organisations;
  std::unique_ptr<v1::MemberService::Stub> members;
  std::unique_ptr<v1::ViewService::Stub> views;
  std::unique_ptr<v1::AuditService::Stub> audit;

 private:
  testing::Subprocess process_;
  std::string address_;
};

v1::GetMemberResponse GetMember(Serve& serve, const std::string& token, const std::string& id,
                                const std::string& consistency) {
  v1::GetMemberRequest request;
  request.set_member_id(id);
  request.set_consistency_token(consistency);
  v1::GetMemberResponse response;
  grpc::Status status =
      As(token, [&](grpc::ClientContext* c) { return serve.views->GetMember(c, request, &response); });
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

v1::LevelFigures Figures(Serve& serve, const std::string& consistency) {
  v1::GetLevelViewRequest request;
  request.set_organisation_id("county");
  request.set_consistency_token(consistency);
  v1::GetLevelViewResponse response;
  grpc::Status status = As(
      kAdmin, [&](grpc::ClientContext* c) { return serve.views->GetLevelView(c, request, &response); });
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.view().figures();
}

bool LiveEqualsReplay(Serve& serve) {
  v1::CompareWithReplayRequest request;
  v1::CompareWithReplayResponse response;
  grpc::Status status = As(kAdmin, [&](grpc::ClientContext* c) {
    return serve.audit->CompareWithReplay(c, request, &response);
  });
  EXPECT_TRUE(status.ok()) << status.error_message();
  return status.ok() && response.equal();
}

TEST(PersonalInfoServeTest, SealedScopedErasedAndStillErasedAfterARestart) {
  eventlog::testing::ScopedTempDir dir;
  std::ofstream(dir.path() + "/tokens")
      << rpc::TokenStore::HashToken(kAdmin) << " admin-1 admin county\n"
      << rpc::TokenStore::HashToken(kClerk) << " clerk-1 clerk branch\n"
      << rpc::TokenStore::HashToken(kOtherAuditor) << " auditor-2 auditor town2\n";
  std::string consistency, wang, zhao;
  v1::LevelFigures before;
  {
    Serve serve(dir.path());
    ASSERT_TRUE(serve.serving());
    for (auto [id, parent, level] :
         {std::tuple{"county", "", v1::ORGANISATION_LEVEL_COUNTY},
          std::tuple{"town", "county", v1::ORGANISATION_LEVEL_TOWNSHIP},
          std::tuple{"town2", "county", v1::ORGANISATION_LEVEL_TOWNSHIP},
          std::tuple{"branch", "town", v1::ORGANISATION_LEVEL_GRASSROOTS}}) {
      v1::RegisterOrganisationRequest request;
      request.set_request_id(absl::StrCat("reg-", id));
      request.set_organisation_id(id);
      request.set_parent_id(parent);
      request.set_name(absl::StrCat(id, "党委"));
      request.set_kind(level == v1::ORGANISATION_LEVEL_GRASSROOTS ? v1::ORGANISATION_KIND_BRANCH
                                                                  : v1::ORGANISATION_KIND_COMMITTEE);
      request.set_level(level);
      request.set_sector(v1::SECTOR_VILLAGE);
      v1::RegisterOrganisationResponse response;
      grpc::Status status = As(kAdmin, [&](grpc::ClientContext* c) {
        return serve.organisations->RegisterOrganisation(c, request, &response);
      });
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
    for (auto [request_id, name, out] : {std::tuple{"enrol-wang", "王秀芳", &wang},
                                         std::tuple{"enrol-zhao", "赵德明", &zhao}}) {
      v1::EnrolMemberRequest request;
      request.set_request_id(request_id);
      request.set_organisation_id("branch");
      request.mutable_attributes()->set_name(name);
      request.mutable_attributes()->set_ethnicity("回族");
      request.mutable_attributes()->set_gender(v1::GENDER_FEMALE);
      request.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
      v1::EnrolMemberResponse response;
      grpc::Status status = As(kClerk, [&](grpc::ClientContext* c) {
        return serve.members->EnrolMember(c, request, &response);
      });
      ASSERT_TRUE(status.ok()) << status.error_message();
      *out = response.result().aggregate_id();
      consistency = response.result().consistency_token();
    }
    v1::GetMemberResponse inside = GetMember(serve, kClerk, wang, consistency);
    EXPECT_EQ(inside.personal_info(), v1::PERSONAL_INFO_ACCESS_PLAIN);
    EXPECT_EQ(inside.member().attributes().name(), "王秀芳");
    v1::GetMemberResponse outside = GetMember(serve, kOtherAuditor, wang, consistency);
    EXPECT_EQ(outside.personal_info(), v1::PERSONAL_INFO_ACCESS_SEALED);
    EXPECT_EQ(outside.SerializeAsString().find("王秀芳"), std::string::npos);
    EXPECT_EQ(outside.SerializeAsString().find("回族"), std::string::npos);
    before = Figures(serve, consistency);
    EXPECT_EQ(before.structure().members(), 2);
    EXPECT_TRUE(LiveEqualsReplay(serve));

    v1::EraseMemberPersonalInfoRequest erase;
    erase.set_request_id("erase-wang");
    erase.set_member_id(wang);
    v1::EraseMemberPersonalInfoResponse erased;
    grpc::Status status = As(kAdmin, [&](grpc::ClientContext* c) {
      return serve.members->EraseMemberPersonalInfo(c, erase, &erased);
    });
    ASSERT_TRUE(status.ok()) << status.error_message();
    consistency = erased.result().consistency_token();
    EXPECT_EQ(GetMember(serve, kClerk, wang, consistency).personal_info(),
              v1::PERSONAL_INFO_ACCESS_ERASED);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(Figures(serve, consistency),
                                                                    before));
    EXPECT_TRUE(LiveEqualsReplay(serve));
    EXPECT_EQ(serve.Stop(), 0);
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/data/keys/CURRENT"));

  int code = -1;
  std::string verified = testing::RunShell(
      absl::StrCat(VANGUARD_BINARY, " verify --data_dir=", dir.path(), "/data 2>&1"), &code);
  EXPECT_EQ(code, 0) << verified;

  Serve again(dir.path());
  ASSERT_TRUE(again.serving());
  v1::GetMemberResponse erased = GetMember(again, kClerk, wang, consistency);
  EXPECT_EQ(erased.personal_info(), v1::PERSONAL_INFO_ACCESS_ERASED);
  EXPECT_TRUE(erased.member().attributes().name().empty());
  v1::GetMemberResponse kept = GetMember(again, kClerk, zhao, consistency);
  EXPECT_EQ(kept.personal_info(), v1::PERSONAL_INFO_ACCESS_PLAIN);
  EXPECT_EQ(kept.member().attributes().name(), "赵德明");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(Figures(again, consistency),
                                                                  before));
  EXPECT_TRUE(LiveEqualsReplay(again));
  EXPECT_EQ(again.Stop(), 0);
}

}  // namespace
}  // namespace vanguard
