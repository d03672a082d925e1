#include "store/format/codec_delta.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "store/format/codec_bitpack.h"

namespace vigia {
namespace {

// A packed mode is taken when it is at most 1/kPackedSlack larger than the best varint mode:
// it decodes several times faster (codec_bitpack.h), and zstd narrows the gap on disk.
constexpr uint64_t kPackedSlack = 4;

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

// The distinct values of `values`, ascending, with each value's index among them in *codes;
// false as soon as there are more than kIntDictMax (a timestamp column gives up within its
// first few hundred values).
bool SmallDictionary(std::span<const int64_t> values, std::vector<int64_t>* distinct,
                     std::vector<uint64_t>* codes) {
  constexpr size_t kSlots = 4 * kIntDictMax;  // open addressing, at most a quarter full
  std::array<int64_t, kSlots> keys;
  std::array<uint16_t, kSlots> slot_code;  // 0 = empty, else 1 + insertion order
  slot_code.fill(0);
  auto slot_of = [&](int64_t v) {
    size_t h = static_cast<size_t>((static_cast<uint64_t>(v) * 0x9E3779B97F4A7C15ull) >> 54);
    while (slot_code[h] != 0 && keys[h] != v) h = (h + 1) & (kSlots - 1);
    return h;
  };
  distinct->clear();
  codes->resize(values.size());
  int64_t prev = 0;
  uint64_t prev_code = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t v = values[i];
    if (i > 0 && v == prev) {
      (*codes)[i] = prev_code;
      continue;
    }
    const size_t h = slot_of(v);
    if (slot_code[h] == 0) {
      if (distinct->size() == kIntDictMax) return false;
      keys[h] = v;
      distinct->push_back(v);
      slot_code[h] = static_cast<uint16_t>(distinct->size());
    }
    prev = v;
    prev_code = (*codes)[i] = slot_code[h] - 1u;
  }
  // Codes in insertion order -> codes in ascending value order.
  std::vector<int64_t> sorted = *distinct;
  std::sort(sorted.begin(), sorted.end());
  std::array<uint64_t, kIntDictMax> rank;
  for (size_t j = 0; j < distinct->size(); ++j) {
    rank[j] = static_cast<uint64_t>(std::lower_bound(sorted.begin(), sorted.end(), (*distinct)[j]) -
                                    sorted.begin());
  }
  for (uint64_t& c : *codes) c = rank[c];
  *distinct = std::move(sorted);
  return true;
}

// The (svarint base, varint scale) every non-constant mode but the dictionary starts with.
bool GetBaseAndScale(ByteReader* in, int64_t* base, uint64_t* scale) {
  return in->GetSignedVarint(base) && in->GetVarint(scale);
}

// Grows `out` by n values and returns them as uint64: decoding is arithmetic modulo 2^64, so
// every int64 round-trips.
uint64_t* GrowBy(std::vector<int64_t>* out, size_t n) {
  const size_t base = out->size();
  out->resize(base + n);
  return reinterpret_cast<uint64_t*>(out->data() + base);
}

}  // namespace

bool IsPackedIntEncoding(IntEncoding enc) {
  switch (enc) {
    case IntEncoding::kConstant:
    case IntEncoding::kOffset:
    case IntEncoding::kDelta:
    case IntEncoding::kDeltaDelta:
      return false;
    case IntEncoding::kOffsetPacked:
    case IntEncoding::kDeltaPacked:
    case IntEncoding::kDictPacked:
      return true;
  }
  return false;
}

IntEncoding EncodeInts(std::span<const int64_t> values, std::string* out, IntModes modes) {
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
  // A single step of 2^63 cannot be divided as int64: no delta modes then.
  const bool deltas_ok = delta_gcd <= static_cast<uint64_t>(INT64_MAX);
  // The stored values of each mode, computed once (the divisions are the costly part). Per
  // thread and reused, like every scratch of the part writer; a block's rows bound them.
  thread_local std::vector<uint64_t> offsets, steps;  // steps: zigzag, n - 1 of them
  offsets.resize(n);
  steps.resize(deltas_ok ? n - 1 : 0);
  for (size_t i = 0; i < n; ++i) {
    offsets[i] = (static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(mn)) / off_gcd;
  }
  // Sizes of the three varint encodings.
  uint64_t off_size = 0, delta_size = UINT64_MAX, dod_size = UINT64_MAX;
  for (uint64_t o : offsets) off_size += VarintLen(o);
  if (deltas_ok) {
    delta_size = dod_size = 0;
    int64_t prev_delta = 0;
    for (size_t i = 1; i < n; ++i) {
      const int64_t d = Sub(values[i], values[i - 1]) / static_cast<int64_t>(delta_gcd);
      steps[i - 1] = ZigZagEncode(d);
      delta_size += VarintLen(steps[i - 1]);
      dod_size += VarintLen(ZigZagEncode(i == 1 ? d : Sub(d, prev_delta)));
      prev_delta = d;
    }
  }
  const uint64_t varint_best = std::min({off_size, delta_size, dod_size});
  if (modes == IntModes::kWithPacked) {
    const uint64_t off_packed = PackedFramesSize(offsets);
    const uint64_t delta_packed = deltas_ok ? PackedFramesSize(steps) : UINT64_MAX;
    thread_local std::vector<int64_t> dict;
    thread_local std::vector<uint64_t> codes;
    uint64_t dict_packed = UINT64_MAX;
    if (SmallDictionary(values, &dict, &codes)) {
      dict_packed = PackedFramesSize(codes) + dict.size();  // ~1 byte per dictionary step
    }
    const uint64_t packed_best = std::min({off_packed, delta_packed, dict_packed});
    if (packed_best <= varint_best + varint_best / kPackedSlack) {
      if (dict_packed == packed_best) {
        w.PutU8(static_cast<uint8_t>(IntEncoding::kDictPacked));
        w.PutVarint(dict.size());
        w.PutSignedVarint(dict[0]);
        for (size_t j = 1; j < dict.size(); ++j) {
          w.PutVarint(static_cast<uint64_t>(dict[j]) - static_cast<uint64_t>(dict[j - 1]));
        }
        PackFrames(codes, out);
        return IntEncoding::kDictPacked;
      }
      if (delta_packed == packed_best) {
        w.PutU8(static_cast<uint8_t>(IntEncoding::kDeltaPacked));
        w.PutSignedVarint(values[0]);
        w.PutVarint(delta_gcd);
        PackFrames(steps, out);
        return IntEncoding::kDeltaPacked;
      }
      w.PutU8(static_cast<uint8_t>(IntEncoding::kOffsetPacked));
      w.PutSignedVarint(mn);
      w.PutVarint(off_gcd);
      PackFrames(offsets, out);
      return IntEncoding::kOffsetPacked;
    }
  }
  if (off_size == varint_best) {
    w.PutU8(static_cast<uint8_t>(IntEncoding::kOffset));
    w.PutSignedVarint(mn);
    w.PutVarint(off_gcd);
    for (uint64_t o : offsets) w.PutVarint(o);
    return IntEncoding::kOffset;
  }
  const IntEncoding enc = delta_size <= dod_size ? IntEncoding::kDelta : IntEncoding::kDeltaDelta;
  w.PutU8(static_cast<uint8_t>(enc));
  w.PutSignedVarint(values[0]);
  w.PutVarint(delta_gcd);
  int64_t prev_delta = 0;
  for (size_t i = 1; i < n; ++i) {
    const int64_t d = ZigZagDecode(steps[i - 1]);
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
      if (!GetBaseAndScale(in, &mn, &scale)) return false;
      // The varints land in the output first and are rebased in place: one tight loop each.
      uint64_t* o = GrowBy(out, n);
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
      if (!GetBaseAndScale(in, &first, &scale)) return false;
      uint64_t* o = GrowBy(out, n);
      o[0] = static_cast<uint64_t>(first);
      if (!in->GetVarints(n - 1, o + 1)) return false;
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
    case IntEncoding::kOffsetPacked: {
      int64_t mn;
      uint64_t scale;
      if (!GetBaseAndScale(in, &mn, &scale)) return false;
      uint64_t* o = GrowBy(out, n);
      const uint64_t m = static_cast<uint64_t>(mn);
      // Frame by frame, so that each frame is rebased while it is in the L1 cache.
      for (size_t f = 0; f < n; f += kBitpackFrame) {
        const size_t end = std::min(n, f + kBitpackFrame);
        if (!UnpackFrames(in, end - f, o + f)) return false;
        for (size_t i = f; i < end; ++i) o[i] = m + o[i] * scale;
      }
      return true;
    }
    case IntEncoding::kDeltaPacked: {
      if (n == 0) return true;
      int64_t first;
      uint64_t scale;
      if (!GetBaseAndScale(in, &first, &scale)) return false;
      uint64_t* o = GrowBy(out, n);
      uint64_t prev = static_cast<uint64_t>(first);
      o[0] = prev;
      // The steps' frames start at value 1; each is summed up while it is in the L1 cache.
      for (size_t f = 1; f < n; f += kBitpackFrame) {
        const size_t end = std::min(n, f + kBitpackFrame);
        if (!UnpackFrames(in, end - f, o + f)) return false;
        for (size_t i = f; i < end; ++i) {
          prev += static_cast<uint64_t>(ZigZagDecode(o[i])) * scale;
          o[i] = prev;
        }
      }
      return true;
    }
    case IntEncoding::kDictPacked: {
      uint64_t count;
      if (!in->GetVarint(&count) || count == 0 || count > kIntDictMax) return false;
      std::array<uint64_t, kIntDictMax> dict;
      int64_t first;
      if (!in->GetSignedVarint(&first)) return false;
      dict[0] = static_cast<uint64_t>(first);
      for (size_t j = 1; j < count; ++j) {
        uint64_t step;
        if (!in->GetVarint(&step)) return false;
        dict[j] = dict[j - 1] + step;
      }
      uint64_t* o = GrowBy(out, n);
      // A code past the dictionary reads entry 0 and fails the chunk after the loop (no branch
      // per value). Frame by frame, as above.
      uint64_t bad = 0;
      for (size_t f = 0; f < n; f += kBitpackFrame) {
        const size_t end = std::min(n, f + kBitpackFrame);
        if (!UnpackFrames(in, end - f, o + f)) return false;
        for (size_t i = f; i < end; ++i) {
          const uint64_t c = o[i];
          bad |= static_cast<uint64_t>(c >= count);
          o[i] = dict[c < count ? c : 0];
        }
      }
      return bad == 0;
    }
  }
  return false;
}

}  // namespace vigia
