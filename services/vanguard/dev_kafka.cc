#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "libs/eventlog/test_broker.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/subcommands.h"

namespace vanguard {

int RunDevKafka(const SignalWaiter& wait_for_signal) {
  // Here --brokers counts the brokers to start (elsewhere it names them).
  int brokers = 3;
  if (std::string flag = absl::GetFlag(FLAGS_brokers);
      !flag.empty() && (!absl::SimpleAtoi(flag, &brokers) || brokers < 1 || brokers > 16)) {
    std::cerr << "vanguard dev-kafka: --brokers: \"" << flag
              << "\" is not a broker count from 1 to 16\n";
    return 2;
  }
  auto broker = eventlog::TestBroker::Start({.brokers = brokers,
                                             .partitions = absl::GetFlag(FLAGS_partitions),
                                             .topic = absl::GetFlag(FLAGS_topic)});
  if (!broker.ok()) {
    std::cerr << "vanguard dev-kafka: " << broker.status() << "\n";
    return 1;
  }
  // The first line of stdout is the bootstrap address, for scripts.
  std::cout << (*broker)->bootstrap_servers() << std::endl;
  std::cerr << "vanguard dev-kafka: a TEST broker (librdkafka's mock cluster, in memory, drops "
               "data past 5 MiB per partition) with "
            << (*broker)->brokers() << " brokers and topic " << absl::GetFlag(FLAGS_topic) << " ("
            << absl::GetFlag(FLAGS_partitions)
            << " partitions). Never use it in production. SIGTERM stops it." << std::endl;
  int signal = wait_for_signal();
  std::cerr << "vanguard dev-kafka: stopping on signal " << signal << std::endl;
  return 0;
}

}  // namespace vanguard
