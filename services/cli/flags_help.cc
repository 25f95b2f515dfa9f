#include "services/cli/flags_help.h"

#include <string_view>

#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"

namespace vanguard::cli {

std::string FlagsHelp(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      absl::StrAppend(&out, "  --", name, " (no such flag)\n");
      continue;
    }
    std::string fallback = flag->DefaultValue();
    if (flag->IsOfType<std::string>()) fallback = absl::StrCat("\"", fallback, "\"");
    absl::StrAppend(&out, "  --", name, " (default ", fallback, ")\n      ", flag->Help(), "\n");
  }
  return out;
}

bool IsHelpFlag(const char* arg) {
  std::string_view a = arg;
  return a == "--help" || a == "-help" || a == "-h";
}

}  // namespace vanguard::cli
