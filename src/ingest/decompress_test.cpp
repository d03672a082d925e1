#include "ingest/decompress.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>

namespace vigia {
namespace {

std::string Gzip(std::string_view in, int window_bits = 16 + MAX_WBITS) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(std::string_view in, bool with_size = true) {
  if (with_size) {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
    EXPECT_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
  }
  // Streaming: the frame does not declare its content size.
  ZSTD_CCtx* c = ZSTD_createCCtx();
  std::string out(ZSTD_compressBound(in.size()) + 64, '\0');
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  size_t left = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end);
  EXPECT_EQ(left, 0u);
  ZSTD_freeCCtx(c);
  out.resize(ob.pos);
  return out;
}

std::string Text(size_t n) {
  std::mt19937 rng(42);
  std::string s;
  while (s.size() < n) s += "{\"msg\":\"event " + std::to_string(rng() % 1000) + "\"}\n";
  s.resize(n);
  return s;
}

TEST(DecompressTest, ParsesContentEncoding) {
  EXPECT_EQ(ParseContentEncoding(""), ContentEncoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding(" GZIP "), ContentEncoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("x-gzip"), ContentEncoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("zstd"), ContentEncoding::kZstd);
  EXPECT_EQ(ParseContentEncoding("deflate"), ContentEncoding::kDeflate);
  EXPECT_EQ(ParseContentEncoding("br"), std::nullopt);
  EXPECT_EQ(ParseContentEncoding("gzip, zstd"), std::nullopt);
}

TEST(DecompressTest, RoundTripsEveryEncoding) {
  const std::string text = Text(300000);
  std::string out;
  ASSERT_TRUE(Decompress(ContentEncoding::kGzip, Gzip(text), 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
  ASSERT_TRUE(Decompress(ContentEncoding::kDeflate, Gzip(text, MAX_WBITS), 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
  ASSERT_TRUE(Decompress(ContentEncoding::kZstd, Zstd(text), 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
  ASSERT_TRUE(Decompress(ContentEncoding::kZstd, Zstd(text, false), 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
  ASSERT_TRUE(Decompress(ContentEncoding::kIdentity, text, 1 << 20, &out).ok());
  EXPECT_EQ(out, text);
  // Exactly at the cap is fine.
  ASSERT_TRUE(Decompress(ContentEncoding::kGzip, Gzip(text), text.size(), &out).ok());
  EXPECT_EQ(out, text);
  ASSERT_TRUE(Decompress(ContentEncoding::kZstd, Zstd(text, false), text.size(), &out).ok());
  EXPECT_EQ(out, text);
  // Concatenated gzip members.
  ASSERT_TRUE(Decompress(ContentEncoding::kGzip, Gzip("ab") + Gzip("cd"), 100, &out).ok());
  EXPECT_EQ(out, "abcd");
}

TEST(DecompressTest, BombsStopAtTheCapWithoutAllocatingPastIt) {
  const std::string zeros(16 << 20, '\0');
  const size_t cap = 1 << 20;
  struct Case {
    ContentEncoding enc;
    std::string body;
  };
  const Case cases[] = {{ContentEncoding::kGzip, Gzip(zeros)},
                        {ContentEncoding::kZstd, Zstd(zeros)},
                        {ContentEncoding::kZstd, Zstd(zeros, false)},
                        {ContentEncoding::kIdentity, zeros}};
  for (const Case& c : cases) {
    EXPECT_LT(c.body.size(),
              zeros.size() / 10 + (c.enc == ContentEncoding::kIdentity ? zeros.size() : 0));
    std::string out;
    Status st = Decompress(c.enc, c.body, cap, &out);
    EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
    EXPECT_TRUE(out.empty());
    EXPECT_LE(out.capacity(), cap);
  }
  // One byte over the cap is already too much.
  std::string out;
  EXPECT_EQ(Decompress(ContentEncoding::kGzip, Gzip(std::string(101, 'a')), 100, &out).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(
      Decompress(ContentEncoding::kZstd, Zstd(std::string(101, 'a'), false), 100, &out).code(),
      StatusCode::kResourceExhausted);
}

TEST(DecompressTest, BrokenInputIsInvalidArgument) {
  const std::string text = Text(50000);
  const std::string gz = Gzip(text);
  const std::string zs = Zstd(text, false);
  std::string out;
  const std::pair<ContentEncoding, std::string> cases[] = {
      {ContentEncoding::kGzip, "not gzip at all"},
      {ContentEncoding::kGzip, gz.substr(0, gz.size() / 2)},
      {ContentEncoding::kGzip, gz + "trailing"},
      {ContentEncoding::kGzip, ""},
      {ContentEncoding::kDeflate, gz},
      {ContentEncoding::kZstd, "not zstd at all"},
      {ContentEncoding::kZstd, zs.substr(0, zs.size() / 2)},
      {ContentEncoding::kZstd, zs.substr(0, 6)},
  };
  for (const auto& [enc, body] : cases) {
    Status st = Decompress(enc, body, 1 << 20, &out);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument)
        << static_cast<int>(enc) << " " << body.size() << " " << st.ToString();
  }
  std::string corrupt = gz;
  corrupt[corrupt.size() / 2] ^= 0x55;
  corrupt[corrupt.size() / 2 + 1] ^= 0x55;
  EXPECT_EQ(Decompress(ContentEncoding::kGzip, corrupt, 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigia
