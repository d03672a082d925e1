#include "common/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace vigia {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t Utf8SeqLen(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else
    return 0;
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

// True when byte c cannot be copied into a JSON string as it is: a control character, '"',
// '\\' (escaped) or a non-ASCII byte (checked as UTF-8).
inline bool ByteNeedsCare(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
}

// Whether any of the eight bytes of `w` needs care (ByteNeedsCare), without a byte loop: the
// classic "has a byte less than n" and "has a zero byte" word tests, exact as yes/no answers.
inline bool WordNeedsCare(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return ((w & kHigh) | below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) !=
         0;
}

// Whether no byte of `s` needs care: whole words, then the last 1-7 bytes in a word padded
// with a clean byte.
inline bool AllClean(std::string_view s) {
  size_t j = 0;
  for (; j + 8 <= s.size(); j += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + j, 8);
    if (WordNeedsCare(word)) return false;
  }
  if (j == s.size()) return true;
  uint64_t word = 0x6161616161616161ULL;  // "aaaaaaaa"
  std::memcpy(&word, s.data() + j, s.size() - j);
  return !WordNeedsCare(word);
}

// Strings up to this long that need no escaping are quoted in a stack buffer and appended
// with one call (field names and most values: one std::string operation instead of four).
constexpr size_t kShortStringBytes = 64;

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  if (s.size() <= kShortStringBytes && AllClean(s)) {
    char buf[kShortStringBytes + 2];
    buf[0] = '"';
    // An empty view may have a null data(), which memcpy must not get even for 0 bytes.
    if (!s.empty()) std::memcpy(buf + 1, s.data(), s.size());
    buf[s.size() + 1] = '"';
    out->append(buf, s.size() + 2);
    return;
  }
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  const size_t size = s.size();
  size_t i = 0;
  while (i < size) {
    // The run of bytes copied as they are: eight at a time, then byte by byte up to the
    // first one to escape or to check as UTF-8 (every audit event's canonical JSON and every
    // query row goes through here: the byte loop was a third of chaining an event).
    size_t j = i;
    while (j + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, s.data() + j, 8);
      if (WordNeedsCare(word)) break;
      j += 8;
    }
    while (j < size && !ByteNeedsCare(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) {
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        ++i;
        continue;
      case '\\':
        out->append("\\\\");
        ++i;
        continue;
      case '\n':
        out->append("\\n");
        ++i;
        continue;
      case '\r':
        out->append("\\r");
        ++i;
        continue;
      case '\t':
        out->append("\\t");
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    size_t n = Utf8SeqLen(s, i);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else {
      out->append(s.data() + i, n);
      i += n;
    }
  }
  out->push_back('"');
}

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_value_.empty()) {
    if (has_value_.back()) out_->push_back(',');
    has_value_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_->push_back('{');
  has_value_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_->push_back('}');
  has_value_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_->push_back('[');
  has_value_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_->push_back(']');
  has_value_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view k) {
  Separate();
  AppendJsonString(out_, k);
  out_->push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view v) {
  Separate();
  AppendJsonString(out_, v);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t v) {
  Separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::Double(double v) {
  Separate();
  if (!std::isfinite(v)) {
    out_->append("null");
    return *this;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  Separate();
  out_->append(v ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_->append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_->append(json);
  return *this;
}

}  // namespace vigia
