// Fuzz target: the event envelope as every reader takes it from the log —
// parsed, upcast to the current schema (libs/domain/schema.h), and applied to
// every aggregate's state. The input is a sequence of chunks (2-byte length +
// a serialized Envelope), applied in order, so a state meets events in any
// order and of any content. The promises: Upcast either brings an envelope to
// CurrentSchemaVersion() of its payload, idempotently, or refuses a newer
// version with FAILED_PRECONDITION and leaves it untouched; applying any
// envelope to any state never crashes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/domain/budget.h"
#include "libs/domain/campaign.h"
#include "libs/domain/honour.h"
#include "libs/domain/leader_review.h"
#include "libs/domain/mass_evaluation.h"
#include "libs/domain/member.h"
#include "libs/domain/member_appraisal.h"
#include "libs/domain/org_tree.h"
#include "libs/domain/pairing.h"
#include "libs/domain/pioneer_post.h"
#include "libs/domain/pledge.h"
#include "libs/domain/rectification.h"
#include "libs/domain/schema.h"
#include "libs/domain/supervision.h"
#include "tests/fuzz/fuzz_input.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::fuzz {
namespace {

struct States {
  domain::OrgTree tree;
  domain::Member member;
  domain::Pledge pledge;
  domain::Campaign campaign;
  domain::LeaderReview leader_review;
  domain::MassEvaluation mass_evaluation;
  domain::MemberAppraisal appraisal;
  domain::Rectification rectification;
  domain::PioneerPost post;
  domain::Pairing pairing;
  domain::Budget budget;
  domain::Honour honour;
  domain::SupervisionRecord supervision;

  void Apply(const v1::Envelope& e) {
    tree.Apply(e);
    member.Apply(e);
    pledge.Apply(e);
    campaign.Apply(e);
    leader_review.Apply(e);
    mass_evaluation.Apply(e);
    appraisal.Apply(e);
    rectification.Apply(e);
    post.Apply(e);
    pairing.Apply(e);
    budget.Apply(e);
    honour.Apply(e);
    supervision.Apply(e);
  }
};

void Read(std::string_view bytes, States& states) {
  v1::Envelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  const std::string before = envelope.SerializeAsString();
  const absl::Status upcast = domain::Upcast(envelope);
  const int32_t current = domain::CurrentSchemaVersion(envelope.payload_case());
  if (!upcast.ok()) {
    FUZZ_CHECK(upcast.code() == absl::StatusCode::kFailedPrecondition, upcast.ToString());
    FUZZ_CHECK(envelope.schema_version() > current, envelope.DebugString());
    FUZZ_CHECK(envelope.SerializeAsString() == before, "a refused upcast changed the envelope");
    return;
  }
  FUZZ_CHECK(envelope.schema_version() == current, envelope.DebugString());
  const std::string upcast_once = envelope.SerializeAsString();
  const absl::Status again = domain::Upcast(envelope);
  FUZZ_CHECK(again.ok() && envelope.SerializeAsString() == upcast_once,
             "upcasting twice differs from once: " + again.ToString());
  states.Apply(envelope);
}

}  // namespace
}  // namespace vanguard::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vanguard::fuzz::FuzzInput in(data, size);
  vanguard::fuzz::States states;
  while (!in.empty()) vanguard::fuzz::Read(in.TakeChunk(), states);
  return 0;
}
