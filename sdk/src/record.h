// Record: the binary form of one SDK call inside a SpscRing, and its decoded view. Encoding
// runs on the calling thread (sizes, then memcpy into the reserved ring bytes); decoding and
// everything expensive runs on the background thread.
//
// Layout (little-endian, unaligned access through memcpy):
//   u64 ticks | u8 kind | u8 level | u16 msg_len | u16 ctx_len | u8 nframes | u8 nfields
//   nframes × u64 return addresses | msg | ctx (Context encoding) |
//   nfields × { u8 type | u8 key_len | u16 str_len | key | value (8 bytes, 1 byte or str) }
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

inline size_t field_encoded_size(const Field& f, size_t max_str) {
  size_t k = f.key().size() < kMaxKey ? f.key().size() : kMaxKey;
  switch (f.type()) {
    case Field::Type::kInt:
    case Field::Type::kDouble:
      return 4 + k + 8;
    case Field::Type::kBool:
      return 4 + k + 1;
    case Field::Type::kString:
      return 4 + k + (f.as_string().size() < max_str ? f.as_string().size() : max_str);
    case Field::Type::kNull:
      return 4 + k;
  }
  return 4 + k;
}

inline char* encode_field(char* p, const Field& f, size_t max_str) {
  size_t k = f.key().size() < kMaxKey ? f.key().size() : kMaxKey;
  size_t sl = f.type() == Field::Type::kString
                  ? (f.as_string().size() < max_str ? f.as_string().size() : max_str)
                  : 0;
  p[0] = static_cast<char>(f.type());
  p[1] = static_cast<char>(k);
  uint16_t sl16 = static_cast<uint16_t>(sl);
  std::memcpy(p + 2, &sl16, 2);
  if (k) std::memcpy(p + 4, f.key().data(), k);
  p += 4 + k;
  switch (f.type()) {
    case Field::Type::kInt: {
      int64_t v = f.as_int();
      std::memcpy(p, &v, 8);
      return p + 8;
    }
    case Field::Type::kDouble: {
      double v = f.as_double();
      std::memcpy(p, &v, 8);
      return p + 8;
    }
    case Field::Type::kBool:
      *p = f.as_bool() ? 1 : 0;
      return p + 1;
    case Field::Type::kString:
      if (sl) std::memcpy(p, f.as_string().data(), sl);  // an empty view may be null
      return p + sl;
    case Field::Type::kNull:
      return p;
  }
  return p;
}

// Returns false on a malformed record (a bug: producers only write well-formed ones).
bool decode_record(const char* data, size_t len, DecodedEvent* out);

}  // namespace vigia::sdk::internal
