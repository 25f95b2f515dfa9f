#include "libs/eventlog/group_membership.h"

#include <set>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/eventlog/test_broker.h"

namespace vanguard::eventlog {
namespace {

// What one member was told, as its listeners saw it.
struct Owned {
  absl::Mutex mu;
  std::set<int32_t> partitions ABSL_GUARDED_BY(mu);
  GroupMembership::Listener assigned() {
    return [this](const std::vector<int32_t>& p) {
      absl::MutexLock lock(&mu);
      partitions.insert(p.begin(), p.end());
    };
  }
  GroupMembership::Listener revoked() {
    return [this](const std::vector<int32_t>& p) {
      absl::MutexLock lock(&mu);
      for (int32_t x : p) partitions.erase(x);
    };
  }
  std::set<int32_t> now() {
    absl::MutexLock lock(&mu);
    return partitions;
  }
};

bool WaitFor(const std::function<bool()>& done, absl::Duration limit) {
  for (absl::Time end = absl::Now() + limit; absl::Now() < end;
       absl::SleepFor(absl::Milliseconds(50))) {
    if (done()) return true;
  }
  return done();
}

TEST(GroupMembershipTest, MembersShareThePartitionsAndTheSurvivorTakesAll) {
  auto broker = TestBroker::Start({.brokers = 1, .partitions = 12});
  ASSERT_TRUE(broker.ok()) << broker.status();
  GroupOptions options{.brokers = (*broker)->bootstrap_servers(),
                       .session_timeout = absl::Seconds(6)};
  Owned a_owned, b_owned;
  options.instance_id = "a";
  auto a = GroupMembership::Join(options, a_owned.assigned(), a_owned.revoked());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(WaitFor([&] { return a_owned.now().size() == 12; }, absl::Seconds(20)));

  options.instance_id = "b";
  auto b = GroupMembership::Join(options, b_owned.assigned(), b_owned.revoked());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<int32_t> x = a_owned.now(), y = b_owned.now();
        if (x.empty() || y.empty() || x.size() + y.size() != 12) return false;
        for (int32_t p : x)
          if (y.count(p)) return false;
        return true;
      },
      absl::Seconds(30)))
      << "a has " << a_owned.now().size() << ", b has " << b_owned.now().size();
  EXPECT_EQ((*b)->assigned().size(), b_owned.now().size());

  a->reset();  // leaves the group
  EXPECT_TRUE(WaitFor([&] { return b_owned.now().size() == 12; }, absl::Seconds(30)));
}

}  // namespace
}  // namespace vanguard::eventlog
