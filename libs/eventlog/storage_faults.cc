#include "libs/eventlog/storage_faults.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <algorithm>
#include <string_view>

#include "absl/synchronization/mutex.h"

namespace vanguard::eventlog::testing {

namespace {

StorageFile KindOf(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name.ends_with(".sst")) return kTableFiles;
  if (name.starts_with("MANIFEST-") || name == "CURRENT" || name.ends_with(".dbtmp")) {
    return kManifestFiles;
  }
  if (name.ends_with(".log") && !name.empty() && name[0] >= '0' && name[0] <= '9') return kWalFiles;
  return kOtherFiles;
}

// The info LOG (LOG, LOG.old.<time>) only says what happened.
bool IsInfoLog(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name == "LOG" || name.starts_with("LOG.old");
}

}  // namespace

class FaultInjectingStorage::Impl {
 public:
  // How many of `size` bytes an operation may write before it fails, and the
  // status it fails with (ok: it does not fail).
  struct Verdict {
    rocksdb::IOStatus status;
    size_t writable = 0;
  };

  Verdict Judge(StorageOp op, std::string_view path, size_t size) {
    Verdict verdict{rocksdb::IOStatus::OK(), size};
    if (IsInfoLog(path)) return verdict;
    absl::MutexLock lock(&mu_);
    if (mode_ == Mode::kOff || !(spec_.ops & op) || !(spec_.files & KindOf(path))) return verdict;
    verdict.writable = 0;
    switch (mode_) {
      case Mode::kOff:
        return verdict;
      case Mode::kCount:
        if (--remaining_ <= 0) mode_ = Mode::kOff;
        break;
      case Mode::kAlways:
        break;
      case Mode::kAfterBytes:
        if (op != kAppendOps) return {rocksdb::IOStatus::OK(), size};
        if (static_cast<int64_t>(size) <= remaining_) {
          remaining_ -= static_cast<int64_t>(size);
          return {rocksdb::IOStatus::OK(), size};
        }
        // The append that crosses the mark writes its part before it.
        verdict.writable = static_cast<size_t>(remaining_);
        if (verdict.writable > 0) ++counts_.torn_writes;
        remaining_ = 0;
        mode_ = Mode::kAlways;
        break;
    }
    ++counts_.injected;
    if (op == kAppendOps) ++counts_.append_faults;
    if (op == kSyncOps) ++counts_.sync_faults;
    if (op == kCreateOps) ++counts_.create_faults;
    std::string what = std::string("injected fault on ") + std::string(path);
    if (spec_.fault == StorageFault::kNoSpace) {
      verdict.status = rocksdb::IOStatus::NoSpace(what);
    } else {
      verdict.status = rocksdb::IOStatus::IOError(what);
    }
    return verdict;
  }

  void Arm(int64_t remaining, bool bytes, bool always, FaultSpec spec) {
    absl::MutexLock lock(&mu_);
    spec_ = spec;
    remaining_ = remaining;
    mode_ = always ? Mode::kAlways : bytes ? Mode::kAfterBytes : Mode::kCount;
    if (mode_ == Mode::kCount && remaining_ <= 0) mode_ = Mode::kOff;
  }

  void Disarm() {
    absl::MutexLock lock(&mu_);
    mode_ = Mode::kOff;
  }

  StorageFaultCounts counts() const {
    absl::MutexLock lock(&mu_);
    return counts_;
  }

 private:
  enum class Mode { kOff, kCount, kAlways, kAfterBytes };
  mutable absl::Mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kOff;
  FaultSpec spec_ ABSL_GUARDED_BY(mu_);
  int64_t remaining_ ABSL_GUARDED_BY(mu_) = 0;
  StorageFaultCounts counts_ ABSL_GUARDED_BY(mu_);
};

namespace {

using Impl = FaultInjectingStorage::Impl;

class FaultyFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string path,
             std::shared_ptr<Impl> impl)
      : FSWritableFileOwnerWrapper(std::move(file)), path_(std::move(path)), impl_(std::move(impl)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kAppendOps, path_, data.size());
    if (v.status.ok()) return target()->Append(data, options, dbg);
    return Torn(data, v, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kAppendOps, path_, data.size());
    if (v.status.ok()) return target()->Append(data, options, info, dbg);
    return Torn(data, v, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kAppendOps, path_, data.size());
    if (!v.status.ok()) return v.status;
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kAppendOps, path_, data.size());
    if (!v.status.ok()) return v.status;
    return target()->PositionedAppend(data, offset, options, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kSyncOps, path_, 0);
    return v.status.ok() ? target()->Sync(options, dbg) : v.status;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kSyncOps, path_, 0);
    return v.status.ok() ? target()->Fsync(options, dbg) : v.status;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kSyncOps, path_, 0);
    return v.status.ok() ? target()->RangeSync(offset, nbytes, options, dbg) : v.status;
  }

 private:
  // Writes what the verdict allows of `data`, then fails.
  rocksdb::IOStatus Torn(const rocksdb::Slice& data, const Impl::Verdict& v,
                         const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
    if (v.writable > 0) {
      target()->Append(rocksdb::Slice(data.data(), v.writable), options, dbg).PermitUncheckedError();
    }
    return v.status;
  }

  const std::string path_;
  std::shared_ptr<Impl> impl_;
};

class FaultyDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultyDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, std::string path,
                  std::shared_ptr<Impl> impl)
      : FSDirectoryWrapper(std::move(dir)), path_(std::move(path)), impl_(std::move(impl)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    Impl::Verdict v = impl_->Judge(kSyncOps, path_, 0);
    return v.status.ok() ? FSDirectoryWrapper::Fsync(options, dbg) : v.status;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    Impl::Verdict v = impl_->Judge(kSyncOps, path_, 0);
    return v.status.ok() ? FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options)
                         : v.status;
  }

 private:
  const std::string path_;
  std::shared_ptr<Impl> impl_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultyFileSystem(std::shared_ptr<Impl> impl)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), impl_(std::move(impl)) {}

  const char* Name() const override { return "VanguardFaultInjectingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = impl_->Judge(kCreateOps, path, 0).status; !s.ok()) return s;
    return Wrap(path, target()->NewWritableFile(path, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& path,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = impl_->Judge(kCreateOps, path, 0).status; !s.ok()) return s;
    return Wrap(path, target()->ReopenWritableFile(path, options, result, dbg), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = impl_->Judge(kCreateOps, path, 0).status; !s.ok()) return s;
    return Wrap(path, target()->ReuseWritableFile(path, old_path, options, result, dbg), result);
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = impl_->Judge(kCreateOps, to, 0).status; !s.ok()) return s;
    return target()->RenameFile(from, to, options, dbg);
  }
  rocksdb::IOStatus NewDirectory(const std::string& path, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(path, options, result, dbg);
    if (s.ok()) *result = std::make_unique<FaultyDirectory>(std::move(*result), path + "/", impl_);
    return s;
  }

 private:
  rocksdb::IOStatus Wrap(const std::string& path, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (opened.ok()) *result = std::make_unique<FaultyFile>(std::move(*result), path, impl_);
    return opened;
  }

  std::shared_ptr<Impl> impl_;
};

}  // namespace

FaultInjectingStorage::FaultInjectingStorage()
    : impl_(std::make_shared<Impl>()),
      env_(rocksdb::NewCompositeEnv(std::make_shared<FaultyFileSystem>(impl_))) {}

FaultInjectingStorage::~FaultInjectingStorage() = default;

rocksdb::Env* FaultInjectingStorage::env() const { return env_.get(); }

void FaultInjectingStorage::FailNext(int n, FaultSpec spec) { impl_->Arm(n, false, false, spec); }

void FaultInjectingStorage::FailFromNow(FaultSpec spec) { impl_->Arm(0, false, true, spec); }

void FaultInjectingStorage::FailAfterBytes(int64_t bytes, FaultSpec spec) {
  impl_->Arm(bytes, true, false, spec);
}

void FaultInjectingStorage::Disarm() { impl_->Disarm(); }

StorageFaultCounts FaultInjectingStorage::counts() const { return impl_->counts(); }

}  // namespace vanguard::eventlog::testing
