// vanguard: the ledger of the Strive-for-Excellence campaign, as one binary.
//
//   vanguard serve --tokens_file F      commands, views and audit in one process
//   vanguard demo --data_dir DIR        the seed township through the command services
//   vanguard command --tokens_file F    the command services over gRPC
//   vanguard projector --views_dir D    the per-level views, followed and served
//   vanguard replay --views_dir D [--as_of 2010-10-12]
//                                       the views rebuilt from the log alone
//   vanguard verify [--log kafka ...]   check every hash chain in the log
//   vanguard dev-kafka --brokers 3 --partitions 12
//                                       a test Kafka cluster for local runs
#include <signal.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "services/cli/flags_help.h"
#include "services/vanguard/subcommands.h"

namespace {

using vanguard::SignalWaiter;

constexpr char kUsage[] =
    "vanguard SUBCOMMAND [flags]\n"
    "  serve      everything in one process: commands, views, audit (gRPC, one port)\n"
    "  demo       build the seed township through the command services and show the log\n"
    "  command    serve the command services (gRPC) on the log\n"
    "  projector  follow the log into the per-level views and serve them (gRPC)\n"
    "  replay     rebuild every view from the log, or as of a past instant, and print its digest\n"
    "  verify     walk the log and check every hash chain (exit 1 on a break)\n"
    "  dev-kafka  run a TEST Kafka cluster (librdkafka mock) with the events topic\n"
    "Run `vanguard SUBCOMMAND --help` for the flags.";

// The flags each part of a process reads; a subcommand lists the parts it has.
using Flags = std::vector<std::string>;
const Flags kLogFlags = {"log", "data_dir", "brokers", "topic", "partitions"};
const Flags kServerFlags = {"listen",          "endpoint",      "tokens_file",
                            "tls_cert",        "tls_key",       "tls_client_ca",
                            "insecure_listen", "drain_seconds", "metrics_listen"};
const Flags kLimitFlags = {"rate_limit_per_principal", "rate_burst", "max_commands_per_stream"};
const Flags kOwnershipFlags = {"group", "instance_id", "session_timeout_ms"};
const Flags kDashboardFlags = {"http_listen", "http_dir"};

Flags Join(std::initializer_list<Flags> parts) {
  Flags all;
  for (const Flags& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

struct Subcommand {
  std::string name;
  std::string summary;
  Flags flags;
  std::function<int(const SignalWaiter&)> run;
};

std::vector<Subcommand> Subcommands() {
  return {
      {"serve", "everything in one process: commands, views, audit (gRPC, one port)",
       Join({kLogFlags,
             {"views_dir", "keys_dir"},
             kServerFlags,
             kLimitFlags,
             kOwnershipFlags,
             kDashboardFlags}),
       vanguard::RunServe},
      {"demo", "build the seed township (and the city) through the command services and show them",
       Join({{"data_dir", "once", "city", "listen", "views_dir", "keys_dir"}, kDashboardFlags}),
       vanguard::RunDemo},
      {"command", "serve the command services (gRPC) on the log",
       Join({kLogFlags, {"keys_dir"}, kServerFlags, kLimitFlags, kOwnershipFlags}),
       vanguard::RunCommand},
      {"projector", "follow the log into the per-level views and serve them (gRPC)",
       Join({kLogFlags,
             {"views_dir", "keys_dir", "read_only", "max_batch", "exit_when_caught_up"},
             kServerFlags,
             kDashboardFlags}),
       vanguard::RunProjector},
      {"replay", "rebuild every view from the log, or as of a past instant, and print its digest",
       Join({kLogFlags, {"views_dir", "as_of"}}),
       [](const SignalWaiter&) { return vanguard::RunReplay(); }},
      {"verify", "walk the log and check every hash chain (exit 1 on a break)", kLogFlags,
       [](const SignalWaiter&) { return vanguard::RunVerify(); }},
      {"dev-kafka",
       "run a TEST Kafka cluster (librdkafka mock) with the events topic",
       {"brokers", "partitions", "topic"},
       vanguard::RunDevKafka},
  };
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken synchronously, by the subcommand that waits for them;
  // blocking them before any thread starts makes every thread inherit that.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto wait_for_signal = [&stop_signals] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    return signal;
  };

  absl::SetProgramUsageMessage(kUsage);
  if (argc < 2 || argv[1][0] == '-') {
    std::cerr << kUsage << "\n";
    return argc < 2 ? 2 : 0;
  }
  const std::string chosen = argv[1];
  const std::vector<Subcommand> subcommands = Subcommands();
  const Subcommand* subcommand = nullptr;
  for (const Subcommand& s : subcommands) {
    if (s.name == chosen) subcommand = &s;
  }
  if (subcommand == nullptr) {
    std::cerr << "vanguard: unknown subcommand \"" << chosen << "\"\n" << kUsage << "\n";
    return 2;
  }
  // `vanguard SUBCOMMAND --help`: that subcommand's own flags, each with its
  // default and help (every flag also reads VANGUARD_<FLAG>).
  for (int i = 2; i < argc; ++i) {
    if (vanguard::cli::IsHelpFlag(argv[i])) {
      std::cout << "vanguard " << subcommand->name << " [flags]\n  " << subcommand->summary
                << "\nFlags (each also from the environment as VANGUARD_<FLAG>):\n"
                << vanguard::cli::FlagsHelp(subcommand->flags);
      return 0;
    }
  }
  std::vector<char*> args = {argv[0]};
  args.insert(args.end(), argv + 2, argv + argc);
  // Every flag can come from the environment (VANGUARD_<FLAG>, e.g.
  // VANGUARD_DATA_DIR); the command line wins.
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    std::string variable = "VANGUARD_" + std::string(name);
    for (char& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* value = std::getenv(variable.c_str()); value != nullptr) {
      std::string error;
      if (!flag->ParseFrom(value, &error)) {
        std::cerr << "vanguard: " << variable << ": " << error << "\n";
        return 2;
      }
    }
  }
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  return subcommand->run(wait_for_signal);
}
