// Hex text of bytes and back (see hex.h).
#include "common/hex.h"

#include "common/ascii.h"

namespace vigia::hex {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

// The byte of digits `hi` and `lo`, or -1.
int ByteOf(char hi, char lo, Case c) {
  const int h = c == Case::kEither ? ascii::HexValue(hi) : ascii::LowerHexValue(hi);
  const int l = c == Case::kEither ? ascii::HexValue(lo) : ascii::LowerHexValue(lo);
  return h < 0 || l < 0 ? -1 : h << 4 | l;
}

}  // namespace

void AppendTo(std::string_view bytes, std::string* out) {
  const size_t at = out->size();
  out->resize(at + 2 * bytes.size());
  char* p = out->data() + at;
  for (unsigned char b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 15];
  }
}

std::string Encode(std::string_view bytes) {
  std::string out;
  AppendTo(bytes, &out);
  return out;
}

bool Decode(std::string_view hex, Case c, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->resize(hex.size() / 2);
  return DecodeInto(hex, c, {reinterpret_cast<uint8_t*>(out->data()), out->size()});
}

bool DecodeInto(std::string_view hex, Case c, std::span<uint8_t> out) {
  if (hex.size() != 2 * out.size()) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int v = ByteOf(hex[2 * i], hex[2 * i + 1], c);
    if (v < 0) return false;
    out[i] = static_cast<uint8_t>(v);
  }
  return true;
}

}  // namespace vigia::hex
