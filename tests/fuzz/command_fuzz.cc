// Fuzz target: a command request, decoded, validated and decided against a
// state built from the input (format: command_harness.h). The promise: any
// bytes give either well-formed events (a payload, its event type, bytes that
// serialize; the state applies them) or a refusal a client can act on
// (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION,
// PERMISSION_DENIED, with a message); never a crash, never undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "tests/fuzz/command_harness.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vanguard;
  fuzz::CommandInput input;
  if (!fuzz::ParseCommandInput(data, size, input)) return 0;
  const absl::StatusOr<std::vector<v1::Envelope>> decision =
      fuzz::DecideRequest(input.world, input.request);
  if (!decision.ok()) {
    const absl::StatusCode code = decision.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kInvalidArgument ||
                   code == absl::StatusCode::kNotFound ||
                   code == absl::StatusCode::kAlreadyExists ||
                   code == absl::StatusCode::kFailedPrecondition ||
                   code == absl::StatusCode::kPermissionDenied,
               decision.status().ToString());
    FUZZ_CHECK(!decision.status().message().empty(), decision.status().ToString());
    return 0;
  }
  for (const v1::Envelope& event : *decision) {
    const google::protobuf::FieldDescriptor* payload =
        v1::Envelope::descriptor()->FindFieldByNumber(event.payload_case());
    FUZZ_CHECK(payload != nullptr && event.event_type() == payload->message_type()->full_name(),
               event.DebugString());
    std::string bytes;
    FUZZ_CHECK(event.SerializeToString(&bytes), event.DebugString());
  }
  return 0;
}
