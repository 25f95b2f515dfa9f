// A pioneer post (党员先锋岗, 设岗定责): a member without a post named by a
// village organisation to a published post and duty, assessed at year end.
// Aggregate AGGREGATE_TYPE_PIONEER_POST, one per post.
//
//   PioneerPost post;  // rebuilt from the post's events with post.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(post, AssessPioneerPost{.year = 2010, .result = ...},
//                           tree, context));
//   // The budget reads the result before paying the subsidy:
//   DisburseFunds subsidy{..., .post_assessment = post.ResultFor(2010)};
//
// Rules:
// - Established once, by a live village organisation (the Context's actor),
//   for a member enrolled in it or in a branch under it (a village general
//   branch names the members of its branches) who holds no post.
// - Assessed by the establishing organisation or one of its superiors, as
//   passed or failed, at most once per year, for a year from the one it was
//   established for up to the current one.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/funds_events.pb.h"

namespace vanguard::domain {

class PioneerPost {
 public:
  // Applies one accepted event of this post; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  bool exists() const { return version_ > 0; }
  const std::string& organisation_id() const { return established_.organisation_id(); }
  const std::string& member_id() const { return established_.member_id(); }
  int32_t year() const { return established_.year(); }
  // UNSPECIFIED when the post is not assessed for `year`.
  v1::AssessmentResult ResultFor(int32_t year) const;

 private:
  v1::PioneerPostEstablished established_;
  absl::flat_hash_map<int32_t, v1::AssessmentResult> results_;
  int64_t version_ = 0;
};

// `member` is the state of the member named by `command.member_id` (the
// caller loads it); null when there is no such member.
absl::StatusOr<std::vector<v1::Envelope>> Decide(const PioneerPost& post,
                                                 const EstablishPioneerPost& command,
                                                 const OrgTree& tree, const Member* member,
                                                 const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const PioneerPost& post,
                                                 const AssessPioneerPost& command,
                                                 const OrgTree& tree, const Context& context);

}  // namespace vanguard::domain
