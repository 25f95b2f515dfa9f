// Fuzz target: the projection (libs/views) applying any event, as the views
// do after acceptance: a value of an enum this projector does not know, a
// date or a timestamp out of range, an event of an aggregate it never saw,
// events in any order. The input is a sequence of chunks (2-byte length + a
// serialized Envelope), applied in order to one state held in memory. The
// promises: applying never crashes or overflows; an event the projection
// refuses is FAILED_PRECONDITION and changes nothing (its aggregate parks);
// no tally holds more figures than the views define.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "libs/views/figures.h"
#include "libs/views/memory_projection.h"
#include "tests/fuzz/fuzz_input.h"
#include "vanguard/v1/envelope.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vanguard::fuzz::FuzzInput in(data, size);
  vanguard::views::MemoryProjection projection;
  while (!in.empty()) {
    std::string_view bytes = in.TakeChunk();
    vanguard::v1::Envelope envelope;
    if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) continue;
    const std::string before = projection.Fingerprint();
    const absl::Status applied = projection.Apply(envelope);
    if (!applied.ok()) {
      FUZZ_CHECK(applied.code() == absl::StatusCode::kFailedPrecondition, applied.ToString());
      FUZZ_CHECK(projection.Fingerprint() == before,
                 "a refused event changed the views: " + applied.ToString());
    }
    FUZZ_CHECK(projection.MaxFigures() <= vanguard::views::kFigureCount,
               absl::StrCat("a tally of ", projection.MaxFigures(), " figures"));
  }
  return 0;
}
