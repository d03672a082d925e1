#include "store/format/codec_delta.h"

#include <numeric>

namespace vigia {
namespace {

int VarintLen(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

uint64_t AbsU(int64_t v) {
  return v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
}

int64_t Sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace

IntEncoding EncodeInts(std::span<const int64_t> values, std::string* out) {
  ByteWriter w(out);
  const size_t n = values.size();
  int64_t mn = n ? values[0] : 0;
  bool constant = true;
  for (int64_t v : values) {
    if (v < mn) mn = v;
    if (v != values[0]) constant = false;
  }
  if (n == 0 || constant) {
    w.PutU8(static_cast<uint8_t>(IntEncoding::kConstant));
    w.PutSignedVarint(mn);
    return IntEncoding::kConstant;
  }
  // GCDs of the offsets and of the steps; both are > 0 because the block is not constant.
  uint64_t off_gcd = 0, delta_gcd = 0;
  for (size_t i = 0; i < n; ++i) {
    off_gcd = std::gcd(off_gcd, static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(mn));
    if (i > 0) delta_gcd = std::gcd(delta_gcd, AbsU(Sub(values[i], values[i - 1])));
  }
  // Sizes of the three variable encodings.
  uint64_t off_size = 0, delta_size = 0, dod_size = 0;
  int64_t prev_delta = 0;
  for (size_t i = 0; i < n; ++i) {
    off_size += VarintLen((static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(mn)) / off_gcd);
    if (i == 0) continue;
    int64_t d = Sub(values[i], values[i - 1]) / static_cast<int64_t>(delta_gcd);
    delta_size += VarintLen(ZigZagEncode(d));
    dod_size += VarintLen(ZigZagEncode(i == 1 ? d : Sub(d, prev_delta)));
    prev_delta = d;
  }
  if (delta_gcd > static_cast<uint64_t>(INT64_MAX)) {
    // A single step of 2^63 cannot be divided as int64; fall back to offsets.
    delta_size = dod_size = UINT64_MAX;
  }
  if (off_size <= delta_size && off_size <= dod_size) {
    w.PutU8(static_cast<uint8_t>(IntEncoding::kOffset));
    w.PutSignedVarint(mn);
    w.PutVarint(off_gcd);
    for (int64_t v : values) {
      w.PutVarint((static_cast<uint64_t>(v) - static_cast<uint64_t>(mn)) / off_gcd);
    }
    return IntEncoding::kOffset;
  }
  const IntEncoding enc = delta_size <= dod_size ? IntEncoding::kDelta : IntEncoding::kDeltaDelta;
  w.PutU8(static_cast<uint8_t>(enc));
  w.PutSignedVarint(values[0]);
  w.PutVarint(delta_gcd);
  prev_delta = 0;
  for (size_t i = 1; i < n; ++i) {
    int64_t d = Sub(values[i], values[i - 1]) / static_cast<int64_t>(delta_gcd);
    if (enc == IntEncoding::kDelta || i == 1) {
      w.PutSignedVarint(d);
    } else {
      w.PutSignedVarint(Sub(d, prev_delta));
    }
    prev_delta = d;
  }
  return enc;
}

bool DecodeInts(ByteReader* in, size_t n, std::vector<int64_t>* out) {
  uint8_t enc;
  if (!in->GetU8(&enc)) return false;
  out->reserve(out->size() + n);
  switch (static_cast<IntEncoding>(enc)) {
    case IntEncoding::kConstant: {
      int64_t v;
      if (!in->GetSignedVarint(&v)) return false;
      out->insert(out->end(), n, v);
      return true;
    }
    case IntEncoding::kOffset: {
      int64_t mn;
      uint64_t scale;
      if (!in->GetSignedVarint(&mn) || !in->GetVarint(&scale)) return false;
      // The varints land in the output first and are rebased in place: one tight loop each.
      const size_t base = out->size();
      out->resize(base + n);
      auto* o = reinterpret_cast<uint64_t*>(out->data() + base);
      if (!in->GetVarints(n, o)) return false;
      const uint64_t m = static_cast<uint64_t>(mn);
      for (size_t i = 0; i < n; ++i) o[i] = m + o[i] * scale;
      return true;
    }
    case IntEncoding::kDelta:
    case IntEncoding::kDeltaDelta: {
      if (n == 0) return true;
      int64_t first;
      uint64_t scale;
      if (!in->GetSignedVarint(&first) || !in->GetVarint(&scale)) return false;
      const size_t base = out->size();
      out->resize(base + n);
      auto* o = reinterpret_cast<uint64_t*>(out->data() + base);
      o[0] = static_cast<uint64_t>(first);
      if (!in->GetVarints(n - 1, o + 1)) return false;
      // Arithmetic modulo 2^64: every int64 round-trips.
      uint64_t prev = o[0];
      if (enc == static_cast<uint8_t>(IntEncoding::kDelta)) {
        for (size_t i = 1; i < n; ++i) {
          prev += static_cast<uint64_t>(ZigZagDecode(o[i])) * scale;
          o[i] = prev;
        }
      } else {
        uint64_t delta = 0;  // d1 is the first step itself: 0 + d1
        for (size_t i = 1; i < n; ++i) {
          delta += static_cast<uint64_t>(ZigZagDecode(o[i]));
          prev += delta * scale;
          o[i] = prev;
        }
      }
      return true;
    }
  }
  return false;
}

}  // namespace vigia
