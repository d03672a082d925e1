// LedgerRecord: one audit event in a tenant's hash chain, and its byte encoding in
// ledger.bin (docs/storage-format.md, "Audit ledger"). Little-endian:
//
//   u32 magic "VAR1"   u32 payload_len   u64 seq   i64 ts_ns
//   u8[32] prev_hash   u8[32] hash       payload   u32 record_len (= 92 + payload_len)
//
// payload: the event's canonical encoding — its JSON as vigia writes it (event/event_json.h:
// ts, kind, level, then the other fields in stored order); the ledger keeps these exact
// bytes, so verifying needs nothing but the ledger (or an export of it).
// hash = BLAKE2b-256(prev_hash ‖ le64 seq ‖ le64 ts_ns ‖ payload); prev_hash is the previous
// record's hash, or for seq 1 the tenant's genesis hash BLAKE2b-256("vigia-audit-genesis-v1"
// ‖ 0 ‖ tenant), so a chain cannot be moved to another tenant. The trailing record_len lets
// a reader find the last record from the end of the file.
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

inline constexpr uint32_t kRecordMagic = 0x31524156;  // "VAR1"
inline constexpr size_t kRecordHeaderBytes = 88;
inline constexpr size_t kRecordTrailerBytes = 4;
inline constexpr size_t kRecordOverheadBytes = kRecordHeaderBytes + kRecordTrailerBytes;

struct LedgerRecord {
  uint64_t seq = 0;  // 1-based position in the tenant's chain
  int64_t ts_ns = 0;
  Hash prev{};
  Hash hash{};
  std::string_view payload;  // view into the buffer it was decoded from
};

Hash GenesisHash(std::string_view tenant);
Hash RecordHash(const Hash& prev, uint64_t seq, int64_t ts_ns, std::string_view payload);

// Appends the encoding of a record (computing its hash from prev) to *out; returns the hash.
Hash AppendRecord(const Hash& prev, uint64_t seq, int64_t ts_ns, std::string_view payload,
                  std::string* out);

// In-place encoding, so a payload is written once, straight into the record bytes:
// BeginRecord reserves the header at the end of *out and returns its offset; the caller
// appends the payload; FinishRecord fills the header, hashes the payload where it lies and
// appends the trailer. Returns the record's hash.
size_t BeginRecord(std::string* out);
Hash FinishRecord(std::string* out, size_t at, const Hash& prev, uint64_t seq, int64_t ts_ns);

// Appends `rec` exactly as given (its hash is not recomputed): exports re-encoded for the
// verifier.
void AppendEncodedRecord(const LedgerRecord& rec, std::string* out);

enum class DecodeOutcome {
  kOk,
  kIncomplete,  // the bytes end inside a record (a torn or truncated tail)
  kMalformed,   // bad magic, impossible length or trailer mismatch
};
// Decodes the record at the start of `bytes`; *size gets its encoded size when kOk.
DecodeOutcome DecodeRecord(std::string_view bytes, LedgerRecord* rec, size_t* size);

std::string HashHex(const Hash& h);
bool ParseHashHex(std::string_view hex, Hash* out);

}  // namespace vigia::audit
