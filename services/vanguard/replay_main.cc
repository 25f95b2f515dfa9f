// `vanguard replay`: rebuilds every view from the log alone, from offset zero,
// into a directory of its own — or only what the system had recorded at a
// past instant — and prints the views' digest. Serve the result with
// `vanguard projector --read_only --views_dir DIR`.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/views/view_store.h"
#include "services/projector/replay.h"
#include "services/vanguard/log_flags.h"
#include "services/vanguard/stores.h"
#include "services/vanguard/subcommands.h"

ABSL_FLAG(std::string, as_of, "",
          "Replay only what was recorded by this instant: RFC 3339 (2010-10-12T18:00:00+08:00) "
          "or a day (2010-10-12: the end of that day, Asia/Shanghai)");

namespace vanguard {
namespace {

int Fail(const absl::Status& status) {
  std::cerr << "\nvanguard replay: " << status << std::endl;
  return 2;
}

absl::StatusOr<absl::Time> ParseInstant(const std::string& text) {
  absl::Time instant;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &instant, &error)) return instant;
  absl::TimeZone shanghai;
  absl::CivilDay day;
  if (absl::LoadTimeZone("Asia/Shanghai", &shanghai) && absl::ParseCivilTime(text, &day)) {
    return absl::FromCivil(day + 1, shanghai) - absl::Nanoseconds(1);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--as_of: \"", text, "\" is neither RFC 3339 (2010-10-12T18:00:00+08:00) nor a day (2010-10-12)"));
}

}  // namespace

int RunReplay() {
  std::string out = absl::GetFlag(FLAGS_views_dir);
  if (out.empty()) return Fail(absl::InvalidArgumentError("--views_dir: where to build the views"));
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_empty(out, ec)) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat("--views_dir: ", out, " is not empty; a replay builds into a fresh directory")));
  }
  std::optional<absl::Time> as_of;
  if (!absl::GetFlag(FLAGS_as_of).empty()) {
    auto parsed = ParseInstant(absl::GetFlag(FLAGS_as_of));
    if (!parsed.ok()) return Fail(parsed.status());
    as_of = *parsed;
  }
  auto log = OpenLogFromFlags();
  if (!log.ok()) return Fail(log.status());
  auto views = views::ViewStore::Open(
      {.path = out, .log_id = (*log)->log_id(), .partitions = (*log)->partition_count()});
  if (!views.ok()) return Fail(views.status());
  bool tty = isatty(STDERR_FILENO);
  auto result = projector::Replay(
      **log, **views,
      {.as_of = as_of, .progress = [tty](const projector::ReplayProgress& p) {
         if (!tty) return;
         double seconds = std::max(absl::ToDoubleSeconds(p.elapsed), 1e-3);
         double rate = p.records_read / seconds;
         double left = rate > 0 ? (p.records_total - p.records_read) / rate : 0;
         std::cerr << absl::StrFormat("\r  %d / %d records, %.0f events/s, about %.0f s left   ",
                                      p.records_read, p.records_total, rate, left)
                   << std::flush;
       }});
  if (!result.ok()) return Fail(result.status());
  if (tty) std::cerr << "\n";
  auto digest = (*views)->Digest();
  if (!digest.ok()) return Fail(digest.status());
  std::cout << "digest " << *digest << std::endl;
  std::cerr << "vanguard replay: " << result->records_read << " records of log "
            << (*log)->log_id() << (as_of ? absl::StrCat(" recorded by ", absl::FormatTime(*as_of))
                                          : std::string())
            << " into " << out << "; " << (*views)->parked_count() << " parked, "
            << (*views)->rejected_count() << " rejected" << std::endl;
  return 0;
}

}  // namespace vanguard
