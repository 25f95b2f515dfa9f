#include "libs/rpc/auth.h"

#include <cctype>
#include <cstdio>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vanguard::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TokenStore, HashTokenIsSha256Hex) {
  EXPECT_EQ(TokenStore::HashToken("test"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(TokenStore::HashToken(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TokenStore, ParsesTokensCertificatesCommentsAndBlankLines) {
  std::string text = absl::StrCat(
      "# tokens of the county\n"
      "\n",
      TokenStore::HashToken("s3cret"), " clerk-7 clerk yuxia\n", "  ",
      TokenStore::HashToken("other"), "\treviewer-1  reviewer,auditor  county \n",
      "cert:water-bureau dept-water department county-water\n");
  absl::StatusOr<TokenStore> store = TokenStore::Parse(text);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->size(), 3u);

  absl::StatusOr<Principal> clerk = store->FindByToken("s3cret");
  ASSERT_TRUE(clerk.ok()) << clerk.status();
  EXPECT_EQ(clerk->id, "clerk-7");
  EXPECT_EQ(clerk->organisation_id, "yuxia");
  EXPECT_TRUE(clerk->HasRole(Role::kClerk));
  EXPECT_FALSE(clerk->HasRole(Role::kAdmin));

  absl::StatusOr<Principal> reviewer = store->FindByToken("other");
  ASSERT_TRUE(reviewer.ok());
  EXPECT_TRUE(reviewer->HasRole(Role::kReviewer));
  EXPECT_TRUE(reviewer->HasRole(Role::kAuditor));

  absl::StatusOr<Principal> department = store->FindByCertificate("water-bureau");
  ASSERT_TRUE(department.ok());
  EXPECT_EQ(department->id, "dept-water");
  EXPECT_TRUE(department->HasRole(Role::kDepartment));
}

TEST(TokenStore, UpperCaseHashMatches) {
  std::string hash = TokenStore::HashToken("s3cret");
  for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  absl::StatusOr<TokenStore> store = TokenStore::Parse(absl::StrCat(hash, " a admin root\n"));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(store->FindByToken("s3cret").ok());
}

TEST(TokenStore, UnknownTokenDoesNotEchoIt) {
  absl::StatusOr<TokenStore> store =
      TokenStore::Parse(absl::StrCat(TokenStore::HashToken("s3cret"), " a clerk o\n"));
  ASSERT_TRUE(store.ok());
  absl::StatusOr<Principal> principal = store->FindByToken("guessed-token");
  EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(principal.status().message(), "unknown token");
  EXPECT_EQ(store->FindByCertificate("nobody").status().code(), absl::StatusCode::kUnauthenticated);
}

void ExpectLineError(const std::string& text, int line, const std::string& what) {
  absl::StatusOr<TokenStore> store = TokenStore::Parse(text);
  ASSERT_FALSE(store.ok()) << text;
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr(absl::StrCat("line ", line, ":")));
  EXPECT_THAT(store.status().message(), HasSubstr(what));
}

TEST(TokenStore, RejectsMalformedLinesNamingTheLine) {
  const std::string hash = TokenStore::HashToken("t");
  ExpectLineError(absl::StrCat("# c\n", hash, " a clerk\n"), 2, "want");
  ExpectLineError(absl::StrCat(hash, " a clerk o extra\n"), 1, "want");
  ExpectLineError(absl::StrCat("\n\n", hash, " a clerk,janitor o\n"), 3,
                  "unknown role \"janitor\"");
  ExpectLineError(absl::StrCat(hash, " a clerk, o\n"), 1, "unknown role");
  ExpectLineError("abc123 a clerk o\n", 1, "SHA-256");
  ExpectLineError("cert: a clerk o\n", 1, "common name");
  ExpectLineError(absl::StrCat(hash, " a clerk o\n", hash, " b clerk o\n"), 2, "twice");
  ExpectLineError("cert:x a clerk o\ncert:x b clerk o\n", 2, "twice");
}

TEST(TokenStore, LoadReadsAFile) {
  std::string path = ::testing::TempDir() + "/vanguard_tokens";
  {
    std::ofstream file(path);
    file << TokenStore::HashToken("s3cret") << " clerk-7 clerk yuxia\n";
  }
  absl::StatusOr<TokenStore> store = TokenStore::Load(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(store->FindByToken("s3cret").ok());
  std::remove(path.c_str());
  EXPECT_EQ(TokenStore::Load(path).status().code(), absl::StatusCode::kNotFound);
}

TEST(TokenStore, LoadErrorNamesFileAndLine) {
  std::string path = ::testing::TempDir() + "/vanguard_tokens_bad";
  {
    std::ofstream file(path);
    file << "# header\nnot-a-valid-line\n";
  }
  absl::Status status = TokenStore::Load(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), HasSubstr("line 2"));
  EXPECT_THAT(status.message(), Not(HasSubstr("not-a-valid-line")));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vanguard::rpc

namespace vanguard::rpc {
namespace {

TEST(TokenStore, ALineMayExpire) {
  const std::string hash = TokenStore::HashToken("s3cret");
  absl::StatusOr<TokenStore> store = TokenStore::Parse(absl::StrCat(
      hash, " clerk-7 clerk yuxia expires=2027-07-01T00:00:00+08:00\n",
      TokenStore::HashToken("forever"), " clerk-8 clerk yuxia\n",
      "cert:water-bureau dept-water department county-water expires=2027-06-30T16:00:00Z\n"));
  ASSERT_TRUE(store.ok()) << store.status();
  const absl::Time expiry = absl::FromUnixSeconds(1814371200);  // 2027-06-30T16:00:00Z
  absl::StatusOr<Principal> before = store->FindByToken("s3cret", expiry - absl::Seconds(1));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->expires, expiry);
  for (absl::Time at : {expiry, expiry + absl::Hours(24 * 365)}) {
    absl::StatusOr<Principal> after = store->FindByToken("s3cret", at);
    EXPECT_EQ(after.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(after.status().message(), "token expired");
    EXPECT_FALSE(absl::StrContains(after.status().ToString(), "s3cret"));
    EXPECT_FALSE(absl::StrContains(after.status().ToString(), hash));
  }
  EXPECT_TRUE(store->FindByToken("forever", expiry + absl::Hours(24 * 365 * 50)).ok());
  EXPECT_TRUE(store->FindByCertificate("water-bureau", expiry - absl::Seconds(1)).ok());
  EXPECT_EQ(store->FindByCertificate("water-bureau", expiry).status().message(), "token expired");
  EXPECT_EQ(store->FindByCertificate("nobody").status().message(), "unknown client certificate");
}

TEST(TokenStore, AMalformedExpiryNamesTheLine) {
  const std::string hash = TokenStore::HashToken("s3cret");
  for (const char* bad : {"2027-07-01", "expires=tomorrow", "expires=2027-07-01",
                          "expires=2027-07-01T00:00:00", "until=2027-07-01T00:00:00Z"}) {
    absl::StatusOr<TokenStore> store =
        TokenStore::Parse(absl::StrCat("# tokens\n", hash, " clerk-7 clerk yuxia ", bad, "\n"));
    ASSERT_FALSE(store.ok()) << bad;
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(store.status().message(), HasSubstr("line 2:")) << bad;
    EXPECT_THAT(store.status().message(), HasSubstr("expires=")) << bad;
  }
  EXPECT_FALSE(TokenStore::Parse(absl::StrCat(hash, " a clerk o expires=2027-07-01T00:00:00Z x\n"))
                   .ok());
}

}  // namespace
}  // namespace vanguard::rpc
