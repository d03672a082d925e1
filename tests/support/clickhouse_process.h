// ClickHouseProcess: one real clickhouse-server (Debian's 18.16) for integration tests, run as
// the current user under a temp dir by bench/clickhouse/clickhouse.sh (config, data, logs and
// pid in the dir; loopback ports chosen free), stopped and removed by the destructor.
// ConfigureCluster() turns several of them into a ClickHouse cluster of shards of one or more
// replicas (a remote_servers file in each server's config.d, which ClickHouse reloads by
// itself); ReplicaConfig() is what a replica needs before it starts (ZooKeeper and macros).
//
// Thread-safety: externally synchronized; start/stop from the test's main thread.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vigia::testing {

class ClickHouseProcess {
 public:
  // Files of config.d: {file name, content}.
  using ConfigFiles = std::vector<std::pair<std::string, std::string>>;

  // Starts a server named `name` (part of its directory's name) with `config_d` in its
  // config.d from the first start; ok() says whether it runs.
  explicit ClickHouseProcess(const std::string& name, const ConfigFiles& config_d = {});
  ~ClickHouseProcess();
  ClickHouseProcess(const ClickHouseProcess&) = delete;
  ClickHouseProcess& operator=(const ClickHouseProcess&) = delete;

  // SIGTERM, waiting for the exit (the script escalates to SIGKILL after 30 s).
  void Stop();
  // kill -9, waiting until the process is gone.
  void Kill();
  // Starts it again on the same ports with the same config and data; true once /ping answers.
  bool Restart();

  bool ok() const { return http_ != 0; }
  int tcp() const { return tcp_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int http_ = 0, tcp_ = 0;
};

// Writes the cluster `name` (one shard per server, in this order) into every server's
// config.d and waits (up to 60 s) until each reports it in system.clusters. Returns false on
// timeout.
bool ConfigureCluster(const std::vector<const ClickHouseProcess*>& servers,
                      const std::string& name);
// ConfigureCluster with shards of several replicas (internal_replication: an insert through the
// Distributed table goes to one replica of a shard, ReplicatedMergeTree copies it to the rest).
bool ConfigureReplicatedCluster(const std::vector<std::vector<const ClickHouseProcess*>>& shards,
                                const std::string& name);

// config.d files of a replica of a ReplicatedMergeTree cluster: the ZooKeeper on loopback
// `zk_port`, and the macros {shard} and {replica} the table's ZooKeeper path is made of.
ClickHouseProcess::ConfigFiles ReplicaConfig(int zk_port, int shard, int replica);

// Runs a shell command; its stdout, or "" when it failed.
std::string ShellOutput(const std::string& cmd);

}  // namespace vigia::testing
