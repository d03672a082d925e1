// vigia clickhouse init|migrate: creates or upgrades the ClickHouse schema of
// storage.backend = "clickhouse" (clickhouse/clickhouse_schema.h, docs/clickhouse.md) on every
// server given with --url (on a cluster: each server once; `events_local` there and the
// Distributed `events` over --cluster). Idempotent: a second run changes nothing. `init`
// and `migrate` run the same versioned steps; `init` says it created the schema, `migrate`
// from which version it moved. Exit 0 on success, 1 when a server refused or was unreachable,
// 2 on bad arguments.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"

namespace vigia::cli {
namespace {

struct ClickHouseArgs {
  std::vector<std::string> urls;
  std::string cluster;
  std::string database = "vigia";
  std::string user;
  std::string password;
  bool replicated = false;
};

int Run(const ClickHouseArgs& a, bool init) {
  if (a.urls.empty()) {
    std::fprintf(stderr, "vigia clickhouse: --url is required (once per server)\n");
    return 2;
  }
  clickhouse::SchemaOptions schema;
  schema.database = a.database;
  schema.cluster = a.cluster;
  schema.replicated = a.replicated;
  int rc = 0;
  for (const std::string& url : a.urls) {
    clickhouse::ClickHouseClient client(url, a.user, a.password);
    Result<uint32_t> before = clickhouse::MigrateSchema(client, schema);
    if (!before.ok()) {
      std::fprintf(stderr, "vigia clickhouse: %s: %s\n", url.c_str(),
                   before.status().ToString().c_str());
      rc = 1;
      continue;
    }
    const uint32_t now = clickhouse::kSchemaVersion;
    if (*before == now) {
      std::printf("%s: schema already at version %u (database %s%s%s)\n", url.c_str(), now,
                  a.database.c_str(), a.cluster.empty() ? "" : ", cluster ", a.cluster.c_str());
    } else if (init && *before == 0) {
      std::printf("%s: schema version %u created (database %s%s%s)\n", url.c_str(), now,
                  a.database.c_str(), a.cluster.empty() ? "" : ", cluster ", a.cluster.c_str());
    } else {
      std::printf("%s: schema migrated from version %u to %u\n", url.c_str(), *before, now);
    }
  }
  return rc;
}

}  // namespace

void RegisterClickHouseCommand(CLI::App& app, int* exit_code) {
  CLI::App* ch =
      app.add_subcommand("clickhouse", "The ClickHouse schema of storage.backend = \"clickhouse\"");
  ch->require_subcommand(1);
  for (bool init : {true, false}) {
    auto args = std::make_shared<ClickHouseArgs>();
    CLI::App* cmd =
        ch->add_subcommand(init ? "init" : "migrate",
                           init ? "Create the schema (idempotent) on each server"
                                : "Apply the schema versions a server is missing (idempotent)");
    cmd->add_option("--url", args->urls,
                    "a server's HTTP interface, http://host:8123 (repeat for every server of "
                    "the cluster)")
        ->required();
    cmd->add_option("--cluster", args->cluster,
                    "cluster name (remote_servers): events_local + Distributed events");
    cmd->add_option("--database", args->database, "database (default vigia)");
    cmd->add_option("--user", args->user, "ClickHouse user");
    cmd->add_option("--password", args->password, "its password");
    cmd->add_flag("--replicated", args->replicated,
                  "ReplicatedMergeTree (needs ZooKeeper and {shard}/{replica} macros)");
    cmd->callback([args, exit_code, init] { *exit_code = Run(*args, init); });
  }
}

}  // namespace vigia::cli
