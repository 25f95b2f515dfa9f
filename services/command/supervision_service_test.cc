// SupervisionService through gRPC: inspections, reports and meetings.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;

v1::RecordInspectionRequest InspectionRequest(const std::string& request_id,
                                              const std::string& inspected) {
  v1::RecordInspectionRequest request;
  request.set_request_id(request_id);
  request.set_inspected_organisation_id(inspected);
  request.set_campaign_id("campaign-2024");
  request.set_kind(v1::INSPECTION_KIND_SUPERVISION);
  request.set_period(v1::REPORT_PERIOD_MONTHLY);
  request.set_inspector_count(3);
  request.set_findings("承诺公示到位");
  request.set_rating(v1::RATING_GOOD);
  return request;
}

TEST_F(CommandServicesTest, InspectionsReportsAndMeetingsAreRecorded) {
  v1::RecordInspectionRequest inspection = InspectionRequest("inspect-1", "town");
  Outcome inspected =
      Call(supervision_, &SupervisionStub::RecordInspection, kCountyClerk, inspection);
  ASSERT_TRUE(inspected.ok()) << inspected;
  EXPECT_EQ(inspected.result.aggregate_id(),
            writer::DerivedId("sup-", "clerk-county", "inspect-1"));
  Outcome retried =
      Call(supervision_, &SupervisionStub::RecordInspection, kCountyClerk, inspection);
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_TRUE(retried.result.replayed());

  // A report goes up the tree, outside the reporting clerk's scope.
  v1::SubmitReportRequest report;
  report.set_request_id("report-1");
  report.set_recipient_organisation_id("town");
  report.set_campaign_id("campaign-2024");
  report.set_period(v1::REPORT_PERIOD_WEEKLY);
  *report.mutable_period_starts_on() = domain::ToDate(Today() - 6);
  *report.mutable_period_ends_on() = domain::ToDate(Today());
  report.set_title("第一周工作汇报");
  report.set_content("本周完成承诺公示");
  Outcome reported = Call(supervision_, &SupervisionStub::SubmitReport, kGeneralClerk, report);
  ASSERT_TRUE(reported.ok()) << reported;

  v1::HoldMeetingRequest meeting;
  meeting.set_request_id("meeting-1");
  meeting.set_campaign_id("campaign-2024");
  meeting.set_kind(v1::MEETING_KIND_PARTY_LECTURE);
  meeting.set_title("创先争优专题党课");
  meeting.set_expected_count(30);
  meeting.set_attended_count(28);
  meeting.set_speaker("支部书记");
  Outcome held = Call(supervision_, &SupervisionStub::HoldMeeting, kBranchClerk, meeting);
  ASSERT_TRUE(held.ok()) << held;
  EXPECT_EQ(held.result.version(), 1);
}

TEST_F(CommandServicesTest, InspectionsOutsideTheScopeOrByReviewersAreDenied) {
  const int64_t records = TotalRecords();
  Outcome upwards = Call(supervision_, &SupervisionStub::RecordInspection, kBranchClerk,
                         InspectionRequest("inspect-1", "general"));
  EXPECT_EQ(upwards.code(), grpc::StatusCode::PERMISSION_DENIED) << upwards;
  EXPECT_THAT(upwards.status.error_message(), HasSubstr("organisation general is outside"));
  Outcome reviewer = Call(supervision_, &SupervisionStub::RecordInspection, kTownReviewer,
                          InspectionRequest("inspect-2", "general"));
  EXPECT_EQ(reviewer.code(), grpc::StatusCode::PERMISSION_DENIED) << reviewer;
  EXPECT_THAT(reviewer.status.error_message(), HasSubstr("needs the role clerk"));
  EXPECT_EQ(TotalRecords(), records);
}

}  // namespace
}  // namespace vanguard::command::testing
