// A command's own flags, for its --help: each with its default and its help,
// in the order given.
//
//   std::cout << FlagsHelp({"data_dir", "listen"});
//     --data_dir (default "")
//         where the embedded log, the state store, the views and the keys live
#pragma once

#include <string>
#include <vector>

namespace vanguard::cli {

// The flags named (without dashes), as registered with Abseil; a name that
// is not registered is an error in the caller, shown as "(no such flag)".
std::string FlagsHelp(const std::vector<std::string>& names);

// True if `arg` asks for a command's help: --help, -help, -h. (--helpfull stays
// Abseil's: every flag the binary has, which deploy/check reads.)
bool IsHelpFlag(const char* arg);

}  // namespace vanguard::cli
