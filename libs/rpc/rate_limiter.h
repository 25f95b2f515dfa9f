// Per-principal rate limits: a token bucket for each principal, refilled at
// `per_second` up to `burst`. A call that finds its principal's bucket empty
// is RESOURCE_EXHAUSTED with a google.rpc.RetryInfo saying when one call's
// worth is back, and changes nothing.
//
//   RateLimiter limiter({.per_second = 500, .burst = 5000});
//   if (absl::Status admitted = limiter.Admit(principal.id); !admitted.ok()) {
//     return ToGrpcStatus(admitted);  // RESOURCE_EXHAUSTED, retry in ...
//   }
//
// Buckets are kept for every principal that ever called; principals come from
// the tokens file, so their number is bounded by it.
//
// Thread safety: Admit may be called from any number of threads.
#pragma once

#include <grpcpp/support/status.h>

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vanguard::rpc {

inline constexpr char kRetryInfoTypeUrl[] = "type.googleapis.com/google.rpc.RetryInfo";
// The ErrorInfo reason of a call refused by a RateLimiter.
inline constexpr char kRateLimitedReason[] = "RATE_LIMITED";

struct RateLimitOptions {
  // Calls a second each principal may sustain; 0 turns the limit off.
  double per_second = 0;
  // Calls a principal may make at once after being idle (at least 1).
  double burst = 1;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options);

  // OK and one call taken from `principal_id`'s bucket; RESOURCE_EXHAUSTED
  // when it is empty, with a RetryInfo (when one call's worth is back) and an
  // ErrorInfo of reason RATE_LIMITED and metadata retry_delay_ms, per_second
  // and burst (so a client with many calls to make can pace them).
  [[nodiscard]] absl::Status Admit(absl::string_view principal_id, absl::Time now = absl::Now());

  const RateLimitOptions& options() const { return options_; }

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };

  const RateLimitOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// Whether `status` is a RateLimiter's refusal (which callers need not log:
// the limiter's user logs a summary).
bool IsRateLimited(const absl::Status& status);
bool IsRateLimited(const grpc::Status& status);

// The retry delay of the google.rpc.RetryInfo in a status's details, if any.
std::optional<absl::Duration> RetryDelayOf(const grpc::Status& status);

}  // namespace vanguard::rpc
