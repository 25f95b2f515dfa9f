// The crash-anywhere harness: a steady, mixed load of commands over gRPC
// while the processes under test are killed with SIGKILL at random moments,
// a ledger of what every client was told, and the log as the judge.
//
//   Endpoint commands;                        // where the command service is now
//   Ledger ledger;
//   Load load(commands, ledger, {.clients = 6, .seed = seed});
//   load.SetUp();                             // tree, campaign, budgets
//   load.Start();
//   ... kill and restart the process, commands.Up(address) / commands.Down() ...
//   load.Stop();                              // with a process up: unknowns are retried
//   ASSERT_OK_AND_ASSIGN(LogScan scan, ScanLog(*log, deadline));
//   Figures figures = CheckAgainstLog(ledger, scan);
//
// Each command has a unique request id. A client records for each command:
// acknowledged (OK, with its result), refused (a definite error) or unknown
// (the transport failed: the process died under it, or did not answer).
// After an unknown outcome a client mostly retries the same request id once a
// process is back, and sometimes gives up; after an acknowledgement it
// sometimes sends the same request again at once (it must be answered with
// the first result, appending nothing).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "libs/eventlog/event_log.h"
#include "tests/support/subprocess.h"
#include "vanguard/v1/command.pb.h"

namespace vanguard::reliability {

// The bearer token of the harness's principal: an admin at the root.
inline constexpr char kToken[] = "crash-harness-admin";
// The tokens file: the admin, and each department's own principal (only a
// department spends its money).
std::string TokensFile();

// The run's seed: $VANGUARD_CRASH_SEED when set, `fallback` otherwise; printed.
uint64_t SeedFromEnv(uint64_t fallback);
// The number of rounds: $VANGUARD_CRASH_ROUNDS when set, `fallback` otherwise.
int RoundsFromEnv(int fallback);
// Runs a `vanguard` subcommand that prints "digest <hex>" first and exits 0
// (replay, or a live digest); returns the hex.
std::string Digest(const std::vector<std::string>& argv);

// Where the process serving commands listens now (none while it is down).
class Endpoint {
 public:
  void Up(const std::string& address);
  void Down();
  // The current process's address and its generation; "" while none is up.
  std::string address(int64_t* generation) const;
  // Waits until a process newer than `generation` is up, or until `deadline`.
  bool WaitNewer(int64_t generation, absl::Time deadline) const;

 private:
  mutable absl::Mutex mu_;
  std::string address_ ABSL_GUARDED_BY(mu_);
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

// One command RPC: "vanguard.v1.PledgeService/MakePledge" and its request.
struct Command {
  std::string method;  // "<package.Service>/<Method>"
  std::shared_ptr<const google::protobuf::Message> request;
  std::string token = kToken;
  const std::string& request_id() const;
};

enum class Outcome { kAcknowledged, kRefused, kUnknown };

struct Answer {
  Outcome outcome = Outcome::kUnknown;
  grpc::Status status;
  v1::CommandResult result;  // when acknowledged
};

// Sends `command` once on `channel`. Transport failures and the codes a live
// process gives only for a passing trouble (UNAVAILABLE, DEADLINE_EXCEEDED,
// CANCELLED, ABORTED, UNKNOWN, INTERNAL, RESOURCE_EXHAUSTED) are unknown;
// any other error is a refusal.
Answer Send(grpc::Channel& channel, const Command& command, absl::Duration timeout);

// What a client was told about one command.
struct Entry {
  Command command;
  bool expect_refusal = false;  // sent to be refused (e.g. approving a fulfilled pledge)
  bool submitted = false;       // sent over SubmitService streams, not as its unary call
  int attempts = 0;             // sends with this request id, immediate duplicates excluded
  int unknown_attempts = 0;
  Outcome outcome = Outcome::kUnknown;
  grpc::StatusCode code = grpc::StatusCode::OK;  // of the last answer
  std::string message;                           // of the last error
  v1::CommandResult result;                      // the first acknowledgement's
  // Immediate re-sends after the acknowledgement, and those answered wrongly
  // (not OK, not `replayed`, or another aggregate, version or token).
  int duplicates_sent = 0;
  int duplicates_wrong = 0;
  std::string duplicate_problem;
};

// Every client's entries; thread-safe.
class Ledger {
 public:
  void Add(Entry entry);
  std::vector<Entry> entries() const;

 private:
  mutable absl::Mutex mu_;
  std::deque<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

struct LoadOptions {
  int clients = 6;
  uint64_t seed = 1;
  absl::Duration call_timeout = absl::Seconds(5);
  // Percent of unknown outcomes given up instead of retried.
  int give_up_percent = 25;
  // Percent of acknowledged commands sent again at once.
  int duplicate_percent = 10;
};

// The mixed load: organisations registered and renamed, members enrolled,
// updated and appraised, pledges made → approved → fulfilled (and approvals of
// fulfilled pledges, which must be refused), funds disbursed from shared
// budgets, inspections, meetings, leader reviews and honours; a few calls with
// a 2 ms deadline (retried while the first is still in flight); and batches
// of enrolments and pledges over SubmitService streams (a cut stream's
// unanswered commands resent on a new one).
class Load {
 public:
  Load(Endpoint& endpoint, Ledger& ledger, LoadOptions options);
  ~Load();

  // The organisation tree, the campaign and the departments' budgets, each
  // sent until acknowledged (by `deadline`).
  absl::Status SetUp(absl::Time deadline);
  void Start();
  // Stops the clients; each finishes its command first (retrying an unknown
  // one while a process is up), so call it with a process up.
  void Stop();
  // Waits until a client is told of an acknowledgement from now on.
  bool WaitAcknowledgement(absl::Time deadline) const;

  struct Client;

 private:
  Endpoint& endpoint_;
  Ledger& ledger_;
  const LoadOptions options_;
  std::string campaign_id_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> acknowledged_{0};
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::thread> threads_;
};

// The log read from offset 0 to its end with the acceptance rule.
struct Found {
  std::string aggregate_id;
  int64_t version = 0;
  eventlog::Position position;
};
struct LogScan {
  int64_t records = 0;
  int64_t rejected = 0;
  int64_t claims = 0;  // accepted OwnerClaimed records
  std::map<std::string, std::vector<Found>> accepted_by_request;  // claims excluded
  std::map<int32_t, int64_t> ends;
};
absl::StatusOr<LogScan> ScanLog(eventlog::EventLog& log, absl::Time deadline);

struct Figures {
  int64_t commands = 0, attempts = 0, acknowledged = 0, refused = 0, refused_unexpectedly = 0,
          unknown = 0, unknown_in_log = 0, retried = 0, acknowledged_after_unknown = 0,
          duplicates_sent = 0, found_in_log = 0, duplicates_in_log = 0, lost = 0,
          refused_in_log = 0, foreign_in_log = 0;
  std::map<std::string, int64_t> by_rpc;  // commands per RPC
  // Final refusals and unknowns: "<RPC> <code>: <start of the message>" → count.
  std::map<std::string, int64_t> errors;
  std::string Summary() const;
};

// Holds the ledger against the log with gtest expectations: every acknowledged
// command's event exactly once, accepted, at the acknowledged aggregate and
// version; no refused command in the log; an unknown one at most once; no
// request id twice; no event without a command of the ledger; every immediate
// duplicate answered with the first result; no command refused that was sent
// to succeed.
Figures CheckAgainstLog(const std::vector<Entry>& entries, const LogScan& scan);

// Sends every acknowledged command of `entries` again through `endpoint`'s
// process: each must be answered OK, `replayed`, with the first aggregate,
// version and token. Returns how many were sent.
int64_t ResendAcknowledged(const std::vector<Entry>& entries, Endpoint& endpoint);

// AuditService.CompareWithReplay on `address`, waiting (by `deadline`) until
// the live views' positions reach `ends`.
struct Comparison {
  std::string live_digest, replay_digest;
  bool equal = false;
  int64_t records_replayed = 0;
};
absl::StatusOr<Comparison> CompareWithReplay(const std::string& address,
                                             const std::map<int32_t, int64_t>& ends,
                                             absl::Time deadline);

// A process under test: killed with SIGKILL and started again, round after round.
struct Victim {
  std::string name;
  std::vector<std::string> argv;
  // Told the address the process prints as its first line, and that it died.
  std::function<void(const std::string& address)> up = [](const std::string&) {};
  std::function<void()> down = [] {};
  // When set, a round's delay (except in the early rounds) counts from its
  // return: e.g. once the process serves commands again.
  std::function<void()> settle;

  std::unique_ptr<testing::Subprocess> process;
  std::string address;  // "" until printed
  int kills = 0;
  int kills_while_starting = 0;  // before it printed its address

  void Spawn();
  // Reads the address line unless read already; false when it died first.
  bool ReadAddress();
};

// `rounds` times: picks a victim at random and kills it with SIGKILL after a
// random delay of up to `longest` (one round in six within 250 ms of the
// round's start, mostly while it starts; the others after its `settle`),
// then starts it again at once. Every victim must be
// spawned before; each is up (its address read) when this returns.
void RunCrashRounds(const std::vector<Victim*>& victims, int rounds, std::mt19937_64& rng,
                    absl::Duration longest);

// Waits until grpc.health.v1.Health/Check of "" answers SERVING.
bool WaitServing(const std::string& address, absl::Time deadline);

}  // namespace vanguard::reliability
