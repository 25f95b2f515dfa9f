// Crypto-shredding of members' personal information (PIPL), end to end in one
// process as `vanguard serve` runs it: the command services seal name,
// ethnicity, education, birth date and post title with the member's key from
// a key store outside the log; the views hold the sealed form; the
// ViewService and the AuditService open it only for callers whose
// organisation is the member's or above it. Erasure destroys the key and
// records MemberPersonalInfoErased: afterwards every reader shows the member
// as erased, while the figures, the hash chains and the live views' digest
// against a replay are exactly what they were.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/hash_chain.h"
#include "libs/eventlog/testing.h"
#include "libs/privacy/key_store.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"
#include "services/audit/audit_service.h"
#include "services/command/command_services.h"
#include "services/projector/projector.h"
#include "services/projector/replay.h"
#include "services/query/view_service.h"
#include "vanguard/v1/audit_service.grpc.pb.h"
#include "vanguard/v1/member_service.grpc.pb.h"
#include "vanguard/v1/organisation_service.grpc.pb.h"
#include "vanguard/v1/view_service.grpc.pb.h"

namespace vanguard {
namespace {

absl::Time Soon() { return absl::Now() + absl::Seconds(30); }

// county → town → branch, and county → town2. The auditor of town2 and the
// admin of town2 read or act outside the branch.
constexpr char kAdmin[] = "p-admin";               // county
constexpr char kClerk[] = "p-clerk";               // branch
constexpr char kCountyAuditor[] = "p-auditor";     // county
constexpr char kTown2Auditor[] = "p-auditor2";     // town2
constexpr char kTown2Admin[] = "p-admin2";         // town2

std::string Tokens() {
  const std::pair<const char*, const char*> lines[] = {
      {kAdmin, "admin-county admin county"},
      {kClerk, "clerk-branch clerk branch"},
      {kCountyAuditor, "auditor-county auditor county"},
      {kTown2Auditor, "auditor-town2 auditor town2"},
      {kTown2Admin, "admin-town2 admin town2"}};
  std::string text;
  for (const auto& [token, rest] : lines) {
    absl::StrAppend(&text, rpc::TokenStore::HashToken(token), " ", rest, "\n");
  }
  return text;
}

template <typename Call>
grpc::Status As(const std::string& token, Call call) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(absl::ToChronoTime(Soon()));
  return call(&context);
}

class PersonalInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = eventlog::OpenEmbeddedLog({.path = dir_.path() + "/log"});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store =
        writer::StateStore::Open({.path = dir_.path() + "/state", .log_id = log_->log_id()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto writer = writer::Writer::Start(log_.get(), store_.get(), {.endpoint = "pi"}, Soon());
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);
    auto keys = privacy::KeyStore::Open({.path = dir_.path() + "/keys"});
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
    auto tokens = rpc::TokenStore::Parse(Tokens());
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = std::make_unique<rpc::TokenStore>(*std::move(tokens));
    services_ = std::make_unique<command::CommandServices>(writer_.get(), tokens_.get(),
                                                           command::CommandLimits{}, keys_.get());
    auto views = views::ViewStore::Open({.path = dir_.path() + "/views",
                                         .log_id = log_->log_id(),
                                         .partitions = log_->partition_count()});
    ASSERT_TRUE(views.ok()) << views.status();
    views_ = *std::move(views);
    auto projector = projector::Projector::Start(*log_, *views_);
    ASSERT_TRUE(projector.ok()) << projector.status();
    projector_ = *std::move(projector);
    view_service_ = std::make_unique<query::ViewServiceImpl>(*views_, *tokens_);
    view_service_->set_key_store(keys_.get());
    audit_ = std::make_unique<audit::AuditServiceImpl>(*log_, *tokens_, views_.get(), dir_.path());
    audit_->set_key_store(keys_.get());
    std::vector<grpc::Service*> all = services_->services();
    all.push_back(view_service_.get());
    all.push_back(audit_.get());
    auto server = rpc::Server::Start({}, all);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    organisations_ = v1::OrganisationService::NewStub(channel);
    members_ = v1::MemberService::NewStub(channel);
    views_stub_ = v1::ViewService::NewStub(channel);
    audit_stub_ = v1::AuditService::NewStub(channel);

    Register("county", "", v1::ORGANISATION_LEVEL_COUNTY);
    Register("town", "county", v1::ORGANISATION_LEVEL_TOWNSHIP);
    Register("town2", "county", v1::ORGANISATION_LEVEL_TOWNSHIP);
    Register("branch", "town", v1::ORGANISATION_LEVEL_GRASSROOTS);
    zhang_ = Enrol("enrol-zhang", "张秀兰", "彝族", v1::GENDER_FEMALE, "村委会主任");
    li_ = Enrol("enrol-li", "李建国", "汉族", v1::GENDER_MALE, "");
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Now() + absl::Seconds(5));
    if (projector_) projector_->Stop();
  }

  void Register(const std::string& id, const std::string& parent, v1::OrganisationLevel level) {
    v1::RegisterOrganisationRequest request;
    request.set_request_id("reg-" + id);
    request.set_organisation_id(id);
    request.set_parent_id(parent);
    request.set_name(id + "党委");
    request.set_kind(level == v1::ORGANISATION_LEVEL_GRASSROOTS ? v1::ORGANISATION_KIND_BRANCH
                                                                : v1::ORGANISATION_KIND_COMMITTEE);
    request.set_level(level);
    request.set_sector(v1::SECTOR_VILLAGE);
    v1::RegisterOrganisationResponse response;
    grpc::Status status = As(kAdmin, [&](grpc::ClientContext* c) {
      return organisations_->RegisterOrganisation(c, request, &response);
    });
    ASSERT_TRUE(status.ok()) << status.error_message();
    token_ = response.result().consistency_token();
  }

  std::string Enrol(const std::string& request_id, const std::string& name,
                    const std::string& ethnicity, v1::Gender gender, const std::string& post) {
    v1::EnrolMemberRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id("branch");
    v1::MemberAttributes& a = *request.mutable_attributes();
    a.set_name(name);
    a.set_ethnicity(ethnicity);
    a.set_gender(gender);
    a.set_education(v1::EDUCATION_SENIOR_SECONDARY);
    a.mutable_birth_date()->set_year(1975);
    a.mutable_birth_date()->set_month(10);
    a.mutable_birth_date()->set_day(1);
    a.set_category(v1::MEMBER_CATEGORY_RURAL);
    a.set_holds_post(!post.empty());
    a.set_post_title(post);
    v1::EnrolMemberResponse response;
    grpc::Status status = As(kClerk, [&](grpc::ClientContext* c) {
      return members_->EnrolMember(c, request, &response);
    });
    EXPECT_TRUE(status.ok()) << status.error_message();
    token_ = response.result().consistency_token();
    return response.result().aggregate_id();
  }

  grpc::Status Erase(const std::string& token, const std::string& member_id,
                     const std::string& request_id) {
    v1::EraseMemberPersonalInfoRequest request;
    request.set_request_id(request_id);
    request.set_member_id(member_id);
    v1::EraseMemberPersonalInfoResponse response;
    grpc::Status status = As(token, [&](grpc::ClientContext* c) {
      return members_->EraseMemberPersonalInfo(c, request, &response);
    });
    if (status.ok()) token_ = response.result().consistency_token();
    return status;
  }

  v1::GetMemberResponse GetMember(const std::string& token, const std::string& member_id) {
    v1::GetMemberRequest request;
    request.set_member_id(member_id);
    request.set_consistency_token(token_);
    v1::GetMemberResponse response;
    grpc::Status status = As(token, [&](grpc::ClientContext* c) {
      return views_stub_->GetMember(c, request, &response);
    });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::LevelFigures CountyFigures() {
    v1::GetLevelViewRequest request;
    request.set_organisation_id("county");
    request.set_consistency_token(token_);
    v1::GetLevelViewResponse response;
    grpc::Status status = As(kAdmin, [&](grpc::ClientContext* c) {
      return views_stub_->GetLevelView(c, request, &response);
    });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.view().figures();
  }

  std::vector<v1::HistoryRecord> History(const std::string& token, const std::string& member_id) {
    v1::StreamHistoryRequest request;
    request.set_aggregate_id(member_id);
    std::vector<v1::HistoryRecord> records;
    grpc::Status status = As(token, [&](grpc::ClientContext* c) {
      auto reader = audit_stub_->StreamHistory(c, request);
      v1::StreamHistoryResponse page;
      while (reader->Read(&page)) {
        for (const v1::HistoryRecord& r : page.records()) records.push_back(r);
      }
      return reader->Finish();
    });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return records;
  }

  v1::CompareWithReplayResponse Compare() {
    v1::CompareWithReplayRequest request;
    v1::CompareWithReplayResponse response;
    EXPECT_TRUE(projector_->WaitCaughtUp(Soon()));
    grpc::Status status = As(kCountyAuditor, [&](grpc::ClientContext* c) {
      return audit_stub_->CompareWithReplay(c, request, &response);
    });
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  eventlog::testing::ScopedTempDir dir_;
  std::unique_ptr<eventlog::EventLog> log_;
  std::unique_ptr<writer::StateStore> store_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<privacy::KeyStore> keys_;
  std::unique_ptr<rpc::TokenStore> tokens_;
  std::unique_ptr<command::CommandServices> services_;
  std::unique_ptr<views::ViewStore> views_;
  std::unique_ptr<projector::Projector> projector_;
  std::unique_ptr<query::ViewServiceImpl> view_service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_;
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<v1::OrganisationService::Stub> organisations_;
  std::unique_ptr<v1::MemberService::Stub> members_;
  std::unique_ptr<v1::ViewService::Stub> views_stub_;
  std::unique_ptr<v1::AuditService::Stub> audit_stub_;
  std::string token_;  // of the last command
  std::string zhang_, li_;
};

TEST_F(PersonalInfoTest, OnlyCallersInScopeSeePlainText) {
  for (const char* token : {kClerk, kCountyAuditor, kAdmin}) {
    v1::GetMemberResponse m = GetMember(token, zhang_);
    EXPECT_EQ(m.personal_info(), v1::PERSONAL_INFO_ACCESS_PLAIN) << token;
    EXPECT_EQ(m.member().attributes().name(), "张秀兰") << token;
    EXPECT_EQ(m.member().attributes().ethnicity(), "彝族");
    EXPECT_EQ(m.member().attributes().education(), v1::EDUCATION_SENIOR_SECONDARY);
    EXPECT_EQ(m.member().attributes().birth_date().year(), 1975);
    EXPECT_EQ(m.member().attributes().post_title(), "村委会主任");
  }
  // Reading everything (auditor, admin) is not being in scope.
  for (const char* token : {kTown2Auditor, kTown2Admin}) {
    v1::GetMemberResponse m = GetMember(token, zhang_);
    EXPECT_EQ(m.personal_info(), v1::PERSONAL_INFO_ACCESS_SEALED) << token;
    std::string bytes = m.SerializeAsString();
    for (const char* personal : {"张秀兰", "彝族", "村委会主任"}) {
      EXPECT_EQ(bytes.find(personal), std::string::npos) << token << " sees " << personal;
    }
    EXPECT_EQ(m.member().attributes().education(), v1::EDUCATION_UNSPECIFIED);
    EXPECT_FALSE(m.member().attributes().has_birth_date());
    EXPECT_TRUE(m.member().attributes().has_sealed_personal_info());
    // What is counted stays visible.
    EXPECT_EQ(m.member().attributes().gender(), v1::GENDER_FEMALE);
    EXPECT_TRUE(m.member().attributes().holds_post());
  }

  std::vector<v1::HistoryRecord> inside = History(kCountyAuditor, zhang_);
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_EQ(inside[0].personal_info(), v1::PERSONAL_INFO_ACCESS_PLAIN);
  EXPECT_EQ(inside[0].envelope().member_enrolled().attributes().name(), "张秀兰");
  std::vector<v1::HistoryRecord> outside = History(kTown2Auditor, zhang_);
  ASSERT_EQ(outside.size(), 1u);
  EXPECT_EQ(outside[0].personal_info(), v1::PERSONAL_INFO_ACCESS_SEALED);
  std::string bytes = outside[0].SerializeAsString();
  for (const char* personal : {"张秀兰", "彝族", "村委会主任"}) {
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
  }
  // The stored bytes are the sealed form, as hashed.
  EXPECT_EQ(inside[0].envelope_bytes(), outside[0].envelope_bytes());
}

TEST_F(PersonalInfoTest, ErasureSurvivesReplayAndVerifyAndChangesNoFigure) {
  const v1::LevelFigures before = CountyFigures();
  EXPECT_EQ(before.structure().members(), 2);
  v1::CompareWithReplayResponse compared = Compare();
  EXPECT_TRUE(compared.equal());
  const std::string digest_before = compared.live_digest();

  EXPECT_EQ(Erase(kTown2Admin, zhang_, "erase-out").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Erase(kClerk, zhang_, "erase-clerk").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Erase(kAdmin, zhang_, "erase-zhang").ok());
  EXPECT_TRUE(Erase(kAdmin, zhang_, "erase-zhang").ok());  // a retry: same result

  // Every figure is what it was; the views still equal a replay.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(CountyFigures(), before))
      << CountyFigures().ShortDebugString() << "\nvs\n" << before.ShortDebugString();
  compared = Compare();
  EXPECT_TRUE(compared.equal()) << compared.live_digest() << " vs " << compared.replay_digest();
  EXPECT_NE(compared.live_digest(), digest_before);  // the member is marked erased

  for (const char* token : {kClerk, kCountyAuditor, kTown2Auditor}) {
    v1::GetMemberResponse m = GetMember(token, zhang_);
    EXPECT_EQ(m.personal_info(), v1::PERSONAL_INFO_ACCESS_ERASED) << token;
    EXPECT_TRUE(m.member().personal_info_erased());
    EXPECT_TRUE(m.member().attributes().name().empty());
    EXPECT_FALSE(m.member().attributes().has_sealed_personal_info());
    EXPECT_EQ(m.member().attributes().category(), v1::MEMBER_CATEGORY_RURAL);
    EXPECT_EQ(m.member().attributes().gender(), v1::GENDER_FEMALE);
  }
  // The other member is untouched.
  EXPECT_EQ(GetMember(kClerk, li_).member().attributes().name(), "李建国");

  // History: the enrolment is still there, with its hashes, and shows as erased.
  std::vector<v1::HistoryRecord> history = History(kCountyAuditor, zhang_);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(history[0].accepted());
  EXPECT_EQ(history[0].personal_info(), v1::PERSONAL_INFO_ACCESS_ERASED);
  EXPECT_TRUE(history[0].envelope().member_enrolled().attributes().name().empty());
  EXPECT_FALSE(history[0].envelope().member_enrolled().attributes().has_sealed_personal_info());
  EXPECT_TRUE(history[1].envelope().has_member_personal_info_erased());
  EXPECT_EQ(history[1].envelope().member_personal_info_erased().organisation_id(), "branch");

  // Every hash chain is intact.
  auto verified = eventlog::VerifyLog(*log_, Soon());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->breaks.empty());
  EXPECT_GT(verified->records, 6);

  // A replay from offset zero into a fresh store marks the member erased too.
  auto replay = views::ViewStore::Open({.path = dir_.path() + "/replay",
                                        .log_id = log_->log_id(),
                                        .partitions = log_->partition_count()});
  ASSERT_TRUE(replay.ok()) << replay.status();
  ASSERT_TRUE(projector::Replay(*log_, **replay).ok());
  std::optional<v1::MemberRecord> replayed = (*replay)->NewReader()->GetMember(zhang_);
  ASSERT_TRUE(replayed.has_value());
  EXPECT_TRUE(replayed->personal_info_erased());
  EXPECT_FALSE(replayed->attributes().has_sealed_personal_info());
  EXPECT_EQ(*(*replay)->Digest(), *views_->Digest());
}

TEST_F(PersonalInfoTest, ALostKeyStoreMakesPersonalInfoUnreadableAndNothingElse) {
  const v1::LevelFigures before = CountyFigures();
  const std::string digest = Compare().live_digest();
  // The key store is lost: the process runs on with an empty one.
  auto empty = privacy::KeyStore::Open({.path = dir_.path() + "/keys-empty"});
  ASSERT_TRUE(empty.ok()) << empty.status();
  view_service_->set_key_store(empty->get());
  audit_->set_key_store(empty->get());
  v1::GetMemberResponse m = GetMember(kClerk, zhang_);
  EXPECT_EQ(m.personal_info(), v1::PERSONAL_INFO_ACCESS_UNREADABLE);
  EXPECT_TRUE(m.member().attributes().name().empty());
  EXPECT_EQ(History(kCountyAuditor, li_)[0].personal_info(),
            v1::PERSONAL_INFO_ACCESS_UNREADABLE);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(CountyFigures(), before));
  v1::CompareWithReplayResponse compared = Compare();
  EXPECT_TRUE(compared.equal());
  EXPECT_EQ(compared.live_digest(), digest);
  view_service_->set_key_store(keys_.get());
  audit_->set_key_store(keys_.get());
}

}  // namespace
}  // namespace vanguard
