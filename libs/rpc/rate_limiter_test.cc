#include "libs/rpc/rate_limiter.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/rpc/status.h"

namespace vanguard::rpc {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

TEST(RateLimiterTest, ABurstThenTheRateThenRefusalsWithARetryDelay) {
  RateLimiter limiter({.per_second = 10, .burst = 5});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Admit("clerk-7", kStart).ok()) << i;
  absl::Status refused = limiter.Admit("clerk-7", kStart);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(refused.message(), "retry in 100ms")) << refused.message();
  EXPECT_TRUE(absl::StrContains(refused.message(), "clerk-7")) << refused.message();
  grpc::Status sent = ToGrpcStatus(refused);
  EXPECT_EQ(RetryDelayOf(sent), absl::Milliseconds(100));
  ASSERT_TRUE(ErrorInfoOf(sent).has_value());
  EXPECT_EQ(ErrorInfoOf(sent)->reason(), kRateLimitedReason);
  EXPECT_EQ(ErrorInfoOf(sent)->metadata().at("per_second"), "10");
  EXPECT_EQ(ErrorInfoOf(sent)->metadata().at("burst"), "5");
  EXPECT_EQ(ErrorInfoOf(sent)->metadata().at("retry_delay_ms"), "100");
  // Another principal has a bucket of its own.
  EXPECT_TRUE(limiter.Admit("clerk-8", kStart).ok());
  // 40 ms later, 0.4 of a call is back: still 60 ms to wait.
  absl::Status later = limiter.Admit("clerk-7", kStart + absl::Milliseconds(40));
  EXPECT_EQ(RetryDelayOf(ToGrpcStatus(later)), absl::Milliseconds(60));
  EXPECT_TRUE(limiter.Admit("clerk-7", kStart + absl::Milliseconds(100)).ok());
  // Sustained: one call every 100 ms, never more.
  int admitted = 0;
  for (int ms = 101; ms <= 10'100; ++ms) {
    admitted += limiter.Admit("clerk-7", kStart + absl::Milliseconds(ms)).ok();
  }
  EXPECT_EQ(admitted, 100);
  // Idle, the bucket fills up to the burst and no further.
  absl::Time idle = kStart + absl::Hours(1);
  int burst = 0;
  while (limiter.Admit("clerk-7", idle).ok()) ++burst;
  EXPECT_EQ(burst, 5);
}

TEST(RateLimiterTest, ZeroIsOff) {
  RateLimiter limiter({.per_second = 0, .burst = 1});
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(limiter.Admit("clerk-7", kStart).ok());
}

}  // namespace
}  // namespace vanguard::rpc
