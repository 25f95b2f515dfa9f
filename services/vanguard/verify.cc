#include <iostream>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "libs/eventlog/hash_chain.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/subcommands.h"

namespace vanguard {

int RunVerify() {
  auto log = OpenLogFromFlags();
  if (!log.ok()) {
    std::cerr << "vanguard verify: " << log.status() << "\n";
    return 2;
  }
  auto report = eventlog::VerifyLog(**log, absl::Now() + absl::Hours(24));
  if (!report.ok()) {
    std::cerr << "vanguard verify: " << report.status() << "\n";
    return 2;
  }
  for (const eventlog::ChainBreak& broken : report->breaks) {
    std::cout << "BREAK partition " << broken.position.partition << " offset "
              << broken.position.offset << " aggregate " << broken.aggregate_id << " version "
              << broken.version << ": " << broken.reason << "\n";
  }
  std::cout << "log " << (*log)->log_id() << ": " << report->records << " records in "
            << (*log)->partition_count() << " partitions, " << report->breaks.size() << " breaks\n";
  return report->breaks.empty() ? 0 : 1;
}

}  // namespace vanguard
