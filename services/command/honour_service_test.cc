// HonourService through gRPC: conferring and revoking, and who may.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

v1::ConferHonourRequest HonourRequest(const std::string& request_id, v1::HonourKind kind,
                                      v1::Subject recipient) {
  v1::ConferHonourRequest request;
  request.set_request_id(request_id);
  request.set_kind(kind);
  request.set_level(v1::HONOUR_LEVEL_TOWNSHIP);
  request.set_year(static_cast<int32_t>(Today().year()));
  *request.mutable_recipient() = std::move(recipient);
  request.set_campaign_id("campaign-2024");
  request.set_citation("创先争优成绩突出");
  return request;
}

TEST_F(CommandServicesTest, AnHonourIsConferredAndRevokedOnce) {
  const std::string member_id = EnrolInBranch("enrol-1");
  Outcome member_honour =
      Call(honours_, &HonourStub::ConferHonour, kTownReviewer,
           HonourRequest("confer-1", v1::HONOUR_KIND_EXCELLENT_MEMBER, MemberPledger(member_id)));
  ASSERT_TRUE(member_honour.ok()) << member_honour;

  v1::ConferHonourRequest confer = HonourRequest("confer-2", v1::HONOUR_KIND_ADVANCED_ORGANISATION,
                                                 OrganisationPledger("general"));
  Outcome conferred = Call(honours_, &HonourStub::ConferHonour, kTownReviewer, confer);
  ASSERT_TRUE(conferred.ok()) << conferred;
  EXPECT_EQ(conferred.result.aggregate_id(),
            writer::DerivedId("hon-", "reviewer-town", "confer-2"));
  Outcome retried = Call(honours_, &HonourStub::ConferHonour, kTownReviewer, confer);
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_TRUE(retried.result.replayed());

  v1::RevokeHonourRequest revoke;
  revoke.set_request_id("revoke-1");
  revoke.set_honour_id(conferred.result.aggregate_id());
  revoke.set_reason("事迹失实");
  Outcome revoked = Call(honours_, &HonourStub::RevokeHonour, kTownReviewer, revoke);
  ASSERT_TRUE(revoked.ok()) << revoked;
  EXPECT_EQ(revoked.result.version(), 2);
  revoke.set_request_id("revoke-2");
  Outcome twice = Call(honours_, &HonourStub::RevokeHonour, kTownReviewer, revoke);
  EXPECT_EQ(twice.code(), grpc::StatusCode::FAILED_PRECONDITION) << twice;
}

TEST_F(CommandServicesTest, HonoursOutsideTheScopeOrByClerksAreDenied) {
  const int64_t records = TotalRecords();
  Outcome out_of_scope = Call(honours_, &HonourStub::ConferHonour, kBranchReviewer,
                              HonourRequest("confer-1", v1::HONOUR_KIND_ADVANCED_ORGANISATION,
                                            OrganisationPledger("town")));
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  EXPECT_THAT(out_of_scope.status.error_message(), HasSubstr("organisation town is outside"));
  Outcome clerk = Call(honours_, &HonourStub::ConferHonour, kCountyClerk,
                       HonourRequest("confer-2", v1::HONOUR_KIND_ADVANCED_ORGANISATION,
                                     OrganisationPledger("general")));
  EXPECT_EQ(clerk.code(), grpc::StatusCode::PERMISSION_DENIED) << clerk;
  EXPECT_THAT(clerk.status.error_message(), HasSubstr("needs the role reviewer"));
  EXPECT_EQ(TotalRecords(), records);
}

}  // namespace
}  // namespace vanguard::command::testing
