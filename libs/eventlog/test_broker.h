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

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

  // Takes broker `id` (1-based) off the network, or back on. Down, a broker
  // closes its connections and refuses new ones; its data stays.
  absl::Status SetBrokerDown(int id);
  absl::Status SetBrokerUp(int id);

  // Kafka protocol request kinds (API keys, as on the wire).
  enum class Api : int16_t { kProduce = 0, kFetch = 1, kListOffsets = 2, kMetadata = 3 };
  // The next requests of kind `api`, to any broker, each fail with the next of
  // `errors`: Kafka protocol error codes as on the wire (6
  // NOT_LEADER_OR_FOLLOWER, 7 REQUEST_TIMED_OUT, 19 NOT_ENOUGH_REPLICAS, ...).
  // A failed request changes nothing on the broker.
  void PushRequestErrors(Api api, const std::vector<int16_t>& errors);

 private:
  struct Handles;
  TestBroker(std::unique_ptr<Handles> handles, std::string bootstrap, int brokers);
  std::unique_ptr<Handles> handles_;
  std::string bootstrap_servers_;
  int brokers_;
};

}  // namespace vanguard::eventlog
