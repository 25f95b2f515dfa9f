// A private PostgreSQL 15 server (Debian's postgresql-15) for one process:
// initdb into a fresh temporary directory, started on 127.0.0.1 at a free
// port with its Unix socket in that directory; stopped (pg_ctl stop -m fast)
// and the directory removed when destroyed.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Cluster> cluster, Cluster::Start({.max_connections = 20}));
//   ASSIGN_OR_RETURN(auto db, Connection::Open(cluster->conninfo()));
//
// initdb and postgres refuse to run as root; as root the tools run as the
// `postgres` user (runuser), which owns the directory. The directory is made
// under $TMPDIR (default /tmp), which that user must be able to enter.
// Start blocks until the server accepts connections (at most a minute).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace vanguard::bench::pg {

struct ClusterOptions {
  int max_connections = 100;
  std::string shared_buffers = "256MB";
};

class Cluster {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Cluster>> Start(
      const ClusterOptions& options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int port() const { return port_; }
  const std::string& directory() const { return directory_; }
  // libpq connection string: user postgres over the Unix socket.
  std::string conninfo() const;

 private:
  Cluster() = default;
  // Runs a PostgreSQL tool (as `postgres` when root) in the directory, its
  // output appended to tools.log there; INTERNAL with the log's tail unless it exits 0.
  absl::Status RunTool(const std::string& tool, std::vector<std::string> args) const;

  std::string directory_;
  int port_ = 0;
};

}  // namespace vanguard::bench::pg
