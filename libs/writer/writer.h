// The write path: a command becomes accepted events, or a precise error.
//
// One writer per partition, fenced in the log: at start the writer appends an
// OwnerClaimed with an epoch above the partition's latest and serves the
// partition only once it has read its own claim back as the latest. Every event
// it writes carries that epoch, so a paused older owner can still append but
// never wins (the acceptance rule rejects its events for every reader).
//
// Executing a command, under the partition's lock:
//   1. a known (aggregate, request id) returns the first result (same request)
//      or ALREADY_EXISTS (another request under the same id), appending nothing;
//   2. expected_version, when given, must be the aggregate's version (ABORTED
//      with ErrorInfo reason VERSION_MISMATCH and metadata current_version);
//   3. the command's decide function sees the aggregate's accepted history and
//      the organisation tree (caught up to the log's end when another writer
//      owns the tree), and returns events or an error;
//   4. the events are sealed to the aggregate's head and appended in one call;
//   5. when the log gives exactly the offsets the writer expected next, nothing
//      came between and the command is acknowledged; any other outcome fences
//      the partition: the writer reads back to a freshly queried end and
//      acknowledges only if the log shows the request accepted.
//
//   ASSIGN_OR_RETURN(auto writer, Writer::Start(log.get(), store.get(), {.endpoint = ...}));
//   ASSIGN_OR_RETURN(CommandResult result, writer->Execute(command, deadline));
//
// Group commit: commands of one partition that arrive while another command
// of that partition is being written are decided one after another, each
// seeing the events of those before it, and their events go to the log in one
// append (one durable write) and into the store in one batch. A command that
// fails in a group changes nothing and fails nothing else.
//
// Thread safety: Execute may be called from any number of threads; commands of
// one partition are decided one at a time, in their order of arrival.
//
// Blocking: Execute answers before the command's deadline. Its log I/O ends a
// little before it (a tenth of the command's time, 5 to 250 ms, is kept for
// the answer); a command still queued behind another group at that point is
// answered UNAVAILABLE with nothing written. When an append's outcome stays
// unknown (the log did not answer), the partition is in doubt: its next
// command first reads the partition back to a freshly queried end, and fails
// fast with UNAVAILABLE, writing nothing, while that is impossible. No
// decision is ever taken on a store that may lack the writer's own records.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/domain/commands.h"
#include "libs/domain/org_tree.h"
#include "libs/eventlog/event_log.h"
#include "libs/writer/state_store.h"
#include "vanguard/v1/envelope.pb.h"

namespace vanguard::writer {

// The aggregate id of the organisation tree.
inline constexpr char kOrgTreeId[] = "org-tree";

// What a command's decision can see.
struct DecisionInput {
  const std::vector<v1::Envelope>& history;  // the aggregate's accepted events (empty for the tree)
  const domain::OrgTree& tree;               // current as of the decision
  // The accepted events of each aggregate named in Command::dependencies.
  const std::map<std::string, std::vector<v1::Envelope>>& dependencies;
};

using Decider = std::function<absl::StatusOr<std::vector<v1::Envelope>>(const DecisionInput&)>;

struct Command {
  v1::AggregateType aggregate_type = v1::AGGREGATE_TYPE_UNSPECIFIED;
  std::string aggregate_id;
  std::string request_id;
  std::string fingerprint;  // of the request, to tell a retry from a reused id
  std::optional<int64_t> expected_version;
  domain::Context context;
  std::string correlation_id;
  // Other aggregates the decision reads (e.g. the member a pledge is made
  // by); read caught up with the log when another writer owns them.
  std::vector<std::string> dependencies;
  Decider decide;
};

struct CommandResult {
  std::string aggregate_id;
  int64_t version = 0;
  eventlog::PositionMap positions;  // partition → one past the command's last event
  std::string consistency_token;    // serialized vanguard.v1.ConsistencyToken
  bool replayed = false;            // answered from the first execution of the request
};

struct WriterOptions {
  std::string endpoint;                      // where clients reach this writer; named in claims
  std::string source = "/vanguard/command";  // CloudEvents source of what it writes
  // Claimed at start; with a consumer group, start with none and Acquire.
  enum class Ownership { kAll, kNone, kListed } ownership = Ownership::kAll;
  std::vector<int32_t> owned_partitions;  // for kListed
  // Told of every append of commands' events: how many records, how long.
  std::function<void(size_t records, absl::Duration took)> on_append;
};

// What runs a planned command: the Writer, or a stand-in that collects
// commands to run them later (the Submit stream plans on one thread and runs
// on several).
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual absl::StatusOr<CommandResult> Execute(const Command& command, absl::Time deadline) = 0;
};

class Writer final : public CommandRunner {
 public:
  // Catches the store up with the log, claims the owned partitions and reads
  // the claims back. `log` and `store` outlive the writer.
  static absl::StatusOr<std::unique_ptr<Writer>> Start(eventlog::EventLog* log, StateStore* store,
                                                       WriterOptions options, absl::Time deadline);

  absl::StatusOr<CommandResult> Execute(const Command& command, absl::Time deadline) override;

  // Reads the tree under its lock (caught up first when another writer owns it).
  absl::Status ReadTree(const std::function<void(const domain::OrgTree&)>& read,
                        absl::Time deadline);

  // Takes partitions on (claiming each, as at start) or lets them go, as a
  // consumer group assigns and revokes them.
  absl::Status Acquire(const std::vector<int32_t>& partitions, absl::Time deadline);
  void Release(const std::vector<int32_t>& partitions);
  bool owns(int32_t partition) const { return partitions_[partition]->owned.load(); }

  // Names where clients reach this writer in the claims it makes from now on;
  // for a server that learns its port only once listening. Not concurrent
  // with Acquire.
  void set_endpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

  int32_t PartitionOf(const std::string& aggregate_id) const;
  const std::string& log_id() const { return log_->log_id(); }

 private:
  // A command waiting in its partition's queue for a group to take it.
  struct Waiter {
    const Command* command;
    absl::Time deadline;
    // When the command's log I/O must be over, so that even a failure is
    // answered before the deadline.
    absl::Time answer_by;
    std::optional<absl::StatusOr<CommandResult>> result;  // set by the group's leader
    bool taken = false;     // a leader took it into its group (under queue_mu)
    bool answered = false;  // the leader is done with it (under queue_mu)
  };
  // The decided, not yet written commands of a group.
  struct Group;

  struct Partition {
    absl::Mutex queue_mu;  // a leaf lock
    std::vector<Waiter*> queue ABSL_GUARDED_BY(queue_mu);
    bool busy ABSL_GUARDED_BY(queue_mu) = false;  // a leader is running a group
    absl::CondVar idle;  // signalled when a leader is done
    absl::Mutex mu;  // one group at a time; taken before apply_mu, never two at once
    std::atomic<bool> owned{false};
    // An append's outcome is not known yet: the store may lack records we
    // wrote, so the partition is read back before anything is decided on it.
    std::atomic<bool> in_doubt{false};
    std::atomic<int64_t> epoch{0};
    absl::Mutex apply_mu;  // applying the log to the store: a leaf lock
    std::unique_ptr<eventlog::LogReader> reader ABSL_GUARDED_BY(apply_mu);
  };

  Writer(eventlog::EventLog* log, StateStore* store, WriterOptions options);

  // Applies the log to the store up to a freshly queried end of `partition`.
  absl::Status CatchUp(int32_t partition, absl::Time deadline);
  // The accepted events of an aggregate, caught up first unless we own its partition.
  absl::StatusOr<std::vector<v1::Envelope>> HistoryOf(const std::string& aggregate_id,
                                                      absl::Time deadline);
  absl::Status ClaimPartition(int32_t partition, absl::Time deadline);
  // Under the partition's lock: decides, writes and answers `waiters`.
  void RunGroup(int32_t partition, const std::vector<Waiter*>& waiters);
  // Decides one command after those already in `group`: its events join the
  // group (nullopt), or it is answered now (an error, or a retry's result).
  absl::StatusOr<std::optional<CommandResult>> Decide(int32_t partition, const Command& command,
                                                      absl::Time deadline, Group& group,
                                                      size_t index);
  // Appends the group's events in one call, applies them and answers their commands.
  void Flush(int32_t partition, Group& group, std::vector<Waiter*> const& waiters);
  absl::Status ApplyToTree(const std::vector<AppliedEvent>& applied);
  absl::StatusOr<CommandResult> ResultOf(const RequestRecord& request,
                                         const std::string& aggregate_id, bool replayed) const;
  std::string MakeToken(const eventlog::PositionMap& positions) const;

  eventlog::EventLog* const log_;
  StateStore* const store_;
  const WriterOptions options_;
  std::string endpoint_;
  const int32_t tree_partition_;
  std::vector<std::unique_ptr<Partition>> partitions_;

  absl::Mutex tree_mu_;
  domain::OrgTree tree_ ABSL_GUARDED_BY(tree_mu_);
};

// SHA-256 of `request`'s deterministic serialization.
std::string Fingerprint(const google::protobuf::Message& request);

// An aggregate id derived from who created it and the request id, so a retried
// creation cannot create twice: prefix + 24 hex digits.
std::string DerivedId(const std::string& prefix, const std::string& principal_id,
                      const std::string& request_id);

}  // namespace vanguard::writer
