#include "libs/eventlog/test_broker.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace vanguard::eventlog {

struct TestBroker::Handles {
  rd_kafka_t* owner = nullptr;  // the mock cluster lives inside a client handle
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Handles() {
    if (cluster) rd_kafka_mock_cluster_destroy(cluster);
    if (owner) rd_kafka_destroy(owner);
  }
};

absl::StatusOr<std::unique_ptr<TestBroker>> TestBroker::Start(const TestBrokerOptions& options) {
  if (options.brokers < 1) return absl::InvalidArgumentError("brokers: must be at least 1");
  if (options.partitions < 1) return absl::InvalidArgumentError("partitions: must be at least 1");
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  auto handles = std::make_unique<Handles>();
  handles->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!handles->owner) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("test broker: ", error));
  }
  handles->cluster = rd_kafka_mock_cluster_new(handles->owner, options.brokers);
  if (!handles->cluster) return absl::InternalError("test broker: cannot start the mock cluster");
  int replication = std::min(options.brokers, 3);
  if (rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(handles->cluster, options.topic.c_str(),
                                                           options.partitions, replication)) {
    return absl::InternalError(
        absl::StrCat("test broker: creating ", options.topic, ": ", rd_kafka_err2str(err)));
  }
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(handles->cluster);
  return std::unique_ptr<TestBroker>(
      new TestBroker(std::move(handles), std::move(bootstrap), options.brokers));
}

TestBroker::TestBroker(std::unique_ptr<Handles> handles, std::string bootstrap, int brokers)
    : handles_(std::move(handles)), bootstrap_servers_(std::move(bootstrap)), brokers_(brokers) {}

TestBroker::~TestBroker() = default;

absl::Status TestBroker::SetBrokerDown(int id) {
  if (rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(handles_->cluster, id)) {
    return absl::InvalidArgumentError(absl::StrCat("broker ", id, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

absl::Status TestBroker::SetBrokerUp(int id) {
  if (rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(handles_->cluster, id)) {
    return absl::InvalidArgumentError(absl::StrCat("broker ", id, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

void TestBroker::PushRequestErrors(Api api, const std::vector<int16_t>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int16_t error : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(handles_->cluster, static_cast<int16_t>(api),
                                          codes.size(), codes.data());
}

}  // namespace vanguard::eventlog
