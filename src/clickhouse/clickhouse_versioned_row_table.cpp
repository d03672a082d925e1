#include "clickhouse/clickhouse_versioned_row_table.h"

#include <chrono>
#include <utility>

namespace vigia::clickhouse {

ClickHouseVersionedRowTable::ClickHouseVersionedRowTable(ClickHouseClient client,
                                                         SchemaOptions schema, std::string table,
                                                         std::string scope, int timeout_ms)
    : client_(std::move(client)),
      schema_(std::move(schema)),
      table_(std::move(table)),
      scope_(std::move(scope)),
      timeout_ms_(timeout_ms) {}

Status ClickHouseVersionedRowTable::Write(const std::vector<VersionedRow>& rows) {
  if (rows.empty()) return Status::Ok();
  ClickHouseRequest req;
  // The rows go in the body (the statement is a URL parameter, whose length is limited).
  req.sql = "INSERT INTO " + SchemaOptions::Quoted(schema_.database) + "." +
            SchemaOptions::Quoted(table_) + " (scope, key, version, deleted, body) VALUES";
  for (const VersionedRow& r : rows) {
    req.body += (req.body.empty() ? " (" : ", (") + SqlString(scope_) + ", " + SqlString(r.key) +
                ", " + std::to_string(r.version) + ", " + (r.deleted ? "1" : "0") + ", " +
                SqlString(r.body) + ")";
  }
  if (!schema_.cluster.empty()) req.settings.emplace_back("insert_distributed_sync", "1");
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  return client_.Execute(req).status();
}

Result<std::vector<VersionedRow>> ClickHouseVersionedRowTable::Read() {
  ClickHouseRequest req;
  // hex(): keys and bodies hold any byte, TabSeparated would escape them.
  req.sql =
      "SELECT hex(key), max(version), argMax(deleted, version), "
      "hex(argMax(body, version)) FROM " +
      SchemaOptions::Quoted(schema_.database) + "." + SchemaOptions::Quoted(table_) +
      " WHERE scope = " + SqlString(scope_) + " GROUP BY key FORMAT TabSeparated";
  if (!schema_.cluster.empty()) req.settings.emplace_back("skip_unavailable_shards", "1");
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  VIGIA_ASSIGN_OR_RETURN(std::string body, client_.Execute(req));
  std::vector<VersionedRow> rows;
  VIGIA_RETURN_IF_ERROR(ForEachTsvRow(body, [&](std::string_view line, const auto& f) -> Status {
    VersionedRow r;
    uint64_t deleted = 0;
    if (f.size() != 4 || !UnhexField(f[0], &r.key) || !ParseUintField(f[1], &r.version) ||
        !ParseUintField(f[2], &deleted) || !UnhexField(f[3], &r.body)) {
      return Status::Internal("clickhouse " + table_ + ": unexpected row \"" + std::string(line) +
                              "\"");
    }
    r.deleted = deleted != 0;
    rows.push_back(std::move(r));
    return Status::Ok();
  }));
  return rows;
}

}  // namespace vigia::clickhouse
