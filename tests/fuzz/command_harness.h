// The command fuzz target's harness: its input format, and a command request
// decided as the command services decide it, without the writer.
//
//   CommandInput input;
//   if (!ParseCommandInput(data, size, input)) return 0;   // not a request
//   absl::StatusOr<std::vector<v1::Envelope>> events = DecideRequest(input.world, input.request);
//
// Input format (EncodeCommandInput writes it, for seeds):
//   byte     which command: the field of SubmitRequest's oneof (modulo their count)
//   byte     the actor's organisation: one of those the history registers
//            (modulo their count + 1; the last is none); bit 7 hands the
//            decision the member's state even when the history has none
//   2 bytes  the day of Context::now, days after 2000-01-01 (Asia/Shanghai), 10:00
//   byte     how many history envelopes follow (modulo 32)
//   chunks   the history (2-byte length + a serialized Envelope each): the
//            organisation tree, the aggregate and the member it names are all
//            folded from these, as the writer folds them from the log
//   rest     the serialized request of the chosen command
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/commands.h"
#include "libs/domain/member.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/submit_service.pb.h"

namespace vanguard::fuzz {

struct World {
  std::vector<v1::Envelope> history;
  domain::OrgTree tree;
  domain::Member member;
  bool pass_member = false;  // hand the member's state over even when unknown
  domain::Context context;

  const domain::Member* MemberOrNull() const {
    return pass_member || member.status() != domain::Member::Status::kUnknown ? &member : nullptr;
  }
};

struct CommandInput {
  World world;
  v1::SubmitRequest request;
};

// False when the request's bytes do not parse (gRPC refuses those before any
// handler runs).
bool ParseCommandInput(const uint8_t* data, size_t size, CommandInput& out);

// `actor` indexes the organisations the history registers, in order.
std::string EncodeCommandInput(const std::vector<v1::Envelope>& history, int actor, int day,
                               const v1::SubmitRequest& request);

// Maps the request onto its domain command field by field as services/command
// does, folds the aggregate (and the member, and the tree) from the history,
// decides, and applies the events to a copy of the state as readers will.
absl::StatusOr<std::vector<v1::Envelope>> DecideRequest(const World& world,
                                                        const v1::SubmitRequest& request);

}  // namespace vanguard::fuzz
