// Round trips and malformed-input handling of the column codecs.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>

#include "store/format/codec_bitpack.h"
#include "store/format/codec_delta.h"
#include "store/format/codec_dict.h"
#include "store/format/codec_float.h"
#include "store/format/codec_uuid.h"
#include "store/format/codec_zstd.h"
#include "store/format/column_codec.h"
#include "store/format/part_testing.h"

namespace vigia {
namespace {

std::vector<int64_t> IntRoundTrip(const std::vector<int64_t>& in, IntEncoding* enc,
                                  IntModes modes = IntModes::kWithPacked) {
  std::string buf;
  *enc = EncodeInts(in, &buf, modes);
  ByteReader r(buf);
  std::vector<int64_t> out;
  EXPECT_TRUE(DecodeInts(&r, in.size(), &out));
  EXPECT_TRUE(r.empty());
  return out;
}

TEST(CodecDelta, ChoosesEncodingByContent) {
  IntEncoding enc;
  std::vector<int64_t> constant(100, 42);
  EXPECT_EQ(IntRoundTrip(constant, &enc), constant);
  EXPECT_EQ(enc, IntEncoding::kConstant);

  std::vector<int64_t> regular;
  for (int i = 0; i < 1000; ++i) regular.push_back(1'700'000'000'000'000'000 + i * 1'000'000);
  EXPECT_EQ(IntRoundTrip(regular, &enc), regular);
  EXPECT_NE(enc, IntEncoding::kOffset);  // offsets would need 2 bytes each
  std::string buf;
  EncodeInts(regular, &buf);
  EXPECT_LE(buf.size(), regular.size() + 16);

  std::vector<int64_t> accelerating;  // steps grow by one: only delta-of-delta is flat
  for (int64_t i = 0; i < 1000; ++i) accelerating.push_back(i * i * 1000);
  EXPECT_EQ(IntRoundTrip(accelerating, &enc), accelerating);
  EXPECT_EQ(enc, IntEncoding::kDeltaDelta);

  std::vector<int64_t> status;
  for (int i = 0; i < 1000; ++i) status.push_back(i % 7 == 0 ? 503 : i % 3 ? 200 : 404);
  EXPECT_EQ(IntRoundTrip(status, &enc), status);
  EXPECT_EQ(enc, IntEncoding::kDictPacked);  // three values: 2-bit codes
  EXPECT_EQ(IntRoundTrip(status, &enc, IntModes::kVarintOnly), status);
  EXPECT_EQ(enc, IntEncoding::kOffset);  // deltas would swing both ways

  std::mt19937_64 rng(2);
  std::vector<int64_t> ms_timestamps;  // irregular steps of 0-999 ms, in nanoseconds
  int64_t t = 1'763'700'000'000'000'000;
  for (int i = 0; i < 5000; ++i) {
    ms_timestamps.push_back(t += static_cast<int64_t>(rng() % 1000) * 1'000'000);
  }
  EXPECT_EQ(IntRoundTrip(ms_timestamps, &enc), ms_timestamps);
  EXPECT_EQ(enc, IntEncoding::kDeltaPacked);  // 10-bit steps against 1-2 byte varints
  EXPECT_EQ(IntRoundTrip(ms_timestamps, &enc, IntModes::kVarintOnly), ms_timestamps);
  EXPECT_TRUE(enc == IntEncoding::kDelta || enc == IntEncoding::kDeltaDelta);

  std::vector<int64_t> sizes;  // uniform in [1000, 66535): offsets of 16 bits
  for (int i = 0; i < 5000; ++i) sizes.push_back(1000 + static_cast<int64_t>(rng() % 65535));
  EXPECT_EQ(IntRoundTrip(sizes, &enc), sizes);
  EXPECT_EQ(enc, IntEncoding::kOffsetPacked);

  // Mostly tiny values with rare huge ones (too many distinct for a dictionary): varints stay,
  // since every frame would take the huge width.
  std::vector<int64_t> skewed;
  for (int i = 0; i < 20000; ++i) {
    skewed.push_back(i % 50 == 0 ? static_cast<int64_t>(rng() >> 4)
                                 : static_cast<int64_t>(rng() % 100));
  }
  EXPECT_EQ(IntRoundTrip(skewed, &enc), skewed);
  EXPECT_EQ(enc, IntEncoding::kOffset);
}

// Frames of every width 0..64 and lengths around the frame size and the 8-byte load margin
// decode to what was packed — read in place, from the padded copy at the input's end, and with
// trailing bytes after the frames — and occupy exactly PackedFramesSize bytes.
TEST(CodecBitpack, EveryWidthAndLengthRoundTrips) {
  std::mt19937_64 rng(17);
  const size_t lengths[] = {1, 2, 7, 8, 9, 63, 64, 127, 128, 129, 255, 256, 257, 1000};
  for (int width = 0; width <= 64; ++width) {
    for (size_t n : lengths) {
      std::vector<uint64_t> v(n);
      for (uint64_t& x : v) {
        x = width == 0 ? 0 : rng() >> (64 - width);
        if (width > 0 && rng() % 4 == 0) x |= uint64_t{1} << (width - 1);  // the full width
      }
      std::string buf;
      PackFrames(v, &buf);
      EXPECT_EQ(buf.size(), PackedFramesSize(v)) << width << " " << n;
      for (size_t trailing : {0, 3, 16}) {
        std::string in = buf + std::string(trailing, '\xff');
        ByteReader r(in);
        std::vector<uint64_t> back(n, 12345);
        ASSERT_TRUE(UnpackFrames(&r, n, back.data())) << width << " " << n;
        ASSERT_EQ(back, v) << width << " " << n << " trailing " << trailing;
        EXPECT_EQ(r.remaining(), trailing);
      }
      for (size_t cut = buf.size() > 20 ? buf.size() - 20 : 0; cut < buf.size(); ++cut) {
        ByteReader r(std::string_view(buf).substr(0, cut));
        std::vector<uint64_t> back(n);
        EXPECT_FALSE(UnpackFrames(&r, n, back.data())) << width << " " << n << " cut " << cut;
      }
    }
  }
  // A frame's width byte above 64 is malformed.
  std::string bad = std::string(1, '\x41') + std::string(2000, '\0');
  ByteReader r(bad);
  std::vector<uint64_t> back(10);
  EXPECT_FALSE(UnpackFrames(&r, 10, back.data()));
}

// The packed modes round-trip every shape, including the extremes, in blocks of every length
// around the frame size; a truncation of any of them fails.
TEST(CodecDelta, PackedModesRoundTripAndRefuseTruncation) {
  std::mt19937_64 rng(23);
  const int64_t mn = std::numeric_limits<int64_t>::min(), mx = std::numeric_limits<int64_t>::max();
  for (int round = 0; round < 400; ++round) {
    const size_t n = 1 + rng() % 400;
    std::vector<int64_t> v(n);
    const int shape = round % 5;
    int64_t t = static_cast<int64_t>(rng());
    for (size_t i = 0; i < n; ++i) {
      switch (shape) {
        case 0:  // few distinct values anywhere in the range, extremes included
          v[i] = std::vector<int64_t>{mn, mx, -1, 0, 200, 503, mx - 7}[rng() % 7];
          break;
        case 1:  // a sorted run with a jump back, as at a (service, kind) boundary
          v[i] =
              i == n / 2 ? (t -= 1'000'000'000) : (t += static_cast<int64_t>(rng() % 5000) * 1000);
          break;
        case 2:  // bounded random offsets
          v[i] = -5000 + static_cast<int64_t>(rng() % 100000);
          break;
        case 3:  // anything
          v[i] = static_cast<int64_t>(rng());
          break;
        default:  // up to 256 distinct values (the dictionary's limit) or just past it
          v[i] = static_cast<int64_t>(rng() % (250 + round % 12)) * 1000;
          break;
      }
    }
    for (IntModes modes : {IntModes::kWithPacked, IntModes::kVarintOnly}) {
      std::string buf;
      const IntEncoding enc = EncodeInts(v, &buf, modes);
      if (modes == IntModes::kVarintOnly) {
        EXPECT_FALSE(IsPackedIntEncoding(enc));
      }
      ByteReader r(buf);
      std::vector<int64_t> back = {7};  // decoding appends
      ASSERT_TRUE(DecodeInts(&r, n, &back)) << round;
      EXPECT_TRUE(r.empty());
      back.erase(back.begin());
      ASSERT_EQ(back, v) << round << " encoding " << static_cast<int>(enc);
      for (size_t cut = 0; cut < buf.size(); cut += 1 + buf.size() / 50) {
        ByteReader c(std::string_view(buf).substr(0, cut));
        std::vector<int64_t> part;
        EXPECT_FALSE(DecodeInts(&c, n, &part)) << round << " cut " << cut;
      }
    }
  }
}

// A dictionary chunk whose codes point past its dictionary, or whose size is 0 or above the
// limit, is refused (not read out of bounds).
TEST(CodecDelta, DictPackedRefusesBadCodesAndSizes) {
  auto dict_chunk = [](uint64_t count, std::span<const uint64_t> codes) {
    std::string buf;
    ByteWriter w(&buf);
    w.PutU8(static_cast<uint8_t>(IntEncoding::kDictPacked));
    w.PutVarint(count);
    w.PutSignedVarint(200);
    for (uint64_t j = 1; j < count && j < 1000; ++j) w.PutVarint(1);
    PackFrames(codes, &buf);
    return buf;
  };
  const std::vector<uint64_t> good = {0, 1, 2, 2, 1, 0};
  const std::vector<uint64_t> past = {0, 1, 3, 2, 1, 0};
  for (const auto& [count, codes, ok] :
       {std::tuple{uint64_t{3}, good, true}, std::tuple{uint64_t{3}, past, false},
        std::tuple{uint64_t{0}, good, false}, std::tuple{uint64_t{kIntDictMax + 1}, good, false}}) {
    const std::string buf = dict_chunk(count, codes);
    ByteReader r(buf);
    std::vector<int64_t> out;
    EXPECT_EQ(DecodeInts(&r, codes.size(), &out), ok) << count;
    if (ok) {
      EXPECT_EQ(out, (std::vector<int64_t>{200, 201, 202, 202, 201, 200}));
    }
  }
}

TEST(CodecDelta, GcdScalingMakesMillisecondTimestampsSmall) {
  std::mt19937_64 rng(1);
  std::vector<int64_t> ts;
  int64_t t = 1'763'700'000'000'000'000;
  for (int i = 0; i < 10000; ++i) ts.push_back(t += static_cast<int64_t>(rng() % 50) * 1'000'000);
  std::string buf;
  EncodeInts(ts, &buf);
  EXPECT_LT(buf.size(), 1.2 * ts.size());  // ~1 byte per value, not 4
  ByteReader r(buf);
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeInts(&r, ts.size(), &out));
  EXPECT_EQ(out, ts);
}

TEST(CodecDelta, ExtremesRoundTrip) {
  IntEncoding enc;
  const int64_t mn = std::numeric_limits<int64_t>::min(), mx = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> v = {mn, mx, 0, -1, 1, mx, mn, mn + 1, mx - 1};
  EXPECT_EQ(IntRoundTrip(v, &enc), v);
  std::vector<int64_t> two = {mn, 0};  // a single step of exactly 2^63
  EXPECT_EQ(IntRoundTrip(two, &enc), two);
  std::mt19937_64 rng(7);
  std::vector<int64_t> rnd;
  for (int i = 0; i < 500; ++i) rnd.push_back(static_cast<int64_t>(rng()));
  EXPECT_EQ(IntRoundTrip(rnd, &enc), rnd);
}

// GetVarints (the batch read DecodeInts uses) reads exactly what GetVarint one at a time
// reads — every length from 1 to 10 bytes, near the end of the input where the per-byte
// checks come back — and refuses what GetVarint refuses.
TEST(CodecDelta, BatchVarintsReadWhatSingleReadsRead) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::string buf;
    ByteWriter w(&buf);
    const size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) w.PutVarint(rng() >> (rng() % 64));
    std::vector<uint64_t> one(n), batch(n);
    ByteReader a(buf), b(buf);
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(a.GetVarint(&one[i]));
    ASSERT_TRUE(b.GetVarints(n, batch.data()));
    EXPECT_EQ(batch, one);
    EXPECT_TRUE(b.empty());
    // One varint too many: the input ends.
    ByteReader c(buf);
    std::vector<uint64_t> more(n + 1);
    EXPECT_FALSE(c.GetVarints(n + 1, more.data()));
  }
  // Eleven continuation bytes are malformed, in the unchecked stretch and at the end.
  for (size_t pad : {0, 20}) {
    std::string bad(11, '\x80');
    bad += '\x01';
    bad += std::string(pad, '\x01');
    uint64_t v[1];
    uint64_t single;
    ByteReader r(bad), s(bad);
    EXPECT_FALSE(r.GetVarints(1, v)) << pad;
    EXPECT_FALSE(s.GetVarint(&single)) << pad;
  }
}

// Long runs take the 8-byte window path (varint_batch.h): runs of 1-byte varints, 1- and
// 2-byte ones mixed in every proportion, 3- to 10-byte ones among them, and each mix cut
// short at every length near its end, read exactly what GetVarint reads; an over-long
// varint in the middle of a run is refused, as GetVarint refuses it.
TEST(CodecDelta, WindowedBatchVarintsReadWhatSingleReadsRead) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 300; ++round) {
    const int two_in_64 = round % 65;          // share of 2-byte varints
    const int long_in_256 = (round / 65) * 3;  // and of longer ones
    std::string buf;
    ByteWriter w(&buf);
    const size_t n = 64 + rng() % 3000;
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = rng() % 128;
      if (static_cast<int>(rng() % 256) < long_in_256) {
        v = rng() >> (rng() % 43);  // 3 to 10 bytes
      } else if (static_cast<int>(rng() % 64) < two_in_64) {
        v = 128 + rng() % (16384 - 128);
      }
      w.PutVarint(v);
    }
    std::vector<uint64_t> one(n), batch(n);
    ByteReader a(buf), b(buf);
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(a.GetVarint(&one[i]));
    ASSERT_TRUE(b.GetVarints(n, batch.data())) << round;
    ASSERT_EQ(batch, one) << round;
    EXPECT_TRUE(b.empty());
    for (size_t cut = buf.size() > 40 ? buf.size() - 40 : 0; cut < buf.size(); ++cut) {
      ByteReader c(std::string_view(buf).substr(0, cut));
      std::vector<uint64_t> part(n);
      EXPECT_FALSE(c.GetVarints(n, part.data())) << round << " cut " << cut;
    }
  }
  // Eleven continuation bytes after a run of short varints, and after a 2-byte one.
  for (const std::string& lead : {std::string(100, '\x01'), std::string(99, '\x01') + "\x81\x01"}) {
    std::string bad = lead + std::string(11, '\x80') + '\x01' + std::string(40, '\x01');
    const size_t n = 150;
    std::vector<uint64_t> v(n);
    ByteReader r(bad);
    EXPECT_FALSE(r.GetVarints(n, v.data()));
  }
}

// Every encoding decodes alike at lengths around the batch read's 10-byte margin.
TEST(CodecDelta, EveryEncodingRoundTripsAtEveryShortLength) {
  std::mt19937_64 rng(5);
  for (size_t n = 1; n < 40; ++n) {
    std::vector<std::vector<int64_t>> inputs(4);
    int64_t t = 1'763'700'000'000'000'000;
    for (size_t i = 0; i < n; ++i) {
      inputs[0].push_back(t += static_cast<int64_t>(rng() % 5) * 1'000'000);  // delta
      inputs[1].push_back(static_cast<int64_t>(i * i) * 7);                   // delta-of-delta
      inputs[2].push_back(i % 3 ? 200 : 503);                                 // offset
      inputs[3].push_back(static_cast<int64_t>(rng()));                       // wide
    }
    for (const auto& in : inputs) {
      IntEncoding enc;
      EXPECT_EQ(IntRoundTrip(in, &enc), in) << n;
    }
  }
}

TEST(CodecDelta, TruncatedInputFails) {
  std::vector<int64_t> v = {1, 5, 9, 1000, 2};
  std::string buf;
  EncodeInts(v, &buf);
  for (size_t cut = 0; cut < buf.size(); ++cut) {
    ByteReader r(std::string_view(buf).substr(0, cut));
    std::vector<int64_t> out;
    EXPECT_FALSE(DecodeInts(&r, v.size(), &out)) << cut;
  }
}

// Decimal chunks decode bit for bit at every scale, with mantissas inside ±2^51 (the
// vectorized conversion) and beyond it (the scalar one), of one sign and of both, appended
// after what is there.
TEST(CodecFloat, DecimalsDecodeBitForBitInsideAndBeyondTheVectorRange) {
  uint64_t s = 3;
  auto next = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return s >> 11;
  };
  const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  const int64_t limits[] = {1'000'000, (int64_t{1} << 51) - 1, 8'000'000'000'000'000};
  for (int k = 0; k <= 6; ++k) {
    for (int64_t limit : limits) {
      for (bool negatives : {false, true}) {
        SCOPED_TRACE(::testing::Message()
                     << "k " << k << " limit " << limit << " negatives " << negatives);
        std::vector<double> v;
        for (int i = 0; i < 5000; ++i) {
          int64_t m = static_cast<int64_t>(next() % static_cast<uint64_t>(limit));
          if (negatives && i % 3 == 0) m = -m;
          v.push_back(static_cast<double>(m) / pow10[k]);
        }
        v.push_back(static_cast<double>(limit) / pow10[k]);
        if (negatives) v.push_back(static_cast<double>(-limit) / pow10[k]);
        std::string buf;
        if (EncodeFloats(v, &buf) != FloatEncoding::kDecimal) continue;  // k too small for v
        ByteReader r(buf);
        std::vector<double> out = {42.0};
        ASSERT_TRUE(DecodeFloats(&r, v.size(), &out));
        ASSERT_EQ(out.size(), v.size() + 1);
        EXPECT_EQ(out[0], 42.0);
        EXPECT_EQ(0, std::memcmp(out.data() + 1, v.data(), v.size() * sizeof(double)));
      }
    }
  }
}

// A chunk's mantissas need not come from EncodeFloats (a damaged file that passed its
// checksum, the fuzzer): the extremes of int64 decode as the scalar conversion gives them,
// without overflow (column_codec_fuzz found `ms + 2^51` overflowing signed arithmetic).
TEST(CodecFloat, DecimalMantissasAtTheEndsOfInt64DecodeWithoutOverflow) {
  const std::vector<int64_t> ms = {std::numeric_limits<int64_t>::max(),
                                   std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max() - 138'463,
                                   (int64_t{1} << 51) - 1,
                                   -(int64_t{1} << 51),
                                   5};
  std::string buf;
  ByteWriter w(&buf);
  w.PutU8(static_cast<uint8_t>(FloatEncoding::kDecimal));
  w.PutU8(3);
  EncodeInts(ms, &buf);
  ByteReader r(buf);
  std::vector<double> out;
  ASSERT_TRUE(DecodeFloats(&r, ms.size(), &out));
  ASSERT_EQ(out.size(), ms.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    EXPECT_EQ(out[i], static_cast<double>(ms[i]) / 1000) << i;
  }
}

TEST(CodecFloat, DecimalsAndRawBothExact) {
  std::vector<double> dec = {12.5, 0.375, 100, 3.25, 0.001};
  std::string buf;
  EXPECT_EQ(EncodeFloats(dec, &buf), FloatEncoding::kDecimal);
  ByteReader r(buf);
  std::vector<double> out;
  ASSERT_TRUE(DecodeFloats(&r, dec.size(), &out));
  EXPECT_EQ(out, dec);

  std::vector<double> raw = {1.0 / 3, -0.0, std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), 1e300};
  buf.clear();
  EXPECT_EQ(EncodeFloats(raw, &buf), FloatEncoding::kRaw);
  ByteReader r2(buf);
  out.clear();
  ASSERT_TRUE(DecodeFloats(&r2, raw.size(), &out));
  ASSERT_EQ(out.size(), raw.size());
  EXPECT_EQ(0, std::memcmp(out.data(), raw.data(), raw.size() * sizeof(double)));
}

TEST(CodecDict, RoundTripAndCardinalityLimit) {
  std::vector<std::string_view> v = {"GET", "POST", "GET", "", "GET", "DELETE"};
  std::string buf;
  ASSERT_TRUE(EncodeDict(v, 16, &buf));
  ByteReader r(buf);
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeDict(&r, v.size(), &out));
  EXPECT_EQ(out, v);
  std::string untouched;
  EXPECT_FALSE(EncodeDict(v, 3, &untouched));
  EXPECT_TRUE(untouched.empty());
}

TEST(CodecDict, DecodesToCodes) {
  std::vector<std::string_view> v = {"GET", "POST", "GET", "", "GET", "DELETE"};
  std::string buf;
  ASSERT_TRUE(EncodeDict(v, 16, &buf));
  ByteReader r(buf);
  std::vector<std::string_view> entries;
  std::vector<uint16_t> codes = {42};  // appended to
  ASSERT_TRUE(DecodeDictCodes(&r, v.size(), &entries, &codes));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(entries.size(), 4u);
  ASSERT_EQ(codes.size(), v.size() + 1);
  EXPECT_EQ(codes[0], 42);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(entries[codes[i + 1]], v[i]) << i;
  EXPECT_EQ(codes[1], codes[3]);
  // A constant block stores no indexes: every value is entry 0.
  std::vector<std::string_view> same(300, "info");
  buf.clear();
  ASSERT_TRUE(EncodeDict(same, 16, &buf));
  ByteReader r2(buf);
  codes.clear();
  ASSERT_TRUE(DecodeDictCodes(&r2, same.size(), &entries, &codes));
  EXPECT_EQ(entries, std::vector<std::string_view>{"info"});
  EXPECT_EQ(codes, std::vector<uint16_t>(300, 0));
}

TEST(CodecDict, WideDictionaryUsesTwoByteCodes) {
  std::vector<std::string> owned;
  for (int i = 0; i < 1000; ++i) owned.push_back("route-" + std::to_string(i % 700));
  std::vector<std::string_view> v(owned.begin(), owned.end());
  std::string buf;
  ASSERT_TRUE(EncodeDict(v, kMaxDictEntries, &buf));
  ByteReader r(buf);
  std::vector<std::string_view> entries;
  std::vector<uint16_t> codes;
  ASSERT_TRUE(DecodeDictCodes(&r, v.size(), &entries, &codes));
  EXPECT_EQ(entries.size(), 700u);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(entries[codes[i]], v[i]) << i;
  buf[buf.size() - 1] = 9;  // last code's high byte: index 2304+ of 700 entries
  ByteReader bad(buf);
  EXPECT_FALSE(DecodeDictCodes(&bad, v.size(), &entries, &codes));
}

TEST(CodecDict, OutOfRangeIndexIsRejected) {
  std::vector<std::string_view> v = {"a", "b", "a"};
  std::string buf;
  ASSERT_TRUE(EncodeDict(v, 16, &buf));
  buf.back() = 9;  // index 9 of a 2-entry dictionary
  ByteReader r(buf);
  std::vector<std::string_view> out;
  EXPECT_FALSE(DecodeDict(&r, v.size(), &out));
}

// EncodeDict keeps its hash table per thread between calls: a call after others (given up
// early, over the entry limit, wider tables) must encode exactly as on a fresh thread.
TEST(CodecDict, ReusedTableEncodesAsAFreshThread) {
  std::vector<std::string> mostly_distinct, pairs, routes;
  for (int i = 0; i < 4000; ++i) mostly_distinct.push_back("v" + std::to_string(i % 2000));
  for (int i = 0; i < 3000; ++i) pairs.push_back("w" + std::to_string(i / 2));
  for (int i = 0; i < 1000; ++i) routes.push_back("route-" + std::to_string(i % 700));
  const std::vector<std::string> overlap = {"v5", "w7", "v5", "v1999", "w7", "x", "route-3"};
  struct Call {
    const std::vector<std::string>* values;
    size_t max_entries;
    bool expect;
  };
  const std::vector<Call> calls = {
      {&mostly_distinct, 2000, false},  // gives up at 1,024 values, 1,024 entries in the table
      {&overlap, 16, true},
      {&pairs, 600, false},  // over the entry limit
      {&overlap, 16, true},
      {&routes, kMaxDictEntries, true},  // a wider table
      {&overlap, 16, true},
      {&overlap, 3, false},
      {&routes, 700, true},
  };
  auto encode = [](const Call& c, std::string* out) {
    std::vector<std::string_view> v(c.values->begin(), c.values->end());
    return EncodeDict(v, c.max_entries, out);
  };
  for (size_t k = 0; k < calls.size(); ++k) {
    std::string reused, fresh;
    const bool ok = encode(calls[k], &reused);
    bool fresh_ok = false;
    std::thread([&] { fresh_ok = encode(calls[k], &fresh); }).join();
    EXPECT_EQ(ok, calls[k].expect) << k;
    EXPECT_EQ(fresh_ok, calls[k].expect) << k;
    EXPECT_EQ(reused, fresh) << k;
    if (!ok) continue;
    ByteReader r(reused);
    std::vector<std::string_view> out;
    ASSERT_TRUE(DecodeDict(&r, calls[k].values->size(), &out)) << k;
    EXPECT_EQ(out, std::vector<std::string_view>(calls[k].values->begin(), calls[k].values->end()))
        << k;
  }
}

TEST(CodecUuid, PacksHexShapesExactly) {
  std::mt19937_64 rng(3);
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back(testing::RandomUuid(rng));
  std::vector<std::string_view> v(ids.begin(), ids.end());
  ASSERT_TRUE(IsHexShaped(v));
  std::string buf;
  EncodeHexIds(v, &buf);
  EXPECT_EQ(buf.size(), 10 + 16 * v.size());
  ByteReader r(buf);
  Arena arena;
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeHexIds(&r, v.size(), &arena, &out));
  EXPECT_EQ(out, v);

  std::vector<std::string_view> upper = {"ABCDEF01", "12345678", "FFFF0000"};
  ASSERT_TRUE(IsHexShaped(upper));
  buf.clear();
  EncodeHexIds(upper, &buf);
  ByteReader r2(buf);
  out.clear();
  ASSERT_TRUE(DecodeHexIds(&r2, upper.size(), &arena, &out));
  EXPECT_EQ(out, upper);

  EXPECT_FALSE(IsHexShaped(std::vector<std::string_view>{"abc", "abcd"}));
  EXPECT_FALSE(IsHexShaped(std::vector<std::string_view>{"abcg"}));
  EXPECT_FALSE(IsHexShaped(std::vector<std::string_view>{"abCd"}));  // mixed case
  EXPECT_FALSE(IsHexShaped(std::vector<std::string_view>{"ab-d", "abc-"}));
  EXPECT_FALSE(IsHexShaped(std::vector<std::string_view>{"--"}));
}

// Random hex shapes — lengths 1 to 64, dashes anywhere (between the two digits of a byte
// too), odd digit counts, both cases — round-trip exactly: the pair-table fast path and the
// per-character path of DecodeHexIds decode alike.
TEST(CodecUuid, RandomShapesRoundTripThroughBothDecodePaths) {
  std::mt19937_64 rng(17);
  size_t shapes = 0;
  for (int round = 0; round < 3000; ++round) {
    const size_t len = 1 + rng() % 64;
    std::string tmpl(len, 'x');
    for (char& c : tmpl) c = rng() % 5 == 0 ? '-' : 'x';
    if (tmpl.find('x') == std::string::npos) tmpl[rng() % len] = 'x';
    if (tmpl.front() == '-' && rng() % 2) tmpl.front() = 'x';
    const char* alphabet = rng() % 2 ? "0123456789ABCDEF" : "0123456789abcdef";
    std::vector<std::string> ids(1 + rng() % 20, tmpl);
    for (std::string& id : ids) {
      for (char& c : id) {
        if (c == 'x') c = alphabet[rng() % 16];
      }
    }
    std::vector<std::string_view> v(ids.begin(), ids.end());
    if (!IsHexShaped(v)) continue;  // e.g. only digits with a letter case undecided
    ++shapes;
    std::string buf;
    EncodeHexIds(v, &buf);
    ByteReader r(buf);
    Arena arena;
    std::vector<std::string_view> out;
    ASSERT_TRUE(DecodeHexIds(&r, v.size(), &arena, &out)) << tmpl;
    ASSERT_EQ(out, v) << tmpl;
  }
  EXPECT_GT(shapes, 2000u);
}

// The hex-id encoder before its lookup tables (per-character range tests), kept as the
// reference: the table version must choose the same blocks and write the same bytes.
namespace reference_hex {

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

bool ShapeOf(std::string_view s, Shape* shape) {
  if (s.empty() || s.size() > 64) return false;
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

bool IsHexShaped(std::span<const std::string_view> values) {
  if (values.empty()) return false;
  Shape first;
  if (!ShapeOf(values[0], &first)) return false;
  if (static_cast<size_t>(__builtin_popcountll(first.dashes)) == first.len) return false;
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

}  // namespace reference_hex

// A random id of `len` characters: hex digits of one case (or digits only), dashes where
// `dashes` has a bit.
std::string RandomHexId(std::mt19937_64& rng, size_t len, uint64_t dashes, bool upper) {
  const char* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s(len, '0');
  for (size_t i = 0; i < len; ++i) {
    const bool dash = i < 64 && ((dashes >> i) & 1);  // a 65th character has no mask bit
    s[i] = dash ? '-' : alphabet[rng() % 16];
  }
  return s;
}

TEST(CodecUuid, TableEncoderWritesTheSameBytesAsTheReference) {
  std::mt19937_64 rng(20);
  const uint64_t kUuidDashes = (1ull << 8) | (1ull << 13) | (1ull << 18) | (1ull << 23);
  // Bytes a mutation plants: other letters, both cases, a dash, space, NUL, UTF-8 and
  // bytes just outside the digit and letter ranges.
  const std::string kPlants =
      std::string("gGzZ- /:@`[{\x7f\x80\xc3\xff", 16) + std::string(1, '\0');
  int shaped = 0, unshaped = 0;
  for (int round = 0; round < 3000; ++round) {
    // Shape of the block: UUID, trace id, span id, odd and extreme lengths.
    size_t len;
    uint64_t dashes = 0;
    switch (rng() % 6) {
      case 0:
        len = 36;
        dashes = kUuidDashes;
        break;
      case 1:
        len = 32;
        break;
      case 2:
        len = 16;
        break;
      case 3:
        len = 1 + rng() % 64;
        dashes = rng() & rng() & rng();  // a few dashes anywhere
        if (len < 64) dashes &= (uint64_t{1} << len) - 1;
        break;
      case 4:
        len = 64 + rng() % 2;  // the longest shape, and one past it
        break;
      default:
        len = 1 + rng() % 9;  // short and odd
        break;
    }
    const bool upper = rng() % 3 == 0;
    const size_t n = 1 + rng() % 40;
    std::vector<std::string> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(RandomHexId(rng, len, dashes, upper));
    switch (rng() % 8) {
      case 0: {  // a planted non-hex byte
        std::string& id = ids[rng() % n];
        id[rng() % id.size()] = kPlants[rng() % kPlants.size()];
        break;
      }
      case 1: {  // one id of the other case (mixed case in the block, or inside one id)
        std::string& id = ids[rng() % n];
        for (char& c : id) {
          if (rng() % 2 == 0) c = static_cast<char>(upper ? std::tolower(c) : std::toupper(c));
        }
        break;
      }
      case 2:  // a length that differs
        ids[rng() % n].push_back('a');
        break;
      case 3:  // digits only (counts as lowercase)
        for (std::string& id : ids) {
          for (char& c : id) {
            if (c != '-') c = static_cast<char>('0' + rng() % 10);
          }
        }
        break;
      case 4:  // dashes only, or empty
        ids[0] = rng() % 2 ? std::string(ids[0].size(), '-') : std::string();
        break;
      default:
        break;
    }
    std::vector<std::string_view> v(ids.begin(), ids.end());
    const bool want = reference_hex::IsHexShaped(v);
    ASSERT_EQ(IsHexShaped(v), want) << "round " << round << " first " << ids[0];
    if (!want) {
      ++unshaped;
      continue;
    }
    ++shaped;
    std::string got, expected;
    EncodeHexIds(v, &got);
    reference_hex::EncodeHexIds(v, &expected);
    ASSERT_EQ(got, expected) << "round " << round << " first " << ids[0];
    // And appended after earlier bytes, as the column writer does.
    got = "prefix";
    EncodeHexIds(v, &got);
    ASSERT_EQ(got, "prefix" + expected);
  }
  // Both paths were exercised in earnest.
  EXPECT_GT(shaped, 1000);
  EXPECT_GT(unshaped, 500);
}

// A frame whose recorded size is more than its zstd blocks can expand to is refused before
// anything is allocated for it (a damaged chunk claimed 1 GiB and was allocated that much).
TEST(CodecZstd, SizeClaimBeyondTheFrameIsRefusedWithoutAllocating) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "level=info msg=\"request completed\" ";
  std::string framed;
  FrameBlock(text, 3, &framed);
  ASSERT_EQ(framed[0], static_cast<char>(BlockCompression::kZstd));
  ByteReader r(framed);
  uint8_t comp;
  uint64_t raw_size;
  ASSERT_TRUE(r.GetU8(&comp) && r.GetVarint(&raw_size));
  std::string_view payload;
  r.GetBytes(r.remaining(), &payload);
  for (uint64_t claim : {raw_size + 1, uint64_t{1} << 29}) {
    std::string forged;
    ByteWriter w(&forged);
    w.PutU8(comp);
    w.PutVarint(claim);
    w.PutBytes(payload);
    std::string scratch;
    std::string_view raw;
    EXPECT_FALSE(UnframeBlockView(forged, &scratch, &raw)) << claim;
    EXPECT_LT(scratch.capacity(), size_t{1} << 20) << claim;
  }
  std::string scratch;
  std::string_view raw;
  ASSERT_TRUE(UnframeBlockView(framed, &scratch, &raw));
  EXPECT_EQ(raw, text);
}

TEST(CodecZstd, CompressesOnlyWhenItPays) {
  std::string text(10000, 'a');
  std::string framed;
  FrameBlock(text, 3, &framed);
  EXPECT_LT(framed.size(), 200u);
  std::string back;
  ASSERT_TRUE(UnframeBlock(framed, &back));
  EXPECT_EQ(back, text);

  std::mt19937_64 rng(5);
  std::string noise(1000, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  framed.clear();
  FrameBlock(noise, 3, &framed);
  EXPECT_EQ(framed[0], static_cast<char>(BlockCompression::kNone));
  ASSERT_TRUE(UnframeBlock(framed, &back));
  EXPECT_EQ(back, noise);

  framed.clear();
  FrameBlock(text, 3, &framed);
  framed[framed.size() / 2] ^= 0x55;
  EXPECT_FALSE(UnframeBlock(framed, &back) && back == text);
}

TEST(ColumnCodec, SparseColumnsOfEveryType) {
  std::mt19937_64 rng(11);
  const uint32_t n = 5000;
  for (ColumnType type : {ColumnType::kNull, ColumnType::kBool, ColumnType::kInt,
                          ColumnType::kFloat, ColumnType::kString}) {
    for (int density : {1, 2, 50}) {
      std::vector<uint32_t> rows;
      std::vector<int64_t> ints;
      std::vector<double> floats;
      std::vector<std::string> owned;
      for (uint32_t r = 0; r < n; ++r) {
        if (rng() % density) continue;
        rows.push_back(r);
        ints.push_back(type == ColumnType::kBool ? static_cast<int64_t>(rng() % 2)
                                                 : static_cast<int64_t>(rng() % 1000));
        floats.push_back(static_cast<double>(rng() % 100000) / 8);
        owned.push_back(testing::RandomString(rng, 30));
      }
      std::vector<std::string_view> strings(owned.begin(), owned.end());
      ColumnChunkInput in{type, n, rows, ints, floats, strings};
      std::string stored;
      ColumnChunkSummary sum;
      EncodeColumnChunk(in, 3, IntModes::kWithPacked, &stored, &sum);
      std::string raw;
      Arena arena;
      ColumnVector cv;
      ASSERT_TRUE(DecodeColumnChunk(stored, type, n, &raw, &arena, &cv));
      ASSERT_EQ(cv.size(), n);
      size_t k = 0;
      for (uint32_t r = 0; r < n; ++r) {
        bool expect_present = k < rows.size() && rows[k] == r;
        ASSERT_EQ(cv.IsPresent(r), expect_present) << r;
        if (!expect_present) continue;
        switch (type) {
          case ColumnType::kBool:
          case ColumnType::kInt:
            EXPECT_EQ(cv.ints[r], ints[k]);
            break;
          case ColumnType::kFloat:
            EXPECT_EQ(cv.floats[r], floats[k]);
            break;
          case ColumnType::kString:
            EXPECT_EQ(cv.StringAt(r), strings[k]);
            break;
          case ColumnType::kNull:
            break;
        }
        ++k;
      }
      if (type == ColumnType::kInt) {
        EXPECT_TRUE(sum.has_minmax);
        EXPECT_EQ(sum.min_int, *std::min_element(ints.begin(), ints.end()));
        EXPECT_EQ(sum.max_int, *std::max_element(ints.begin(), ints.end()));
      }
      // Wrong row count or a cut chunk must fail cleanly, never crash.
      ColumnVector bad;
      EXPECT_FALSE(
          DecodeColumnChunk(stored.substr(0, stored.size() / 2), type, n, &raw, &arena, &bad));
    }
  }
}

// DecodeColumnChunkRows gives, for every wanted row, what the full decode holds at that row,
// for every type and string encoding (dictionary, hex ids, raw), with and without a presence
// bitmap; and it rejects what the full decode rejects.
TEST(ColumnCodec, RowsDecodeWhatTheFullDecodeHoldsAtThoseRows) {
  std::mt19937_64 rng(12);
  const uint32_t n = 4099;  // not a multiple of 8: the bitmap's last byte is partial
  enum class Text { kDict, kHex, kRaw };
  for (ColumnType type : {ColumnType::kNull, ColumnType::kBool, ColumnType::kInt,
                          ColumnType::kFloat, ColumnType::kString}) {
    for (Text text : {Text::kDict, Text::kHex, Text::kRaw}) {
      if (type != ColumnType::kString && text != Text::kDict) continue;
      for (int density : {1, 2, 50}) {
        std::vector<uint32_t> rows;
        std::vector<int64_t> ints;
        std::vector<double> floats;
        std::vector<std::string> owned;
        for (uint32_t r = 0; r < n; ++r) {
          if (rng() % density) continue;
          rows.push_back(r);
          ints.push_back(type == ColumnType::kBool ? static_cast<int64_t>(rng() % 2)
                                                   : static_cast<int64_t>(rng() % 100000) - 500);
          floats.push_back(static_cast<double>(rng() % 100000) / 8);
          switch (text) {
            case Text::kDict:
              owned.push_back("route-" + std::to_string(rng() % 7));
              break;
            case Text::kHex:
              owned.push_back(RandomHexId(
                  rng, 36, (1ull << 8) | (1ull << 13) | (1ull << 18) | (1ull << 23), false));
              break;
            case Text::kRaw:
              owned.push_back(testing::RandomString(rng, 1 + rng() % 40));
              break;
          }
        }
        std::vector<std::string_view> strings(owned.begin(), owned.end());
        ColumnChunkInput in{type, n, rows, ints, floats, strings};
        std::string stored;
        ColumnChunkSummary sum;
        EncodeColumnChunk(in, 3, IntModes::kWithPacked, &stored, &sum);
        if (type == ColumnType::kString) {
          ASSERT_EQ(sum.encoding, static_cast<uint8_t>(text));
        }
        std::string raw;
        Arena arena;
        ColumnVector full;
        ASSERT_TRUE(DecodeColumnChunk(stored, type, n, &raw, &arena, &full));
        // Wanted rows: none, the first and last, and random sets of several sizes.
        std::vector<std::vector<uint32_t>> wants = {{}, {0}, {n - 1}, {0, 7, 8, n - 1}};
        for (uint32_t m : {1u, 3u, 100u, n}) {
          std::vector<uint32_t> w;
          for (uint32_t r = 0; r < n; ++r) {
            if (rng() % n < m) w.push_back(r);
          }
          wants.push_back(std::move(w));
        }
        for (const std::vector<uint32_t>& want : wants) {
          std::string scratch, text;
          ColumnVector part;
          size_t present = 0;
          ASSERT_TRUE(
              DecodeColumnChunkRows(stored, type, n, want, &scratch, &text, &part, &present));
          EXPECT_EQ(present, rows.size());
          ASSERT_EQ(part.size(), want.size());
          EXPECT_EQ(part.type, type);
          for (size_t i = 0; i < want.size(); ++i) {
            const uint32_t r = want[i];
            ASSERT_EQ(part.IsPresent(i), full.IsPresent(r)) << r;
            if (!full.IsPresent(r)) continue;
            const Value a = part.Get(i), b = full.Get(r);
            ASSERT_EQ(a.type, b.type);
            switch (type) {
              case ColumnType::kBool:
                EXPECT_EQ(a.b, b.b) << r;
                break;
              case ColumnType::kInt:
                EXPECT_EQ(a.i, b.i) << r;
                break;
              case ColumnType::kFloat:
                EXPECT_EQ(a.f, b.f) << r;
                break;
              case ColumnType::kString:
                EXPECT_EQ(a.s, b.s) << r;
                break;
              case ColumnType::kNull:
                break;
            }
          }
        }
        // Rows out of order or out of the block, a cut chunk, trailing bytes: refused.
        std::string raw3, text3;
        Arena arena3;
        ColumnVector bad;
        size_t present = 0;
        const std::vector<uint32_t> backwards = {5, 3};
        const std::vector<uint32_t> outside = {n};
        EXPECT_FALSE(
            DecodeColumnChunkRows(stored, type, n, backwards, &raw3, &text3, &bad, &present));
        EXPECT_FALSE(
            DecodeColumnChunkRows(stored, type, n, outside, &raw3, &text3, &bad, &present));
        const std::vector<uint32_t> first = {0};
        EXPECT_FALSE(DecodeColumnChunkRows(stored.substr(0, stored.size() / 2), type, n, first,
                                           &raw3, &text3, &bad, &present));
        std::string unframed;
        ASSERT_TRUE(UnframeBlock(stored, &unframed));
        unframed.push_back('x');
        std::string longer;
        FrameBlock(unframed, 0, &longer);
        EXPECT_FALSE(DecodeColumnChunk(longer, type, n, &raw3, &arena3, &bad));
        EXPECT_FALSE(DecodeColumnChunkRows(longer, type, n, first, &raw3, &text3, &bad, &present));
      }
    }
  }
}

TEST(CodecUuid, DecodesTheWantedIdsOnly) {
  std::mt19937_64 rng(13);
  std::vector<std::string> owned;
  for (int i = 0; i < 50; ++i) owned.push_back(RandomHexId(rng, 32, 0, true));
  std::vector<std::string_view> ids(owned.begin(), owned.end());
  std::string packed;
  EncodeHexIds(ids, &packed);
  const std::vector<uint32_t> at = {49, 0, 7, 7};
  ByteReader r(packed);
  Arena arena;
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeHexIdsAt(&r, ids.size(), at, &arena, &out));
  EXPECT_TRUE(r.empty());
  ASSERT_EQ(out.size(), at.size());
  for (size_t i = 0; i < at.size(); ++i) EXPECT_EQ(out[i], ids[at[i]]);
  const std::vector<uint32_t> past = {50};
  ByteReader r2(packed);
  EXPECT_FALSE(DecodeHexIdsAt(&r2, ids.size(), past, &arena, &out));
}

}  // namespace
}  // namespace vigia
