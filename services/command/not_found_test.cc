// A command on a campaign, rectification, pioneer post, pairing or honour
// that does not exist is NOT_FOUND naming the field and the id the caller
// sent, and appends nothing.
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

TEST_F(CommandServicesTest, AnUnknownTargetIsNotFoundNamingItsId) {
  const int64_t before = TotalRecords();
  struct Case {
    const char* expected;
    std::function<Outcome()> send;
  };
  const std::vector<Case> cases = {
      {"campaign_id: campaign cmp-nothing not found",
       [&] {
         v1::ChangeCampaignPhaseRequest request;
         request.set_request_id("nf-phase");
         request.set_campaign_id("cmp-nothing");
         request.set_phase(v1::CAMPAIGN_PHASE_PUBLIC_PLEDGES);
         return Call(campaigns_, &CampaignStub::ChangeCampaignPhase, kAdmin, request);
       }},
      {"campaign_id: campaign cmp-nothing not found",
       [&] {
         v1::SetCampaignTargetsRequest request;
         request.set_request_id("nf-targets");
         request.set_campaign_id("cmp-nothing");
         request.set_advanced_organisation_share_bp(6000);
         return Call(campaigns_, &CampaignStub::SetCampaignTargets, kAdmin, request);
       }},
      {"rectification_id: rectification rct-nothing not found",
       [&] {
         v1::CloseRectificationRequest request;
         request.set_request_id("nf-rectification");
         request.set_rectification_id("rct-nothing");
         request.set_resolution("已整改");
         return Call(reviews_, &ReviewStub::CloseRectification, kAdmin, request);
       }},
      {"post_id: pioneer post pst-nothing not found",
       [&] {
         v1::AssessPioneerPostRequest request;
         request.set_request_id("nf-post");
         request.set_post_id("pst-nothing");
         request.set_year(static_cast<int32_t>(Today().year()));
         request.set_result(v1::ASSESSMENT_RESULT_PASSED);
         return Call(funds_, &FundsStub::AssessPioneerPost, kAdmin, request);
       }},
      {"pairing_id: pairing par-nothing not found",
       [&] {
         v1::EndPairingRequest request;
         request.set_request_id("nf-pairing");
         request.set_pairing_id("par-nothing");
         request.set_reason("帮扶期满");
         return Call(funds_, &FundsStub::EndPairing, kAdmin, request);
       }},
      {"honour_id: honour hon-nothing not found", [&] {
         v1::RevokeHonourRequest request;
         request.set_request_id("nf-honour");
         request.set_honour_id("hon-nothing");
         request.set_reason("撤销");
         return Call(honours_, &HonourStub::RevokeHonour, kAdmin, request);
       }}};
  for (const Case& c : cases) {
    Outcome outcome = c.send();
    EXPECT_EQ(outcome.code(), grpc::StatusCode::NOT_FOUND) << outcome;
    EXPECT_EQ(outcome.status.error_message(), c.expected);
  }
  EXPECT_EQ(TotalRecords(), before);
}

}  // namespace
}  // namespace vanguard::command::testing
