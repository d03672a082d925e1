// WAL record format, shared by WalWriter and WalReader.
//
// A segment is a sequence of records; each record is a 24-byte header followed by its
// payload (an encoded EventBatch, see batch_codec.h):
//
//   offset size
//    0     4   masked CRC32C of the payload
//    4     4   payload length (little-endian)
//    8     8   sequence number (little-endian), strictly increasing across the whole WAL
//   16     1   record type (kRecordBatch)
//   17     3   zero
//   20     4   masked CRC32C of bytes 0..19
//
// The header has its own CRC so that a reader that lost sync after damage can test every
// byte offset cheaply (20 bytes hashed) before trusting a length and hashing a payload:
// resynchronisation is linear in the segment size.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/crc32c.h"

namespace vigia::wal {

// The record layout above; a backup manifest records it (a restore needs a reader of it).
inline constexpr uint32_t kWalFormatVersion = 1;
inline constexpr size_t kHeaderSize = 24;
inline constexpr uint8_t kRecordBatch = 1;

struct RecordHeader {
  uint32_t payload_crc = 0;  // unmasked
  uint32_t length = 0;
  uint64_t seq = 0;
  uint8_t type = 0;
};

inline void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Writes the header of a record with this payload into dst[0, kHeaderSize).
inline void EncodeHeader(char* dst, const void* payload, uint32_t length, uint64_t seq,
                         uint8_t type) {
  PutU32(dst, crc32c::Mask(crc32c::Value(payload, length)));
  PutU32(dst + 4, length);
  PutU64(dst + 8, seq);
  dst[16] = static_cast<char>(type);
  dst[17] = dst[18] = dst[19] = 0;
  PutU32(dst + 20, crc32c::Mask(crc32c::Value(dst, 20)));
}

// Parses a header; false when its own CRC or reserved bytes are wrong (the payload is not
// checked here).
inline bool DecodeHeader(const char* src, RecordHeader* h) {
  if (crc32c::Unmask(GetU32(src + 20)) != crc32c::Value(src, 20)) return false;
  if (src[17] != 0 || src[18] != 0 || src[19] != 0) return false;
  h->payload_crc = crc32c::Unmask(GetU32(src));
  h->length = GetU32(src + 4);
  h->seq = GetU64(src + 8);
  h->type = static_cast<uint8_t>(src[16]);
  return true;
}

}  // namespace vigia::wal
