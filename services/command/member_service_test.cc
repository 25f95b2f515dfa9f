// MemberService through gRPC: enrolment to leaving, and scopes.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/privacy/personal_info.h"
#include "libs/rpc/status.h"
#include "services/command/command_services_test_fixture.h"

namespace vanguard::command::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(CommandServicesTest, AMemberIsEnrolledUpdatedTransferredAndLeaves) {
  Outcome enrolled = Enrol(kBranchClerk, EnrolRequest("enrol-1", "branch", "张三"));
  ASSERT_TRUE(enrolled.ok()) << enrolled;
  const std::string member_id = enrolled.result.aggregate_id();
  EXPECT_EQ(member_id, writer::DerivedId("mbr-", "clerk-branch", "enrol-1"));
  EXPECT_EQ(enrolled.result.version(), 1);

  v1::UpdateMemberRequest update;
  update.set_request_id("update-1");
  update.set_member_id(member_id);
  update.mutable_attributes()->set_name("张三");
  update.mutable_attributes()->set_category(v1::MEMBER_CATEGORY_RURAL);
  update.mutable_attributes()->set_holds_post(true);
  update.mutable_attributes()->set_post_title("村委会委员");
  Outcome updated = Update(kBranchClerk, update);
  ASSERT_TRUE(updated.ok()) << updated;
  EXPECT_EQ(updated.result.aggregate_id(), member_id);
  EXPECT_EQ(updated.result.version(), 2);

  ASSERT_TRUE(Register(kGeneralClerk,
                       RegisterRequest("r-b2", "branch-2", "general", v1::ORGANISATION_KIND_BRANCH,
                                       v1::ORGANISATION_LEVEL_GRASSROOTS))
                  .ok());
  v1::TransferMemberRequest transfer;
  transfer.set_request_id("transfer-1");
  transfer.set_member_id(member_id);
  transfer.set_to_organisation_id("branch-2");
  transfer.set_reason("组织关系转接");
  Outcome transferred = Transfer(kBranchClerk, transfer);
  ASSERT_TRUE(transferred.ok()) << transferred;
  EXPECT_EQ(transferred.result.version(), 3);

  // The member now belongs to branch-2, outside the village branch's scope.
  const int64_t records = TotalRecords();
  update.set_request_id("update-2");
  Outcome out_of_scope = Update(kBranchClerk, update);
  EXPECT_EQ(out_of_scope.code(), grpc::StatusCode::PERMISSION_DENIED) << out_of_scope;
  // The refusal names the member, not where it went: the caller may be outside its scope.
  EXPECT_THAT(out_of_scope.status.error_message(),
              HasSubstr(absl::StrCat("member ", update.member_id(), " is outside")));
  EXPECT_THAT(out_of_scope.status.error_message(), Not(HasSubstr("branch-2")));
  EXPECT_EQ(TotalRecords(), records);

  v1::RecordMemberLeftRequest leave;
  leave.set_request_id("leave-1");
  leave.set_member_id(member_id);
  leave.set_reason(v1::LEAVE_REASON_DECEASED);
  Outcome left = Leave(kGeneralClerk, leave);
  ASSERT_TRUE(left.ok()) << left;
  EXPECT_EQ(left.result.version(), 4);

  update.set_request_id("update-3");
  Outcome after_leaving = Update(kGeneralClerk, update);
  EXPECT_EQ(after_leaving.code(), grpc::StatusCode::FAILED_PRECONDITION) << after_leaving;
}

TEST_F(CommandServicesTest, MemberCommandsOutsideTheScopeOrOnNothingFail) {
  const int64_t records = TotalRecords();
  Outcome denied = Enrol(kBranchClerk, EnrolRequest("enrol-1", "general", "张三"));
  EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << denied;
  EXPECT_THAT(denied.status.error_message(),
              HasSubstr("organisation general is outside the scope of principal clerk-branch"));
  Outcome nowhere = Enrol(kBranchClerk, EnrolRequest("enrol-2", "nowhere", "张三"));
  EXPECT_EQ(nowhere.code(), grpc::StatusCode::NOT_FOUND) << nowhere;

  v1::TransferMemberRequest transfer;
  transfer.set_request_id("transfer-1");
  transfer.set_member_id("mbr-nobody");
  transfer.set_to_organisation_id("branch");
  Outcome nobody = Transfer(kCountyClerk, transfer);
  EXPECT_EQ(nobody.code(), grpc::StatusCode::NOT_FOUND) << nobody;
  EXPECT_THAT(nobody.status.error_message(), HasSubstr("member mbr-nobody not found"));
  EXPECT_EQ(TotalRecords(), records);
}


// Every stored record's bytes, in log order per partition.
std::vector<std::string> StoredValues(eventlog::EventLog& log) {
  std::vector<std::string> values;
  for (int32_t p = 0; p < log.partition_count(); ++p) {
    int64_t end = *log.EndOffset(p, Soon());
    if (end == 0) continue;
    auto reader = log.OpenReader({{p, 0}});
    EXPECT_TRUE(reader.ok()) << reader.status();
    for (int64_t next = 0; next < end;) {
      auto records = (*reader)->Poll(1000, Soon());
      EXPECT_TRUE(records.ok() && !records->empty());
      if (!records.ok() || records->empty()) break;
      for (const eventlog::StoredRecord& r : *records) {
        values.push_back(r.value);
        next = r.offset + 1;
      }
    }
  }
  return values;
}

// The member's events as stored, decoded.
std::vector<v1::Envelope> MemberEvents(eventlog::EventLog& log, const std::string& member_id) {
  std::vector<v1::Envelope> events;
  for (const std::string& value : StoredValues(log)) {
    v1::Sealed sealed;
    v1::Envelope e;
    if (sealed.ParseFromString(value) && e.ParseFromString(sealed.envelope()) &&
        e.aggregate_id() == member_id) {
      events.push_back(e);
    }
  }
  return events;
}

v1::EnrolMemberRequest PersonalEnrolRequest(const std::string& request_id) {
  v1::EnrolMemberRequest request = EnrolRequest(request_id, "branch", "李秀英");
  v1::MemberAttributes& a = *request.mutable_attributes();
  a.set_ethnicity("彝族");
  a.set_education(v1::EDUCATION_BACHELOR);
  a.set_gender(v1::GENDER_FEMALE);
  a.mutable_birth_date()->set_year(1981);
  a.mutable_birth_date()->set_month(3);
  a.mutable_birth_date()->set_day(9);
  a.set_holds_post(true);
  a.set_post_title("村委会主任");
  return request;
}

v1::EraseMemberPersonalInfoRequest EraseRequest(const std::string& request_id,
                                                const std::string& member_id) {
  v1::EraseMemberPersonalInfoRequest request;
  request.set_request_id(request_id);
  request.set_member_id(member_id);
  return request;
}

TEST_F(CommandServicesTest, PersonalInfoIsSealedInTheLogAndCountedFieldsStayPlain) {
  Outcome enrolled = Enrol(kBranchClerk, PersonalEnrolRequest("enrol-pi"));
  ASSERT_TRUE(enrolled.ok()) << enrolled;
  const std::string member_id = enrolled.result.aggregate_id();
  for (const std::string& value : StoredValues(*log_)) {
    for (const char* personal : {"李秀英", "彝族", "村委会主任"}) {
      EXPECT_EQ(value.find(personal), std::string::npos) << personal << " is in the log";
    }
  }
  std::vector<v1::Envelope> events = MemberEvents(*log_, member_id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].schema_version(), 2);
  v1::MemberAttributes a = events[0].member_enrolled().attributes();
  EXPECT_TRUE(a.has_sealed_personal_info());
  EXPECT_TRUE(a.name().empty());
  EXPECT_FALSE(a.has_birth_date());
  EXPECT_EQ(a.gender(), v1::GENDER_FEMALE);
  EXPECT_EQ(a.category(), v1::MEMBER_CATEGORY_RURAL);
  EXPECT_TRUE(a.holds_post());
  // The member's key, made at enrolment, opens it.
  auto key = keys_->Find(member_id);
  ASSERT_TRUE(key.ok() && key->state == privacy::KeyState::kLive);
  ASSERT_TRUE(privacy::OpenPersonalInfo(key->key, member_id, a).ok());
  EXPECT_EQ(a.name(), "李秀英");
  EXPECT_EQ(a.ethnicity(), "彝族");
  EXPECT_EQ(a.education(), v1::EDUCATION_BACHELOR);
  EXPECT_EQ(a.birth_date().year(), 1981);
  EXPECT_EQ(a.post_title(), "村委会主任");

  // A client cannot smuggle a sealed form in.
  v1::EnrolMemberRequest sealed = PersonalEnrolRequest("enrol-sealed");
  sealed.mutable_attributes()->mutable_sealed_personal_info()->set_nonce("0123456789ab");
  const int64_t records = TotalRecords();
  Outcome refused = Enrol(kBranchClerk, sealed);
  EXPECT_EQ(refused.code(), grpc::StatusCode::INVALID_ARGUMENT) << refused;
  EXPECT_THAT(refused.status.error_message(), HasSubstr("attributes.sealed_personal_info"));
  EXPECT_EQ(TotalRecords(), records);
}

TEST_F(CommandServicesTest, ErasureDestroysTheKeyAndRecordsItOnceWithoutPersonalData) {
  Outcome enrolled = Enrol(kBranchClerk, PersonalEnrolRequest("enrol-pi"));
  ASSERT_TRUE(enrolled.ok()) << enrolled;
  const std::string member_id = enrolled.result.aggregate_id();
  v1::UpdateMemberRequest update;
  update.set_request_id("update-pi");
  update.set_member_id(member_id);
  *update.mutable_attributes() = PersonalEnrolRequest("x").attributes();
  update.mutable_attributes()->set_probationary(true);
  ASSERT_TRUE(Update(kBranchClerk, update).ok());

  Outcome erased = Erase(kAdmin, EraseRequest("erase-1", member_id));
  ASSERT_TRUE(erased.ok()) << erased;
  EXPECT_EQ(erased.result.version(), 3);
  EXPECT_EQ(keys_->Find(member_id)->state, privacy::KeyState::kErased);
  std::vector<v1::Envelope> events = MemberEvents(*log_, member_id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].event_type(), "vanguard.v1.MemberPersonalInfoErased");
  EXPECT_EQ(events[2].member_personal_info_erased().organisation_id(), "branch");
  // The sealed forms stay in the log, unopenable by anyone.
  EXPECT_TRUE(events[0].member_enrolled().attributes().has_sealed_personal_info());

  // A retry answers the first result and appends nothing.
  const int64_t records = TotalRecords();
  Outcome retried = Erase(kAdmin, EraseRequest("erase-1", member_id));
  ASSERT_TRUE(retried.ok()) << retried;
  EXPECT_EQ(retried.result.version(), 3);
  EXPECT_EQ(TotalRecords(), records);
  Outcome again = Erase(kAdmin, EraseRequest("erase-2", member_id));
  EXPECT_EQ(again.code(), grpc::StatusCode::FAILED_PRECONDITION) << again;

  // Nothing personal can be recorded again; the member can still move and leave.
  update.set_request_id("update-after");
  Outcome updated = Update(kBranchClerk, update);
  EXPECT_EQ(updated.code(), grpc::StatusCode::FAILED_PRECONDITION) << updated;
  v1::RecordMemberLeftRequest leave;
  leave.set_request_id("leave-1");
  leave.set_member_id(member_id);
  leave.set_reason(v1::LEAVE_REASON_WITHDREW);
  EXPECT_TRUE(Leave(kBranchClerk, leave).ok());
  EXPECT_EQ(TotalRecords(), records + 1);
}

TEST_F(CommandServicesTest, ErasureIsForAdminsOfTheMembersOrganisationOrAbove) {
  Outcome enrolled = Enrol(kBranchClerk, PersonalEnrolRequest("enrol-pi"));
  ASSERT_TRUE(enrolled.ok()) << enrolled;
  const std::string member_id = enrolled.result.aggregate_id();
  const int64_t records = TotalRecords();
  for (const char* token : {kBranchClerk, kCountyClerk, kAuditor, kTownReviewer}) {
    Outcome denied = Erase(token, EraseRequest("erase-1", member_id));
    EXPECT_EQ(denied.code(), grpc::StatusCode::PERMISSION_DENIED) << token << " " << denied;
  }
  // An admin whose organisation is not above the member's: another root.
  ASSERT_TRUE(Register(kAdmin, RegisterRequest("r-c2", "county2", "",
                                               v1::ORGANISATION_KIND_COMMITTEE,
                                               v1::ORGANISATION_LEVEL_COUNTY))
                  .ok());
  v1::EnrolMemberRequest elsewhere = PersonalEnrolRequest("enrol-c2");
  elsewhere.set_organisation_id("county2");
  Outcome other = Enrol(kAdmin, elsewhere);
  ASSERT_TRUE(other.ok()) << other;
  const int64_t before = TotalRecords();
  Outcome outside = Erase(kAdmin, EraseRequest("erase-2", other.result.aggregate_id()));
  EXPECT_EQ(outside.code(), grpc::StatusCode::PERMISSION_DENIED) << outside;
  EXPECT_THAT(outside.status.error_message(), Not(HasSubstr("county2")));
  EXPECT_EQ(keys_->Find(other.result.aggregate_id())->state, privacy::KeyState::kLive);
  EXPECT_EQ(TotalRecords(), before);
  EXPECT_EQ(keys_->Find(member_id)->state, privacy::KeyState::kLive);
  EXPECT_GT(before, records);

  Outcome unknown = Erase(kAdmin, EraseRequest("erase-3", "mbr-nobody"));
  EXPECT_EQ(unknown.code(), grpc::StatusCode::NOT_FOUND) << unknown;
  Outcome empty = Erase(kAdmin, EraseRequest("erase-4", ""));
  EXPECT_EQ(empty.code(), grpc::StatusCode::INVALID_ARGUMENT) << empty;
}

}  // namespace
}  // namespace vanguard::command::testing
