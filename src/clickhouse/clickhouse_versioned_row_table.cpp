#include "clickhouse/clickhouse_versioned_row_table.h"

#include <charconv>
#include <chrono>
#include <utility>

namespace vigia::clickhouse {
namespace {

bool ParseUint(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// ClickHouse's hex() of a String: two upper-case digits per byte.
bool Unhex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace

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
    if (f.size() != 4 || !Unhex(f[0], &r.key) || !ParseUint(f[1], &r.version) ||
        !ParseUint(f[2], &deleted) || !Unhex(f[3], &r.body)) {
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
