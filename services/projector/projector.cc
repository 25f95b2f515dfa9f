#include "services/projector/projector.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace vanguard::projector {

absl::StatusOr<std::unique_ptr<Projector>> Projector::Start(eventlog::EventLog& log,
                                                            views::ViewStore& views,
                                                            ProjectorOptions options) {
  if (views.log_id() != log.log_id()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the views follow log ", views.log_id(), ", not ", log.log_id()));
  }
  if (views.partition_count() != log.partition_count()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the views have ", views.partition_count(), " partitions, the log ",
                     log.partition_count()));
  }
  std::unique_ptr<Projector> projector(new Projector(log, views, options));
  projector->thread_ = std::thread([p = projector.get()] { p->Run(); });
  return projector;
}

Projector::~Projector() { Stop(); }

void Projector::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::Status Projector::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void Projector::Fail(absl::Status status) {
  absl::MutexLock lock(&mu_);
  status_ = std::move(status);
}

bool Projector::WaitCaughtUp(absl::Time deadline) const {
  eventlog::PositionMap ends;
  for (int32_t p = 0; p < log_.partition_count(); ++p) {
    absl::StatusOr<int64_t> end = log_.EndOffset(p, deadline);
    if (!end.ok()) return false;
    ends[p] = *end;
  }
  while (absl::Now() < deadline) {
    if (!status().ok()) return false;
    if (views_.WaitUntil(ends, std::min(deadline, absl::Now() + absl::Milliseconds(200)))) {
      return true;
    }
  }
  return false;
}

void Projector::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  while (!stop_) {
    absl::StatusOr<std::unique_ptr<eventlog::LogReader>> reader = log_.OpenReader(views_.positions());
    if (!reader.ok()) {
      if (!absl::IsUnavailable(reader.status())) return Fail(reader.status());
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
      continue;
    }
    while (!stop_) {
      absl::StatusOr<std::vector<eventlog::StoredRecord>> records =
          (*reader)->Poll(options_.max_batch, absl::Now() + options_.poll_wait);
      if (!records.ok()) {
        if (!absl::IsUnavailable(records.status())) return Fail(records.status());
        absl::SleepFor(backoff);
        backoff = std::min(backoff * 2, absl::Seconds(5));
        break;  // reopen from the views' positions
      }
      backoff = absl::Milliseconds(50);
      if (records->empty()) continue;
      if (absl::Status applied = views_.Apply(*records); !applied.ok()) return Fail(applied);
    }
  }
}

}  // namespace vanguard::projector
