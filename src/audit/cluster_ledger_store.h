// ClusterLedgerStore: where the nodes of a cluster (storage.backend = "clickhouse") publish
// their audit ledgers so that any node can verify every node's chains (docs/scale-out.md,
// "The audit ledger in a cluster"). The model is Certificate Transparency's many logs: each
// node keeps its own hash chains (one per tenant) and signs their checkpoints with its own
// Ed25519 key; a **log** is the set of chains one key signs, named by that key's public half
// (64 hex digits), so a node rebuilt with a new key starts a new log instead of colliding with
// its old one. A node's mirror (audit_mirror.h) appends its records and checkpoints in chain
// order; the verifier (cluster_verifier.h) reads them back.
//
// Rows are append-only and identical rows are one row: a retried append is harmless. Two
// *different* rows at one position of a chain are both kept and both read back, so a row an
// attacker adds beside the node's own is never merged away before a verifier sees it.
//
// The production store is ClickHouseAuditStore (clickhouse/clickhouse_audit_store.h, tables of
// schema version 4); tests use MemoryClusterLedgerStore (cluster_ledger_store_testing.h).
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia::audit {

// A record of a chain as the mirror appends it: its encoded bytes (ledger_record.h), exactly
// as ledger.bin holds them, and the positions they say they hold.
struct MirroredRecord {
  std::string tenant;
  uint64_t seq = 0;       // its first event's position
  uint64_t last_seq = 0;  // its last event's position
  std::string bytes;
};

// How far one chain of a log is in the store: its last record's last position and its last
// checkpoint's position (0: none).
struct MirroredHead {
  uint64_t last_seq = 0;
  uint64_t checkpoint_seq = 0;
};

// A log the store holds: its key and the node ids that published it (a key published under
// several names lists them all; none when only its rows are there).
struct PublishedLog {
  std::string public_key_hex;
  std::vector<std::string> nodes;
};

class ClusterLedgerStore {
 public:
  virtual ~ClusterLedgerStore() = default;

  // Writes: OK once a later read by any node sees them.
  // Records that node `node` signs with `public_key_hex` (repeating it is harmless).
  virtual Status PublishKey(std::string_view public_key_hex, std::string_view node) = 0;
  virtual Status AppendRecords(std::string_view public_key_hex,
                               const std::vector<MirroredRecord>& records) = 0;
  // Each checkpoint as its JSON line (checkpoint.h: CheckpointJson), by tenant and position.
  struct CheckpointRow {
    std::string tenant;
    uint64_t seq = 0;
    std::string json;
  };
  virtual Status AppendCheckpoints(std::string_view public_key_hex,
                                   const std::vector<CheckpointRow>& checkpoints) = 0;

  // Reads.
  // Each tenant's head in log `public_key_hex` (tenants without rows are absent).
  virtual Result<std::map<std::string, MirroredHead>> Heads(std::string_view public_key_hex) = 0;
  // Every log: the published keys and the keys that have rows.
  virtual Result<std::vector<PublishedLog>> Logs() = 0;
  // The tenants with records or checkpoints in a log, sorted.
  virtual Result<std::vector<std::string>> Tenants(std::string_view public_key_hex) = 0;
  // One chain's records: the bytes of every distinct row, ordered by (position, bytes) and
  // concatenated — what a ledger.bin of those records would hold. ResourceExhausted past
  // `max_bytes`.
  virtual Result<std::string> ReadChain(std::string_view public_key_hex, std::string_view tenant,
                                        uint64_t max_bytes) = 0;
  // One chain's checkpoints: the JSON of every distinct row, ordered by position.
  virtual Result<std::vector<std::string>> ReadCheckpoints(std::string_view public_key_hex,
                                                           std::string_view tenant) = 0;
};

}  // namespace vigia::audit
