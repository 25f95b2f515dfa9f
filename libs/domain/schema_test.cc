#include "libs/domain/schema.h"

#include "gtest/gtest.h"

namespace vanguard::domain {
namespace {

v1::Envelope Review(int32_t version, int year, int quarter) {
  v1::Envelope e;
  e.set_event_type("vanguard.v1.LeaderReviewDone");
  e.set_schema_version(version);
  v1::LeaderReviewDone* r = e.mutable_leader_review_done();
  r->set_year(year);
  r->set_quarter(quarter);
  r->mutable_reviewed_on()->set_year(2010);
  r->mutable_reviewed_on()->set_month(5);
  r->mutable_reviewed_on()->set_day(4);
  return e;
}

TEST(UpcastTest, AVersionOneReviewGetsTheQuarterOfItsDay) {
  v1::Envelope e = Review(1, 0, 0);
  ASSERT_TRUE(Upcast(e).ok());
  EXPECT_EQ(e.schema_version(), 2);
  EXPECT_EQ(e.leader_review_done().year(), 2010);
  EXPECT_EQ(e.leader_review_done().quarter(), 2);
}

TEST(UpcastTest, KeepsWhatAVersionOneReviewStatedAndLeavesCurrentEventsAlone) {
  v1::Envelope stated = Review(1, 2010, 1);  // a May review counted for the first quarter
  ASSERT_TRUE(Upcast(stated).ok());
  EXPECT_EQ(stated.leader_review_done().quarter(), 1);
  v1::Envelope current = Review(2, 2010, 2);
  v1::Envelope before = current;
  ASSERT_TRUE(Upcast(current).ok());
  EXPECT_EQ(current.SerializeAsString(), before.SerializeAsString());
  v1::Envelope other;
  other.mutable_pledge_approved();
  ASSERT_TRUE(Upcast(other).ok());
  EXPECT_EQ(other.schema_version(), 1) << "an unstamped envelope is of the first version";
}

TEST(UpcastTest, RefusesAVersionNewerThanItKnows) {
  v1::Envelope e = Review(3, 2010, 2);
  EXPECT_EQ(Upcast(e).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CurrentSchemaVersion(v1::Envelope::kLeaderReviewDone), 2);
  EXPECT_EQ(CurrentSchemaVersion(v1::Envelope::kPledgeMade), 1);
}

TEST(UpcastTest, AVersionOneMemberEventKeepsItsPlainFields) {
  v1::Envelope e;
  e.set_schema_version(1);
  e.mutable_member_enrolled()->mutable_attributes()->set_name("张三");
  v1::Envelope before = e;
  ASSERT_TRUE(Upcast(e).ok());
  EXPECT_EQ(e.schema_version(), 2);
  EXPECT_EQ(e.member_enrolled().attributes().name(), "张三");
  EXPECT_EQ(CurrentSchemaVersion(v1::Envelope::kMemberEnrolled), 2);
  EXPECT_EQ(CurrentSchemaVersion(v1::Envelope::kMemberUpdated), 2);
  EXPECT_EQ(CurrentSchemaVersion(v1::Envelope::kMemberPersonalInfoErased), 1);
}

}  // namespace
}  // namespace vanguard::domain
