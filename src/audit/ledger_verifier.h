// LedgerVerifier: recomputes a tenant's hash chain and checks its signed checkpoints, and
// for every break names the first bad record and the kind of tampering:
//
// Positions count events (ledger_record.h): a v2 batch record holds positions seq..seq+count-1,
// and a break names the batch record (ChainBreak::record_seq, record_count) and the
// positions concerned.
//
//   edited     a record's content no longer matches its hash; or a record was re-hashed,
//              so the next one no longer links to it; or a checkpoint's signed hash differs
//              from the recomputed one (the chain was rewritten from some record on)
//   deleted    records are missing: the positions jump (seq k → k+n)
//   inserted   a record that does not belong: a position already used (a duplicate or a
//              replayed copy), or a record the next one skips over to link to its
//              predecessor
//   reordered  records out of order: a later position comes first and the missing one
//              follows within a short window
//   truncated  the file ends before the last record a signed checkpoint vouches for
//              (inside a record or between records)
//   forged     a checkpoint whose signature does not verify with the public key
//   malformed  bytes that are not a record at all (overwritten), skipped to the next record
//
// A file that ends inside a record no signed checkpoint vouches for (its position is past
// the last checkpoint) is not a break: it is an *incomplete tail*
// (TenantReport::incomplete_tail_bytes), what a kill -9 or a crash leaves when it stops the
// ledger's write(2) part-way — or what a reader sees while the server appends. Nothing there
// was acknowledged as chained (the server cuts it when it opens the ledger and chains those
// events again from the WAL), and cutting a file at a record's end is not detectable without
// a checkpoint either, so calling it tampering would only raise false alarms after crashes.
//
// A chain whose first record is k > 1 is accepted as pruned by retention only when its
// first record links to the hash of a valid checkpoint at k-1 (TenantReport::pruned_seq);
// otherwise records 1..k-1 are reported deleted.
//
// Without checkpoints (or the public key) the chain still proves internal consistency;
// with them, a rewrite of the whole chain up to a checkpoint is caught too.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/ledger_reader.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia::audit {

enum class TamperKind { kEdited, kDeleted, kInserted, kReordered, kTruncated, kForged, kMalformed };
std::string_view TamperKindName(TamperKind k);

struct ChainBreak {
  TamperKind kind = TamperKind::kEdited;
  uint64_t seq = 0;     // the first bad record's position (for deleted: the first missing)
  uint64_t offset = 0;  // its byte offset in ledger.bin (or the export's record number)
  std::string detail;
  // The bad record when the break is one record's (edited, inserted, reordered): its first
  // position and its events — a v2 batch record's hash covers all its events at once, so
  // an edit is pinned to the batch record (positions record_seq .. record_seq+count-1), not
  // to one event inside it. 0 = not one record's break.
  uint64_t record_seq = 0;
  uint32_t record_count = 0;
};

struct VerifyOptions {
  std::string public_key_hex;  // empty: checkpoints' signatures are not checked
  // Only breaks of records whose time is in [from_ns, to_ns] are reported (the chain is
  // always recomputed from its start: a record's hash depends on all before it).
  int64_t from_ns = std::numeric_limits<int64_t>::min();
  int64_t to_ns = std::numeric_limits<int64_t>::max();
};

struct TenantReport {
  std::string tenant;
  uint64_t records = 0;      // records read (a v2 batch record counts once)
  uint64_t events = 0;       // events in them
  uint64_t last_seq = 0;     // of the last event read
  uint64_t checkpoints = 0;  // checkpoints checked
  uint64_t sealed_seq = 0;   // the last checkpoint's seq (records after it are unsealed)
  // Records 1..pruned_seq were dropped by audit retention: the chain starts at pruned_seq+1,
  // anchored by the (signature-checked) checkpoint at pruned_seq. 0 = nothing pruned.
  uint64_t pruned_seq = 0;
  bool signatures_checked = false;
  // The file ends inside a record past the last checkpoint: these bytes from
  // incomplete_tail_offset on are an append cut short (see above), not a break. 0 = none.
  uint64_t incomplete_tail_bytes = 0;
  uint64_t incomplete_tail_offset = 0;
  std::vector<ChainBreak> breaks;
  bool ok() const { return breaks.empty(); }
};

// Verifies one chain: `reader` over its ledger, `checkpoints` in file order.
Result<TenantReport> VerifyChain(std::string_view tenant, LedgerReader* reader,
                                 const std::vector<Checkpoint>& checkpoints,
                                 const VerifyOptions& options);

// Verifies every tenant's chain under <data>/audit (audit_file_names.h). When
// options.public_key_hex is empty, uses <data>/audit/signing.pub (weaker: whoever can edit
// the ledger can replace that file; an outside checker passes the key it was given).
Result<std::vector<TenantReport>> VerifyLedgerDir(Env* env, const std::string& audit_dir,
                                                  VerifyOptions options);

// Reads checkpoints.ndjson; lines that do not parse are skipped (*bad_lines counts them).
Result<std::vector<Checkpoint>> ReadCheckpoints(Env* env, const std::string& path,
                                                uint64_t* bad_lines);

}  // namespace vigia::audit
