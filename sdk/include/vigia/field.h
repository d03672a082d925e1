// Typed key/value fields of one SDK call, plus the event level and kind enums. A Field views its
// string value and a key longer than kInlineKey bytes (no allocation; a short key is copied
// into the Field): it must not outlive the call it is passed to, which copies it into the
// logger's queue. Value type; thread-compatible.
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vigia::sdk {

enum class Level : uint8_t { kTrace = 0, kDebug, kInfo, kWarn, kError, kFatal };
enum class Kind : uint8_t { kLog = 0, kRequest, kAudit, kError, kMetric };

std::string_view level_name(Level level);
std::string_view kind_name(Kind kind);

class Field {
 public:
  enum class Type : uint8_t { kInt = 1, kDouble, kBool, kString, kNull };

  constexpr Field() : type_key_len_(pack(0, Type::kNull)), i_(0) { set_key({}); }
  template <std::integral T>
  requires(!std::same_as<T, bool>) constexpr Field(std::string_view key, T v)
      : type_key_len_(pack(key.size(), Type::kInt)), i_(static_cast<int64_t>(v)) {
    set_key(key);
  }
  template <std::floating_point T>
  constexpr Field(std::string_view key, T v)
      : type_key_len_(pack(key.size(), Type::kDouble)), d_(static_cast<double>(v)) {
    set_key(key);
  }
  constexpr Field(std::string_view key, bool v)
      : type_key_len_(pack(key.size(), Type::kBool)), i_(v ? 1 : 0) {
    set_key(key);
  }
  constexpr Field(std::string_view key, std::string_view v)
      : type_key_len_(pack(key.size(), Type::kString)), s_{v.data(), v.size()} {
    set_key(key);
  }
  constexpr Field(std::string_view key, const char* v)
      : type_key_len_(pack(key.size(), v ? Type::kString : Type::kNull)),
        s_{v, v ? std::char_traits<char>::length(v) : 0} {
    set_key(key);
  }
  Field(std::string_view key, const std::string& v)
      : type_key_len_(pack(key.size(), Type::kString)), s_{v.data(), v.size()} {
    set_key(key);
  }
  constexpr Field(std::string_view key, std::nullptr_t)
      : type_key_len_(pack(key.size(), Type::kNull)), i_(0) {
    set_key(key);
  }

  // Keys of up to kInlineKey bytes are held in the Field itself (a literal key is then one
  // constant), so the logger stores them with one 8-byte move instead of a copy sized at run
  // time; key() then views the Field's own bytes and is valid while the Field is.
  static constexpr size_t kInlineKey = 8;

  std::string_view key() const {
    const size_t n = key_size();
    return {n <= kInlineKey ? reinterpret_cast<const char*>(&key_word_) : key_, n};
  }
  constexpr size_t key_size() const { return static_cast<size_t>(type_key_len_ >> 8); }
  constexpr Type type() const { return static_cast<Type>(type_key_len_ & 0xFF); }
  constexpr bool is_string() const { return type() == Type::kString; }
  constexpr int64_t as_int() const { return is_string() ? 0 : i_; }
  constexpr double as_double() const { return is_string() ? 0.0 : d_; }
  constexpr bool as_bool() const { return !is_string() && i_ != 0; }
  // type | key length << 8 (the logger's encoder builds its field header from it).
  constexpr uint64_t type_key_len() const { return type_key_len_; }
  // The 8 value bytes the logger's queue stores for a non-string field: the integer, the
  // double's bits, 0 or 1 for a bool, 0 for null (one copy, whatever the type).
  // REQUIRES: !is_string().
  uint64_t value_bits() const {
    uint64_t v;
    std::memcpy(&v, &i_, sizeof v);  // i_ and d_ share these 8 bytes
    return v;
  }
  constexpr std::string_view as_string() const {
    return is_string() ? std::string_view(s_.data, s_.size) : std::string_view();
  }
  // The string value's bytes without the type check (the logger's encoder has checked it).
  // REQUIRES: is_string().
  constexpr const char* string_data() const { return s_.data; }
  constexpr size_t string_size() const { return s_.size; }
  // The key's bytes, zero-padded to 8, for the logger's encoder.
  // REQUIRES: key_size() <= kInlineKey.
  constexpr uint64_t inline_key() const { return key_word_; }

 private:
  // 32 bytes, and a literal key (inline or its pointer) and the type are one constant each: a
  // call's initializer list of fields is 3 stores per number and 4 per string.
  // The type in the low byte, the key length above it: for a key of at most 255 bytes the
  // low 16 bits are the queue's field header as they are (type | key length << 8).
  static constexpr uint64_t pack(size_t key_len, Type t) {
    return static_cast<uint64_t>(t) | static_cast<uint64_t>(key_len) << 8;
  }
  struct Str {
    const char* data;
    size_t size;
  };

  constexpr void set_key(std::string_view key) {
    if (key.size() <= kInlineKey) {
      std::array<char, kInlineKey> b{};
      for (size_t i = 0; i < key.size(); ++i) b[i] = key[i];
      key_word_ = std::bit_cast<uint64_t>(b);  // the bytes in memory order, on any endianness
    } else {
      key_ = key.data();
    }
  }

  union {
    const char* key_;    // key_size() > kInlineKey: the caller's bytes
    uint64_t key_word_;  // key_size() <= kInlineKey: the bytes themselves, zero-padded
  };
  uint64_t type_key_len_;  // type | key length << 8
  union {
    int64_t i_;  // also a bool, as 0 or 1, and 0 for null
    double d_;
    Str s_;  // a string's view (only for Type::kString)
  };
};

using Fields = std::initializer_list<Field>;

}  // namespace vigia::sdk
