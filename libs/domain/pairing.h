// A pairing (结对共建, 五联五创): a department signs a co-building agreement
// (共创协议) with a village or an organ/station organisation. Aggregate
// AGGREGATE_TYPE_PAIRING, one per pairing.
//
//   Pairing pairing;  // rebuilt with pairing.Apply(e)
//   ASSIGN_OR_RETURN(std::vector<v1::Envelope> events,
//                    Decide(pairing, EndPairing{.reason = "..."}, context));
//
// Rules:
// - Established once, by the department (the Context's actor): a live
//   organisation of sector department, paired with a live organisation of
//   sector village or organ/station. The agreement's text is required; it
//   is signed on a day not in the future.
// - Ended once, by either side, with a reason, on a day from the signing day
//   to today. Ending twice is an error.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/domain/campaign_commands.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/funds_events.pb.h"

namespace vanguard::domain {

class Pairing {
 public:
  enum class Status { kUnknown, kActive, kEnded };

  // Applies one accepted event of this pairing; other payloads are ignored.
  void Apply(const v1::Envelope& envelope);

  int64_t version() const { return version_; }
  Status status() const { return status_; }
  const std::string& department_organisation_id() const {
    return established_.department_organisation_id();
  }
  const std::string& recipient_organisation_id() const {
    return established_.recipient_organisation_id();
  }
  const v1::Date& signed_on() const { return established_.signed_on(); }

 private:
  Status status_ = Status::kUnknown;
  v1::PairingEstablished established_;
  int64_t version_ = 0;
};

absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pairing& pairing,
                                                 const EstablishPairing& command,
                                                 const OrgTree& tree, const Context& context);
absl::StatusOr<std::vector<v1::Envelope>> Decide(const Pairing& pairing, const EndPairing& command,
                                                 const Context& context);

}  // namespace vanguard::domain
