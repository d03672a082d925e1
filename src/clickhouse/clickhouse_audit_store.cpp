#include "clickhouse/clickhouse_audit_store.h"

#include <chrono>
#include <map>
#include <set>
#include <utility>

namespace vigia::clickhouse {
namespace {

// RowBinary: UInt64 little-endian, String as a LEB128 length and the bytes.
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutString(std::string* out, std::string_view s) {
  uint64_t n = s.size();
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
  out->append(s);
}

Status BadRow(std::string_view table, std::string_view line) {
  return Status::Internal("clickhouse " + std::string(table) + ": unexpected row \"" +
                          std::string(line.substr(0, 200)) + "\"");
}

}  // namespace

ClickHouseAuditStore::ClickHouseAuditStore(ClickHouseClient client, SchemaOptions schema,
                                           int timeout_ms)
    : client_(std::move(client)), schema_(std::move(schema)), timeout_ms_(timeout_ms) {}

std::string ClickHouseAuditStore::Table(std::string_view name) const {
  return SchemaOptions::Quoted(schema_.database) + "." + SchemaOptions::Quoted(name);
}

ClickHouseRequest ClickHouseAuditStore::Request(std::string sql) const {
  ClickHouseRequest req;
  req.sql = std::move(sql);
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  return req;
}

Status ClickHouseAuditStore::Insert(std::string_view table, const char* columns, std::string rows) {
  ClickHouseRequest req =
      Request("INSERT INTO " + Table(table) + " " + columns + " FORMAT RowBinary");
  req.body = std::move(rows);
  // Synchronous through the Distributed table: OK means the shard has the rows.
  if (!schema_.cluster.empty()) req.settings.emplace_back("insert_distributed_sync", "1");
  return client_.Execute(req).status();
}

Status ClickHouseAuditStore::Select(
    std::string sql,
    const std::function<Status(std::string_view, const std::vector<std::string_view>&)>& row) {
  ClickHouseRequest req = Request(std::move(sql) + " FORMAT TabSeparated");
  std::string pending;  // a line the last chunk cut
  req.on_data = [&](std::string_view data) -> Status {
    pending.append(data);
    const size_t last_nl = pending.rfind('\n');
    if (last_nl == std::string::npos) return Status::Ok();
    VIGIA_RETURN_IF_ERROR(ForEachTsvRow(std::string_view(pending).substr(0, last_nl + 1), row));
    pending.erase(0, last_nl + 1);
    return Status::Ok();
  };
  VIGIA_RETURN_IF_ERROR(client_.Execute(req).status());
  return ForEachTsvRow(pending, row);
}

Status ClickHouseAuditStore::PublishKey(std::string_view key, std::string_view node) {
  std::string rows;
  PutString(&rows, key);
  PutString(&rows, node);
  return Insert(kAuditKeysTable, "(key, node)", std::move(rows));
}

Status ClickHouseAuditStore::AppendRecords(std::string_view key,
                                           const std::vector<audit::MirroredRecord>& records) {
  if (records.empty()) return Status::Ok();
  std::string rows;
  for (const audit::MirroredRecord& r : records) {
    PutString(&rows, key);
    PutString(&rows, r.tenant);
    PutU64(&rows, r.seq);
    PutU64(&rows, r.last_seq);
    PutString(&rows, r.bytes);
  }
  return Insert(kAuditRecordsTable, "(key, tenant, seq, last_seq, record)", std::move(rows));
}

Status ClickHouseAuditStore::AppendCheckpoints(std::string_view key,
                                               const std::vector<CheckpointRow>& checkpoints) {
  if (checkpoints.empty()) return Status::Ok();
  std::string rows;
  for (const CheckpointRow& c : checkpoints) {
    PutString(&rows, key);
    PutString(&rows, c.tenant);
    PutU64(&rows, c.seq);
    PutString(&rows, c.json);
  }
  return Insert(kAuditCheckpointsTable, "(key, tenant, seq, checkpoint)", std::move(rows));
}

Result<std::map<std::string, audit::MirroredHead>> ClickHouseAuditStore::Heads(
    std::string_view key) {
  const std::string k = SqlString(key);
  std::map<std::string, audit::MirroredHead> heads;
  VIGIA_RETURN_IF_ERROR(Select(
      "SELECT hex(tenant), max(l), max(c) FROM (SELECT tenant, last_seq AS l, toUInt64(0) AS c "
      "FROM " +
          Table(kAuditRecordsTable) + " WHERE key = " + k +
          " UNION ALL SELECT tenant, toUInt64(0) AS l, seq AS c FROM " +
          Table(kAuditCheckpointsTable) + " WHERE key = " + k + ") GROUP BY tenant",
      [&](std::string_view line, const std::vector<std::string_view>& f) -> Status {
        std::string tenant;
        audit::MirroredHead h;
        if (f.size() != 3 || !UnhexField(f[0], &tenant) || !ParseUintField(f[1], &h.last_seq) ||
            !ParseUintField(f[2], &h.checkpoint_seq)) {
          return BadRow(kAuditRecordsTable, line);
        }
        heads[tenant] = h;
        return Status::Ok();
      }));
  return heads;
}

Result<std::vector<audit::PublishedLog>> ClickHouseAuditStore::Logs() {
  std::map<std::string, std::set<std::string>> logs;
  VIGIA_RETURN_IF_ERROR(
      Select("SELECT hex(key), hex(node) FROM " + Table(kAuditKeysTable) +
                 " GROUP BY key, node UNION ALL SELECT hex(key), '' FROM " +
                 Table(kAuditRecordsTable) + " GROUP BY key UNION ALL SELECT hex(key), '' FROM " +
                 Table(kAuditCheckpointsTable) + " GROUP BY key",
             [&](std::string_view line, const std::vector<std::string_view>& f) -> Status {
               std::string key, node;
               if (f.size() != 2 || !UnhexField(f[0], &key) || !UnhexField(f[1], &node)) {
                 return BadRow(kAuditKeysTable, line);
               }
               std::set<std::string>& nodes = logs[key];
               if (!node.empty()) nodes.insert(node);
               return Status::Ok();
             }));
  std::vector<audit::PublishedLog> out;
  for (auto& [key, nodes] : logs) {
    out.push_back({key, std::vector<std::string>(nodes.begin(), nodes.end())});
  }
  return out;
}

Status ClickHouseAuditStore::SelectHex(std::string sql, std::string_view table,
                                       const std::function<Status(std::string&& value)>& value) {
  std::string bytes;
  return Select(std::move(sql),
                [&](std::string_view line, const std::vector<std::string_view>& f) -> Status {
                  if (f.size() != 1 || !UnhexField(f[0], &bytes)) return BadRow(table, line);
                  return value(std::move(bytes));
                });
}

Result<std::vector<std::string>> ClickHouseAuditStore::Tenants(std::string_view key) {
  const std::string k = SqlString(key);
  std::set<std::string> tenants;
  VIGIA_RETURN_IF_ERROR(
      SelectHex("SELECT hex(tenant) FROM " + Table(kAuditRecordsTable) + " WHERE key = " + k +
                    " GROUP BY tenant UNION ALL SELECT hex(tenant) FROM " +
                    Table(kAuditCheckpointsTable) + " WHERE key = " + k + " GROUP BY tenant",
                kAuditRecordsTable, [&](std::string&& tenant) {
                  tenants.insert(std::move(tenant));
                  return Status::Ok();
                }));
  return std::vector<std::string>(tenants.begin(), tenants.end());
}

Result<std::string> ClickHouseAuditStore::ReadChain(std::string_view key, std::string_view tenant,
                                                    uint64_t max_bytes) {
  std::string chain;
  // Every distinct row in (position, bytes) order: two different rows at one position both
  // come back (the verifier names the one that does not belong).
  VIGIA_RETURN_IF_ERROR(SelectHex(
      "SELECT hex(record) FROM " + Table(kAuditRecordsTable) + " WHERE key = " + SqlString(key) +
          " AND tenant = " + SqlString(tenant) + " GROUP BY seq, record ORDER BY seq, record",
      kAuditRecordsTable, [&](std::string&& bytes) -> Status {
        if (chain.size() + bytes.size() > max_bytes) {
          return Status::ResourceExhausted("audit chain of tenant \"" + std::string(tenant) +
                                           "\" in log " + std::string(key.substr(0, 16)) +
                                           "...: more than " + std::to_string(max_bytes) +
                                           " bytes to verify at once");
        }
        chain += bytes;
        return Status::Ok();
      }));
  return chain;
}

Result<std::vector<std::string>> ClickHouseAuditStore::ReadCheckpoints(std::string_view key,
                                                                       std::string_view tenant) {
  std::vector<std::string> out;
  VIGIA_RETURN_IF_ERROR(SelectHex("SELECT hex(checkpoint) FROM " + Table(kAuditCheckpointsTable) +
                                      " WHERE key = " + SqlString(key) +
                                      " AND tenant = " + SqlString(tenant) +
                                      " GROUP BY seq, checkpoint ORDER BY seq, checkpoint",
                                  kAuditCheckpointsTable, [&](std::string&& json) {
                                    out.push_back(std::move(json));
                                    return Status::Ok();
                                  }));
  return out;
}

}  // namespace vigia::clickhouse
