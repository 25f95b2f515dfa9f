// The projection over a state held in memory, as the view store applies it
// (an event the projection refuses parks its aggregate: its later events are
// not applied), for the fuzz target that drives the projection with any
// event and checks its promises. Not a view store: no log, no positions, no
// acceptance.
//
//   MemoryProjection projection;
//   std::string before = projection.Fingerprint();
//   if (!projection.Apply(envelope).ok()) assert(projection.Fingerprint() == before);
#pragma once

#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::views {

class MemoryProjection {
 public:
  MemoryProjection();
  ~MemoryProjection();

  // Applies one event to the state; an error parks the event's aggregate.
  absl::Status Apply(const v1::Envelope& envelope);

  // Every record, index entry, history entry, non-empty tally and parent,
  // in order: equal fingerprints, equal states.
  std::string Fingerprint() const;
  // The most figures any tally holds.
  int MaxFigures() const;
  const std::set<std::string>& parked() const { return parked_; }

 private:
  class State;
  std::unique_ptr<State> state_;
  std::set<std::string> parked_;
};

}  // namespace vanguard::views
