// A test broker: librdkafka's mock cluster, real Kafka protocol over TCP on loopback.
//
// For tests and local multi-process runs only (`vanguard dev-kafka`): it keeps
// everything in memory, silently drops the oldest data past 5 MiB per
// partition, and its first consumer-group join waits 3 s. Any Kafka client,
// kcat included, can talk to it.
//
//   ASSIGN_OR_RETURN(auto broker, TestBroker::Start({.brokers = 3, .partitions = 12}));
//   OpenKafkaLog({.brokers = broker->bootstrap_servers()}, deadline);
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_log.h"

namespace vanguard::eventlog {

struct TestBrokerOptions {
  int brokers = 1;
  int32_t partitions = kDefaultPartitions;
  std::string topic = std::string(kDefaultTopic);
};

class TestBroker {
 public:
  static absl::StatusOr<std::unique_ptr<TestBroker>> Start(const TestBrokerOptions& options);
  ~TestBroker();

  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  int brokers() const { return brokers_; }

  // Takes broker `id` (1-based) off the network, or back on.
  absl::Status SetBrokerDown(int id);
  absl::Status SetBrokerUp(int id);

 private:
  struct Handles;
  TestBroker(std::unique_ptr<Handles> handles, std::string bootstrap, int brokers);
  std::unique_ptr<Handles> handles_;
  std::string bootstrap_servers_;
  int brokers_;
};

}  // namespace vanguard::eventlog
