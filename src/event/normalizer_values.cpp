#include "event/normalizer_values.h"

#include <charconv>
#include <cmath>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "event/event.h"
#include "event/event_fields.h"
#include "event/event_json.h"

namespace vigia::normalize {

namespace dom = simdjson::dom;

namespace {

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// 2^63 as a double: the first value that does not fit in int64_t.
constexpr double kTwo63 = 9223372036854775808.0;

}  // namespace

std::string JsonErrorReason(simdjson::error_code e, size_t max_depth) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "nesting deeper than " + std::to_string(max_depth);
    case simdjson::UNCLOSED_STRING:
      return "invalid JSON: unclosed string";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: unescaped control character in a string";
    case simdjson::STRING_ERROR:
      return "invalid JSON: bad escape sequence in a string";
    case simdjson::NUMBER_ERROR:
      return "invalid JSON: malformed number (or an integer beyond 64 bits)";
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "invalid JSON: number out of range";
    case simdjson::T_ATOM_ERROR:
      return "invalid JSON: bad literal (expected true)";
    case simdjson::F_ATOM_ERROR:
      return "invalid JSON: bad literal (expected false)";
    case simdjson::N_ATOM_ERROR:
      return "invalid JSON: bad literal (expected null)";
    case simdjson::TAPE_ERROR:
      return "invalid JSON: malformed structure (missing or extra comma, colon, brace, "
             "bracket or content after the object)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "invalid JSON: unterminated object or array";
    case simdjson::EMPTY:
      return "invalid JSON: empty";
    default:
      return std::string("invalid JSON: ") + simdjson::error_message(e);
  }
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (ToLower(s[i]) != lower[i]) return false;
  }
  return true;
}

bool ParseDoubleText(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(*out);
}

bool DoubleToInt(double d, int64_t* out) {
  if (!(d >= -kTwo63 && d < kTwo63) || d != std::trunc(d)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

bool ParseIntText(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return true;
  double d;
  return ParseDoubleText(s, &d) && DoubleToInt(d, out);  // "200.0", "2e2"
}

// Integers by magnitude (s, ms, µs, ns), as EpochToNanos, but refusing overflow.
std::optional<int64_t> EpochIntToNs(int64_t v) {
  __int128 a = v < 0 ? -static_cast<__int128>(v) : v;
  __int128 mult = a < 100000000000LL         ? 1000000000
                  : a < 100000000000000LL    ? 1000000
                  : a < 100000000000000000LL ? 1000
                                             : 1;
  __int128 r = static_cast<__int128>(v) * mult;
  if (r > INT64_MAX || r < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(r);
}

// Fractional timestamps (Python's time.time(): 1771158896.789). A double holds ~16 digits,
// so seconds and milliseconds are split into whole and fractional parts and the fraction is
// rounded to the microsecond — the precision the double actually carries at that magnitude.
std::optional<int64_t> EpochDoubleToNs(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  double a = std::fabs(v);
  if (a >= 1e14) {  // µs or ns: integral parts dominate; plain scaling is exact enough
    double r = std::nearbyint(a < 1e17 ? v * 1e3 : v);
    if (!(r > -kTwo63 && r < kTwo63)) return std::nullopt;
    return static_cast<int64_t>(r);
  }
  const int64_t unit = a < 1e11 ? 1000000000 : 1000000;  // ns per whole unit
  double whole = std::floor(v);
  int64_t frac_us = static_cast<int64_t>(std::llround((v - whole) * (unit / 1000)));
  std::optional<int64_t> base = EpochIntToNs(static_cast<int64_t>(whole));  // same unit
  if (!base || *base > INT64_MAX - frac_us * 1000) return std::nullopt;
  return *base + frac_us * 1000;
}

std::optional<int64_t> ParseTsText(std::string_view s) {
  if (auto t = ParseRfc3339(s)) return t;
  int64_t i;
  auto r = std::from_chars(s.data(), s.data() + s.size(), i);
  if (!s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size()) return EpochIntToNs(i);
  double d;
  if (ParseDoubleText(s, &d)) return EpochDoubleToNs(d);
  return std::nullopt;
}

// Maps outcome spellings to "success"/"failure"; empty when the text is neither.
std::string_view OutcomeFor(std::string_view s) {
  for (std::string_view ok : {"success", "succeeded", "successful", "ok"}) {
    if (EqualsLower(s, ok)) return "success";
  }
  for (std::string_view bad : {"failure", "failed", "fail", "error", "denied"}) {
    if (EqualsLower(s, bad)) return "failure";
  }
  return {};
}

// Compact JSON text of any element (used for arrays and for objects in string fields).
void AppendElementJson(dom::element el, std::string* out) {
  switch (el.type()) {
    case dom::element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      for (dom::key_value_pair kv : Obj(el)) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, kv.key);
        out->push_back(':');
        AppendElementJson(kv.value, out);
      }
      out->push_back('}');
      return;
    }
    case dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      for (dom::element child : Arr(el)) {
        if (!first) out->push_back(',');
        first = false;
        AppendElementJson(child, out);
      }
      out->push_back(']');
      return;
    }
    case dom::element_type::STRING:
      AppendJsonString(out, Str(el));
      return;
    case dom::element_type::INT64:
      AppendJsonValue(out, Value::Int(I64(el)));
      return;
    case dom::element_type::UINT64: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), U64(el));
      out->append(buf, r.ptr);
      return;
    }
    case dom::element_type::DOUBLE:
      AppendJsonDouble(out, Dbl(el));
      return;
    case dom::element_type::BOOL:
      out->append(Bool(el) ? "true" : "false");
      return;
    case dom::element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

std::string_view JsonText(dom::element el, Arena* arena, std::string* scratch) {
  scratch->clear();
  AppendElementJson(el, scratch);
  return arena->Copy(*scratch);
}

// The value an element keeps as a dynamic field. Returns false for null (dropped).
bool ToValue(dom::element el, Arena* arena, std::string* scratch, Value* v, bool* stable) {
  *stable = true;
  switch (el.type()) {
    case dom::element_type::STRING:
      *v = Value::String(Str(el));
      *stable = false;
      return true;
    case dom::element_type::INT64:
      *v = Value::Int(I64(el));
      return true;
    case dom::element_type::DOUBLE:
      *v = Value::Float(Dbl(el));
      return true;
    case dom::element_type::BOOL:
      *v = Value::Bool(Bool(el));
      return true;
    case dom::element_type::NULL_VALUE:
      return false;
    case dom::element_type::UINT64:  // beyond int64: keep every digit as text
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT:
      *v = Value::String(JsonText(el, arena, scratch));
      return true;
  }
  return false;
}

// The text of a value that failed coercion (kept as <name>_raw).
Value RawText(dom::element el, Arena* arena, std::string* scratch, bool* stable) {
  if (el.type() == dom::element_type::STRING) {
    *stable = false;
    return Value::String(Str(el));
  }
  *stable = true;
  return Value::String(JsonText(el, arena, scratch));
}

Coerced Coerce(SlotType type, dom::element el, Arena* arena, std::string* scratch, Value* v,
               bool* stable) {
  dom::element_type t = el.type();
  if (t == dom::element_type::NULL_VALUE) return Coerced::kNull;
  *stable = true;
  bool is_str = t == dom::element_type::STRING;
  std::string_view s = is_str ? Str(el) : std::string_view();
  switch (type) {
    case SlotType::kString:
      if (is_str) {
        *v = Value::String(s);
        *stable = false;
      } else {
        *v = Value::String(JsonText(el, arena, scratch));
      }
      return Coerced::kOk;
    case SlotType::kStack:
      if (t == dom::element_type::ARRAY) {
        scratch->clear();
        for (dom::element line : Arr(el)) {
          if (!scratch->empty() && scratch->back() != '\n') scratch->push_back('\n');
          if (line.type() == dom::element_type::STRING) {
            scratch->append(Str(line));
          } else {
            AppendElementJson(line, scratch);
          }
        }
        while (!scratch->empty() && scratch->back() == '\n') scratch->pop_back();
        *v = Value::String(arena->Copy(*scratch));
        return Coerced::kOk;
      }
      return Coerce(SlotType::kString, el, arena, scratch, v, stable);
    case SlotType::kInt: {
      int64_t i;
      if (t == dom::element_type::INT64) {
        *v = Value::Int(I64(el));
      } else if (t == dom::element_type::DOUBLE && DoubleToInt(Dbl(el), &i)) {
        *v = Value::Int(i);
      } else if (is_str && ParseIntText(s, &i)) {
        *v = Value::Int(i);
      } else {
        return Coerced::kFail;
      }
      return Coerced::kOk;
    }
    case SlotType::kFloat: {
      double d;
      if (t == dom::element_type::DOUBLE) {
        *v = Value::Float(Dbl(el));
      } else if (t == dom::element_type::INT64) {
        *v = Value::Float(static_cast<double>(I64(el)));
      } else if (t == dom::element_type::UINT64) {
        *v = Value::Float(static_cast<double>(U64(el)));
      } else if (is_str && ParseDoubleText(s, &d)) {
        *v = Value::Float(d);
      } else {
        return Coerced::kFail;
      }
      return Coerced::kOk;
    }
    case SlotType::kBool:
      if (t == dom::element_type::BOOL) {
        *v = Value::Bool(Bool(el));
      } else if (is_str && (EqualsLower(s, "true") || EqualsLower(s, "false"))) {
        *v = Value::Bool(EqualsLower(s, "true"));
      } else {
        return Coerced::kFail;
      }
      return Coerced::kOk;
    case SlotType::kKind: {
      auto k = is_str ? ParseKind(s) : std::nullopt;
      if (!k) return Coerced::kFail;
      *v = Value::String(KindName(*k));
      return Coerced::kOk;
    }
    case SlotType::kLevel: {
      auto l = is_str ? ParseLevel(s) : std::nullopt;
      if (!l) return Coerced::kFail;
      *v = Value::String(LevelName(*l));
      return Coerced::kOk;
    }
    case SlotType::kOutcome:
      if (t == dom::element_type::BOOL) {
        *v = Value::String(Bool(el) ? "success" : "failure");
        return Coerced::kOk;
      }
      if (is_str && !OutcomeFor(s).empty()) {
        *v = Value::String(OutcomeFor(s));
        return Coerced::kOk;
      }
      return Coerce(SlotType::kString, el, arena, scratch, v, stable);
    case SlotType::kMethod: {
      if (!is_str || s.empty() || s.size() > 16) return Coerced::kFail;
      char* p = arena->Allocate(s.size());
      for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return Coerced::kFail;
        p[i] = c >= 'a' ? static_cast<char>(c - 'a' + 'A') : c;
      }
      *v = Value::String(std::string_view(p, s.size()));
      return Coerced::kOk;
    }
  }
  return Coerced::kFail;
}

}  // namespace vigia::normalize
