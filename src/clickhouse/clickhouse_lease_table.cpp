#include "clickhouse/clickhouse_lease_table.h"

#include <charconv>
#include <chrono>
#include <utility>

namespace vigia::clickhouse {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool ValidNodeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

ClickHouseLeaseTable::ClickHouseLeaseTable(ClickHouseClient client, SchemaOptions schema,
                                           int timeout_ms)
    : client_(std::move(client)), schema_(std::move(schema)), timeout_ms_(timeout_ms) {}

Status ClickHouseLeaseTable::Write(std::string_view lease, const LeaseRow& row) {
  ClickHouseRequest req;
  req.sql = "INSERT INTO " + SchemaOptions::Quoted(schema_.database) +
            ".leases (lease, node, heartbeat_ns, expires_ns, holder) VALUES (" + SqlString(lease) +
            ", " + SqlString(row.node) + ", " + std::to_string(row.heartbeat_ns) + ", " +
            std::to_string(row.expires_ns) + ", " + (row.holder ? "1" : "0") + ")";
  if (!schema_.cluster.empty()) req.settings.emplace_back("insert_distributed_sync", "1");
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  return client_.Execute(req).status();
}

Result<std::vector<LeaseRow>> ClickHouseLeaseTable::Read(std::string_view lease) {
  ClickHouseRequest req;
  req.sql =
      "SELECT node, max(heartbeat_ns), argMax(expires_ns, heartbeat_ns), "
      "argMax(holder, heartbeat_ns) FROM " +
      SchemaOptions::Quoted(schema_.database) + ".leases WHERE lease = " + SqlString(lease) +
      " GROUP BY node FORMAT TabSeparated";
  if (!schema_.cluster.empty()) req.settings.emplace_back("skip_unavailable_shards", "1");
  req.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  VIGIA_ASSIGN_OR_RETURN(std::string body, client_.Execute(req));
  std::vector<LeaseRow> rows;
  VIGIA_RETURN_IF_ERROR(ForEachTsvRow(body, [&](std::string_view line, const auto& f) -> Status {
    LeaseRow r;
    int64_t holder = 0;
    if (f.size() != 4 || !ParseInt(f[1], &r.heartbeat_ns) || !ParseInt(f[2], &r.expires_ns) ||
        !ParseInt(f[3], &holder)) {
      return Status::Internal("clickhouse leases: unexpected row \"" + std::string(line) + "\"");
    }
    r.node = std::string(f[0]);
    r.holder = holder != 0;
    rows.push_back(std::move(r));
    return Status::Ok();
  }));
  return rows;
}

}  // namespace vigia::clickhouse
