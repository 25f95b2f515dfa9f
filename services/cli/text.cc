#include "services/cli/text.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace vanguard::cli {

std::string Yuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude = negative ? -static_cast<uint64_t>(fen) : fen;
  const std::string digits = absl::StrCat(magnitude / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return absl::StrFormat("%s¥%s.%02d", negative ? "-" : "", grouped, magnitude % 100);
}

std::optional<int64_t> ParseDecimal(const std::string& text, int places) {
  std::string plain = absl::StrReplaceAll(text, {{",", ""}});
  size_t dot = plain.find('.');
  std::string whole = plain.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : plain.substr(dot + 1);
  auto digits = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); });
  };
  if (whole.empty() || static_cast<int>(fraction.size()) > places || !digits(whole) ||
      !digits(fraction) || whole.size() > 15) {
    return std::nullopt;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(whole, &value)) return std::nullopt;
  fraction.resize(places, '0');
  for (char c : fraction) value = value * 10 + (c - '0');
  for (int i = static_cast<int>(fraction.size()); i < places; ++i) value *= 10;
  return value;
}

std::string Percent(int32_t bp) { return absl::StrFormat("%d.%02d%%", bp / 100, bp % 100); }

int DisplayWidth(const std::string& utf8) {
  int width = 0;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = utf8[i];
    int bytes = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    width += bytes >= 3 ? 2 : 1;
    i += bytes;
  }
  return width;
}

void Table::Print(std::ostream& out) const {
  std::vector<int> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(cells[i]));
    }
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  std::vector<bool> numeric(headers_.size(), !rows_.empty());
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < numeric.size(); ++i) {
      const std::string& c = row[i];
      bool number = !c.empty() && (std::isdigit(static_cast<unsigned char>(c[0])) ||
                                   c.starts_with("¥") || c.starts_with("-"));
      numeric[i] = numeric[i] && number;
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string& cell = i < cells.size() ? cells[i] : "";
      std::string pad(std::max(0, widths[i] - DisplayWidth(cell)), ' ');
      if (i > 0) out << "  ";
      out << (numeric[i] ? pad + cell : cell + pad);
    }
    out << "\n";
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
}

}  // namespace vanguard::cli
