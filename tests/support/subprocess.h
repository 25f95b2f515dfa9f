// Child processes for tests that cross process boundaries.
//
//   Subprocess broker({vanguard_binary, "dev-kafka", "--partitions=12"});
//   std::string bootstrap = broker.ReadLine();
//   broker.Signal(SIGTERM);
//   EXPECT_EQ(broker.Wait(), 0);
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vanguard::testing {

class Subprocess {
 public:
  // Starts argv[0] with the given arguments; its stdout is readable here,
  // its stderr goes to this process's stderr.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();  // kills the child if it still runs

  // The next line of the child's stdout without its newline; "" at end of file.
  std::string ReadLine();
  void Signal(int signal);
  // Waits for the child and returns its exit code, or 128 + signal.
  int Wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  bool exited_ = false;
};

// Runs a shell command and returns its stdout (binary-safe); the exit code goes to *exit_code.
std::string RunShell(const std::string& command, int* exit_code);

}  // namespace vanguard::testing
