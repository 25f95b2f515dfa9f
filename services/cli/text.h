// Text for people at a terminal: money as they read it, and tables whose
// columns line up even with Chinese names (display width, not bytes).
//
//   Table table({"organisation", "members", "funds received"});
//   table.AddRow({"第1村党总支", "45", Yuan(8'360'000)});
//   table.Print(std::cout);
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace vanguard::cli {

// ¥39,600.00 from 3960000 fen.
std::string Yuan(int64_t fen);
// A non-negative decimal with at most `places` decimals, scaled by 10^places,
// exactly: ParseDecimal("8.5", 3) == 8500. Commas group digits; nullopt for
// anything else.
std::optional<int64_t> ParseDecimal(const std::string& text, int places);
// "20000", "20000.5" or "20,000.50" yuan as fen.
inline std::optional<int64_t> ParseYuan(const std::string& text) { return ParseDecimal(text, 2); }
// A basis-point rate as a percentage: 5602 → "56.02%".
std::string Percent(int32_t bp);
// Terminal columns: a CJK character (three or four bytes in UTF-8) takes two.
int DisplayWidth(const std::string& utf8);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Columns two spaces apart; a column of numbers, amounts and rates is
  // right-aligned, any other left-aligned.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vanguard::cli
