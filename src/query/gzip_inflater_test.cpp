#include "query/gzip_inflater.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/server_process.h"

namespace vigia {
namespace {

using testing::Gzip;  // one gzip member, written by zlib (the reference implementation)

// NDJSON-like text with some variety (so deflate uses matches and literals alike).
std::string Text(size_t lines) {
  std::string s;
  for (size_t i = 0; i < lines; ++i) {
    s += "{\"ts\":" + std::to_string(1700000000000 + i * 7) + ",\"level\":\"" +
         (i % 5 == 0 ? "error" : "info") + "\",\"msg\":\"request " + std::to_string(i * i % 9973) +
         " done\",\"n\":" + std::to_string(i) + "}\n";
  }
  return s;
}

struct Outcome {
  std::string out;
  Status error;  // the first error of Inflate or Finish
};

// Feeds `gz` in pieces of `in_piece` bytes and inflates into buffers of `out_piece` bytes,
// as the file reader does.
Outcome InflateAll(const std::string& gz, size_t in_piece, size_t out_piece) {
  GzipInflater inf;
  Outcome o;
  size_t pos = 0;
  std::string buf(out_piece, '\0');
  while (true) {
    if (inf.NeedsInput() && pos < gz.size()) {
      const size_t n = std::min(in_piece, gz.size() - pos);
      inf.SetInput(gz.data() + pos, n);
      pos += n;
    }
    Result<size_t> w = inf.Inflate(buf.data(), buf.size());
    if (!w.ok()) {
      o.error = w.status();
      return o;
    }
    o.out.append(buf.data(), *w);
    if (*w == 0 && inf.NeedsInput() && pos == gz.size()) break;
  }
  o.error = inf.Finish();
  return o;
}

TEST(GzipInflater, InflatesWhatZlibWroteInAnyPieces) {
  const std::string text = Text(40000);  // ~3 MB
  const std::string gz = Gzip(text);
  for (auto [in_piece, out_piece] : {std::pair<size_t, size_t>{gz.size(), text.size() + 10},
                                     {1 << 20, 4 << 20},
                                     {4096, 100000},
                                     {1, 65536},
                                     {777, 333}}) {
    SCOPED_TRACE(std::to_string(in_piece) + " " + std::to_string(out_piece));
    Outcome o = InflateAll(gz, in_piece, out_piece);
    ASSERT_TRUE(o.error.ok()) << o.error.ToString();
    EXPECT_EQ(o.out, text);
  }
}

TEST(GzipInflater, ConcatenatedMembersAreOneStream) {
  const std::string a = Text(3000), b = "{\"second\":true}\n", c = Text(10);
  const std::string gz = Gzip(a) + Gzip(b) + Gzip("") + Gzip(c);
  // Every split of the input, including one right after a member and one after the 1f of
  // the next member's magic number.
  const size_t first = Gzip(a).size();
  for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, first, first + 1, size_t{4096}}) {
    SCOPED_TRACE(piece);
    Outcome o = InflateAll(gz, piece, 10000);
    ASSERT_TRUE(o.error.ok()) << o.error.ToString();
    EXPECT_EQ(o.out, a + b + c);
  }
}

TEST(GzipInflater, BytesAfterAMemberThatStartNoMemberAreIgnored) {
  const std::string text = Text(100);
  for (const std::string& junk : {std::string(512, '\0'), std::string("garbage\n"),
                                  std::string("\x1f"), std::string("\x1f\x00zz", 4)}) {
    SCOPED_TRACE(junk.size());
    for (size_t piece : {size_t{1}, size_t{5}, size_t{1 << 20}}) {
      Outcome o = InflateAll(Gzip(text) + junk, piece, 4096);
      ASSERT_TRUE(o.error.ok()) << o.error.ToString();
      EXPECT_EQ(o.out, text);
    }
  }
}

TEST(GzipInflater, TruncatedInputIsAnErrorAtTheEnd) {
  const std::string text = Text(5000);
  const std::string gz = Gzip(text);
  // Cut in the header, in the data and in the 8-byte trailer; and a second member cut short.
  for (size_t keep : {size_t{2}, size_t{5}, gz.size() / 2, gz.size() - 5, gz.size() - 1}) {
    SCOPED_TRACE(keep);
    Outcome o = InflateAll(gz.substr(0, keep), 1000, 8192);
    ASSERT_FALSE(o.error.ok());
    EXPECT_EQ(o.error.message(), "unexpected end of file (truncated gzip)");
    EXPECT_LE(o.out.size(), text.size());
    EXPECT_EQ(o.out, text.substr(0, o.out.size()));  // what came out was right
  }
  Outcome two = InflateAll(gz + gz.substr(0, 40), 1000, 8192);
  ASSERT_FALSE(two.error.ok());
  EXPECT_EQ(two.error.message(), "unexpected end of file (truncated gzip)");
}

TEST(GzipInflater, CorruptDataAndChecksumsAreErrors) {
  const std::string text = Text(5000);
  const std::string gz = Gzip(text);
  {
    std::string bad = gz;
    bad[bad.size() - 6] ^= 0x55;  // the CRC-32 in the trailer
    Outcome o = InflateAll(bad, 4096, 8192);
    ASSERT_FALSE(o.error.ok());
    EXPECT_EQ(o.error.message(), "CRC mismatch (corrupt data)");
  }
  {
    std::string bad = gz;
    bad[3] = 0x55;  // reserved header flag bits
    bad[2] = 7;     // not deflate
    Outcome o = InflateAll(bad, 4096, 8192);
    ASSERT_FALSE(o.error.ok());
  }
  {
    // Damage in the compressed data: an invalid block, symbol or distance, or, at worst,
    // different bytes that the CRC then refuses. Never a silent success.
    int failed = 0;
    for (size_t at = 20; at < gz.size() - 8; at += gz.size() / 23) {
      std::string bad = gz;
      bad[at] = static_cast<char>(bad[at] ^ 0xff);
      Outcome o = InflateAll(bad, 4096, 8192);
      if (!o.error.ok()) {
        ++failed;
      } else {
        EXPECT_EQ(o.out, text) << at;  // a flip that cannot change the output
      }
    }
    EXPECT_GT(failed, 15);
  }
}

TEST(GzipInflater, RecognizesGzipByItsMagicNumber) {
  const std::string gz = Gzip("x");
  EXPECT_TRUE(GzipInflater::LooksLikeGzip(gz.data(), gz.size()));
  EXPECT_TRUE(GzipInflater::LooksLikeGzip("\x1f\x8b", 2));
  EXPECT_FALSE(GzipInflater::LooksLikeGzip("\x1f", 1));
  EXPECT_FALSE(GzipInflater::LooksLikeGzip("{\"a\":1}", 7));
  EXPECT_FALSE(GzipInflater::LooksLikeGzip("", 0));
}

}  // namespace
}  // namespace vigia
