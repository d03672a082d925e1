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

  constexpr Field() : key_(), type_(Type::kNull) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) constexpr Field(std::string_view key, T v)
      : key_(key), type_(Type::kInt), i_(static_cast<int64_t>(v)) {}
  template <std::floating_point T>
  constexpr Field(std::string_view key, T v)
      : key_(key), type_(Type::kDouble), d_(static_cast<double>(v)) {}
  constexpr Field(std::string_view key, bool v) : key_(key), type_(Type::kBool), i_(v ? 1 : 0) {}
  constexpr Field(std::string_view key, std::string_view v)
      : key_(key), type_(Type::kString), s_(v) {}
  constexpr Field(std::string_view key, const char* v)
      : key_(key),
        type_(v ? Type::kString : Type::kNull),
        s_(v ? std::string_view(v) : std::string_view()) {}
  Field(std::string_view key, const std::string& v) : key_(key), type_(Type::kString), s_(v) {}
  constexpr Field(std::string_view key, std::nullptr_t) : key_(key), type_(Type::kNull) {}

  constexpr std::string_view key() const { return key_; }
  constexpr Type type() const { return type_; }
  constexpr int64_t as_int() const { return i_; }
  constexpr double as_double() const { return d_; }
  constexpr bool as_bool() const { return i_ != 0; }
  // The 8 value bytes the logger's queue stores for a non-string field: the integer, the
  // double's bits, 0 or 1 for a bool, 0 for null (one copy, whatever the type).
  uint64_t value_bits() const {
    uint64_t v;
    std::memcpy(&v, &i_, sizeof v);  // i_ and d_ share these 8 bytes
    return v;
  }
  constexpr std::string_view as_string() const { return s_; }

 private:
  std::string_view key_;
  Type type_;
  union {
    int64_t i_ = 0;  // also a bool, as 0 or 1
    double d_;
  };
  std::string_view s_;
};

using Fields = std::initializer_list<Field>;

}  // namespace vigia::sdk
