#include "tests/bench/peer/cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"

extern char** environ;

namespace vanguard::bench::pg {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin/";

std::string Tail(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// A port free now; the server may still lose it to another process before it
// binds, so Start retries.
absl::StatusOr<int> FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", std::strerror(errno)));
  return ntohs(address.sin_port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Cluster>> Cluster::Start(const ClusterOptions& options) {
  std::unique_ptr<Cluster> cluster(new Cluster());
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmpdir != nullptr && *tmpdir ? tmpdir : "/tmp", "/vanguard-pgpeer-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
  }
  cluster->directory_ = pattern;
  if (geteuid() == 0) {
    const passwd* postgres = getpwnam("postgres");
    if (postgres == nullptr) {
      return absl::FailedPreconditionError("running as root and there is no user postgres");
    }
    if (chown(pattern.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("chown ", pattern, ": ", std::strerror(errno)));
    }
  }

  const std::string data = cluster->directory_ + "/data";
  // --no-sync only skips flushing initdb's own files; the server runs with
  // fsync and synchronous_commit on, as a durable deployment would.
  RETURN_IF_ERROR(cluster->RunTool("initdb", {"-D", data, "-U", "postgres", "-A", "trust", "-E",
                                              "UTF8", "--locale=C", "--no-sync"}));
  {
    std::ofstream conf(data + "/postgresql.conf", std::ios::app);
    conf << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << cluster->directory_ << "'\n"
         << "max_connections = " << options.max_connections << "\n"
         << "shared_buffers = " << options.shared_buffers << "\n"
         << "fsync = on\nsynchronous_commit = on\n";
    if (!conf) return absl::InternalError("cannot append to postgresql.conf");
  }

  absl::Status started;
  for (int attempt = 0; attempt < 5; ++attempt) {
    ASSIGN_OR_RETURN(cluster->port_, FreePort());
    started = cluster->RunTool(
        "pg_ctl", {"-D", data, "-l", cluster->directory_ + "/postgres.log", "-w", "-t", "60", "-o",
                   absl::StrCat("-p ", cluster->port_), "start"});
    if (started.ok()) break;
  }
  if (!started.ok()) {
    return absl::UnavailableError(absl::StrCat(
        started.message(), "\npostgres.log: ", Tail(cluster->directory_ + "/postgres.log")));
  }
  return cluster;
}

Cluster::~Cluster() {
  // Also a server that pg_ctl gave up waiting for.
  if (!directory_.empty() && std::filesystem::exists(directory_ + "/data/postmaster.pid")) {
    RunTool("pg_ctl", {"-D", directory_ + "/data", "-m", "fast", "-w", "stop"}).IgnoreError();
  }
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

std::string Cluster::conninfo() const {
  return absl::StrCat("host=", directory_, " port=", port_, " user=postgres dbname=postgres");
}

absl::Status Cluster::RunTool(const std::string& tool, std::vector<std::string> args) const {
  args.insert(args.begin(), kBinDir + tool);
  if (geteuid() == 0) args.insert(args.begin(), {"runuser", "-u", "postgres", "--"});
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const std::string log = directory_ + "/tools.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The tools resolve their own path from the working directory, which the
  // postgres user may not be allowed to read; the cluster's directory it can.
  posix_spawn_file_actions_addchdir_np(&actions, directory_.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return absl::InternalError(absl::StrCat("cannot run ", args[0], ": ", std::strerror(spawned)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(tool, " failed (status ", status, "); ", log, ":\n", Tail(log)));
}

}  // namespace vanguard::bench::pg
