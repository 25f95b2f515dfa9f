#include "libs/privacy/personal_info.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/eventlog/testing.h"

namespace vanguard::privacy {
namespace {

v1::MemberAttributes Zhang() {
  v1::MemberAttributes a;
  a.set_name("张三");
  a.set_gender(v1::GENDER_FEMALE);
  a.set_ethnicity("彝族");
  a.set_education(v1::EDUCATION_JUNIOR_SECONDARY);
  a.mutable_birth_date()->set_year(1980);
  a.mutable_birth_date()->set_month(5);
  a.mutable_birth_date()->set_day(4);
  a.set_category(v1::MEMBER_CATEGORY_RURAL);
  a.set_holds_post(true);
  a.set_post_title("村委会主任");
  a.set_probationary(true);
  return a;
}

const std::string kKey(kKeyBytes, '\x11');
const std::string kOtherKey(kKeyBytes, '\x22');

TEST(PersonalInfoTest, SealsOnlyThePersonalFieldsAndOpensThemBack) {
  v1::MemberAttributes a = Zhang();
  ASSERT_TRUE(SealPersonalInfo(kKey, "mbr-1", a).ok());
  EXPECT_TRUE(a.name().empty());
  EXPECT_TRUE(a.ethnicity().empty());
  EXPECT_EQ(a.education(), 0);
  EXPECT_FALSE(a.has_birth_date());
  EXPECT_TRUE(a.post_title().empty());
  // What the views count stays plain.
  EXPECT_EQ(a.gender(), v1::GENDER_FEMALE);
  EXPECT_EQ(a.category(), v1::MEMBER_CATEGORY_RURAL);
  EXPECT_TRUE(a.holds_post());
  EXPECT_TRUE(a.probationary());
  std::string bytes = a.SerializeAsString();
  EXPECT_EQ(bytes.find("张三"), std::string::npos);
  EXPECT_EQ(bytes.find("彝族"), std::string::npos);
  EXPECT_EQ(bytes.find("村委会主任"), std::string::npos);

  ASSERT_TRUE(OpenPersonalInfo(kKey, "mbr-1", a).ok());
  EXPECT_FALSE(a.has_sealed_personal_info());
  EXPECT_EQ(a.SerializeAsString(), Zhang().SerializeAsString());
}

TEST(PersonalInfoTest, EverySealHasItsOwnNonce) {
  v1::MemberAttributes a = Zhang(), b = Zhang();
  ASSERT_TRUE(SealPersonalInfo(kKey, "mbr-1", a).ok());
  ASSERT_TRUE(SealPersonalInfo(kKey, "mbr-1", b).ok());
  EXPECT_NE(a.sealed_personal_info().nonce(), b.sealed_personal_info().nonce());
  EXPECT_NE(a.sealed_personal_info().ciphertext(), b.sealed_personal_info().ciphertext());
}

TEST(PersonalInfoTest, WrongKeyOtherMemberOrAlteredBytesAreDetected) {
  v1::MemberAttributes sealed = Zhang();
  ASSERT_TRUE(SealPersonalInfo(kKey, "mbr-1", sealed).ok());

  v1::MemberAttributes a = sealed;
  absl::Status wrong_key = OpenPersonalInfo(kOtherKey, "mbr-1", a);
  EXPECT_EQ(wrong_key.code(), absl::StatusCode::kDataLoss) << wrong_key;
  EXPECT_EQ(a.SerializeAsString(), sealed.SerializeAsString());  // unchanged

  // Moved onto another member's event: the associated data differs.
  EXPECT_EQ(OpenPersonalInfo(kKey, "mbr-2", a).code(), absl::StatusCode::kDataLoss);

  for (size_t i = 0; i < sealed.sealed_personal_info().ciphertext().size(); ++i) {
    v1::MemberAttributes t = sealed;
    (*t.mutable_sealed_personal_info()->mutable_ciphertext())[i] ^= 0x01;
    EXPECT_EQ(OpenPersonalInfo(kKey, "mbr-1", t).code(), absl::StatusCode::kDataLoss) << i;
  }
  v1::MemberAttributes t = sealed;
  (*t.mutable_sealed_personal_info()->mutable_nonce())[0] ^= 0x01;
  EXPECT_EQ(OpenPersonalInfo(kKey, "mbr-1", t).code(), absl::StatusCode::kDataLoss);
  t = sealed;
  t.mutable_sealed_personal_info()->mutable_ciphertext()->resize(10);
  EXPECT_EQ(OpenPersonalInfo(kKey, "mbr-1", t).code(), absl::StatusCode::kDataLoss);
}

TEST(PersonalInfoTest, AClientMayNotSendASealedForm) {
  v1::MemberAttributes a = Zhang();
  a.mutable_sealed_personal_info()->set_nonce("x");
  EXPECT_EQ(SealPersonalInfo(kKey, "mbr-1", a).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PersonalInfoTest, RevealShowsPlainOnlyInScopeAndNothingOnceErased) {
  eventlog::testing::ScopedTempDir dir;
  auto keys = KeyStore::Open({.path = dir.path() + "/keys"});
  ASSERT_TRUE(keys.ok()) << keys.status();
  v1::MemberAttributes sealed = Zhang();
  ASSERT_TRUE(SealPersonalInfo(*(*keys)->KeyForSealing("mbr-1"), "mbr-1", sealed).ok());

  v1::MemberAttributes a = sealed;
  EXPECT_EQ(Reveal(keys->get(), "mbr-1", true, false, a), v1::PERSONAL_INFO_ACCESS_PLAIN);
  EXPECT_EQ(a.name(), "张三");

  a = sealed;
  EXPECT_EQ(Reveal(keys->get(), "mbr-1", false, false, a), v1::PERSONAL_INFO_ACCESS_SEALED);
  EXPECT_TRUE(a.name().empty());
  EXPECT_TRUE(a.has_sealed_personal_info());

  a = sealed;  // no key store in this process
  EXPECT_EQ(Reveal(nullptr, "mbr-1", true, false, a), v1::PERSONAL_INFO_ACCESS_UNREADABLE);
  EXPECT_TRUE(a.name().empty());

  a = sealed;  // a sealed form from another member
  EXPECT_EQ(Reveal(keys->get(), "mbr-2", true, false, a), v1::PERSONAL_INFO_ACCESS_UNREADABLE);

  // Written before sealing existed: plain in scope, cleared outside.
  a = Zhang();
  EXPECT_EQ(Reveal(keys->get(), "mbr-old", true, false, a), v1::PERSONAL_INFO_ACCESS_PLAIN);
  EXPECT_EQ(a.name(), "张三");
  a = Zhang();
  EXPECT_EQ(Reveal(keys->get(), "mbr-old", false, false, a), v1::PERSONAL_INFO_ACCESS_SEALED);
  EXPECT_TRUE(a.name().empty());
  EXPECT_TRUE(a.ethnicity().empty());

  ASSERT_TRUE((*keys)->Destroy("mbr-1").ok());
  a = sealed;
  EXPECT_EQ(Reveal(keys->get(), "mbr-1", true, false, a), v1::PERSONAL_INFO_ACCESS_ERASED);
  EXPECT_FALSE(a.has_sealed_personal_info());
  EXPECT_EQ(a.category(), v1::MEMBER_CATEGORY_RURAL);
  a = Zhang();  // the views say erased
  EXPECT_EQ(Reveal(keys->get(), "mbr-old", true, true, a), v1::PERSONAL_INFO_ACCESS_ERASED);
  EXPECT_TRUE(a.name().empty());
}

}  // namespace
}  // namespace vanguard::privacy
