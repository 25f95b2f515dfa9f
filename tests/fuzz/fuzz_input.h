// What the fuzz targets of tests/fuzz share: a reader that takes a fuzzer's
// bytes apart into the pieces a target needs, and the check that turns a
// broken promise into a crash the fuzzer reports.
//
//   FuzzInput in(data, size);
//   uint8_t kind = in.TakeByte();
//   std::string_view record = in.TakeChunk();  // 2-byte big-endian length, then bytes
//   FUZZ_CHECK(decoded.ok() || decoded.status().code() == absl::StatusCode::kDataLoss,
//              decoded.status().ToString());
//
// Every target is built twice: with libFuzzer (build-fuzz/, tools/sanitize)
// and as a replay of its committed corpus in the ordinary build
// (replay_main.cc, ctest `fuzz_replay_<target>`), so a finding stays fixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace vanguard::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  // 0 once the input is used up.
  uint8_t TakeByte() {
    if (rest_.empty()) return 0;
    const uint8_t byte = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return byte;
  }

  uint16_t TakeUint16() { return static_cast<uint16_t>(TakeByte() << 8 | TakeByte()); }

  // A 2-byte big-endian length, then that many bytes (fewer at the end).
  std::string_view TakeChunk() {
    const size_t size = TakeUint16();
    std::string_view chunk = rest_.substr(0, size);
    rest_.remove_prefix(chunk.size());
    return chunk;
  }

  std::string_view TakeRest() {
    std::string_view rest = rest_;
    rest_ = {};
    return rest;
  }

 private:
  std::string_view rest_;
};

// Appends a chunk as TakeChunk reads it; for writing seeds.
inline void PutChunk(std::string& out, std::string_view chunk) {
  out.push_back(static_cast<char>(chunk.size() >> 8 & 0xff));
  out.push_back(static_cast<char>(chunk.size() & 0xff));
  out.append(chunk.substr(0, 0xffff));
}

[[noreturn]] inline void FuzzCheckFailed(const char* file, int line, const char* condition,
                                         const std::string& detail) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", file, line, condition,
               detail.c_str());
  std::abort();
}

}  // namespace vanguard::fuzz

// A promise of the code under test; on failure the target aborts, which
// libFuzzer reports with the input that broke it.
#define FUZZ_CHECK(condition, detail)                                                 \
  do {                                                                                \
    if (!(condition)) ::vanguard::fuzz::FuzzCheckFailed(__FILE__, __LINE__, #condition, \
                                                        (detail));                    \
  } while (false)
