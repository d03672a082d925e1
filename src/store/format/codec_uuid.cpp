#include "store/format/codec_uuid.h"

namespace vigia {
namespace {

constexpr size_t kMaxHexShapeLen = 64;

// 0..15 for a hex digit of the given case, -1 otherwise.
int HexValue(char c, bool upper) {
  if (c >= '0' && c <= '9') return c - '0';
  if (!upper && c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (upper && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct Shape {
  size_t len = 0;
  uint64_t dashes = 0;
  bool upper = false;
};

// Shape of `s`, or false when it has no hex shape. Case is taken from the first letter;
// all-digit values count as lowercase, which is what decoding produces for them.
bool ShapeOf(std::string_view s, Shape* shape) {
  if (s.empty() || s.size() > kMaxHexShapeLen) return false;
  shape->len = s.size();
  shape->dashes = 0;
  shape->upper = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'F') {
      shape->upper = true;
      break;
    }
    if (c >= 'a' && c <= 'f') break;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      shape->dashes |= uint64_t{1} << i;
    } else if (HexValue(s[i], shape->upper) < 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsHexShaped(std::span<const std::string_view> values) {
  if (values.empty()) return false;
  Shape first;
  if (!ShapeOf(values[0], &first)) return false;
  if (static_cast<size_t>(__builtin_popcountll(first.dashes)) == first.len) {
    return false;  // dashes only: nothing to pack
  }
  for (std::string_view v : values) {
    if (v.size() != first.len) return false;
    for (size_t i = 0; i < v.size(); ++i) {
      const bool dash = (first.dashes >> i) & 1;
      if (dash ? v[i] != '-' : HexValue(v[i], first.upper) < 0) return false;
    }
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
  for (std::string_view v : values) {
    int pending = -1;
    for (size_t i = 0; i < v.size(); ++i) {
      if ((shape.dashes >> i) & 1) continue;
      int h = HexValue(v[i], shape.upper);
      if (pending < 0) {
        pending = h;
      } else {
        w.PutU8(static_cast<uint8_t>(pending << 4 | h));
        pending = -1;
      }
    }
    if (pending >= 0) w.PutU8(static_cast<uint8_t>(pending << 4));
  }
}

bool DecodeHexIds(ByteReader* in, size_t n, Arena* arena, std::vector<std::string_view>* out) {
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
  char* buf = arena->Allocate(n * len);
  const auto* p = reinterpret_cast<const uint8_t*>(packed.data());
  out->reserve(out->size() + n);
  for (size_t k = 0; k < n; ++k) {
    char* s = buf + k * len;
    size_t nib = 0;
    const uint8_t* src = p + k * per_value;
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

}  // namespace vigia
