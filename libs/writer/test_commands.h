// Commands for the writer's tests: an organisation registered in the tree and
// a stand-in command that counts what its decision saw.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/domain/org_tree.h"
#include "libs/writer/writer.h"

namespace vanguard::writer::testing {

inline domain::Context Clerk() {
  return {.principal_id = "clerk-1", .actor_organisation_id = "county", .now = absl::Now()};
}

// A request stand-in: its bytes are what the fingerprint covers.
inline v1::OrganisationRegistered Request(const std::string& id, const std::string& parent,
                                          const std::string& name) {
  v1::OrganisationRegistered request;
  request.set_organisation_id(id);
  request.set_parent_id(parent);
  request.set_name(name);
  return request;
}

inline Command Register(const std::string& request_id, const std::string& id,
                        const std::string& parent, const std::string& name,
                        v1::OrganisationLevel level,
                        v1::OrganisationKind kind = v1::ORGANISATION_KIND_COMMITTEE) {
  domain::RegisterOrganisation command{.organisation_id = id,
                                       .parent_id = parent,
                                       .name = name,
                                       .kind = kind,
                                       .level = level,
                                       .sector = level == v1::ORGANISATION_LEVEL_GRASSROOTS
                                                     ? v1::SECTOR_VILLAGE
                                                     : v1::SECTOR_TERRITORIAL};
  domain::Context context = Clerk();
  return {.aggregate_type = v1::AGGREGATE_TYPE_ORG_TREE,
          .aggregate_id = kOrgTreeId,
          .request_id = request_id,
          .fingerprint = Fingerprint(Request(id, parent, name)),
          .context = context,
          .decide = [command, context](const DecisionInput& in) {
            return domain::Decide(in.tree, command, context);
          }};
}

// One event on `aggregate_id`; stores how many events its decision saw in
// `seen`, after running `while_deciding`.
inline Command Count(const std::string& aggregate_id, const std::string& request_id,
                     std::atomic<int>* seen, std::function<void()> while_deciding = {}) {
  domain::Context context = Clerk();
  return {.aggregate_type = v1::AGGREGATE_TYPE_PLEDGE,
          .aggregate_id = aggregate_id,
          .request_id = request_id,
          .fingerprint = Fingerprint(Request(aggregate_id, request_id, "")),
          .context = context,
          .decide = [=](const DecisionInput& in) -> absl::StatusOr<std::vector<v1::Envelope>> {
            if (while_deciding) while_deciding();
            seen->store(static_cast<int>(in.history.size()));
            v1::Envelope e;
            e.mutable_organisation_renamed()->set_organisation_id(aggregate_id);
            e.mutable_organisation_renamed()->set_name(request_id);
            e.set_event_type("vanguard.v1.OrganisationRenamed");
            return std::vector<v1::Envelope>{e};
          }};
}

// Executes `command` until it succeeds or 20 s pass, each failure being
// UNAVAILABLE (a settling log), as a client retries with its request id.
inline absl::StatusOr<CommandResult> RetryWhileUnavailable(Writer& writer, const Command& command) {
  absl::StatusOr<CommandResult> result = absl::UnavailableError("not tried");
  for (absl::Time give_up = absl::Now() + absl::Seconds(20);
       !result.ok() && absl::Now() < give_up;) {
    result = writer.Execute(command, absl::Now() + absl::Seconds(2));
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  return result;
}

}  // namespace vanguard::writer::testing
