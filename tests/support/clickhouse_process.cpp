#include "support/clickhouse_process.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace vigia::testing {
namespace {

namespace fs = std::filesystem;

std::string Script() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return (fs::path(src ? src : ".") / "bench/clickhouse/clickhouse.sh").string();
}

std::string Query(const std::string& url, const std::string& sql) {
  return ShellOutput("curl -s --max-time 5 '" + url + "/' --data-binary \"" + sql + "\"");
}

}  // namespace

std::string ShellOutput(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  if (pclose(p) != 0) out.clear();
  return out;
}

ClickHouseProcess::ClickHouseProcess(const std::string& name, const ConfigFiles& config_d) {
  dir_ = (fs::temp_directory_path() / ("vigia_ch_" + std::to_string(::getpid()) + "_" + name))
             .string();
  fs::remove_all(dir_);
  if (!config_d.empty()) fs::create_directories(dir_ + "/config.d");
  for (const auto& [file, content] : config_d) std::ofstream(dir_ + "/config.d/" + file) << content;
  std::string out = ShellOutput(Script() + " start " + dir_);
  if (std::sscanf(out.c_str(), "%d %d", &http_, &tcp_) != 2) http_ = 0;
}

ClickHouseProcess::~ClickHouseProcess() {
  Stop();
  fs::remove_all(dir_);
}

void ClickHouseProcess::Stop() {
  if (http_ != 0) ShellOutput(Script() + " stop " + dir_);
}

void ClickHouseProcess::Kill() {
  if (http_ == 0) return;
  std::string pid = ShellOutput("cat " + dir_ + "/pid");
  if (pid.empty()) return;
  pid.erase(pid.find_last_not_of("\n") + 1);
  ShellOutput("kill -9 " + pid + " 2>/dev/null");
  for (int i = 0; i < 300 && !ShellOutput("kill -0 " + pid + " 2>/dev/null && echo up").empty();
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool ClickHouseProcess::Restart() {
  // The script's `start` picks free ports; clients were configured with these, so the server
  // starts again from the config it wrote.
  std::string cmd = "cd " + dir_ + " && (exec $(command -v clickhouse-server || echo " +
                    "/usr/sbin/clickhouse-server) --config-file=" + dir_ + "/config.xml >>" + dir_ +
                    "/log/stdout.log 2>&1 & echo $! >" + dir_ + "/pid) && echo started";
  if (ShellOutput(cmd).empty()) return false;
  for (int i = 0; i < 600; ++i) {
    if (ShellOutput("curl -s " + url() + "/ping") == "Ok.\n") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool ConfigureCluster(const std::vector<const ClickHouseProcess*>& servers,
                      const std::string& name) {
  std::vector<std::vector<const ClickHouseProcess*>> shards;
  for (const ClickHouseProcess* s : servers) shards.push_back({s});
  return ConfigureReplicatedCluster(shards, name);
}

bool ConfigureReplicatedCluster(const std::vector<std::vector<const ClickHouseProcess*>>& shards,
                                const std::string& name) {
  std::string cfg = "<?xml version=\"1.0\"?>\n<yandex><remote_servers><" + name + ">";
  std::vector<const ClickHouseProcess*> servers;
  for (const auto& replicas : shards) {
    cfg += "<shard>";
    if (replicas.size() > 1) cfg += "<internal_replication>true</internal_replication>";
    for (const ClickHouseProcess* s : replicas) {
      cfg +=
          "<replica><host>127.0.0.1</host><port>" + std::to_string(s->tcp()) + "</port></replica>";
      servers.push_back(s);
    }
    cfg += "</shard>";
  }
  cfg += "</" + name + "></remote_servers></yandex>\n";
  for (const ClickHouseProcess* s : servers) {
    fs::create_directories(s->dir() + "/config.d");
    std::ofstream(s->dir() + "/config.d/remote_servers.xml") << cfg;
  }
  const std::string want = std::to_string(servers.size()) + "\n";
  const std::string sql = "SELECT count() FROM system.clusters WHERE cluster = '" + name + "'";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const ClickHouseProcess* s : servers) all = all && Query(s->url(), sql) == want;
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

ClickHouseProcess::ConfigFiles ReplicaConfig(int zk_port, int shard, int replica) {
  return {{"zookeeper.xml",
           "<?xml version=\"1.0\"?>\n<yandex><zookeeper><node><host>127.0.0.1</host><port>" +
               std::to_string(zk_port) +
               "</port></node><session_timeout_ms>10000</session_timeout_ms></zookeeper>"
               "</yandex>\n"},
          {"macros.xml", "<?xml version=\"1.0\"?>\n<yandex><macros><shard>" +
                             std::to_string(shard) + "</shard><replica>r" +
                             std::to_string(replica) + "</replica></macros></yandex>\n"}};
}

}  // namespace vigia::testing
