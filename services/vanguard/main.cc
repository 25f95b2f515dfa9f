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
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "services/vanguard/subcommands.h"

namespace {

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
  std::string subcommand = argv[1];
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

  if (subcommand == "demo") return vanguard::RunDemo(wait_for_signal);
  if (subcommand == "serve") return vanguard::RunServe(wait_for_signal);
  if (subcommand == "verify") return vanguard::RunVerify();
  if (subcommand == "command") return vanguard::RunCommand(wait_for_signal);
  if (subcommand == "replay") return vanguard::RunReplay();
  if (subcommand == "projector") return vanguard::RunProjector(wait_for_signal);
  if (subcommand == "dev-kafka") return vanguard::RunDevKafka(wait_for_signal);
  std::cerr << "vanguard: unknown subcommand \"" << subcommand << "\"\n" << kUsage << "\n";
  return 2;
}
