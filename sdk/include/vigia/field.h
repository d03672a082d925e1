// Typed key/value fields of one SDK call, plus the event level and kind enums. A Field only
// views its key and string value (no copy, no allocation): it must not outlive the call it is
// passed to, which copies it into the logger's queue. Value type; thread-compatible.
#pragma once

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

  constexpr Field() : key_(nullptr), key_len_type_(pack(0, Type::kNull)), i_(0) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) constexpr Field(std::string_view key, T v)
      : key_(key.data()),
        key_len_type_(pack(key.size(), Type::kInt)),
        i_(static_cast<int64_t>(v)) {}
  template <std::floating_point T>
  constexpr Field(std::string_view key, T v)
      : key_(key.data()),
        key_len_type_(pack(key.size(), Type::kDouble)),
        d_(static_cast<double>(v)) {}
  constexpr Field(std::string_view key, bool v)
      : key_(key.data()), key_len_type_(pack(key.size(), Type::kBool)), i_(v ? 1 : 0) {}
  constexpr Field(std::string_view key, std::string_view v)
      : key_(key.data()), key_len_type_(pack(key.size(), Type::kString)), s_{v.data(), v.size()} {}
  constexpr Field(std::string_view key, const char* v)
      : key_(key.data()),
        key_len_type_(pack(key.size(), v ? Type::kString : Type::kNull)),
        s_{v, v ? std::char_traits<char>::length(v) : 0} {}
  Field(std::string_view key, const std::string& v)
      : key_(key.data()), key_len_type_(pack(key.size(), Type::kString)), s_{v.data(), v.size()} {}
  constexpr Field(std::string_view key, std::nullptr_t)
      : key_(key.data()), key_len_type_(pack(key.size(), Type::kNull)), i_(0) {}

  constexpr std::string_view key() const { return {key_, key_size()}; }
  constexpr size_t key_size() const { return static_cast<size_t>(key_len_type_ & kLenMask); }
  constexpr Type type() const { return static_cast<Type>(key_len_type_ >> kTypeShift); }
  constexpr bool is_string() const { return type() == Type::kString; }
  constexpr int64_t as_int() const { return is_string() ? 0 : i_; }
  constexpr double as_double() const { return is_string() ? 0.0 : d_; }
  constexpr bool as_bool() const { return !is_string() && i_ != 0; }
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

 private:
  // 32 bytes, and a literal key and type are one constant: a call's initializer list of
  // fields is 3 stores per number and 4 per string (it was 48 bytes and 6 stores each).
  static constexpr int kTypeShift = 56;
  static constexpr uint64_t kLenMask = (uint64_t{1} << kTypeShift) - 1;
  // Key lengths of 2^56 bytes and more do not exist (address spaces are 48 or 57 bits).
  static constexpr uint64_t pack(size_t key_len, Type t) {
    return (static_cast<uint64_t>(key_len) & kLenMask) | static_cast<uint64_t>(t) << kTypeShift;
  }
  struct Str {
    const char* data;
    size_t size;
  };

  const char* key_;
  uint64_t key_len_type_;  // key length | type << 56
  union {
    int64_t i_;  // also a bool, as 0 or 1, and 0 for null
    double d_;
    Str s_;  // a string's view (only for Type::kString)
  };
};

using Fields = std::initializer_list<Field>;

}  // namespace vigia::sdk
