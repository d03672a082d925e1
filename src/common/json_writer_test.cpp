#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace vigia {
namespace {

TEST(JsonWriterTest, WritesNestedValues) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .KV("a", int64_t{1})
      .Key("b")
      .BeginArray()
      .String("x")
      .Null()
      .Bool(true)
      .EndArray();
  w.KV("c", 1.5).EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":["x",null,true],"c":1.5})");
}

TEST(JsonWriterTest, EscapesControlAndQuotes) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

// A default string_view has a null data(): the short-string path must not hand it to memcpy
// (UBSan in make test-asan reports that as undefined behaviour).
TEST(JsonWriterTest, QuotesAnEmptyViewWithANullPointer) {
  std::string out = "x";
  AppendJsonString(&out, std::string_view());
  EXPECT_EQ(out, "x\"\"");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8) {
  std::string out;
  AppendJsonString(&out, "ok\xff\xc3\xa9");
  EXPECT_EQ(out, "\"ok\xEF\xBF\xBD\xC3\xA9\"");
}

// The byte-by-byte escaper AppendJsonString replaced (it now skips clean runs eight bytes at
// a time): the reference its output must equal.
size_t RefUtf8SeqLen(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string RefJsonString(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      size_t n = RefUtf8SeqLen(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
  }
  return out + "\"";
}

std::string Escaped(std::string_view s) {
  std::string out = "prefix";  // appends, never overwrites
  AppendJsonString(&out, s);
  return out.substr(6);
}

// Every byte value at every position of a 19-byte string (so in each lane of the eight-byte
// words, in the byte-wise tail and first): escaped exactly as byte by byte.
TEST(JsonWriterTest, EveryByteAtEveryPositionMatchesTheByteWiseEscaper) {
  for (size_t pos = 0; pos < 19; ++pos) {
    for (int b = 0; b < 256; ++b) {
      std::string s(19, 'a');
      s[pos] = static_cast<char>(b);
      ASSERT_EQ(Escaped(s), RefJsonString(s)) << "byte " << b << " at " << pos;
      // Short strings (one word, or a word and a tail) and one past the short-string size.
      for (size_t len : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{64}, size_t{65}}) {
        if (pos >= len) continue;
        std::string t(len, 'b');
        t[pos] = static_cast<char>(b);
        ASSERT_EQ(Escaped(t), RefJsonString(t)) << "byte " << b << " at " << pos << " of " << len;
      }
    }
  }
}

// Random strings mixing clean runs, characters to escape, valid and broken UTF-8.
TEST(JsonWriterTest, RandomStringsMatchTheByteWiseEscaper) {
  std::mt19937 rng(14);
  const std::vector<std::string> pieces = {"a",
                                           "sale.refunded",
                                           "0123456789abcdef",
                                           "\"",
                                           "\\",
                                           "\n",
                                           "\t",
                                           "\x01",
                                           "\x1f",
                                           " ",
                                           "\x7f",
                                           "\xc3\xa9",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x98\x80",
                                           "\xc3",
                                           "\xe2\x82",
                                           "\xff",
                                           "\x80",
                                           "\xed\xa0\x80",
                                           "~"};
  for (int n = 0; n < 50'000; ++n) {
    std::string s;
    int parts = static_cast<int>(rng() % 12);
    for (int k = 0; k < parts; ++k) s += pieces[rng() % pieces.size()];
    ASSERT_EQ(Escaped(s), RefJsonString(s)) << n;
  }
}

}  // namespace
}  // namespace vigia
