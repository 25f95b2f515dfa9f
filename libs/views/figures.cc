#include "libs/views/figures.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vanguard::views {
namespace {

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Merges a sorted list into another, scaled by sign, dropping zeros.
template <typename Entry, typename KeyOf, typename ValueOf, typename Make>
void MergeSorted(google::protobuf::RepeatedPtrField<Entry>& into,
                 const google::protobuf::RepeatedPtrField<Entry>& delta, int64_t sign, KeyOf key,
                 ValueOf value, Make make) {
  if (delta.empty()) return;
  std::vector<Entry> merged;
  merged.reserve(into.size() + delta.size());
  auto a = into.begin();
  auto b = delta.begin();
  while (a != into.end() || b != delta.end()) {
    if (b == delta.end() || (a != into.end() && key(*a) < key(*b))) {
      merged.push_back(*a++);
    } else if (a == into.end() || key(*b) < key(*a)) {
      if (int64_t v = WrappingSigned(sign, value(*b)); v != 0) merged.push_back(make(*b, v));
      ++b;
    } else {
      if (int64_t v = WrappingAdd(value(*a), WrappingSigned(sign, value(*b))); v != 0) merged.push_back(make(*a, v));
      ++a;
      ++b;
    }
  }
  into.Clear();
  for (Entry& e : merged) *into.Add() = std::move(e);
}

}  // namespace

std::string YearPeriod(int year) { return absl::StrFormat("%04d", year); }
std::string QuarterPeriod(int year, int quarter) {
  return absl::StrFormat("%04d-Q%d", year, quarter);
}
std::string MonthPeriod(int year, int month) { return absl::StrFormat("%04d-%02d", year, month); }

bool IsMonthPeriod(absl::string_view p) {
  if (p.size() != 7 || p[4] != '-' || !AllDigits(p.substr(0, 4)) || !AllDigits(p.substr(5))) {
    return false;
  }
  int month = (p[5] - '0') * 10 + (p[6] - '0');
  return month >= 1 && month <= 12;
}

bool IsPeriod(absl::string_view p) {
  if (p.empty()) return true;
  if (p.size() == 4) return AllDigits(p);
  if (p.size() == 7 && p[5] == 'Q') {
    return AllDigits(p.substr(0, 4)) && p[4] == '-' && p[6] >= '1' && p[6] <= '4';
  }
  return IsMonthPeriod(p);
}

std::string TallyKey(absl::string_view node, absl::string_view campaign, absl::string_view period) {
  std::string key;
  key.reserve(node.size() + campaign.size() + period.size() + 2);
  absl::StrAppend(&key, node, absl::string_view("\0", 1), campaign, absl::string_view("\0", 1),
                  period);
  return key;
}

std::string TallyPrefix(absl::string_view node) {
  return absl::StrCat(node, absl::string_view("\0", 1));
}

std::string OrganisationNode(absl::string_view organisation_id) {
  return absl::StrCat("o:", organisation_id);
}
std::string MemberNode(absl::string_view member_id) { return absl::StrCat("m:", member_id); }

void AddCount(v1::Tally& into, int figure, int64_t delta) {
  if (delta == 0) return;
  auto* counts = into.mutable_counts();
  if (counts->size() <= figure) counts->Resize(figure + 1, 0);
  counts->Set(figure, WrappingAdd(counts->Get(figure), delta));
  while (!counts->empty() && counts->Get(counts->size() - 1) == 0) counts->RemoveLast();
}

int64_t Count(const v1::Tally& tally, int figure) {
  return figure < tally.counts_size() ? tally.counts(figure) : 0;
}

void AddTally(v1::Tally& into, const v1::Tally& delta, int64_t sign) {
  auto* counts = into.mutable_counts();
  if (counts->size() < delta.counts_size()) counts->Resize(delta.counts_size(), 0);
  for (int i = 0; i < delta.counts_size(); ++i) {
    counts->Set(i, WrappingAdd(counts->Get(i), WrappingSigned(sign, delta.counts(i))));
  }
  while (!counts->empty() && counts->Get(counts->size() - 1) == 0) counts->RemoveLast();
  MergeSorted(
      *into.mutable_funds_by_source(), delta.funds_by_source(), sign,
      [](const v1::SourceAmount& e) { return e.source_organisation_id(); },
      [](const v1::SourceAmount& e) { return e.amount_fen(); },
      [](const v1::SourceAmount& e, int64_t v) {
        v1::SourceAmount out = e;
        out.set_amount_fen(v);
        return out;
      });
  MergeSorted(
      *into.mutable_open_pledges_by_due(), delta.open_pledges_by_due(), sign,
      [](const v1::DueCount& e) { return std::make_tuple(e.due_on(), static_cast<int>(e.kind())); },
      [](const v1::DueCount& e) { return e.count(); },
      [](const v1::DueCount& e, int64_t v) {
        v1::DueCount out = e;
        out.set_count(v);
        return out;
      });
}

bool IsEmpty(const v1::Tally& tally) {
  return tally.counts().empty() && tally.funds_by_source().empty() &&
         tally.open_pledges_by_due().empty();
}

void TallyValue::Add(const v1::Tally& delta, int64_t sign) {
  if (counts_.size() < static_cast<size_t>(delta.counts_size())) {
    counts_.resize(delta.counts_size(), 0);
  }
  for (int i = 0; i < delta.counts_size(); ++i) counts_[i] = WrappingAdd(counts_[i], WrappingSigned(sign, delta.counts(i)));
  while (!counts_.empty() && counts_.back() == 0) counts_.pop_back();
  for (const v1::SourceAmount& s : delta.funds_by_source()) {
    auto [it, fresh] = by_source_.try_emplace(s.source_organisation_id(), 0);
    it->second = WrappingAdd(it->second, WrappingSigned(sign, s.amount_fen()));
    if (it->second == 0) by_source_.erase(it);
  }
  for (const v1::DueCount& d : delta.open_pledges_by_due()) {
    auto [it, fresh] = due_.try_emplace({d.due_on(), static_cast<int>(d.kind())}, 0);
    it->second = WrappingAdd(it->second, WrappingSigned(sign, d.count()));
    if (it->second == 0) due_.erase(it);
  }
}

v1::Tally TallyValue::ToProto() const {
  v1::Tally tally;
  tally.mutable_counts()->Add(counts_.begin(), counts_.end());
  for (const auto& [source, amount] : by_source_) {
    v1::SourceAmount* s = tally.add_funds_by_source();
    s->set_source_organisation_id(source);
    s->set_amount_fen(amount);
  }
  for (const auto& [at, count] : due_) {
    v1::DueCount* d = tally.add_open_pledges_by_due();
    d->set_due_on(at.first);
    d->set_kind(static_cast<v1::PledgeKind>(at.second));
    d->set_count(count);
  }
  return tally;
}

}  // namespace vanguard::views
