// Prints how fast the projector applies the log to the per-level views, from
// each backend, and the memory it takes, as a markdown table.
//
//   projector_bench --events=1000000 --backends=embedded,kafka
//   projector_bench --quick  # a few thousand events: proves it runs
//
// The history is the random but valid campaign of libs/views/testing.h (a
// tree of six levels and more, members, pledges through their lifecycle,
// reviews, funds, honours), written to the log first; then a projector reads
// it from offset zero into fresh views, as a new replica or a replay would.
#include <sys/resource.h>

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "libs/eventlog/embedded_log.h"
#include "libs/eventlog/kafka_log.h"
#include "libs/eventlog/test_broker.h"
#include "libs/eventlog/testing.h"
#include "libs/views/testing.h"
#include "libs/views/view_store.h"
#include "services/projector/projector.h"
#include "services/projector/replay.h"

ABSL_FLAG(int64_t, events, 200'000, "Events in the history");
ABSL_FLAG(std::string, json, "", "Also append each row as a JSON line to this file");
ABSL_FLAG(std::string, log_dir, "",
          "Keep the embedded log here: generated and appended when it is empty, read as it is "
          "otherwise (so that a replay runs in a process that never held the generator)");
ABSL_FLAG(bool, append_only, false, "With --log_dir: append the history and stop");
ABSL_FLAG(std::vector<std::string>, backends,
          std::vector<std::string>({"embedded", "kafka", "replay"}),
          "What to measure: embedded, kafka (the projector following either log; the mock "
          "cluster keeps about 16,000 records a partition), replay (vanguard replay's path: "
          "the embedded log, partition by partition)");
ABSL_FLAG(int, max_batch, 0,
          "Records applied per write at most (0: the projector's and the replay's defaults)");
ABSL_FLAG(bool, quick, false, "5,000 events: a smoke run that measures nothing");

namespace vanguard {
namespace {

// Resident memory now and at its peak since the last reset, in MiB.
int64_t StatusMiB(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field + ":")) return std::stoll(line.substr(field.size() + 1)) / 1024;
  }
  return -1;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void ResetPeakMemory() { std::ofstream("/proc/self/clear_refs") << "5"; }

// The history is generated and appended in parts, so that a long one never
// sits in memory whole.
absl::Status AppendHistory(eventlog::EventLog& log, int64_t events) {
  // Moves and dissolutions at 1 in 800 events: a tree restructured now and then.
  views::testing::Workload workload(/*seed=*/2010, /*max_organisations=*/2'000,
                                    /*restructure_percent=*/1);
  std::map<std::string, std::string> heads;
  for (int64_t generated = 0; generated < events;) {
    generated = std::min(events, generated + 100'000);
    workload.events.clear();
    workload.Generate(generated);
    RETURN_IF_ERROR(views::testing::AppendEvents(log, workload.events, heads));
  }
  return absl::OkStatus();
}

int Run(const std::string& backend, int64_t events) {
  eventlog::testing::ScopedTempDir dir;
  std::unique_ptr<eventlog::TestBroker> broker;
  absl::StatusOr<std::unique_ptr<eventlog::EventLog>> log;
  const std::string kept = absl::GetFlag(FLAGS_log_dir);
  if (backend == "embedded" || backend == "replay") {
    log = eventlog::OpenEmbeddedLog({.path = kept.empty() ? dir.path() + "/log" : kept});
  } else if (backend == "kafka") {
    auto started = eventlog::TestBroker::Start({.brokers = 3, .partitions = 12});
    if (!started.ok()) return absl::FPrintF(stderr, "%s\n", started.status().ToString()), 1;
    broker = *std::move(started);
    log = eventlog::OpenKafkaLog({.brokers = broker->bootstrap_servers(), .linger_ms = 5},
                                 absl::Now() + absl::Seconds(30));
  } else {
    absl::FPrintF(stderr, "projector_bench: unknown backend \"%s\"\n", backend);
    return 2;
  }
  if (!log.ok()) return absl::FPrintF(stderr, "%s\n", log.status().ToString()), 1;
  absl::Time start = absl::Now();
  auto records_in_log = [&]() -> absl::StatusOr<int64_t> {
    int64_t held = 0;
    for (int32_t p = 0; p < (*log)->partition_count(); ++p) {
      ASSIGN_OR_RETURN(int64_t end, (*log)->EndOffset(p, absl::Now() + absl::Seconds(30)));
      held += end;
    }
    return held;
  };
  absl::StatusOr<int64_t> held = records_in_log();
  if (held.ok() && *held == 0) {
    if (absl::Status s = AppendHistory(**log, events); !s.ok()) {
      return absl::FPrintF(stderr, "appending: %s\n", s.ToString()), 1;
    }
    held = records_in_log();
  }
  if (!held.ok()) return absl::FPrintF(stderr, "%s\n", held.status().ToString()), 1;
  // The generator finishes its last step, so the history may run a few events over.
  if (*held < events) {
    return absl::FPrintF(stderr, "the log at --log_dir holds %d records, fewer than --events=%d\n",
                         *held, events),
           2;
  }
  double append_s = absl::ToDoubleSeconds(absl::Now() - start);
  if (absl::GetFlag(FLAGS_append_only)) {
    absl::FPrintF(stderr, "projector_bench: %d events in the log (%.1f s)\n", events, append_s);
    return 0;
  }

  int64_t before_mib = StatusMiB("VmRSS");
  ResetPeakMemory();
  auto views = views::ViewStore::Open({.path = dir.path() + "/views",
                                       .log_id = (*log)->log_id(),
                                       .partitions = (*log)->partition_count()});
  if (!views.ok()) return absl::FPrintF(stderr, "%s\n", views.status().ToString()), 1;
  start = absl::Now();
  const double cpu_before = CpuSeconds();
  const int max_batch = absl::GetFlag(FLAGS_max_batch);
  projector::ReplayOptions replay_options;
  projector::ProjectorOptions projector_options;
  if (max_batch > 0) {
    replay_options.max_batch = projector_options.max_batch = static_cast<size_t>(max_batch);
  }
  if (backend == "replay") {
    auto replayed = projector::Replay(**log, **views, replay_options);
    if (!replayed.ok()) return absl::FPrintF(stderr, "%s\n", replayed.status().ToString()), 1;
  } else {
    auto projector = projector::Projector::Start(**log, **views, projector_options);
    if (!projector.ok()) return absl::FPrintF(stderr, "%s\n", projector.status().ToString()), 1;
    if (!(*projector)->WaitCaughtUp(absl::Now() + absl::Hours(1))) {
      return absl::FPrintF(stderr, "did not catch up: %s\n", (*projector)->status().ToString()),
             1;
    }
  }
  double apply_s = absl::ToDoubleSeconds(absl::Now() - start);
  // The process's CPU time while applying: the projector's threads and
  // RocksDB's, and nothing else runs then.
  double apply_cpu_s = CpuSeconds() - cpu_before;
  int64_t peak_mib = StatusMiB("VmHWM");
  auto digest = (*views)->Digest();
  absl::PrintF("| %s | %d | %.1f | %.2f | %.2f | %.0f | %d | %d | %s |\n", backend, events,
               append_s, apply_s, apply_cpu_s, events / apply_s, peak_mib - before_mib, peak_mib,
               digest.ok() ? digest->substr(0, 16) : "?");
  std::fflush(stdout);
  if (const std::string path = absl::GetFlag(FLAGS_json); !path.empty()) {
    std::ofstream(path, std::ios::app) << absl::StrFormat(
        R"({"table":"projector","log":"%s","events":%d,"append_s":%.2f,"apply_s":%.3f,)"
        R"("apply_cpu_s":%.3f,)"
        R"("events_per_s":%.1f,"peak_mib":%d,"process_peak_mib":%d})"
        "\n",
        backend, events, append_s, apply_s, apply_cpu_s, events / apply_s, peak_mib - before_mib,
        peak_mib);
  }
  return 0;
}

}  // namespace
}  // namespace vanguard

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int64_t events = absl::GetFlag(FLAGS_quick) ? 5'000 : absl::GetFlag(FLAGS_events);
  absl::PrintF(
      "| log | events | append s | apply s | apply CPU s | events/s | projector peak MiB (above start) | "
      "process peak MiB | digest |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string& backend : absl::GetFlag(FLAGS_backends)) {
    if (int code = vanguard::Run(backend, events); code != 0) return code;
  }
  return 0;
}
