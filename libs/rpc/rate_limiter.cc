#include "libs/rpc/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/rpc/status.h"

namespace vanguard::rpc {

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_{.per_second = std::max(0.0, options.per_second),
               .burst = std::max(1.0, options.burst)} {}

absl::Status RateLimiter::Admit(absl::string_view principal_id, absl::Time now) {
  if (options_.per_second <= 0) return absl::OkStatus();
  double missing = 0;
  {
    absl::MutexLock lock(&mu_);
    auto [it, fresh] = buckets_.try_emplace(principal_id, Bucket{options_.burst, now});
    Bucket& bucket = it->second;
    if (!fresh && now > bucket.updated) {
      bucket.tokens = std::min(options_.burst, bucket.tokens + absl::ToDoubleSeconds(
                                                                   now - bucket.updated) *
                                                                   options_.per_second);
      bucket.updated = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return absl::OkStatus();
    }
    missing = 1 - bucket.tokens;
  }
  // Whole milliseconds, rounded up: retrying after the delay finds a call's worth.
  const absl::Duration delay =
      absl::Milliseconds(std::ceil(missing / options_.per_second * 1000));
  absl::Status status = absl::ResourceExhaustedError(absl::StrCat(
      "principal ", principal_id, " is over its rate limit of ",
      absl::StrFormat("%g", options_.per_second), " commands a second (burst ",
      absl::StrFormat("%g", options_.burst), "); retry in ", absl::FormatDuration(delay)));
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(absl::ToInt64Seconds(delay));
  retry.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(delay % absl::Seconds(1))));
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(retry.SerializeAsString()));
  return WithErrorInfo(std::move(status), kRateLimitedReason,
                       {{"retry_delay_ms", absl::StrCat(absl::ToInt64Milliseconds(delay))},
                        {"per_second", absl::StrFormat("%g", options_.per_second)},
                        {"burst", absl::StrFormat("%g", options_.burst)}});
}

bool IsRateLimited(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted &&
         status.GetPayload(kRetryInfoTypeUrl).has_value();
}

bool IsRateLimited(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
         RetryDelayOf(status).has_value();
}

std::optional<absl::Duration> RetryDelayOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return std::nullopt;
  }
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::RetryInfo retry;
    if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&retry)) {
      return absl::Seconds(retry.retry_delay().seconds()) +
             absl::Nanoseconds(retry.retry_delay().nanos());
    }
  }
  return std::nullopt;
}

}  // namespace vanguard::rpc
