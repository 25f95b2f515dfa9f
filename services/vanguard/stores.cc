#include "services/vanguard/stores.h"

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "services/vanguard/log_flags.h"

ABSL_FLAG(std::string, views_dir, "", "Directory of the views (default: --data_dir/views)");

namespace vanguard {

absl::StatusOr<WriterStack> StartWriterFromFlags(eventlog::EventLog& log,
                                                 writer::WriterOptions options) {
  WriterStack stack;
  ASSIGN_OR_RETURN(stack.store,
                   writer::StateStore::Open({.path = absl::GetFlag(FLAGS_data_dir) + "/state",
                                             .log_id = log.log_id(),
                                             .partitions = log.partition_count()}));
  ASSIGN_OR_RETURN(stack.writer, writer::Writer::Start(&log, stack.store.get(), options,
                                                       absl::Now() + absl::Minutes(5)));
  return stack;
}

std::string ViewsDirFromFlags() {
  std::string dir = absl::GetFlag(FLAGS_views_dir);
  return dir.empty() ? absl::GetFlag(FLAGS_data_dir) + "/views" : dir;
}

absl::StatusOr<std::unique_ptr<views::ViewStore>> OpenViewsFromFlags(const eventlog::EventLog& log) {
  return views::ViewStore::Open(
      {.path = ViewsDirFromFlags(), .log_id = log.log_id(), .partitions = log.partition_count()});
}

}  // namespace vanguard
