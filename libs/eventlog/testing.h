// Helpers for tests and benchmarks of the event log: temporary directories and
// sealed sample events. Not for production code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libs/eventlog/event_log.h"
#include "libs/eventlog/hash_chain.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::eventlog::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Registering a village branch under a township: a realistic small event.
v1::Envelope SampleEnvelope(const std::string& aggregate_id, int64_t version,
                            const std::string& name = "雨厦村党支部");

// `count` events of one aggregate, versions 1..count, each sealed to the one before.
std::vector<SealedRecord> SampleChain(const std::string& aggregate_id, int count);

// A record whose value is `value` (not a sealed event), for tests of the log alone.
Record RawRecord(std::string key, std::string value);

}  // namespace vanguard::eventlog::testing
