// Membership in a Kafka consumer group, used only to share out partitions.
//
// Command replicas join one group (cooperative-sticky assignment, and a
// group.instance.id so that a restarted pod gets its partitions back without a
// full rebalance). The group tells each member which partitions are its own;
// the member then claims them in the log (writer.h). Nothing is consumed
// through the group: assigned partitions are paused at once.
//
//   ASSIGN_OR_RETURN(auto membership, GroupMembership::Join(
//       {.brokers = brokers, .instance_id = "command-0"},
//       [&](const std::vector<int32_t>& p) { writer->Acquire(p, deadline); },
//       [&](const std::vector<int32_t>& p) { writer->Release(p); }));
//
// The listeners run on the membership's own thread, one at a time; a revoked
// listener runs before the partitions are given up. Destroying the membership
// leaves the group (revoking everything first).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"

namespace vanguard::eventlog {

struct GroupOptions {
  std::string brokers;
  std::string topic = std::string(kDefaultTopic);
  std::string group_id = "vanguard-command";
  std::string instance_id;  // empty: dynamic membership
  // How long a silent member keeps its partitions before the group moves them.
  absl::Duration session_timeout = absl::Seconds(10);
};

class GroupMembership {
 public:
  using Listener = std::function<void(const std::vector<int32_t>& partitions)>;

  static absl::StatusOr<std::unique_ptr<GroupMembership>> Join(const GroupOptions& options,
                                                               Listener assigned, Listener revoked);
  ~GroupMembership();

  // The partitions assigned to this member now.
  std::vector<int32_t> assigned() const;

 private:
  struct Impl;
  explicit GroupMembership(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vanguard::eventlog
