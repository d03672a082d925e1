#include "server/cluster_node_id.h"

#include <unistd.h>

#include <random>

#include "clickhouse/clickhouse_lease_table.h"

namespace vigia {
namespace {

constexpr char kClusterDir[] = "cluster";
constexpr char kNodeIdFile[] = "node_id";

std::string NewNodeId() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::string id;
  for (const char* p = host; *p != '\0' && id.size() < 40; ++p) {
    const char c = *p;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    id += ok ? c : '-';
  }
  if (id.empty()) id = "node";
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  id += '-';
  const uint32_t r = rd();
  for (int i = 7; i >= 0; --i) id += kHex[(r >> (i * 4)) & 0xf];
  return id;
}

}  // namespace

Result<std::string> LoadOrCreateNodeId(Env* env, const std::string& data_dir,
                                       const std::string& configured) {
  if (!configured.empty()) {
    if (!clickhouse::ValidNodeId(configured)) {
      return Status::InvalidArgument("cluster.node_id \"" + configured +
                                     "\": expected 1-64 of A-Z a-z 0-9 . _ -");
    }
    return configured;
  }
  const std::string dir = JoinPath(data_dir, kClusterDir);
  const std::string path = JoinPath(dir, kNodeIdFile);
  if (env->FileExists(path)) {
    VIGIA_ASSIGN_OR_RETURN(std::string id, env->ReadFileToString(path));
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ' ')) {
      id.pop_back();
    }
    if (!clickhouse::ValidNodeId(id)) {
      return Status::InvalidArgument(path + ": not a node id (expected 1-64 of A-Z a-z 0-9 . _ -)");
    }
    return id;
  }
  VIGIA_RETURN_IF_ERROR(env->CreateDir(dir));
  const std::string id = NewNodeId();
  VIGIA_RETURN_IF_ERROR(WriteFileAtomic(env, path, id + "\n"));
  return id;
}

}  // namespace vigia
