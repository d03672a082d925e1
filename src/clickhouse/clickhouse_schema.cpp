#include "clickhouse/clickhouse_schema.h"

#include <array>
#include <charconv>

#include "clickhouse/clickhouse_client.h"

namespace vigia::clickhouse {
namespace {

constexpr bool kLc = true;
constexpr bool kPlain = false;

// The canonical fields of src/event/event_fields.h with the type the normalizer gives them.
// LowCardinality where a field has few distinct values (it stores a dictionary per part).
constexpr std::array<CanonicalColumn, 46> kColumns = {{
    {"tenant", ColumnType::kString, kLc},
    {"kind", ColumnType::kString, kLc},
    {"level", ColumnType::kString, kLc},
    {"service", ColumnType::kString, kLc},
    {"env", ColumnType::kString, kLc},
    {"host", ColumnType::kString, kLc},
    {"version", ColumnType::kString, kLc},
    {"request_id", ColumnType::kString, kPlain},
    {"trace_id", ColumnType::kString, kPlain},
    {"span_id", ColumnType::kString, kPlain},
    {"user_id", ColumnType::kString, kPlain},
    {"session_id", ColumnType::kString, kPlain},
    {"msg", ColumnType::kString, kPlain},
    {"method", ColumnType::kString, kLc},
    {"route", ColumnType::kString, kLc},
    {"path", ColumnType::kString, kPlain},
    {"status", ColumnType::kInt, kPlain},
    {"duration_ms", ColumnType::kFloat, kPlain},
    {"ip", ColumnType::kString, kPlain},
    {"ua", ColumnType::kString, kLc},
    {"bytes_in", ColumnType::kInt, kPlain},
    {"bytes_out", ColumnType::kInt, kPlain},
    {"browser", ColumnType::kString, kLc},
    {"browser_version", ColumnType::kString, kLc},
    {"os", ColumnType::kString, kLc},
    {"os_version", ColumnType::kString, kLc},
    {"device", ColumnType::kString, kLc},
    {"perf_class", ColumnType::kString, kLc},
    {"error.type", ColumnType::kString, kLc},
    {"error.message", ColumnType::kString, kPlain},
    {"error.stack", ColumnType::kString, kPlain},
    {"error.code", ColumnType::kString, kLc},
    {"error.file", ColumnType::kString, kLc},
    {"error.line", ColumnType::kInt, kPlain},
    {"error.function", ColumnType::kString, kLc},
    {"fingerprint", ColumnType::kString, kPlain},
    {"action", ColumnType::kString, kLc},
    {"actor", ColumnType::kString, kPlain},
    {"entity", ColumnType::kString, kLc},
    {"entity_id", ColumnType::kString, kPlain},
    {"outcome", ColumnType::kString, kLc},
    {"sensitive", ColumnType::kBool, kPlain},
    {"details", ColumnType::kString, kPlain},
    {"metric", ColumnType::kString, kLc},
    {"value", ColumnType::kFloat, kPlain},
    {"unit", ColumnType::kString, kLc},
}};

constexpr std::array<std::string_view, 4> kTextFields = {"msg", "error.message", "error.type",
                                                         "error.stack"};

std::string ColumnSqlType(const CanonicalColumn& c) {
  switch (c.type) {
    case ColumnType::kString:
      return c.low_cardinality ? "LowCardinality(Nullable(String))" : "Nullable(String)";
    case ColumnType::kInt:
      return "Nullable(Int64)";
    case ColumnType::kFloat:
      return "Nullable(Float64)";
    case ColumnType::kBool:
      return "Nullable(UInt8)";
  }
  return "";
}

// The table body of version 1 (columns, engine clauses follow).
std::string ColumnsSql() {
  std::string s = "(\n  ts Int64,\n  seq UInt64";
  for (const CanonicalColumn& c : kColumns) {
    s += ",\n  " + SchemaOptions::Quoted(c.field) + " " + ColumnSqlType(c);
  }
  s += ",\n  x Nested(key String, type UInt8, value String)\n)";
  return s;
}

std::string MergeTreeClauses(const SchemaOptions& o, const std::string& table) {
  std::string engine = "MergeTree";
  if (o.replicated) {
    engine = "ReplicatedMergeTree('/clickhouse/tables/{shard}/" + o.database + "/" + table +
             "', '{replica}')";
  }
  // Partitions: one per UTC day (retention drops whole days; the tenant is not in the key
  // because an insert may touch at most 100 partitions). Order: the access paths of vigia's
  // queries (a tenant, a service, a kind, a time range).
  return " ENGINE = " + engine +
         "\nPARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000000000)))"
         "\nORDER BY (ifNull(tenant, ''), ifNull(service, ''), ifNull(kind, ''), ts)"
         "\nSETTINGS index_granularity = 8192";
}

}  // namespace

std::span<const CanonicalColumn> CanonicalColumns() { return kColumns; }

std::vector<int> AllCanonicalColumnIndexes() {
  std::vector<int> columns(std::size(kColumns));
  for (size_t i = 0; i < columns.size(); ++i) columns[i] = static_cast<int>(i);
  return columns;
}

const CanonicalColumn* FindCanonicalColumn(std::string_view field) {
  for (const CanonicalColumn& c : kColumns) {
    if (c.field == field) return &c;
  }
  return nullptr;
}

std::span<const std::string_view> TextFields() { return kTextFields; }

std::string SchemaOptions::Quoted(std::string_view ident) {
  std::string out = "`";
  for (char c : ident) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  out += '`';
  return out;
}

std::vector<std::string> SchemaStatements(const SchemaOptions& o, uint32_t version) {
  std::vector<std::string> out;
  std::string db = SchemaOptions::Quoted(o.database);
  if (version == 1) {
    out.push_back("CREATE DATABASE IF NOT EXISTS " + db);
    out.push_back("CREATE TABLE IF NOT EXISTS " + db +
                  ".vigia_schema (version UInt32, applied_at DateTime DEFAULT now())"
                  " ENGINE = TinyLog");
    if (o.cluster.empty()) {
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + ".events " + ColumnsSql() +
                    MergeTreeClauses(o, "events"));
    } else {
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + ".events_local " + ColumnsSql() +
                    MergeTreeClauses(o, "events_local"));
      // One request's events on one shard: a trace is answered by one shard, and a shard
      // that is down loses whole requests, not halves of them.
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + ".events AS " + db +
                    ".events_local ENGINE = Distributed(" + SqlString(o.cluster) + ", " +
                    SqlString(o.database) +
                    ", 'events_local', cityHash64(ifNull(request_id, toString(seq))))");
    }
  } else if (version == 2) {
    // Version 2: the heartbeats of the cluster leases (clickhouse_lease_table.h). One row per
    // heartbeat; merges keep each node's latest (ReplacingMergeTree by heartbeat_ns, a UInt
    // because 18.16 takes no signed version column), and readers take argMax anyway.
    const std::string columns =
        "(lease String, node String, heartbeat_ns UInt64, expires_ns UInt64, holder UInt8)";
    auto engine = [&](const std::string& table) {
      std::string e = o.replicated ? "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" +
                                         o.database + "/" + table + "', '{replica}', heartbeat_ns)"
                                   : std::string("ReplacingMergeTree(heartbeat_ns)");
      return " ENGINE = " + e + " ORDER BY (lease, node)";
    };
    if (o.cluster.empty()) {
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + ".leases " + columns + engine("leases"));
    } else {
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + ".leases_local " + columns +
                    engine("leases_local"));
      // Every row of one lease on one shard: any node reads all of a lease's heartbeats
      // through the Distributed table, whichever server it talks to.
      out.push_back("CREATE TABLE IF NOT EXISTS " + db + ".leases AS " + db +
                    ".leases_local ENGINE = Distributed(" + SqlString(o.cluster) + ", " +
                    SqlString(o.database) + ", 'leases_local', cityHash64(lease))");
    }
  } else if (version == 3) {
    // Version 3: state the nodes share (clickhouse_versioned_row_table.h) — the alert state
    // (instances and notification groups) and the silences. One row per write of a key; merges
    // keep the highest version, readers take argMax anyway; a tombstone (deleted = 1) removes a
    // key.
    const std::string columns =
        "(scope String, key String, version UInt64, deleted UInt8, body String)";
    for (std::string_view name : {kAlertStateTable, kSilencesTable}) {
      const std::string table(name);
      auto engine = [&](const std::string& t) {
        std::string e = o.replicated ? "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" +
                                           o.database + "/" + t + "', '{replica}', version)"
                                     : std::string("ReplacingMergeTree(version)");
        return " ENGINE = " + e + " ORDER BY (scope, key)";
      };
      if (o.cluster.empty()) {
        out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + table + " " + columns +
                      engine(table));
      } else {
        out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + table + "_local " + columns +
                      engine(table + "_local"));
        // Sharded by the scope like `leases` by the lease: scope "rules" lands on the shard of
        // lease `rules`, so the state is reachable whenever the lease is.
        out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + table + " AS " + db + "." + table +
                      "_local ENGINE = Distributed(" + SqlString(o.cluster) + ", " +
                      SqlString(o.database) + ", '" + table + "_local', cityHash64(scope))");
      }
    }
  } else if (version == 4) {
    // Version 4: the nodes' audit logs (clickhouse_audit_store.h; docs/scale-out.md). Each row
    // is append-only and its whole content is in the sort key, so merges fold only identical
    // rows (a retried insert) and never one row into a different one: a row added beside a
    // node's own at the same position stays for the verifier to see. No version column.
    struct AuditTable {
      std::string_view name;
      const char* columns;
      const char* order;
    };
    const AuditTable tables[] = {
        {kAuditKeysTable, "(key String, node String)", "(key, node)"},
        {kAuditRecordsTable,
         "(key String, tenant String, seq UInt64, last_seq UInt64, record String)",
         "(key, tenant, seq, record, last_seq)"},
        {kAuditCheckpointsTable, "(key String, tenant String, seq UInt64, checkpoint String)",
         "(key, tenant, seq, checkpoint)"},
    };
    for (const AuditTable& t : tables) {
      const std::string table(t.name);
      auto engine = [&](const std::string& name) {
        std::string e = o.replicated ? "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" +
                                           o.database + "/" + name + "', '{replica}')"
                                     : std::string("ReplacingMergeTree");
        return " ENGINE = " + e + " ORDER BY " + t.order;
      };
      if (o.cluster.empty()) {
        out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + table + " " + t.columns +
                      engine(table));
      } else {
        out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + table + "_local " + t.columns +
                      engine(table + "_local"));
        // Sharded by the log (the node's key): one node's chains, checkpoints and key on one
        // shard, so a verifier reads a chain from one place and a shard that is down takes
        // whole logs with it, never part of one.
        out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + table + " AS " + db + "." + table +
                      "_local ENGINE = Distributed(" + SqlString(o.cluster) + ", " +
                      SqlString(o.database) + ", '" + table + "_local', cityHash64(key))");
      }
    }
  }
  return out;
}

Result<uint32_t> CurrentSchemaVersion(ClickHouseClient& client, const SchemaOptions& o) {
  VIGIA_ASSIGN_OR_RETURN(
      std::string exists,
      client.Execute("EXISTS TABLE " + SchemaOptions::Quoted(o.database) + ".vigia_schema"));
  if (exists.empty() || exists[0] != '1') return 0u;
  VIGIA_ASSIGN_OR_RETURN(std::string v,
                         client.Execute("SELECT max(version) FROM " +
                                        SchemaOptions::Quoted(o.database) + ".vigia_schema"));
  uint32_t version = 0;
  std::from_chars(v.data(), v.data() + v.size(), version);
  return version;
}

Result<uint32_t> MigrateSchema(ClickHouseClient& client, const SchemaOptions& o) {
  uint32_t before = 0;
  {
    // The database may not exist yet: then nothing is recorded.
    auto cur = CurrentSchemaVersion(client, o);
    if (cur.ok()) {
      before = *cur;
    } else if (cur.status().code() != StatusCode::kInvalidArgument) {
      return cur.status();
    }
  }
  if (before > kSchemaVersion) {
    return Status::InvalidArgument("clickhouse database " + o.database + " has schema version " +
                                   std::to_string(before) + ", newer than this vigia's " +
                                   std::to_string(kSchemaVersion) + "; upgrade vigia");
  }
  for (uint32_t v = before + 1; v <= kSchemaVersion; ++v) {
    for (const std::string& sql : SchemaStatements(o, v)) {
      VIGIA_RETURN_IF_ERROR(client.Execute(sql).status());
    }
    VIGIA_RETURN_IF_ERROR(client
                              .Execute("INSERT INTO " + SchemaOptions::Quoted(o.database) +
                                       ".vigia_schema (version) VALUES (" + std::to_string(v) + ")")
                              .status());
  }
  return before;
}

}  // namespace vigia::clickhouse
