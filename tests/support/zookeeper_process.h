// ZooKeeperProcess: one real ZooKeeper server (Debian's `zookeeper` package, standalone mode)
// for the replicated ClickHouse tests — ReplicatedMergeTree keeps its replication log and
// insert-deduplication hashes there. Runs as the current user under a temp dir (config, data,
// log), on a free loopback port, started by the constructor, stopped by the destructor.
//
// Thread-safety: externally synchronized; start/stop from the test's main thread.
#pragma once

#include <string>

namespace vigia::testing {

class ZooKeeperProcess {
 public:
  // Starts the server and waits (up to 60 s) until it answers `ruok`; ok() says whether it runs.
  explicit ZooKeeperProcess(const std::string& name);
  ~ZooKeeperProcess();
  ZooKeeperProcess(const ZooKeeperProcess&) = delete;
  ZooKeeperProcess& operator=(const ZooKeeperProcess&) = delete;

  bool ok() const { return pid_ > 0; }
  int port() const { return port_; }
  // The server's log (for failure messages).
  std::string Log() const;

 private:
  std::string dir_;
  int port_ = 0;
  int pid_ = 0;
};

}  // namespace vigia::testing
