// ClickHouse schema of the events table (docs/clickhouse.md): the canonical fields as typed
// Nullable columns (NULL = the event has no such field, or has it with another type), the
// timestamp and an ingest sequence, and every other field — plus a canonical field whose value
// has another type than its column — in the Nested column `x` (key, type, value as text), so an
// event goes in and comes back with every field, value and type it had.
//
// The DDL is versioned: `vigia_schema` (one row per applied version) records what a database
// holds; Init and Migrate apply the missing versions in order and are idempotent (CREATE ...
// IF NOT EXISTS, ADD COLUMN IF NOT EXISTS). With a cluster name, each server gets the local
// MergeTree table `events_local` (ReplicatedMergeTree when `replicated`) and the Distributed
// table `events` over the cluster, sharded by a hash of request_id; without one, `events` is
// the MergeTree table itself.
//
// Thread-safety: the column table is immutable; the functions are pure (InitSchema does I/O on
// the client it is given).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia::clickhouse {

class ClickHouseClient;

// The type a canonical column holds; values of other types go to `x`.
enum class ColumnType : uint8_t { kString, kInt, kFloat, kBool };

struct CanonicalColumn {
  std::string_view field;  // the canonical field name (also the column name)
  ColumnType type;
  bool low_cardinality;  // LowCardinality(Nullable(String))
};

// Every typed column, in the table's order (ts and seq come first, x last).
std::span<const CanonicalColumn> CanonicalColumns();
// The indexes of every one of them (a SELECT of whole events, for RowDecoder).
std::vector<int> AllCanonicalColumnIndexes();
// The column of `field`, or null when the field lives in `x` only.
const CanonicalColumn* FindCanonicalColumn(std::string_view field);

// The text fields (msg, error.message, error.type, error.stack): VQL's bare words search them.
std::span<const std::string_view> TextFields();

// The schema version this build writes and reads. 1: the events tables; 2: the cluster
// leases' heartbeat table (`leases`, and `leases_local` on a cluster); 3: the alert state and
// the silences the nodes share (`alert_state`, `silences`, and their `_local` tables on a
// cluster; clickhouse_versioned_row_table.h); 4: the nodes' audit logs (`audit_keys`,
// `audit_records`, `audit_checkpoints`; clickhouse_audit_store.h).
inline constexpr uint32_t kSchemaVersion = 4;

// The shared-state tables of version 3.
inline constexpr std::string_view kAlertStateTable = "alert_state";
inline constexpr std::string_view kSilencesTable = "silences";
// The audit tables of version 4.
inline constexpr std::string_view kAuditKeysTable = "audit_keys";
inline constexpr std::string_view kAuditRecordsTable = "audit_records";
inline constexpr std::string_view kAuditCheckpointsTable = "audit_checkpoints";

struct SchemaOptions {
  std::string database = "vigia";
  // Empty: one server, `events` is a MergeTree table. Otherwise the name of a cluster of the
  // servers' remote_servers config: `events_local` on each server, `events` Distributed.
  std::string cluster;
  // ReplicatedMergeTree (needs ZooKeeper and the {shard}/{replica} macros on every server).
  bool replicated = false;
  // The table queries and inserts name (`events` in both layouts).
  std::string QualifiedTable() const { return Quoted(database) + ".events"; }
  static std::string Quoted(std::string_view ident);
};

// The statements that create version `version` on one server, in order.
std::vector<std::string> SchemaStatements(const SchemaOptions& options, uint32_t version);

// The highest version recorded on the server the client talks to (0: none).
Result<uint32_t> CurrentSchemaVersion(ClickHouseClient& client, const SchemaOptions& options);

// Applies every version above the recorded one, up to kSchemaVersion, on the server the
// client talks to (call once per server of a cluster). Returns the version before it ran.
// InvalidArgument when the server holds a newer version than this build knows.
Result<uint32_t> MigrateSchema(ClickHouseClient& client, const SchemaOptions& options);

}  // namespace vigia::clickhouse
