#include "services/vanguard/stores.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/base/status_macros.h"
#include "services/vanguard/log_flags.h"

ABSL_FLAG(std::string, views_dir, "", "Directory of the views (default: --data_dir/views)");
ABSL_FLAG(std::string, keys_dir, "",
          "Directory of the key store of members' personal information, kept outside the log "
          "(default: --data_dir/keys); back it up on its own: losing it makes every member's "
          "personal information unreadable");

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

std::string KeysDirFromFlags() {
  std::string dir = absl::GetFlag(FLAGS_keys_dir);
  return dir.empty() ? absl::GetFlag(FLAGS_data_dir) + "/keys" : dir;
}

absl::StatusOr<std::unique_ptr<privacy::KeyStore>> OpenKeysFromFlags() {
  return privacy::KeyStore::Open({.path = KeysDirFromFlags()});
}

absl::StatusOr<std::unique_ptr<privacy::KeyStore>> FollowKeysFromFlags() {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(KeysDirFromFlags()) / "CURRENT", ec)) {
    return nullptr;
  }
  return privacy::KeyStore::Open({.path = KeysDirFromFlags(),
                                  .secondary = true,
                                  .secondary_path = absl::GetFlag(FLAGS_data_dir) +
                                                    "/keys-secondary"});
}

}  // namespace vanguard
