#include "store/format/codec_uuid.h"

#include <cstring>

namespace vigia {
namespace {

constexpr size_t kMaxHexShapeLen = 64;
constexpr uint8_t kNotHex = 0xff;

// kHexValue[upper][c]: 0..15 when byte c is a hex digit of that case (digits are both
// cases), kNotHex otherwise. A table lookup instead of three range tests per character: the
// shape check ORs the looked-up values of a whole id and tests the high bits once.
struct HexTables {
  uint8_t value[2][256];
};
constexpr HexTables MakeHexTables() {
  HexTables t{};
  for (int upper = 0; upper < 2; ++upper) {
    for (int c = 0; c < 256; ++c) {
      uint8_t v = kNotHex;
      if (c >= '0' && c <= '9') v = static_cast<uint8_t>(c - '0');
      if (!upper && c >= 'a' && c <= 'f') v = static_cast<uint8_t>(c - 'a' + 10);
      if (upper && c >= 'A' && c <= 'F') v = static_cast<uint8_t>(c - 'A' + 10);
      t.value[upper][c] = v;
    }
  }
  return t;
}
constexpr HexTables kHex = MakeHexTables();

// kHexPairs[upper].pair[b]: the two hex digits of byte b.
struct HexPairs {
  char pair[256][2];
};
constexpr HexPairs MakeHexPairs(bool upper) {
  const char* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  HexPairs t{};
  for (int b = 0; b < 256; ++b) {
    t.pair[b][0] = alphabet[b >> 4];
    t.pair[b][1] = alphabet[b & 0xf];
  }
  return t;
}
constexpr HexPairs kHexPairs[2] = {MakeHexPairs(false), MakeHexPairs(true)};

// The hex shape of a block: length, dash positions, case, and the positions of the digits.
struct Shape {
  size_t len = 0;
  uint64_t dashes = 0;
  bool upper = false;
  size_t n_digits = 0;
  uint8_t digits[kMaxHexShapeLen];  // positions of the hex digits, ascending
  const uint8_t* table() const { return kHex.value[upper ? 1 : 0]; }
};

// Shape of `s`, or false when it has no hex shape. Case is taken from the first letter;
// all-digit values count as lowercase, which is what decoding produces for them.
bool ShapeOf(std::string_view s, Shape* shape) {
  if (s.empty() || s.size() > kMaxHexShapeLen) return false;
  shape->len = s.size();
  shape->dashes = 0;
  shape->upper = false;
  shape->n_digits = 0;
  for (char c : s) {
    if (c >= 'A' && c <= 'F') {
      shape->upper = true;
      break;
    }
    if (c >= 'a' && c <= 'f') break;
  }
  const uint8_t* t = shape->table();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      shape->dashes |= uint64_t{1} << i;
    } else if (t[static_cast<uint8_t>(s[i])] == kNotHex) {
      return false;
    } else {
      shape->digits[shape->n_digits++] = static_cast<uint8_t>(i);
    }
  }
  return true;
}

// Does `v` (of the shape's length) have the shape? Branch-free over the digits.
bool HasShape(const Shape& shape, std::string_view v) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  const uint8_t* t = shape.table();
  uint8_t bad = 0;
  if (shape.dashes == 0) {
    for (size_t i = 0; i < shape.len; ++i) bad |= t[p[i]];
  } else {
    for (size_t k = 0; k < shape.n_digits; ++k) bad |= t[p[shape.digits[k]]];
    for (uint64_t d = shape.dashes; d != 0; d &= d - 1) {
      bad |= p[__builtin_ctzll(d)] == '-' ? 0 : kNotHex;
    }
  }
  return (bad & 0xf0) == 0;
}

}  // namespace

bool IsHexShaped(std::span<const std::string_view> values) {
  if (values.empty()) return false;
  Shape first;
  if (!ShapeOf(values[0], &first)) return false;
  if (first.n_digits == 0) return false;  // dashes only: nothing to pack
  for (std::string_view v : values) {
    if (v.size() != first.len || !HasShape(first, v)) return false;
  }
  return true;
}

void EncodeHexIds(std::span<const std::string_view> values, std::string* out) {
  Shape shape;
  ShapeOf(values[0], &shape);
  ByteWriter w(out);
  w.PutU8(static_cast<uint8_t>(shape.len));
  w.PutFixed64(shape.dashes);
  w.PutU8(shape.upper ? 1 : 0);
  const size_t per_value = (shape.n_digits + 1) / 2;
  const size_t pairs = shape.n_digits / 2;
  const bool odd = shape.n_digits % 2 != 0;
  const size_t at = out->size();
  out->resize(at + per_value * values.size());
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + at);
  const uint8_t* t = shape.table();
  const uint8_t* pos = shape.digits;
  for (std::string_view v : values) {
    const auto* p = reinterpret_cast<const uint8_t*>(v.data());
    if (shape.dashes == 0) {
      for (size_t k = 0; k < pairs; ++k) {
        dst[k] = static_cast<uint8_t>(t[p[2 * k]] << 4 | t[p[2 * k + 1]]);
      }
    } else {
      for (size_t k = 0; k < pairs; ++k) {
        dst[k] = static_cast<uint8_t>(t[p[pos[2 * k]]] << 4 | t[p[pos[2 * k + 1]]]);
      }
    }
    if (odd) dst[pairs] = static_cast<uint8_t>(t[p[pos[2 * pairs]]] << 4);
    dst += per_value;
  }
}

namespace {

// DecodeHexIds (all) or DecodeHexIdsAt (the `at` values; REQUIRES: each < n).
bool DecodeHexValues(ByteReader* in, size_t n, std::span<const uint32_t> at, bool all, Arena* arena,
                     std::vector<std::string_view>* out) {
  uint8_t len, upper;
  uint64_t dashes;
  if (!in->GetU8(&len) || !in->GetFixed64(&dashes) || !in->GetU8(&upper)) return false;
  if (len == 0 || len > kMaxHexShapeLen || upper > 1) return false;
  if (len < 64 && (dashes >> len) != 0) return false;
  const size_t digits = len - static_cast<size_t>(__builtin_popcountll(dashes));
  const size_t per_value = (digits + 1) / 2;
  std::string_view packed;
  if (!in->GetBytes(per_value * n, &packed)) return false;
  const char* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  // The values decoded: all n, or the `at` ones (index k of the loops below is the k-th of
  // those; value(k) its index among the n packed values).
  const size_t count = all ? n : at.size();
  auto value = [&](size_t k) -> size_t { return all ? k : at[k]; };
  if (count == 0) return true;
  char* buf = arena->Allocate(count * len);
  const auto* p = reinterpret_cast<const uint8_t*>(packed.data());
  out->reserve(out->size() + count);
  // Fast path (UUIDs, trace and span ids: an even number of digits, no dash inside a byte's
  // two digits): each packed byte becomes a 2-character pair at a fixed offset of a template
  // that already holds the dashes — a table lookup and a 2-byte store per byte instead of a
  // branch per character.
  uint8_t pair_at[kMaxHexShapeLen / 2];
  bool pairs = digits % 2 == 0;
  char shape[kMaxHexShapeLen];
  for (size_t i = 0, nib = 0; i < len && pairs; ++i) {
    shape[i] = ((dashes >> i) & 1) ? '-' : '0';
    if ((dashes >> i) & 1) continue;
    if (nib % 2 == 0) {
      pair_at[nib / 2] = static_cast<uint8_t>(i);
    } else if (pair_at[nib / 2] != i - 1) {
      pairs = false;  // a dash between the two digits of one byte
    }
    ++nib;
  }
  if (pairs) {
    const HexPairs& table = kHexPairs[upper];
    for (size_t k = 0; k < count; ++k) {
      char* dst = buf + k * len;
      std::memcpy(dst, shape, len);
      const uint8_t* src = p + value(k) * per_value;
      for (size_t j = 0; j < per_value; ++j) std::memcpy(dst + pair_at[j], table.pair[src[j]], 2);
      out->push_back(std::string_view(dst, len));
    }
    return true;
  }
  for (size_t k = 0; k < count; ++k) {
    char* s = buf + k * len;
    size_t nib = 0;
    const uint8_t* src = p + value(k) * per_value;
    for (size_t i = 0; i < len; ++i) {
      if ((dashes >> i) & 1) {
        s[i] = '-';
        continue;
      }
      uint8_t byte = src[nib / 2];
      s[i] = alphabet[(nib % 2 == 0) ? byte >> 4 : byte & 0xf];
      ++nib;
    }
    out->push_back(std::string_view(s, len));
  }
  return true;
}

}  // namespace

bool DecodeHexIds(ByteReader* in, size_t n, Arena* arena, std::vector<std::string_view>* out) {
  return DecodeHexValues(in, n, {}, /*all=*/true, arena, out);
}

bool DecodeHexIdsAt(ByteReader* in, size_t n, std::span<const uint32_t> at, Arena* arena,
                    std::vector<std::string_view>* out) {
  for (uint32_t k : at) {
    if (k >= n) return false;
  }
  return DecodeHexValues(in, n, at, /*all=*/false, arena, out);
}

}  // namespace vigia
