// The per-level views in RocksDB, and the projector's way of applying the log
// to them.
//
// Apply() takes records in offset order per partition, judges each with the
// acceptance rule every reader uses, and applies the accepted ones (see
// internal/projection.h) in one WriteBatch together with the new positions,
// with the write-ahead log on: a crash can neither lose nor double-count. An
// accepted event the views cannot apply (an unknown payload from a newer
// writer, a newer schema) is parked with its reason; the aggregate's later
// events wait behind it; parked aggregates are retried when the store opens.
//
//   ASSIGN_OR_RETURN(auto views, ViewStore::Open({.path = dir, .log_id = log.log_id(),
//                                                 .partitions = log.partition_count()}));
//   RETURN_IF_ERROR(views->Apply(records));
//   std::unique_ptr<ViewReader> reader = views->NewReader();  // one consistent snapshot
//   v1::Tally township = reader->GetTally(OrganisationNode("township"), "", "2010-Q3");
//
// Thread safety: Apply calls must not overlap; readers, WaitUntil and the
// accessors may be used from any thread at any time. A reader sees one
// snapshot: its figures and its positions agree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "vanguard/v1/envelope.pb.h"
#include "vanguard/v1/view_records.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace vanguard::views {

struct ViewStoreOptions {
  std::string path;
  // A store built from another log is refused.
  std::string log_id;
  int32_t partitions = eventlog::kDefaultPartitions;
  // Serve a store without applying (a replayed store, a copy): Apply fails.
  bool read_only = false;
  // Tests only: the storage to open on (eventlog::testing::FaultInjectingStorage);
  // null is the local disk.
  rocksdb::Env* env = nullptr;
};

// A pledge due before a day and still open, as the overdue index lists it.
struct OpenPledge {
  std::string pledge_id;
  std::string node;  // the pledger's node
  int32_t due_on = 0;  // yyyymmdd
};

// One consistent snapshot of the views.
class ViewReader {
 public:
  virtual ~ViewReader() = default;
  // Per partition, the next offset to apply.
  virtual eventlog::PositionMap positions() const = 0;
  // The tally of a node in a bucket; empty when nothing was counted.
  virtual v1::Tally GetTally(const std::string& node, const std::string& campaign,
                             const std::string& period) const = 0;
  // The periods of a node's tallies for a campaign, sorted.
  virtual std::vector<std::string> Periods(const std::string& node,
                                           const std::string& campaign) const = 0;
  virtual std::optional<v1::OrganisationRecord> GetOrganisation(const std::string& id) const = 0;
  virtual std::optional<v1::MemberRecord> GetMember(const std::string& id) const = 0;
  virtual std::optional<v1::PledgeRecord> GetPledge(const std::string& id) const = 0;
  virtual std::optional<v1::CampaignRecord> GetCampaign(const std::string& id) const = 0;
  // Ids of the organisation's direct children (dissolved ones included), sorted.
  virtual std::vector<std::string> Children(const std::string& organisation_id) const = 0;
  // The pledge's accepted events, by version.
  virtual absl::StatusOr<std::vector<v1::Envelope>> PledgeHistory(
      const std::string& pledge_id) const = 0;
  virtual bool Reviewed(const std::string& campaign, int year, int quarter,
                        const std::string& organisation_id) const = 0;
  // Open pledges due before `before` (yyyymmdd), earliest first, starting
  // after the pledge (due, id) that `after` names ("" for the start).
  virtual std::vector<OpenPledge> OpenPledgesDueBefore(int32_t before, const std::string& after,
                                                       size_t limit) const = 0;
  // Parked aggregates in id order after `after`.
  virtual std::vector<v1::ParkedAggregate> Parked(const std::string& after,
                                                  size_t limit) const = 0;
  virtual int64_t parked_count() const = 0;
  virtual int64_t rejected_count() const = 0;
};

class ViewStore {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ViewStore>> Open(
      const ViewStoreOptions& options);
  virtual ~ViewStore() = default;

  virtual const std::string& log_id() const = 0;
  virtual int32_t partition_count() const = 0;

  // Applies records; each must be the next of its partition (offset ==
  // positions()[partition]). Records of several partitions may be mixed.
  virtual absl::Status Apply(std::span<const eventlog::StoredRecord> records) = 0;

  // From now on, each partition stops at its first accepted record recorded
  // after `instant`: that record and the partition's later ones are not
  // applied, and positions() stays before it (an as-of replay). A rejected
  // record never stops a partition, whatever its recorded_at says: a fenced
  // writer's clock may run ahead, and acceptance is what every reader shares.
  virtual void StopAtFirstRecordedAfter(absl::Time instant) = 0;

  // Per partition, the next offset to apply.
  virtual eventlog::PositionMap positions() const = 0;
  // Waits until every partition of `target` has been applied up to its
  // offset; false if the deadline passes first.
  virtual bool WaitUntil(const eventlog::PositionMap& target, absl::Time deadline) const = 0;

  virtual std::unique_ptr<ViewReader> NewReader() const = 0;

  // SHA-256 (hex) over every view, record, index and parked event: equal for
  // two stores that applied the same log, whatever the batches or restarts.
  // Positions are not included.
  [[nodiscard]] virtual absl::StatusOr<std::string> Digest() const = 0;
  // The digest and the positions it covers, from one snapshot.
  struct DigestAt {
    std::string digest;
    eventlog::PositionMap positions;
  };
  [[nodiscard]] virtual absl::StatusOr<DigestAt> DigestWithPositions() const = 0;

  virtual int64_t parked_count() const = 0;
  virtual int64_t rejected_count() const = 0;
  // Events applied since the store was opened.
  virtual int64_t applied_count() const = 0;
};

}  // namespace vanguard::views
