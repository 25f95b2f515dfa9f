// Test-only: the organisation tree and members the campaign aggregates'
// tests decide against.
//
//   province p ─ city c ─ county x ─┬─ department water (county water bureau)
//                                   └─ township t ─┬─ village general branch v ─ branch b
//                                                  ├─ organ/station branch s
//                                                  └─ school branch h
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/common.pb.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::domain::fixtures {

inline v1::Date MakeDate(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

// 2010-06-15 10:00 in Shanghai.
inline absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2010, 6, 15, 2, 0, 0), absl::UTCTimeZone());
}

inline Context As(std::string organisation_id, absl::Time now = Now()) {
  return Context{.principal_id = "someone", .actor_organisation_id = organisation_id, .now = now};
}

inline v1::Subject OrganisationSubject(std::string id) {
  v1::Subject subject;
  subject.set_organisation_id(id);
  return subject;
}

inline v1::Subject MemberSubject(std::string id) {
  v1::Subject subject;
  subject.set_member_id(id);
  return subject;
}

// Applies every event of a decision to `state`; the decision's error otherwise.
template <typename State>
absl::Status ApplyTo(State& state, const absl::StatusOr<std::vector<v1::Envelope>>& events,
                     std::vector<v1::Envelope>* log = nullptr) {
  if (!events.ok()) return events.status();
  for (const v1::Envelope& event : *events) {
    state.Apply(event);
    if (log != nullptr) log->push_back(event);
  }
  return absl::OkStatus();
}

class CampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Register("p", "", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_PROVINCE,
             v1::SECTOR_TERRITORIAL);
    Register("c", "p", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_CITY,
             v1::SECTOR_TERRITORIAL);
    Register("x", "c", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_COUNTY,
             v1::SECTOR_TERRITORIAL);
    Register("water", "x", v1::ORGANISATION_KIND_LEADING_GROUP, v1::ORGANISATION_LEVEL_GRASSROOTS,
             v1::SECTOR_DEPARTMENT);
    Register("t", "x", v1::ORGANISATION_KIND_COMMITTEE, v1::ORGANISATION_LEVEL_TOWNSHIP,
             v1::SECTOR_TERRITORIAL);
    Register("v", "t", v1::ORGANISATION_KIND_GENERAL_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS,
             v1::SECTOR_VILLAGE);
    Register("b", "v", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS,
             v1::SECTOR_VILLAGE);
    Register("s", "t", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS,
             v1::SECTOR_ORGAN_STATION);
    Register("h", "t", v1::ORGANISATION_KIND_BRANCH, v1::ORGANISATION_LEVEL_GRASSROOTS,
             v1::SECTOR_SCHOOL);
  }

  void Register(std::string id, std::string parent, v1::OrganisationKind kind,
                v1::OrganisationLevel level, v1::Sector sector) {
    ASSERT_TRUE(ApplyTo(tree_, Decide(tree_,
                                      RegisterOrganisation{.organisation_id = id,
                                                           .parent_id = parent,
                                                           .name = "党组织 " + id,
                                                           .kind = kind,
                                                           .level = level,
                                                           .sector = sector},
                                      As("")))
                    .ok());
  }

  void Dissolve(std::string id) {
    ASSERT_TRUE(
        ApplyTo(tree_, Decide(tree_, DissolveOrganisation{.organisation_id = id}, As(""))).ok());
  }

  Member Enrolled(std::string organisation_id, bool holds_post = false) {
    v1::MemberAttributes attributes;
    attributes.set_name("李四");
    attributes.set_category(v1::MEMBER_CATEGORY_RURAL);
    attributes.set_holds_post(holds_post);
    if (holds_post) attributes.set_post_title("村委委员");
    Member member;
    EXPECT_TRUE(ApplyTo(member, Decide(member,
                                       EnrolMember{.organisation_id = organisation_id,
                                                   .attributes = attributes},
                                       tree_, As(organisation_id)))
                    .ok());
    return member;
  }

  Member Left(Member member) {
    EXPECT_TRUE(
        ApplyTo(member, Decide(member, RecordMemberLeft{.reason = v1::LEAVE_REASON_DECEASED},
                               As(member.organisation_id())))
            .ok());
    return member;
  }

  OrgTree tree_;
};

}  // namespace vanguard::domain::fixtures
