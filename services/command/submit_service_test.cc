// SubmitService through gRPC: many commands over one stream, each answered
// as its unary RPC would answer it, in parallel where the commands allow it,
// resendable after a cut.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"
#include "vanguard/v1/submit_service.grpc.pb.h"

namespace vanguard::command::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The unary status a response carries, so the rpc:: readers of details apply.
grpc::Status StatusOf(const v1::SubmitResponse& response) {
  if (!response.has_error()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(response.error().code()),
                      response.error().message(), response.error().details());
}

std::vector<std::string> FieldsOf(const v1::SubmitResponse& response) {
  std::vector<std::string> fields;
  for (const auto& violation : rpc::FieldViolationsOf(StatusOf(response))) {
    fields.push_back(violation.field());
  }
  return fields;
}

v1::SubmitRequest Of(v1::RegisterOrganisationRequest request) {
  v1::SubmitRequest command;
  *command.mutable_register_organisation() = std::move(request);
  return command;
}
v1::SubmitRequest Of(v1::EnrolMemberRequest request) {
  v1::SubmitRequest command;
  *command.mutable_enrol_member() = std::move(request);
  return command;
}
v1::SubmitRequest Of(v1::MakePledgeRequest request) {
  v1::SubmitRequest command;
  *command.mutable_make_pledge() = std::move(request);
  return command;
}

class SubmitServiceTest : public CommandServicesTest {
 protected:
  void SetUp() override {
    CommandServicesTest::SetUp();
    if (HasFatalFailure()) return;
    submit_ = v1::SubmitService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void Prepare(grpc::ClientContext* context, const std::string& token) {
    if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context->set_deadline(absl::ToChronoTime(Soon()));
  }

  // Sends every command, then reads the responses, sorted by index; the
  // lists here are far smaller than a flow-control window, so writing first
  // cannot stall.
  // `cut_after` >= 0 cancels the stream after reading that many responses.
  std::vector<v1::SubmitResponse> Submit(const std::string& token,
                                         const std::vector<v1::SubmitRequest>& commands,
                                         grpc::Status* status = nullptr, int cut_after = -1) {
    grpc::ClientContext context;
    Prepare(&context, token);
    auto stream = submit_->Submit(&context);
    for (const v1::SubmitRequest& command : commands) {
      if (!stream->Write(command)) break;
    }
    stream->WritesDone();
    std::vector<v1::SubmitResponse> responses;
    v1::SubmitResponse response;
    while (static_cast<int>(responses.size()) != cut_after && stream->Read(&response)) {
      responses.push_back(response);
    }
    if (cut_after >= 0) context.TryCancel();
    grpc::Status finished = stream->Finish();
    if (status != nullptr) *status = finished;
    // Answered as they finish; each carries its index.
    std::sort(responses.begin(), responses.end(),
              [](const auto& a, const auto& b) { return a.index() < b.index(); });
    return responses;
  }

  std::unique_ptr<v1::SubmitService::Stub> submit_;
};

TEST_F(SubmitServiceTest, EachCommandIsAnsweredOnceAndOnlyTheValidOnesAreApplied) {
  const int64_t records = TotalRecords();
  v1::RegisterOrganisationRequest nameless =
      RegisterRequest("r-nameless", "branch-3", "general", v1::ORGANISATION_KIND_BRANCH,
                      v1::ORGANISATION_LEVEL_GRASSROOTS);
  nameless.clear_name();
  const std::vector<v1::SubmitRequest> commands = {
      Of(RegisterRequest("r-branch-2", "branch-2", "general", v1::ORGANISATION_KIND_BRANCH,
                         v1::ORGANISATION_LEVEL_GRASSROOTS)),
      Of(nameless),
      Of(EnrolRequest("e-1", "branch", "张三")),
      Of(EnrolRequest("e-town", "town", "李四")),  // above the general branch
      v1::SubmitRequest(),
      Of(MakeRequest("m-1", OrganisationPledger("general"))),
      Of(MakeRequest("m-nobody", MemberPledger(""))),
      // Registered earlier in this stream.
      Of(EnrolRequest("e-2", "branch-2", "王五")),
      Of(EnrolRequest("e-nameless", "branch", "")),
  };
  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = Submit(kGeneralClerk, commands, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), commands.size());
  for (size_t i = 0; i < responses.size(); ++i) {
    EXPECT_EQ(responses[i].index(), static_cast<int64_t>(i));
  }

  for (size_t i : {0, 2, 5, 7}) {
    ASSERT_TRUE(responses[i].has_result()) << i << ": " << responses[i].error().message();
    EXPECT_FALSE(responses[i].result().replayed());
  }
  EXPECT_EQ(responses[0].result().aggregate_id(), "org-tree");
  EXPECT_EQ(responses[2].result().aggregate_id(),
            writer::DerivedId("mbr-", "clerk-general", "e-1"));
  EXPECT_EQ(responses[5].result().aggregate_id(),
            writer::DerivedId("plg-", "clerk-general", "m-1"));
  EXPECT_EQ(responses[7].result().aggregate_id(),
            writer::DerivedId("mbr-", "clerk-general", "e-2"));

  EXPECT_EQ(StatusOf(responses[1]).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(responses[1]), ElementsAre("name"));
  EXPECT_EQ(StatusOf(responses[3]).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(responses[3].error().message(), HasSubstr("organisation town is outside"));
  EXPECT_EQ(StatusOf(responses[4]).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(responses[4].error().message(), "command: must be set");
  EXPECT_THAT(FieldsOf(responses[4]), ElementsAre("command"));
  EXPECT_EQ(StatusOf(responses[6]).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(responses[6]), ElementsAre("pledger.member_id"));
  EXPECT_EQ(StatusOf(responses[8]).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(FieldsOf(responses[8]), ElementsAre("attributes.name"));
  std::optional<google::rpc::ErrorInfo> info = rpc::ErrorInfoOf(StatusOf(responses[8]));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->domain(), rpc::kErrorDomain);

  EXPECT_EQ(TotalRecords(), records + 4);
}

TEST_F(SubmitServiceTest, AStreamCutInTheMiddleIsResentWholeAndAppliedOnce) {
  constexpr int kCommands = 24;
  constexpr int kCut = 7;
  std::vector<v1::SubmitRequest> commands;
  for (int i = 0; i < kCommands; ++i) {
    commands.push_back(Of(EnrolRequest(absl::StrCat("e-", i), "branch", absl::StrCat("党员", i))));
  }
  const int64_t records = TotalRecords();

  grpc::Status cut_status;
  std::vector<v1::SubmitResponse> first = Submit(kBranchClerk, commands, &cut_status, kCut);
  ASSERT_EQ(first.size(), static_cast<size_t>(kCut));
  EXPECT_EQ(cut_status.error_code(), grpc::StatusCode::CANCELLED) << cut_status.error_message();
  for (const v1::SubmitResponse& response : first) ASSERT_TRUE(response.has_result());
  const int64_t after_cut = TotalRecords();
  EXPECT_GE(after_cut, records + kCut);
  EXPECT_LE(after_cut, records + kCommands);

  grpc::Status status;
  std::vector<v1::SubmitResponse> resent = Submit(kBranchClerk, commands, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(resent.size(), static_cast<size_t>(kCommands));
  int replayed = 0;
  for (int i = 0; i < kCommands; ++i) {
    ASSERT_TRUE(resent[i].has_result()) << i << ": " << resent[i].error().message();
    EXPECT_EQ(resent[i].result().aggregate_id(),
              writer::DerivedId("mbr-", "clerk-branch", absl::StrCat("e-", i)));
    EXPECT_EQ(resent[i].result().version(), 1);
    if (resent[i].result().replayed()) ++replayed;
  }
  for (const v1::SubmitResponse& answered : first) {
    const v1::SubmitResponse& again = resent[answered.index()];
    EXPECT_TRUE(again.result().replayed()) << answered.index();
    EXPECT_EQ(again.result().consistency_token(), answered.result().consistency_token());
  }
  // Whatever ran past the cut before the server noticed is replayed too.
  EXPECT_GE(replayed, kCut);
  EXPECT_GE(replayed, after_cut - records);
  EXPECT_EQ(TotalRecords(), records + kCommands);

  // A third time changes nothing.
  std::vector<v1::SubmitResponse> again = Submit(kBranchClerk, commands, &status);
  ASSERT_EQ(again.size(), static_cast<size_t>(kCommands));
  for (const v1::SubmitResponse& response : again) EXPECT_TRUE(response.result().replayed());
  EXPECT_EQ(TotalRecords(), records + kCommands);
}

TEST_F(SubmitServiceTest, CommandsOnOneAggregateKeepTheirOrder) {
  // A member's pledge is reviewed by the member's own organisation, so one
  // principal (the county's admin) acts on both sides.
  const std::string member_id = writer::DerivedId("mbr-", "admin-1", "e-1");
  const std::string pledge_id = writer::DerivedId("plg-", "admin-1", "m-1");
  std::vector<v1::SubmitRequest> commands = {Of(EnrolRequest("e-1", "county", "张三")),
                                             Of(MakeRequest("m-1", MemberPledger(member_id)))};
  v1::SubmitRequest send_back;
  send_back.mutable_send_back_pledge()->set_request_id("send-back-1");
  send_back.mutable_send_back_pledge()->set_pledge_id(pledge_id);
  send_back.mutable_send_back_pledge()->set_comment("请补充路灯安装内容");
  commands.push_back(send_back);
  v1::SubmitRequest revise;
  *revise.mutable_revise_pledge() = ReviseRequest("revise-1", pledge_id);
  commands.push_back(revise);
  v1::SubmitRequest approve;
  *approve.mutable_approve_pledge() = ApproveRequest("approve-1", pledge_id);
  commands.push_back(approve);

  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = Submit(kAdmin, commands, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), commands.size());
  for (size_t i = 0; i < responses.size(); ++i) {
    ASSERT_TRUE(responses[i].has_result()) << i << ": " << responses[i].error().message();
  }
  EXPECT_EQ(responses[0].result().aggregate_id(), member_id);
  for (size_t i = 1; i < responses.size(); ++i) {
    EXPECT_EQ(responses[i].result().aggregate_id(), pledge_id);
    EXPECT_EQ(responses[i].result().version(), static_cast<int64_t>(i));
  }
  EXPECT_EQ(responses.back().result().version(), 4);
}

TEST_F(SubmitServiceTest, ACommandWaitsForTheEarlierCommandsWhoseAggregatesItReads) {
  // Each member is enrolled and pledges right after, many members at once:
  // the commands run in parallel, and each pledge still finds its member.
  constexpr int kMembers = 150;
  std::vector<v1::SubmitRequest> commands;
  for (int i = 0; i < kMembers; ++i) {
    const std::string enrol = absl::StrCat("e-", i);
    commands.push_back(Of(EnrolRequest(enrol, "county", absl::StrCat("党员", i))));
    commands.push_back(Of(MakeRequest(absl::StrCat("m-", i),
                                      MemberPledger(writer::DerivedId("mbr-", "admin-1", enrol)))));
  }
  const int64_t records = TotalRecords();
  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = Submit(kAdmin, commands, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), commands.size());
  for (size_t i = 0; i < responses.size(); ++i) {
    EXPECT_EQ(responses[i].index(), static_cast<int64_t>(i));
    ASSERT_TRUE(responses[i].has_result()) << i << ": " << responses[i].error().message();
  }
  EXPECT_EQ(TotalRecords(), records + 2 * kMembers);
}

TEST_F(SubmitServiceTest, ScopeIsCheckedPerCommand) {
  const int64_t records = TotalRecords();
  std::vector<v1::SubmitRequest> commands;
  for (int i = 0; i < 5; ++i) {
    commands.push_back(Of(EnrolRequest(absl::StrCat("e-", i), i == 2 ? "general" : "branch",
                                       absl::StrCat("党员", i))));
  }
  grpc::Status status;
  std::vector<v1::SubmitResponse> responses = Submit(kBranchClerk, commands, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(responses.size(), commands.size());
  for (size_t i = 0; i < responses.size(); ++i) {
    if (i == 2) {
      EXPECT_EQ(StatusOf(responses[i]).error_code(), grpc::StatusCode::PERMISSION_DENIED);
      EXPECT_THAT(responses[i].error().message(),
                  HasSubstr("organisation general is outside the scope of principal clerk-branch"));
    } else {
      EXPECT_TRUE(responses[i].has_result()) << i << ": " << responses[i].error().message();
    }
  }
  EXPECT_EQ(TotalRecords(), records + 4);
}

TEST_F(SubmitServiceTest, AnUnauthenticatedStreamEndsBeforeAnyCommand) {
  const int64_t records = TotalRecords();
  const std::vector<v1::SubmitRequest> commands = {Of(EnrolRequest("e-1", "branch", "张三")),
                                                   Of(EnrolRequest("e-2", "branch", "李四"))};
  for (const std::string token : {"", "not-a-token"}) {
    grpc::Status status;
    std::vector<v1::SubmitResponse> responses = Submit(token, commands, &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    EXPECT_TRUE(responses.empty());
    std::optional<google::rpc::ErrorInfo> info = rpc::ErrorInfoOf(status);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "UNAUTHENTICATED");
  }
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(SubmitServiceTest, AnEmptyStreamEndsOk) {
  grpc::Status status;
  EXPECT_TRUE(Submit(kBranchClerk, {}, &status).empty());
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace vanguard::command::testing
