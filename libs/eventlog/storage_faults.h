// Storage that fails on demand, for tests of what the RocksDB-backed stores
// (the embedded log, the writer's state store, the views) do when the disk is
// full or failing. Not for production code.
//
// A FaultInjectingStorage is a RocksDB environment over the local disk whose
// file writes, syncs and file creations return `IOStatus::NoSpace()` or
// `IOStatus::IOError()` once a test arms it. Each store takes it through its
// options' `env` field:
//
//   FaultInjectingStorage storage;
//   auto log = OpenEmbeddedLog({.path = dir, .env = storage.env()});
//   storage.FailNext(1, {.fault = StorageFault::kNoSpace, .files = kWalFiles});
//   EXPECT_EQ((*log)->Append(records, deadline).status().code(),
//             absl::StatusCode::kResourceExhausted);
//   storage.Disarm();
//
// What a fault does: a failed append writes nothing (or, past the mark of
// FailAfterBytes, only the bytes before the mark: a torn write); a failed sync
// leaves what was written in the file, as the page cache does; a failed
// creation or rename creates nothing. Reads never fail.
//
// Thread safety: everything may be called from any thread, while the stores
// use the environment from theirs. The storage must outlive every store
// opened on it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace vanguard::eventlog::testing {

enum class StorageFault { kNoSpace, kIOError };

// The operations a fault may hit, as a bit set.
enum StorageOp : uint32_t {
  kAppendOps = 1,  // writing into a file (Append, PositionedAppend, Truncate)
  kSyncOps = 2,    // Sync, Fsync, RangeSync, a directory's Fsync
  kCreateOps = 4,  // creating, reopening or renaming a file
  kAllOps = 7,
};

// The files a fault may hit, as a bit set. The info LOG is never hit.
enum StorageFile : uint32_t {
  kWalFiles = 1,       // NNNNNN.log
  kTableFiles = 2,     // NNNNNN.sst: flushes and compactions
  kManifestFiles = 4,  // MANIFEST-NNNNNN, CURRENT and its temporary file
  kOtherFiles = 8,     // OPTIONS-*, IDENTITY, anything else
  kAllFiles = 15,
};

struct FaultSpec {
  StorageFault fault = StorageFault::kIOError;
  uint32_t ops = kAllOps;
  uint32_t files = kAllFiles;
};

// Counts of what happened since the storage was made.
struct StorageFaultCounts {
  int64_t injected = 0;       // operations failed
  int64_t append_faults = 0;  // of which appends
  int64_t sync_faults = 0;    // of which syncs
  int64_t create_faults = 0;  // of which creations and renames
  int64_t torn_writes = 0;    // appends that wrote part of their bytes, then failed
};

class FaultInjectingStorage {
 public:
  FaultInjectingStorage();
  ~FaultInjectingStorage();
  FaultInjectingStorage(const FaultInjectingStorage&) = delete;
  FaultInjectingStorage& operator=(const FaultInjectingStorage&) = delete;

  // The environment to open a store with.
  rocksdb::Env* env() const;

  // The next `n` operations that `spec` covers fail; then the storage is healthy again.
  void FailNext(int n, FaultSpec spec);
  // Every operation that `spec` covers fails until Disarm().
  void FailFromNow(FaultSpec spec);
  // Appends that `spec` covers write `bytes` more bytes; the append that
  // crosses the mark writes its part before it and fails, and every covered
  // operation after it fails until Disarm(). `spec.ops` should include appends.
  void FailAfterBytes(int64_t bytes, FaultSpec spec);
  // Nothing fails any more.
  void Disarm();

  StorageFaultCounts counts() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace vanguard::eventlog::testing
