#include "libs/views/memory_projection.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/views/figures.h"
#include "libs/views/internal/projection.h"

namespace vanguard::views {

class MemoryProjection::State : public internal::ProjectionState {
 public:
  State() {
    if (!absl::LoadTimeZone("Asia/Shanghai", &zone_)) zone_ = absl::FixedTimeZone(8 * 3600);
    projection_ = std::make_unique<internal::Projection>(parents_, zone_);
  }

  std::optional<std::string> GetRecord(const std::string& key) override {
    auto it = records_.find(key);
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  void PutRecord(const std::string& key, std::string value) override {
    records_[key] = std::move(value);
  }
  bool HasIndex(const std::string& key) override { return index_.contains(key); }
  void PutIndex(const std::string& key, std::string value) override {
    index_[key] = std::move(value);
  }
  void DeleteIndex(const std::string& key) override { index_.erase(key); }
  void PutHistory(const std::string& key, std::string value) override {
    history_[key] = std::move(value);
  }
  TallyValue& MutableTally(const std::string& key) override { return tallies_[key]; }
  std::vector<std::pair<std::string, v1::Tally>> NodeTallies(const std::string& node) override {
    const std::string prefix = TallyPrefix(node);
    std::vector<std::pair<std::string, v1::Tally>> out;
    for (auto it = tallies_.lower_bound(prefix);
         it != tallies_.end() && it->first.starts_with(prefix); ++it) {
      if (!it->second.empty()) out.emplace_back(it->first, it->second.ToProto());
    }
    return out;
  }

  std::string Fingerprint() const {
    std::string out;
    auto add = [&out](absl::string_view family, const std::string& key, const std::string& value) {
      absl::StrAppend(&out, family, key.size(), ":", key, value.size(), ":", value, "\n");
    };
    for (const auto& [k, v] : records_) add("r", k, v);
    for (const auto& [k, v] : index_) add("i", k, v);
    for (const auto& [k, v] : history_) add("h", k, v);
    for (const auto& [k, v] : tallies_) {
      if (!v.empty()) add("t", k, v.ToProto().SerializeAsString());
    }
    std::map<std::string, std::string> parents(parents_.begin(), parents_.end());
    for (const auto& [k, v] : parents) add("p", k, v);
    return out;
  }

  int MaxFigures() const {
    int most = 0;
    for (const auto& [k, v] : tallies_) most = std::max(most, v.ToProto().counts_size());
    return most;
  }

  internal::Projection& projection() { return *projection_; }

 private:
  absl::TimeZone zone_;
  internal::ParentMap parents_;
  std::unique_ptr<internal::Projection> projection_;
  std::map<std::string, std::string> records_, index_, history_;
  std::map<std::string, TallyValue> tallies_;
};

MemoryProjection::MemoryProjection() : state_(std::make_unique<State>()) {}
MemoryProjection::~MemoryProjection() = default;

absl::Status MemoryProjection::Apply(const v1::Envelope& envelope) {
  if (parked_.contains(envelope.aggregate_id())) {
    return absl::FailedPreconditionError(absl::StrCat(envelope.aggregate_id(), " is parked"));
  }
  absl::Status status = state_->projection().Apply(*state_, envelope, envelope.SerializeAsString());
  if (!status.ok()) parked_.insert(envelope.aggregate_id());
  return status;
}

std::string MemoryProjection::Fingerprint() const { return state_->Fingerprint(); }
int MemoryProjection::MaxFigures() const { return state_->MaxFigures(); }

}  // namespace vanguard::views
