#include "libs/eventlog/group_membership.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstring>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace vanguard::eventlog {

struct GroupMembership::Impl {
  GroupOptions options;
  Listener on_assigned;
  Listener on_revoked;
  rd_kafka_t* consumer = nullptr;
  std::atomic<bool> stopping{false};
  std::thread poller;
  mutable absl::Mutex mu;
  std::set<int32_t> assigned ABSL_GUARDED_BY(mu);

  static std::vector<int32_t> Partitions(const rd_kafka_topic_partition_list_t* list) {
    std::vector<int32_t> out;
    for (int i = 0; i < list->cnt; ++i) out.push_back(list->elems[i].partition);
    return out;
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    Impl* self = static_cast<Impl*>(opaque);
    bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    std::vector<int32_t> list = Partitions(partitions);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk, partitions)) {
          rd_kafka_error_destroy(error);
        }
      } else {
        rd_kafka_assign(rk, partitions);
      }
      rd_kafka_pause_partitions(rk, partitions);  // assignment only: nothing is consumed here
      {
        absl::MutexLock lock(&self->mu);
        self->assigned.insert(list.begin(), list.end());
      }
      if (!list.empty()) self->on_assigned(list);
    } else {
      if (!list.empty()) self->on_revoked(list);
      {
        absl::MutexLock lock(&self->mu);
        for (int32_t p : list) self->assigned.erase(p);
      }
      if (cooperative) {
        if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, partitions)) {
          rd_kafka_error_destroy(error);
        }
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }

  ~Impl() {
    if (!consumer) return;
    stopping = true;
    if (poller.joinable()) poller.join();
    rd_kafka_consumer_close(consumer);  // revokes through the callback, then leaves
    rd_kafka_destroy(consumer);
  }
};

GroupMembership::GroupMembership(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GroupMembership::~GroupMembership() = default;

std::vector<int32_t> GroupMembership::assigned() const {
  absl::MutexLock lock(&impl_->mu);
  return {impl_->assigned.begin(), impl_->assigned.end()};
}

absl::StatusOr<std::unique_ptr<GroupMembership>> GroupMembership::Join(const GroupOptions& options,
                                                                       Listener assigned,
                                                                       Listener revoked) {
  if (options.brokers.empty()) return absl::InvalidArgumentError("brokers: must not be empty");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->on_assigned = std::move(assigned);
  impl->on_revoked = std::move(revoked);
  int64_t session_ms = absl::ToInt64Milliseconds(options.session_timeout);
  std::vector<std::pair<const char*, std::string>> settings = {
      {"bootstrap.servers", options.brokers},
      {"group.id", options.group_id},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"session.timeout.ms", absl::StrCat(session_ms)},
      {"heartbeat.interval.ms", absl::StrCat(std::max<int64_t>(session_ms / 4, 100))},
      {"enable.auto.commit", "false"},
      {"socket.nagle.disable", "true"},
      {"log_level", "3"},
  };
  if (!options.instance_id.empty()) settings.emplace_back("group.instance.id", options.instance_id);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("kafka setting ", name, ": ", error));
    }
  }
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::OnRebalance);
  rd_kafka_conf_set_opaque(conf, impl.get());
  impl->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (!impl->consumer) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat("kafka consumer: ", error));
  }
  rd_kafka_poll_set_consumer(impl->consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, options.topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(impl->consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) {
    return absl::UnavailableError(
        absl::StrCat("joining group ", options.group_id, ": ", rd_kafka_err2str(err)));
  }
  Impl* raw = impl.get();
  impl->poller = std::thread([raw] {
    while (!raw->stopping.load()) {
      // Rebalances are delivered through the poll; records never are (paused).
      if (rd_kafka_message_t* message = rd_kafka_consumer_poll(raw->consumer, 100)) {
        rd_kafka_message_destroy(message);
      }
    }
  });
  return std::unique_ptr<GroupMembership>(new GroupMembership(std::move(impl)));
}

}  // namespace vanguard::eventlog
