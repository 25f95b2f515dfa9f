#include "libs/domain/supervision.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/domain/campaign_test_util.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;
using namespace ::vanguard::domain::fixtures;  // NOLINT: test helpers

RecordInspection MonthlyInspection() {
  return RecordInspection{.inspected_organisation_id = "v",
                          .campaign_id = "cxzy-2010",
                          .kind = v1::INSPECTION_KIND_SUPERVISION,
                          .period = v1::REPORT_PERIOD_MONTHLY,
                          .inspector_count = 3,
                          .findings = "承诺上墙，台账齐全",
                          .rating = v1::RATING_GOOD};
}

SubmitReport WeeklyReport() {
  return SubmitReport{.recipient_organisation_id = "x",
                      .campaign_id = "cxzy-2010",
                      .period = v1::REPORT_PERIOD_WEEKLY,
                      .period_starts_on = MakeDate(2010, 6, 7),
                      .period_ends_on = MakeDate(2010, 6, 13),
                      .title = "创先争优活动周报",
                      .content = "本周开展党课3场"};
}

HoldMeeting Lecture(int32_t expected, int32_t attended) {
  return HoldMeeting{.campaign_id = "cxzy-2010",
                     .kind = v1::MEETING_KIND_PARTY_LECTURE,
                     .title = "七一党课",
                     .expected_count = expected,
                     .attended_count = attended,
                     .speaker = "镇党委书记"};
}

class SupervisionTest : public CampaignTest {
 protected:
  template <typename Command>
  absl::Status Make(const Command& command, std::string actor) {
    return ApplyTo(record_, Decide(record_, command, tree_, As(actor)), &log_);
  }

  SupervisionRecord record_;
  std::vector<v1::Envelope> log_;
};

TEST_F(SupervisionTest, SuperiorRecordsAnInspection) {
  ASSERT_TRUE(Make(MonthlyInspection(), "t").ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.InspectionRecorded");
  EXPECT_EQ(log_.back().inspection_recorded().inspector_organisation_id(), "t");
  EXPECT_EQ(record_.kind(), SupervisionRecord::Kind::kInspection);
}

TEST_F(SupervisionTest, InspectorIsASuperiorOfTheInspected) {
  EXPECT_EQ(Make(MonthlyInspection(), "v").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Make(MonthlyInspection(), "s").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Make(MonthlyInspection(), "nowhere").code(), absl::StatusCode::kNotFound);
}

TEST_F(SupervisionTest, InspectionNeedsKindPeriodInspectorsAndFindings) {
  RecordInspection command = MonthlyInspection();
  command.kind = v1::INSPECTION_KIND_UNSPECIFIED;
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("kind: "));
  command = MonthlyInspection();
  command.period = v1::REPORT_PERIOD_UNSPECIFIED;
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("period: "));
  command = MonthlyInspection();
  command.inspector_count = 0;
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("inspector_count: "));
  command = MonthlyInspection();
  command.findings = "";
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("findings: "));
  command = MonthlyInspection();
  command.inspected_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("inspected_on: "));
  command = MonthlyInspection();
  command.rating = v1::RATING_UNSPECIFIED;
  EXPECT_TRUE(Make(command, "t").ok());
}

TEST_F(SupervisionTest, ReportGoesToASuperior) {
  ASSERT_TRUE(Make(WeeklyReport(), "t").ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.ReportSubmitted");
  EXPECT_EQ(log_.back().report_submitted().reporting_organisation_id(), "t");
  SupervisionRecord other;
  SubmitReport command = WeeklyReport();
  command.recipient_organisation_id = "s";
  EXPECT_EQ(Decide(other, command, tree_, As("t")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SupervisionTest, ReportPeriodIsOrderedAndPast) {
  SubmitReport command = WeeklyReport();
  command.period_ends_on = MakeDate(2010, 6, 6);
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("period_ends_on: "));
  command.period_ends_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("period_ends_on: "));
  command.period_ends_on = MakeDate(2010, 6, 15);
  EXPECT_TRUE(Make(command, "t").ok());
}

TEST_F(SupervisionTest, ReportNeedsTitleContentAndPeriod) {
  SubmitReport command = WeeklyReport();
  command.title = "";
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("title: "));
  command = WeeklyReport();
  command.content = "";
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("content: "));
  command = WeeklyReport();
  command.period = v1::REPORT_PERIOD_UNSPECIFIED;
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("period: "));
  command = WeeklyReport();
  command.attachments.emplace_back();
  EXPECT_THAT(std::string(Make(command, "t").message()), StartsWith("attachments[0]"));
}

TEST_F(SupervisionTest, MeetingIsHeldWithAttendance) {
  ASSERT_TRUE(Make(Lecture(35, 33), "v").ok());
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.MeetingHeld");
  EXPECT_EQ(log_.back().meeting_held().organisation_id(), "v");
  EXPECT_EQ(log_.back().meeting_held().attended_count(), 33);
}

TEST_F(SupervisionTest, AttendanceDoesNotExceedExpected) {
  absl::Status status = Make(Lecture(35, 36), "v");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("attended_count: 36 exceeds"));
  EXPECT_TRUE(Make(Lecture(35, 35), "v").ok());
}

TEST_F(SupervisionTest, AttendanceIsNotNegative) {
  EXPECT_THAT(std::string(Make(Lecture(-1, -1), "v").message()), StartsWith("expected_count: "));
  EXPECT_THAT(std::string(Make(Lecture(0, -1), "v").message()), StartsWith("attended_count: "));
  EXPECT_TRUE(Make(Lecture(0, 0), "v").ok());
}

TEST_F(SupervisionTest, MeetingNeedsKindTitleAndAPastDay) {
  HoldMeeting command = Lecture(35, 33);
  command.kind = v1::MEETING_KIND_UNSPECIFIED;
  EXPECT_THAT(std::string(Make(command, "v").message()), StartsWith("kind: "));
  command = Lecture(35, 33);
  command.title = "";
  EXPECT_THAT(std::string(Make(command, "v").message()), StartsWith("title: "));
  command = Lecture(35, 33);
  command.held_on = MakeDate(2010, 6, 16);
  EXPECT_THAT(std::string(Make(command, "v").message()), StartsWith("held_on: "));
}

TEST_F(SupervisionTest, RecordIsMadeOnceAndReplays) {
  ASSERT_TRUE(Make(Lecture(35, 33), "v").ok());
  EXPECT_EQ(Make(Lecture(35, 33), "v").code(), absl::StatusCode::kAlreadyExists);
  SupervisionRecord replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), 1);
  EXPECT_EQ(replayed.kind(), SupervisionRecord::Kind::kMeeting);
  EXPECT_EQ(replayed.made().meeting_held().expected_count(), 35);
}

}  // namespace
}  // namespace vanguard::domain
