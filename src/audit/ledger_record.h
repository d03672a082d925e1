// LedgerRecord: one record of a tenant's hash chain, and its byte encoding in ledger.bin
// (docs/storage-format.md, "Audit ledger"). Two versions, told apart by the magic; a chain
// may hold both (a ledger written by v1 goes on with v2 records). Little-endian:
//
//   v1, one event:
//   u32 magic "VAR1"   u32 payload_len   u64 seq   i64 ts_ns
//   u8[32] prev_hash   u8[32] hash       payload   u32 record_len (= 92 + payload_len)
//   payload: the event's canonical JSON (event/event_json.h: ts, kind, level, then the other
//   fields in stored order). hash = BLAKE2b-256(prev_hash ‖ le64 seq ‖ le64 ts_ns ‖ payload).
//
//   v2, a batch record: a tenant's audit events of one ingest batch, in batch order:
//   u32 magic "VAR2"   u32 payload_len   u64 seq   i64 ts_ns   u32 count
//   u8[32] prev_hash   u8[32] hash       payload   u32 record_len (= 96 + payload_len)
//   payload: the events in the WAL's batch codec (store/wal/batch_codec.h), a deterministic
//   binary encoding. seq: the chain position of its first event (the others follow:
//   seq + 1 .. seq + count - 1); ts_ns: the first event's time.
//   hash = SHA-256("VAR2" ‖ prev_hash ‖ le64 seq ‖ le64 ts_ns ‖ le32 count ‖ payload).
//
// Positions count events, not records: a chain of n events ends at position n whatever its
// records (so checkpoints, chain lengths and retention name events). prev_hash is the
// previous record's hash, or for the first record the tenant's genesis hash
// BLAKE2b-256("vigia-audit-genesis-v1" ‖ 0 ‖ tenant), so a chain cannot be moved to another
// tenant. The ledger keeps the exact bytes hashed, so verifying needs nothing but the ledger
// (or an export of it). The trailing record_len lets a reader find the last record from the
// end of the file.
//
// Thread-safety: value types and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace vigia::audit {

using Hash = std::array<uint8_t, 32>;

inline constexpr uint32_t kRecordMagic = 0x31524156;       // "VAR1"
inline constexpr uint32_t kBatchRecordMagic = 0x32524156;  // "VAR2"
inline constexpr size_t kRecordHeaderBytes = 88;
inline constexpr size_t kBatchRecordHeaderBytes = 92;
inline constexpr size_t kRecordTrailerBytes = 4;
inline constexpr size_t kRecordOverheadBytes = kRecordHeaderBytes + kRecordTrailerBytes;
inline constexpr size_t kBatchRecordOverheadBytes = kBatchRecordHeaderBytes + kRecordTrailerBytes;
// The most events one batch record holds (a tenant's audit events of one batch above it
// are split over several records).
inline constexpr uint32_t kMaxBatchRecordEvents = 100'000;

struct LedgerRecord {
  uint8_t version = 1;  // 1: one event, JSON payload; 2: a batch record (codec payload)
  uint64_t seq = 0;     // 1-based chain position of its (first) event
  uint32_t count = 1;   // events in the record (v1: 1)
  int64_t ts_ns = 0;
  Hash prev{};
  Hash hash{};
  std::string_view payload;  // view into the buffer it was decoded from
  uint64_t last_seq() const { return seq + count - 1; }
};

Hash GenesisHash(std::string_view tenant);
// v1's hash.
Hash RecordHash(const Hash& prev, uint64_t seq, int64_t ts_ns, std::string_view payload);
// v2's hash.
Hash BatchRecordHash(const Hash& prev, uint64_t seq, int64_t ts_ns, uint32_t count,
                     std::string_view payload);
// The hash `rec` should have, by its version.
Hash ComputeHash(const LedgerRecord& rec);

// Appends the encoding of a record (computing its hash from prev) to *out; returns the hash.
Hash AppendRecord(const Hash& prev, uint64_t seq, int64_t ts_ns, std::string_view payload,
                  std::string* out);

// In-place encoding, so a payload is written once, straight into the record bytes:
// BeginRecord reserves the header at the end of *out and returns its offset; the caller
// appends the payload; FinishRecord fills the header, hashes the payload where it lies and
// appends the trailer. Returns the record's hash.
size_t BeginRecord(std::string* out);
Hash FinishRecord(std::string* out, size_t at, const Hash& prev, uint64_t seq, int64_t ts_ns);
// The same for a v2 batch record: the payload (the codec bytes of `count` events) is
// appended between the two calls.
size_t BeginBatchRecord(std::string* out);
Hash FinishBatchRecord(std::string* out, size_t at, const Hash& prev, uint64_t seq, int64_t ts_ns,
                       uint32_t count);

// Appends `rec` exactly as given, in its version's layout (its hash is not recomputed):
// exports re-encoded for the verifier.
void AppendEncodedRecord(const LedgerRecord& rec, std::string* out);

enum class DecodeOutcome {
  kOk,
  kIncomplete,  // the bytes end inside a record (a torn or truncated tail)
  kMalformed,   // bad magic, impossible length or count, or trailer mismatch
};
// Decodes the record at the start of `bytes`; *size gets its encoded size when kOk.
DecodeOutcome DecodeRecord(std::string_view bytes, LedgerRecord* rec, size_t* size);

std::string HashHex(const Hash& h);
bool ParseHashHex(std::string_view hex, Hash* out);

}  // namespace vigia::audit
