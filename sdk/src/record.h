// Record: the binary form of one SDK call inside a SpscRing, and its decoded view. Encoding
// runs on the calling thread (sizes, then memcpy into the reserved ring bytes); decoding and
// everything expensive runs on the background thread.
//
// Layout (little-endian, unaligned access through memcpy):
//   u64 ticks | u8 kind | u8 level | u16 msg_len | u16 ctx_len | u8 nframes | u8 nfields
//   nframes × u64 return addresses | msg | ctx (Context encoding) |
//   nfields × { u8 type | u8 key_len | u16 str_len | key | value: the string's str_len bytes,
//               else 8 bytes (int64, double, bool as 0/1, 0 for null) }
//
// Thread-safety: pure functions over caller-owned memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#if defined(VIGIA_EXP_AVX512)
#include <immintrin.h>
#endif

#include "vigia/context.h"
#include "vigia/field.h"

namespace vigia::sdk::internal {

inline constexpr size_t kRecordFixed = 16;
inline constexpr size_t kMaxFields = 255;
inline constexpr size_t kMaxKey = 255;
inline constexpr int kMaxFrames = 48;

struct DecodedField {
  std::string_view key;
  Field::Type type = Field::Type::kNull;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string_view s;
};

struct DecodedEvent {
  uint64_t ticks = 0;
  int64_t ts_ns = 0;  // filled by the consumer from ticks (or set directly for internal events)
  Kind kind = Kind::kLog;
  Level level = Level::kInfo;
  std::string_view msg;
  std::vector<std::pair<std::string_view, std::string_view>> context;
  std::vector<DecodedField> fields;
  std::vector<uintptr_t> frames;
  void clear() {
    context.clear();
    fields.clear();
    frames.clear();
  }
};

// memcpy for the short strings of a call (keys, messages, small values), inline: two
// overlapping moves of the widest size that fits, so a 1–32 byte copy is a few instructions
// instead of a call through the PLT into libc's size dispatch; longer copies call memcpy.
// Reads and writes exactly [src, src+n) and [dst, dst+n).
inline void copy_bytes(char* dst, const char* src, size_t n) {
  if (n >= 8) {
    if (n > 32) {
      std::memcpy(dst, src, n);
    } else if (n > 16) {
      char a[16], b[16];
      std::memcpy(a, src, 16);
      std::memcpy(b, src + n - 16, 16);
      std::memcpy(dst, a, 16);
      std::memcpy(dst + n - 16, b, 16);
    } else {
      uint64_t a, b;
      std::memcpy(&a, src, 8);
      std::memcpy(&b, src + n - 8, 8);
      std::memcpy(dst, &a, 8);
      std::memcpy(dst + n - 8, &b, 8);
    }
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n > 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

// The record's second 8 bytes (kind, level, msg_len, ctx_len, nframes, nfields) as one store.
inline uint64_t record_header(Kind kind, Level level, size_t mlen, size_t clen, int nframes,
                              size_t nfields) {
  return static_cast<uint64_t>(kind) | static_cast<uint64_t>(level) << 8 |
         static_cast<uint64_t>(mlen) << 16 | static_cast<uint64_t>(clen) << 32 |
         static_cast<uint64_t>(nframes) << 48 | static_cast<uint64_t>(nfields) << 56;
}

// copy_bytes without the call to memcpy for longer strings: 16-byte moves, the last one
// overlapping the one before (a loop of n / 16 moves: for the short strings of a log call).
#if defined(VIGIA_EXP_AVX512)
inline void copy_short(char* dst, const char* src, size_t n) {
  size_t i = 0;
  for (; i + 32 < n; i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), v);
  }
  const __mmask32 m = _bzhi_u32(~0u, static_cast<unsigned>(n - i));
  const __m256i v = _mm256_maskz_loadu_epi8(m, src + i);
  _mm256_mask_storeu_epi8(dst + i, m, v);
}
#else
inline void copy_short(char* dst, const char* src, size_t n) {
  if (n <= 16) {
    copy_bytes(dst, src, n);
    return;
  }
  for (size_t i = 0; i + 16 < n; i += 16) {
    char a[16];
    std::memcpy(a, src + i, 16);
    std::memcpy(dst + i, a, 16);
  }
  char b[16];
  std::memcpy(b, src + n - 16, 16);
  std::memcpy(dst + n - 16, b, 16);
}
#endif

// How far encode_field<false> may write past the end of the field it encodes (an empty key
// and an empty string: the inline key's 8 bytes all land beyond it).
inline constexpr size_t kFieldOverwrite = 8;

inline size_t field_encoded_size(const Field& f, size_t max_str) {
  size_t k = f.key_size() < kMaxKey ? f.key_size() : kMaxKey;
  size_t v = !f.is_string() ? 8 : f.string_size() < max_str ? f.string_size() : max_str;
  return 4 + k + v;
}

// One field: a string's bytes, or the 8 value bytes of any other type. kClamp cuts the key at
// kMaxKey and the string at max_str and copies with copy_bytes; without it they must already
// fit (the fast path's checks), a key held inline in the Field is stored with one 8-byte move
// (which writes up to kFieldOverwrite bytes past the field: the caller reserved them, see
// SpscRing::kSlack) and copy_short copies the rest.
template <bool kClamp>
inline char* encode_field(char* p, const Field& f, size_t max_str) {
  const bool str = f.is_string();
  size_t k = f.key_size();
  size_t sl = str ? f.string_size() : 0;
  if constexpr (kClamp) {
    k = k < kMaxKey ? k : kMaxKey;
    sl = sl < max_str ? sl : max_str;
  }
  uint32_t h;
  if constexpr (kClamp) {
    h = static_cast<uint32_t>(f.type()) | static_cast<uint32_t>(k) << 8 |
        static_cast<uint32_t>(sl) << 16;
  } else {
    // The key is within kMaxKey: type | key length << 8 is the header's low half as it is.
    h = static_cast<uint32_t>(f.type_key_len()) | static_cast<uint32_t>(sl) << 16;
  }
  std::memcpy(p, &h, 4);
  if constexpr (kClamp) {
    copy_bytes(p + 4, f.key().data(), k);
  } else if (k <= Field::kInlineKey) {
    const uint64_t w = f.inline_key();
    std::memcpy(p + 4, &w, 8);
  } else {
    copy_short(p + 4, f.key().data(), k);
  }
  p += 4 + k;
  if (str) {
    // n == 0 reads nothing: an empty view may be null
    if constexpr (kClamp) {
      copy_bytes(p, f.string_data(), sl);
    } else {
      copy_short(p, f.string_data(), sl);
    }
    return p + sl;
  }
  const uint64_t v = f.value_bits();
  std::memcpy(p, &v, 8);
  return p + 8;
}

// Returns false on a malformed record (a bug: producers only write well-formed ones).
bool decode_record(const char* data, size_t len, DecodedEvent* out);

}  // namespace vigia::sdk::internal
