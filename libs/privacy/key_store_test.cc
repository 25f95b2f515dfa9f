#include "libs/privacy/key_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gtest/gtest.h"
#include "libs/eventlog/testing.h"

namespace vanguard::privacy {
namespace {

std::unique_ptr<KeyStore> OpenOrDie(const KeyStoreOptions& options) {
  auto keys = KeyStore::Open(options);
  EXPECT_TRUE(keys.ok()) << keys.status();
  return keys.ok() ? *std::move(keys) : nullptr;
}

// Whether any file under `dir` contains `bytes`.
bool AnyFileHolds(const std::string& dir, const std::string& bytes) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.find(bytes) != std::string::npos) return true;
  }
  return false;
}

TEST(KeyStoreTest, CreatesOneDurableRandomKeyPerMember) {
  eventlog::testing::ScopedTempDir dir;
  std::string first, other;
  {
    auto keys = OpenOrDie({.path = dir.path() + "/keys"});
    auto key = keys->KeyForSealing("mbr-1");
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->size(), kKeyBytes);
    first = *key;
    EXPECT_EQ(*keys->KeyForSealing("mbr-1"), first);  // the same key again
    other = *keys->KeyForSealing("mbr-2");
    EXPECT_NE(other, first);
    EXPECT_EQ(keys->Find("mbr-3")->state, KeyState::kMissing);
  }
  auto keys = OpenOrDie({.path = dir.path() + "/keys"});
  auto found = keys->Find("mbr-1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->state, KeyState::kLive);
  EXPECT_EQ(found->key, first);
}

TEST(KeyStoreTest, DestroyedKeyIsGoneFromEveryFileAndNeverComesBack) {
  eventlog::testing::ScopedTempDir dir;
  const std::string path = dir.path() + "/keys";
  std::string key;
  {
    auto keys = OpenOrDie({.path = path});
    key = *keys->KeyForSealing("mbr-1");
    ASSERT_TRUE(keys->KeyForSealing("mbr-2").ok());
    ASSERT_TRUE(AnyFileHolds(path, key));  // the test can see a key on disk
    ASSERT_TRUE(keys->Destroy("mbr-1").ok());
    EXPECT_EQ(keys->Find("mbr-1")->state, KeyState::kErased);
    EXPECT_FALSE(AnyFileHolds(path, key));
    EXPECT_TRUE(keys->Destroy("mbr-1").ok());  // idempotent
    auto again = keys->KeyForSealing("mbr-1");
    EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition) << again.status();
    // A member never sealed can be tombstoned too: no key is ever made for it.
    ASSERT_TRUE(keys->Destroy("mbr-9").ok());
    EXPECT_FALSE(keys->KeyForSealing("mbr-9").ok());
  }
  auto keys = OpenOrDie({.path = path});
  EXPECT_EQ(keys->Find("mbr-1")->state, KeyState::kErased);
  EXPECT_EQ(keys->Find("mbr-2")->state, KeyState::kLive);
  EXPECT_FALSE(AnyFileHolds(path, key));
}

TEST(KeyStoreTest, SecondaryFollowsThePrimaryAndCannotWrite) {
  eventlog::testing::ScopedTempDir dir;
  auto primary = OpenOrDie({.path = dir.path() + "/keys"});
  std::string key = *primary->KeyForSealing("mbr-1");
  auto secondary = OpenOrDie(
      {.path = dir.path() + "/keys", .secondary = true, .secondary_path = dir.path() + "/sec"});
  ASSERT_NE(secondary, nullptr);
  EXPECT_EQ(secondary->Find("mbr-1")->key, key);
  std::string later = *primary->KeyForSealing("mbr-2");
  EXPECT_EQ(secondary->Find("mbr-2")->key, later);  // a miss catches up at once
  EXPECT_EQ(secondary->KeyForSealing("mbr-3").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(secondary->Destroy("mbr-1").code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vanguard::privacy
