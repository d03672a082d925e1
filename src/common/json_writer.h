// JsonWriter: appends compact JSON to a std::string. No DOM, no allocation beyond the output
// string. Strings are escaped per RFC 8259; invalid UTF-8 bytes are replaced by U+FFFD so the
// output is always valid JSON. Keys and values alternate correctly only if the caller nests
// Begin/End calls properly (checked with assert in debug builds).
//
// Thread-safety: externally synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigia {

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string* out, std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Double(double v);  // NaN/Inf become null
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Appends pre-serialized JSON as a value.
  JsonWriter& Raw(std::string_view json);

  // Shorthands for "key": value.
  JsonWriter& KV(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& KV(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& KV(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& KV(std::string_view k, int v) { return Key(k).Int(v); }
  JsonWriter& KV(std::string_view k, uint64_t v) { return Key(k).Uint(v); }
  JsonWriter& KV(std::string_view k, double v) { return Key(k).Double(v); }
  JsonWriter& KV(std::string_view k, bool v) { return Key(k).Bool(v); }

 private:
  void Separate();
  std::string* out_;
  // Per open container: whether a value was already written (needs a comma).
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

}  // namespace vigia
