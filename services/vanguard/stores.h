// The stores a process keeps beside the log, under --data_dir: the write
// side's state store (with its writer) and the views.
#pragma once

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "libs/eventlog/event_log.h"
#include "libs/privacy/key_store.h"
#include "libs/views/view_store.h"
#include "libs/writer/state_store.h"
#include "libs/writer/writer.h"

ABSL_DECLARE_FLAG(std::string, views_dir);
ABSL_DECLARE_FLAG(std::string, keys_dir);

namespace vanguard {

// A writer and the state store it stands on; the writer goes first.
struct WriterStack {
  std::unique_ptr<writer::StateStore> store;
  std::unique_ptr<writer::Writer> writer;
};

// Opens --data_dir/state and starts a writer on `log`. By default it owns no
// partition until TakeOwnership (ownership.h) gives it some.
absl::StatusOr<WriterStack> StartWriterFromFlags(
    eventlog::EventLog& log,
    writer::WriterOptions options = {.ownership = writer::WriterOptions::Ownership::kNone});

// --views_dir, or --data_dir/views.
std::string ViewsDirFromFlags();

// Opens (or creates) the views of `log` in ViewsDirFromFlags().
absl::StatusOr<std::unique_ptr<views::ViewStore>> OpenViewsFromFlags(const eventlog::EventLog& log);

// --keys_dir, or --data_dir/keys.
std::string KeysDirFromFlags();

// Opens (or creates) the key store of members' personal information in
// KeysDirFromFlags(), for the process that writes commands.
absl::StatusOr<std::unique_ptr<privacy::KeyStore>> OpenKeysFromFlags();

// For a process that serves reads beside a command process on the same
// machine: follows the command process's key store in KeysDirFromFlags()
// read-only (a RocksDB secondary, scratch in --data_dir/keys-secondary).
// nullptr when there is no key store there: members' personal information is
// then unreadable to every caller of this process.
absl::StatusOr<std::unique_ptr<privacy::KeyStore>> FollowKeysFromFlags();

}  // namespace vanguard
