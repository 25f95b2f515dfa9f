// The key store: one random AES-256 key per member, kept outside the log in a
// RocksDB database of its own, so that destroying a key erases the member's
// personal information from an immutable log (crypto-shredding).
//
//   ASSIGN_OR_RETURN(auto keys, KeyStore::Open({.path = data_dir + "/keys"}));
//   ASSIGN_OR_RETURN(std::string key, keys->KeyForSealing("mbr-1"));  // created when absent
//   ...
//   RETURN_IF_ERROR(keys->Destroy("mbr-1"));  // for good
//   keys->Find("mbr-1")->state == KeyState::kErased
//
// Promises:
// - A key is durable (a synced write) before KeyForSealing returns it, so an
//   event sealed with it is never written ahead of its key.
// - Destroy replaces the key with a tombstone (synced), then flushes the
//   memtable and compacts the key's range, so no live file of the database
//   holds the key's bytes any more (obsolete write-ahead logs are deleted,
//   never archived). A destroyed key is never created again.
// - Loss: the store is not derived from the log and cannot be rebuilt from it.
//   Losing it makes every member's sealed personal information unreadable
//   (as if all were erased), while counts, hash chains and replays are
//   unaffected. Back it up on its own schedule; restoring a backup brings back
//   keys destroyed since, so the erasures the log records after the backup
//   (MemberPersonalInfoErased) must be applied to it again before use.
// - A secondary (read-only) instance follows a primary in another process on
//   the same file system: it catches up at most every second, and at once
//   when a key it looks for is missing.
//
// Thread safety: every method may be called from any number of threads;
// KeyForSealing and Destroy on one member are serialised.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace vanguard::privacy {

inline constexpr size_t kKeyBytes = 32;

struct KeyStoreOptions {
  std::string path;
  // Read-only, following the primary database at `path` from another process;
  // `secondary_path` is its own scratch directory.
  bool secondary = false;
  std::string secondary_path;
};

enum class KeyState { kLive, kErased, kMissing };

struct KeyLookup {
  KeyState state = KeyState::kMissing;
  std::string key;  // kKeyBytes bytes when kLive
};

class KeyStore {
 public:
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(const KeyStoreOptions& options);
  virtual ~KeyStore() = default;

  // The member's key, created (randomly, durably) when the member has none.
  // FAILED_PRECONDITION when the member's key was destroyed; on a secondary.
  virtual absl::StatusOr<std::string> KeyForSealing(const std::string& member_id) = 0;
  // The member's key as the store holds it now.
  virtual absl::StatusOr<KeyLookup> Find(const std::string& member_id) const = 0;
  // Destroys the member's key for good (idempotent; a member without a key
  // gets a tombstone, so no key is ever created for it). FAILED_PRECONDITION
  // on a secondary.
  virtual absl::Status Destroy(const std::string& member_id) = 0;

  virtual bool secondary() const = 0;
};

}  // namespace vanguard::privacy
