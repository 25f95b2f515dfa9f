#include "libs/domain/member.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vanguard::domain {
namespace {

using ::testing::StartsWith;

Context ClerkContext() {
  return Context{
      .principal_id = "clerk",
      .actor_organisation_id = "t",
      .now = absl::FromCivil(absl::CivilSecond(2010, 6, 15, 2, 0, 0), absl::UTCTimeZone())};
}

v1::MemberAttributes Attributes() {
  v1::MemberAttributes attributes;
  attributes.set_name("张三");
  attributes.set_gender(v1::GENDER_FEMALE);
  attributes.set_ethnicity("彝族");
  attributes.set_category(v1::MEMBER_CATEGORY_RURAL);
  attributes.set_probationary(true);
  return attributes;
}

class MemberTest : public ::testing::Test {
 protected:
  // Township t holds branches b1 and b2, and branch gone, which is dissolved.
  void SetUp() override {
    Register("t", "", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_TOWNSHIP);
    Register("b1", "t", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS);
    Register("b2", "t", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS);
    Register("gone", "t", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS);
    Apply(Decide(tree_, DissolveOrganisation{.organisation_id = "gone"}, ClerkContext()));
  }

  void Register(std::string id, std::string parent, v1::OrganisationKind kind,
                v1::OrganisationLevel level) {
    Apply(Decide(tree_,
                 RegisterOrganisation{.organisation_id = id,
                                      .parent_id = parent,
                                      .name = "党组织 " + id,
                                      .kind = kind,
                                      .level = level,
                                      .sector = v1::SECTOR_VILLAGE},
                 ClerkContext()));
  }

  void Apply(const absl::StatusOr<std::vector<v1::Envelope>>& events) {
    ASSERT_TRUE(events.ok()) << events.status();
    for (const v1::Envelope& event : *events) tree_.Apply(event);
  }

  absl::Status Record(const absl::StatusOr<std::vector<v1::Envelope>>& events) {
    if (!events.ok()) return events.status();
    for (const v1::Envelope& event : *events) {
      member_.Apply(event);
      log_.push_back(event);
    }
    return absl::OkStatus();
  }

  absl::Status Enrol(std::string organisation_id, v1::MemberAttributes attributes = Attributes()) {
    return Record(Decide(member_,
                         EnrolMember{.organisation_id = organisation_id, .attributes = attributes},
                         tree_, ClerkContext()));
  }

  OrgTree tree_;
  Member member_;
  std::vector<v1::Envelope> log_;
};

TEST_F(MemberTest, EnrolsIntoALiveOrganisation) {
  ASSERT_TRUE(Enrol("b1").ok());
  EXPECT_EQ(member_.status(), Member::Status::kEnrolled);
  EXPECT_EQ(member_.organisation_id(), "b1");
  EXPECT_TRUE(member_.attributes().probationary());
  EXPECT_EQ(member_.version(), 1);
  EXPECT_EQ(log_.front().event_type(), "vanguard.v1.MemberEnrolled");
  EXPECT_EQ(log_.front().member_enrolled().effective_on().day(), 15);
}

TEST_F(MemberTest, EnrolNeedsAKnownLiveOrganisation) {
  EXPECT_EQ(Enrol("nowhere").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Enrol("gone").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(Enrol("").message()), StartsWith("organisation_id: "));
  EXPECT_EQ(member_.version(), 0);
}

TEST_F(MemberTest, EnrolsOnlyOnce) {
  ASSERT_TRUE(Enrol("b1").ok());
  EXPECT_EQ(Enrol("b2").code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(
      Record(Decide(member_, RecordMemberLeft{.reason = v1::LEAVE_REASON_DECEASED}, ClerkContext()))
          .ok());
  EXPECT_EQ(Enrol("b2").code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(MemberTest, NameAndCategoryAreRequired) {
  v1::MemberAttributes attributes = Attributes();
  attributes.clear_name();
  absl::Status status = Enrol("b1", attributes);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("attributes.name: "));
  attributes = Attributes();
  attributes.set_name(std::string(201, 'a'));
  EXPECT_EQ(Enrol("b1", attributes).code(), absl::StatusCode::kInvalidArgument);
  attributes = Attributes();
  attributes.clear_category();
  EXPECT_THAT(std::string(Enrol("b1", attributes).message()), StartsWith("attributes.category: "));
  EXPECT_TRUE(Enrol("b1").ok());
}

TEST_F(MemberTest, GenderAndEducationAreKnownValuesWhenGiven) {
  v1::MemberAttributes attributes = Attributes();
  attributes.set_gender(static_cast<v1::Gender>(999));
  EXPECT_THAT(std::string(Enrol("b1", attributes).message()), StartsWith("attributes.gender: "));
  attributes = Attributes();
  attributes.set_education(static_cast<v1::Education>(999));
  EXPECT_THAT(std::string(Enrol("b1", attributes).message()), StartsWith("attributes.education: "));
  attributes = Attributes();
  attributes.clear_gender();
  attributes.clear_education();
  EXPECT_TRUE(Enrol("b1", attributes).ok());
}

TEST_F(MemberTest, PostTitleOnlyWithAPost) {
  v1::MemberAttributes attributes = Attributes();
  attributes.set_post_title("村委会主任");
  EXPECT_THAT(std::string(Enrol("b1", attributes).message()),
              StartsWith("attributes.post_title: "));
  attributes.set_holds_post(true);
  EXPECT_TRUE(Enrol("b1", attributes).ok());
}

TEST_F(MemberTest, AnActivistIsNotProbationary) {
  v1::MemberAttributes attributes = Attributes();
  attributes.set_activist(true);
  EXPECT_THAT(std::string(Enrol("b1", attributes).message()),
              StartsWith("attributes.probationary: "));
  attributes.set_probationary(false);
  EXPECT_TRUE(Enrol("b1", attributes).ok());
}

TEST_F(MemberTest, DatesMustBeRealDays) {
  v1::MemberAttributes attributes = Attributes();
  attributes.mutable_birth_date()->set_year(1970);
  attributes.mutable_birth_date()->set_month(2);
  attributes.mutable_birth_date()->set_day(30);
  EXPECT_THAT(std::string(Enrol("b1", attributes).message()),
              StartsWith("attributes.birth_date: "));
  attributes.mutable_birth_date()->set_day(28);
  EXPECT_TRUE(Enrol("b1", attributes).ok());
}

TEST_F(MemberTest, UpdateReplacesAttributes) {
  ASSERT_TRUE(Enrol("b1").ok());
  v1::MemberAttributes full = Attributes();
  full.set_probationary(false);
  ASSERT_TRUE(Record(Decide(member_, UpdateMember{.attributes = full, .reason = "按期转正"},
                            ClerkContext()))
                  .ok());
  EXPECT_FALSE(member_.attributes().probationary());
  full.clear_category();
  EXPECT_EQ(Record(Decide(member_, UpdateMember{.attributes = full}, ClerkContext())).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MemberTest, ChangesNeedAnEnrolledMember) {
  EXPECT_EQ(
      Record(Decide(member_, UpdateMember{.attributes = Attributes()}, ClerkContext())).code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      Record(Decide(member_, TransferMember{.to_organisation_id = "b2"}, tree_, ClerkContext()))
          .code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(
      Record(Decide(member_, RecordMemberLeft{.reason = v1::LEAVE_REASON_OTHER}, ClerkContext()))
          .code(),
      absl::StatusCode::kNotFound);
}

TEST_F(MemberTest, NothingChangesAfterLeaving) {
  ASSERT_TRUE(Enrol("b1").ok());
  ASSERT_TRUE(Record(Decide(member_, RecordMemberLeft{.reason = v1::LEAVE_REASON_TRANSFERRED_OUT},
                            ClerkContext()))
                  .ok());
  EXPECT_EQ(member_.status(), Member::Status::kLeft);
  EXPECT_EQ(log_.back().member_left().organisation_id(), "b1");
  EXPECT_EQ(
      Record(Decide(member_, UpdateMember{.attributes = Attributes()}, ClerkContext())).code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      Record(Decide(member_, TransferMember{.to_organisation_id = "b2"}, tree_, ClerkContext()))
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      Record(Decide(member_, RecordMemberLeft{.reason = v1::LEAVE_REASON_OTHER}, ClerkContext()))
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(MemberTest, PersonalInfoIsErasedOnceWithoutPersonalDataAlsoAfterLeaving) {
  EXPECT_EQ(Record(Decide(member_, EraseMemberPersonalInfo{}, ClerkContext())).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(Enrol("b1").ok());
  ASSERT_TRUE(Record(Decide(member_, RecordMemberLeft{.reason = v1::LEAVE_REASON_DECEASED},
                            ClerkContext()))
                  .ok());
  ASSERT_TRUE(Record(Decide(member_, EraseMemberPersonalInfo{}, ClerkContext())).ok());
  const v1::Envelope& erased = log_.back();
  EXPECT_EQ(erased.event_type(), "vanguard.v1.MemberPersonalInfoErased");
  EXPECT_EQ(erased.member_personal_info_erased().organisation_id(), "b1");
  EXPECT_EQ(erased.SerializeAsString().find("张三"), std::string::npos);
  EXPECT_TRUE(member_.personal_info_erased());
  EXPECT_TRUE(member_.attributes().name().empty());
  EXPECT_TRUE(member_.attributes().ethnicity().empty());
  // What the views count is kept.
  EXPECT_EQ(member_.attributes().category(), v1::MEMBER_CATEGORY_RURAL);
  EXPECT_TRUE(member_.attributes().probationary());
  EXPECT_EQ(member_.version(), 3);
  EXPECT_EQ(Record(Decide(member_, EraseMemberPersonalInfo{}, ClerkContext())).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MemberTest, AnErasedMemberCanMoveButNotBeUpdated) {
  ASSERT_TRUE(Enrol("b1").ok());
  ASSERT_TRUE(Record(Decide(member_, EraseMemberPersonalInfo{}, ClerkContext())).ok());
  EXPECT_EQ(
      Record(Decide(member_, UpdateMember{.attributes = Attributes()}, ClerkContext())).code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      Record(Decide(member_, TransferMember{.to_organisation_id = "b2"}, tree_, ClerkContext()))
          .ok());
  EXPECT_TRUE(
      Record(Decide(member_, RecordMemberLeft{.reason = v1::LEAVE_REASON_OTHER}, ClerkContext()))
          .ok());
}

TEST_F(MemberTest, LeavingNeedsAReason) {
  ASSERT_TRUE(Enrol("b1").ok());
  EXPECT_THAT(std::string(Record(Decide(member_, RecordMemberLeft{}, ClerkContext())).message()),
              StartsWith("reason: "));
  EXPECT_EQ(member_.status(), Member::Status::kEnrolled);
}

TEST_F(MemberTest, TransferGoesToAnotherLiveOrganisation) {
  ASSERT_TRUE(Enrol("b1").ok());
  auto transfer = [&](std::string to) {
    return Record(Decide(member_, TransferMember{.to_organisation_id = to}, tree_, ClerkContext()));
  };
  EXPECT_EQ(transfer("b1").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(transfer("gone").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(transfer("nowhere").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(transfer("b2").ok());
  EXPECT_EQ(member_.organisation_id(), "b2");
  EXPECT_EQ(log_.back().member_transferred().from_organisation_id(), "b1");
  EXPECT_EQ(log_.back().event_type(), "vanguard.v1.MemberTransferred");
}

TEST_F(MemberTest, ReplayingTheEventsRebuildsTheSameMember) {
  ASSERT_TRUE(Enrol("b1").ok());
  ASSERT_TRUE(
      Record(Decide(member_, TransferMember{.to_organisation_id = "b2"}, tree_, ClerkContext()))
          .ok());
  v1::MemberAttributes attributes = Attributes();
  attributes.set_holds_post(true);
  ASSERT_TRUE(Record(Decide(member_, UpdateMember{.attributes = attributes}, ClerkContext())).ok());
  Member replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  // Events of other aggregates leave the member untouched.
  v1::Envelope foreign;
  foreign.mutable_organisation_renamed()->set_organisation_id("b2");
  replayed.Apply(foreign);
  EXPECT_EQ(replayed.version(), 3);
  EXPECT_EQ(replayed.status(), Member::Status::kEnrolled);
  EXPECT_EQ(replayed.organisation_id(), "b2");
  EXPECT_TRUE(replayed.attributes().holds_post());
}

}  // namespace
}  // namespace vanguard::domain
