#include "libs/domain/org_tree.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vanguard::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Context AdminContext() {
  // 2010-06-16 02:00 in Shanghai, still 06-15 in UTC.
  return Context{
      .principal_id = "admin",
      .actor_organisation_id = "",
      .now = absl::FromCivil(absl::CivilSecond(2010, 6, 15, 18, 0, 0), absl::UTCTimeZone())};
}

RegisterOrganisation Org(std::string id, std::string parent, v1::OrganisationKind kind,
                         v1::OrganisationLevel level) {
  RegisterOrganisation command;
  command.organisation_id = id;
  command.parent_id = std::move(parent);
  command.name = "党组织 " + id;
  command.kind = kind;
  command.level = level;
  command.sector =
      level == v1::ORGANISATION_LEVEL_GRASSROOTS ? v1::SECTOR_VILLAGE : v1::SECTOR_TERRITORIAL;
  return command;
}

constexpr auto kCommittee = v1::ORGANISATION_KIND_COMMITTEE;
constexpr auto kGeneralBranch = v1::ORGANISATION_KIND_GENERAL_BRANCH;
constexpr auto kBranch = v1::ORGANISATION_KIND_BRANCH;
constexpr auto kProvince = v1::ORGANISATION_LEVEL_PROVINCE;
constexpr auto kCity = v1::ORGANISATION_LEVEL_CITY;
constexpr auto kCounty = v1::ORGANISATION_LEVEL_COUNTY;
constexpr auto kTownship = v1::ORGANISATION_LEVEL_TOWNSHIP;
constexpr auto kGrassroots = v1::ORGANISATION_LEVEL_GRASSROOTS;

class OrgTreeTest : public ::testing::Test {
 protected:
  // province p → city c → county x → township t → general branch v → branch b;
  // township t also holds a grassroots committee g.
  void SetUp() override {
    Accept(Org("p", "", kCommittee, kProvince));
    Accept(Org("c", "p", kCommittee, kCity));
    Accept(Org("x", "c", kCommittee, kCounty));
    Accept(Org("t", "x", kCommittee, kTownship));
    Accept(Org("v", "t", kGeneralBranch, kGrassroots));
    Accept(Org("b", "v", kBranch, kGrassroots));
    Accept(Org("g", "t", kCommittee, kGrassroots));
  }

  template <typename Command>
  absl::Status Try(const Command& command) {
    absl::StatusOr<std::vector<v1::Envelope>> events = Decide(tree_, command, AdminContext());
    if (!events.ok()) return events.status();
    for (const v1::Envelope& event : *events) {
      tree_.Apply(event);
      log_.push_back(event);
    }
    return absl::OkStatus();
  }

  template <typename Command>
  void Accept(const Command& command) {
    absl::Status status = Try(command);
    ASSERT_TRUE(status.ok()) << status;
  }

  OrgTree tree_;
  std::vector<v1::Envelope> log_;
};

TEST_F(OrgTreeTest, AnswersExistenceParentAndAncestry) {
  EXPECT_EQ(tree_.version(), 7);
  EXPECT_TRUE(tree_.Exists("b"));
  EXPECT_TRUE(tree_.IsLive("b"));
  EXPECT_FALSE(tree_.Exists("nowhere"));
  EXPECT_EQ(tree_.ParentOf("b"), "v");
  EXPECT_EQ(tree_.ParentOf("p"), "");
  ASSERT_NE(tree_.DirectSuperior("v"), nullptr);
  EXPECT_EQ(tree_.DirectSuperior("v")->organisation_id, "t");
  EXPECT_EQ(tree_.DirectSuperior("p"), nullptr);
  EXPECT_TRUE(tree_.IsAncestor("p", "b"));
  EXPECT_TRUE(tree_.IsAncestor("t", "b"));
  EXPECT_FALSE(tree_.IsAncestor("b", "p"));
  EXPECT_FALSE(tree_.IsAncestor("b", "b"));
  EXPECT_FALSE(tree_.IsAncestor("g", "b"));
  EXPECT_EQ(tree_.LiveChildCount("t"), 2);
}

TEST_F(OrgTreeTest, EventCarriesOnlyPayloadAndType) {
  absl::StatusOr<std::vector<v1::Envelope>> events =
      Decide(tree_, Org("b2", "v", kBranch, kGrassroots), AdminContext());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  const v1::Envelope& envelope = events->front();
  EXPECT_EQ(envelope.event_type(), "vanguard.v1.OrganisationRegistered");
  EXPECT_EQ(envelope.aggregate_id(), "");
  EXPECT_EQ(envelope.aggregate_version(), 0);
  EXPECT_FALSE(envelope.has_occurred_at());
  const v1::OrganisationRegistered& event = envelope.organisation_registered();
  EXPECT_EQ(event.parent_id(), "v");
  // The effective day is the Shanghai day of `now`, a day after the UTC day.
  EXPECT_EQ(event.effective_on().day(), 16);
}

TEST_F(OrgTreeTest, IdsAreUniqueEvenAfterDissolution) {
  EXPECT_EQ(Try(Org("b", "v", kBranch, kGrassroots)).code(), absl::StatusCode::kAlreadyExists);
  Accept(DissolveOrganisation{.organisation_id = "b"});
  EXPECT_EQ(Try(Org("b", "v", kBranch, kGrassroots)).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Try(Org("b2", "v", kBranch, kGrassroots)).ok());
}

TEST_F(OrgTreeTest, ParentMustExistAndBeLive) {
  EXPECT_EQ(Try(Org("b2", "nowhere", kBranch, kGrassroots)).code(), absl::StatusCode::kNotFound);
  Accept(Org("v2", "t", kGeneralBranch, kGrassroots));
  Accept(DissolveOrganisation{.organisation_id = "v2"});
  absl::Status status = Try(Org("b2", "v2", kBranch, kGrassroots));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("dissolved"));
}

TEST_F(OrgTreeTest, OnlyOrganisationsAboveGrassrootsMayBeRoots) {
  EXPECT_EQ(Try(Org("lone", "", kBranch, kGrassroots)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Try(Org("other-city", "", kCommittee, kCity)).ok());
  EXPECT_EQ(tree_.DirectSuperior("other-city"), nullptr);
}

TEST_F(OrgTreeTest, ChildLevelMustBeBelowParentLevel) {
  EXPECT_EQ(Try(Org("c2", "x", kCommittee, kCity)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Try(Org("x2", "x", kCommittee, kCounty)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Try(Org("t2", "x", kCommittee, kTownship)).ok());
  // Skipping a level is allowed: a county department's branch sits under the county.
  EXPECT_TRUE(Try(Org("water", "x", kBranch, kGrassroots)).ok());
}

TEST_F(OrgTreeTest, GrassrootsNestingFollowsKinds) {
  // A general branch contains branches, and nothing else.
  EXPECT_TRUE(Try(Org("b2", "v", kBranch, kGrassroots)).ok());
  EXPECT_EQ(Try(Org("v3", "v", kGeneralBranch, kGrassroots)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Try(Org("g3", "v", kCommittee, kGrassroots)).code(),
            absl::StatusCode::kFailedPrecondition);
  // A grassroots committee contains general branches and branches, not committees.
  EXPECT_TRUE(Try(Org("v4", "g", kGeneralBranch, kGrassroots)).ok());
  EXPECT_TRUE(Try(Org("b4", "g", kBranch, kGrassroots)).ok());
  EXPECT_EQ(Try(Org("g4", "g", kCommittee, kGrassroots)).code(),
            absl::StatusCode::kFailedPrecondition);
  // A branch contains nothing.
  absl::Status status = Try(Org("b5", "b", kBranch, kGrassroots));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("branch cannot contain"));
}

TEST_F(OrgTreeTest, NamesAreNonEmptyBoundedUtf8) {
  RegisterOrganisation command = Org("b2", "v", kBranch, kGrassroots);
  command.name = "";
  absl::Status status = Try(command);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("name: "));
  command.name = std::string(201, 'a');
  EXPECT_EQ(Try(command).code(), absl::StatusCode::kInvalidArgument);
  command.name = "\xE9\x9B";
  EXPECT_EQ(Try(command).code(), absl::StatusCode::kInvalidArgument);
  command.name = std::string(200, 'a');
  EXPECT_TRUE(Try(command).ok());
}

TEST_F(OrgTreeTest, KindLevelAndSectorAreRequired) {
  RegisterOrganisation command = Org("b2", "v", kBranch, kGrassroots);
  command.kind = v1::ORGANISATION_KIND_UNSPECIFIED;
  EXPECT_THAT(std::string(Try(command).message()), StartsWith("kind: "));
  command = Org("b2", "v", kBranch, kGrassroots);
  command.level = v1::ORGANISATION_LEVEL_UNSPECIFIED;
  EXPECT_THAT(std::string(Try(command).message()), StartsWith("level: "));
  command = Org("b2", "v", kBranch, kGrassroots);
  command.sector = v1::SECTOR_UNSPECIFIED;
  EXPECT_THAT(std::string(Try(command).message()), StartsWith("sector: "));
  command = Org("b2", "", kBranch, kGrassroots);
  command.organisation_id = "";
  EXPECT_THAT(std::string(Try(command).message()), StartsWith("organisation_id: "));
}

TEST_F(OrgTreeTest, RenameChangesTheNameOfALiveOrganisation) {
  Accept(RenameOrganisation{.organisation_id = "b", .name = "雨厦村第一党支部", .reason = "批复"});
  EXPECT_EQ(tree_.Find("b")->name, "雨厦村第一党支部");
  EXPECT_EQ(Try(RenameOrganisation{.organisation_id = "b", .name = "雨厦村第一党支部"}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Try(RenameOrganisation{.organisation_id = "b", .name = ""}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Try(RenameOrganisation{.organisation_id = "nowhere", .name = "x"}).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(OrgTreeTest, MoveReparentsTheSubtree) {
  Accept(Org("t2", "x", kCommittee, kTownship));
  Accept(MoveOrganisation{.organisation_id = "v", .parent_id = "t2", .reason = "区划调整"});
  EXPECT_EQ(tree_.ParentOf("v"), "t2");
  EXPECT_TRUE(tree_.IsAncestor("t2", "b"));
  EXPECT_FALSE(tree_.IsAncestor("t", "b"));
  EXPECT_EQ(tree_.LiveChildCount("t"), 1);
  EXPECT_EQ(tree_.LiveChildCount("t2"), 1);
  const v1::OrganisationMoved& event = log_.back().organisation_moved();
  EXPECT_EQ(event.previous_parent_id(), "t");
  EXPECT_EQ(event.level(), kGrassroots);
}

TEST_F(OrgTreeTest, MoveRejectsCycles) {
  absl::Status status = Try(MoveOrganisation{.organisation_id = "t", .parent_id = "t"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("own subtree"));
  // Level and kind rules would refuse these too; the cycle is named first.
  status = Try(MoveOrganisation{.organisation_id = "x", .parent_id = "t"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("own subtree"));
  status = Try(MoveOrganisation{.organisation_id = "v", .parent_id = "b"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("own subtree"));
}

TEST_F(OrgTreeTest, MoveNeedsANewLiveParentThatFits) {
  EXPECT_EQ(Try(MoveOrganisation{.organisation_id = "b", .parent_id = "v"}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Try(MoveOrganisation{.organisation_id = "b", .parent_id = ""}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Try(MoveOrganisation{.organisation_id = "b", .parent_id = "nowhere"}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Try(MoveOrganisation{.organisation_id = "nowhere", .parent_id = "v"}).code(),
            absl::StatusCode::kNotFound);
  // A general branch cannot go under a branch.
  Accept(Org("b2", "g", kBranch, kGrassroots));
  EXPECT_EQ(Try(MoveOrganisation{.organisation_id = "v", .parent_id = "b2"}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Try(MoveOrganisation{.organisation_id = "v", .parent_id = "g"}).ok());
}

TEST_F(OrgTreeTest, MoveThatChangesLevelMustStillFitTheChildren) {
  // Township t2 holds a grassroots committee; demoted to the grassroots level
  // it would be a committee holding a committee.
  Accept(Org("t2", "x", kCommittee, kTownship));
  Accept(Org("g2", "t2", kCommittee, kGrassroots));
  EXPECT_EQ(
      Try(MoveOrganisation{.organisation_id = "t2", .parent_id = "t", .level = kGrassroots}).code(),
      absl::StatusCode::kFailedPrecondition);
  // Once the committee is gone the demotion fits.
  Accept(DissolveOrganisation{.organisation_id = "g2"});
  Accept(MoveOrganisation{.organisation_id = "t2", .parent_id = "t", .level = kGrassroots});
  EXPECT_EQ(tree_.Find("t2")->level, kGrassroots);
}

TEST_F(OrgTreeTest, DissolveNeedsNoLiveChildren) {
  absl::Status status = Try(DissolveOrganisation{.organisation_id = "v"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("live child"));
  Accept(DissolveOrganisation{.organisation_id = "b"});
  EXPECT_FALSE(tree_.IsLive("b"));
  EXPECT_TRUE(tree_.Exists("b"));
  Accept(DissolveOrganisation{.organisation_id = "v", .successor_id = "g"});
  EXPECT_EQ(log_.back().organisation_dissolved().successor_id(), "g");
}

TEST_F(OrgTreeTest, DissolvedOrganisationAcceptsNothing) {
  Accept(DissolveOrganisation{.organisation_id = "b"});
  EXPECT_EQ(Try(RenameOrganisation{.organisation_id = "b", .name = "新名"}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Try(MoveOrganisation{.organisation_id = "b", .parent_id = "g"}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Try(DissolveOrganisation{.organisation_id = "b"}).code(),
            absl::StatusCode::kFailedPrecondition);
  // Nor does it take children by a move (a branch would otherwise fit under v2).
  Accept(Org("v2", "t", kGeneralBranch, kGrassroots));
  Accept(Org("b3", "g", kBranch, kGrassroots));
  Accept(DissolveOrganisation{.organisation_id = "v2"});
  absl::Status status = Try(MoveOrganisation{.organisation_id = "b3", .parent_id = "v2"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr("v2 is dissolved"));
}

TEST_F(OrgTreeTest, SuccessorMustBeAnotherLiveOrganisation) {
  EXPECT_EQ(Try(DissolveOrganisation{.organisation_id = "b", .successor_id = "b"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Try(DissolveOrganisation{.organisation_id = "b", .successor_id = "nowhere"}).code(),
            absl::StatusCode::kNotFound);
  Accept(Org("b2", "v", kBranch, kGrassroots));
  Accept(DissolveOrganisation{.organisation_id = "b2"});
  EXPECT_EQ(Try(DissolveOrganisation{.organisation_id = "b", .successor_id = "b2"}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(OrgTreeTest, ReplayingTheEventsRebuildsTheSameTree) {
  Accept(Org("t2", "x", kCommittee, kTownship));
  Accept(MoveOrganisation{.organisation_id = "v", .parent_id = "t2"});
  Accept(RenameOrganisation{.organisation_id = "g", .name = "新名"});
  Accept(DissolveOrganisation{.organisation_id = "b"});
  OrgTree replayed;
  for (const v1::Envelope& event : log_) replayed.Apply(event);
  EXPECT_EQ(replayed.version(), tree_.version());
  EXPECT_EQ(replayed.size(), tree_.size());
  EXPECT_EQ(replayed.ParentOf("v"), "t2");
  EXPECT_TRUE(replayed.IsAncestor("t2", "b"));
  EXPECT_FALSE(replayed.IsLive("b"));
  EXPECT_EQ(replayed.Find("g")->name, "新名");
  EXPECT_EQ(replayed.LiveChildCount("v"), 0);
}

TEST_F(OrgTreeTest, IgnoresEventsOfOtherAggregates) {
  v1::Envelope envelope;
  envelope.mutable_member_enrolled()->set_organisation_id("b");
  tree_.Apply(envelope);
  EXPECT_EQ(tree_.version(), 7);
}

}  // namespace
}  // namespace vanguard::domain
