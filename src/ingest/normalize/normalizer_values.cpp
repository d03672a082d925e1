#include "ingest/normalize/normalizer_values.h"

#include <charconv>
#include <cmath>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "event/event.h"
#include "event/event_fields.h"
#include "event/event_json.h"

namespace vigia::normalize {

namespace {

// 2^63 as a double: the first value that does not fit in int64_t.
constexpr double kTwo63 = 9223372036854775808.0;

}  // namespace

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
    if (ascii::EqualsLower(s, ok)) return "success";
  }
  for (std::string_view bad : {"failure", "failed", "fail", "error", "denied"}) {
    if (ascii::EqualsLower(s, bad)) return "failure";
  }
  return {};
}

void AppendInJson(const InValue& in, std::string* out) {
  switch (in.type) {
    case InValue::kString:
      AppendJsonString(out, in.s);
      return;
    case InValue::kInt:
      AppendJsonValue(out, Value::Int(in.i));
      return;
    case InValue::kUint: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), in.u);
      out->append(buf, r.ptr);
      return;
    }
    case InValue::kDouble:
      AppendJsonDouble(out, in.d);
      return;
    case InValue::kBool:
      out->append(in.b ? "true" : "false");
      return;
    case InValue::kNull:
      out->append("null");
      return;
    case InValue::kJson:
      out->append(in.s);
      return;
  }
}

std::string_view JsonText(const InValue& in, Arena* arena, std::string* scratch) {
  if (in.type == InValue::kJson) return in.s;  // captured into the arena already
  scratch->clear();
  AppendInJson(in, scratch);
  return arena->Copy(*scratch);
}

bool ToValue(const InValue& in, Arena* arena, std::string* scratch, Value* v, bool* stable) {
  *stable = true;
  switch (in.type) {
    case InValue::kString:
      *v = Value::String(in.s);
      *stable = in.stable;
      return true;
    case InValue::kInt:
      *v = Value::Int(in.i);
      return true;
    case InValue::kDouble:
      *v = Value::Float(in.d);
      return true;
    case InValue::kBool:
      *v = Value::Bool(in.b);
      return true;
    case InValue::kNull:
      return false;
    case InValue::kUint:  // beyond int64: keep every digit as text
    case InValue::kJson:
      *v = Value::String(JsonText(in, arena, scratch));
      return true;
  }
  return false;
}

Value RawText(const InValue& in, Arena* arena, std::string* scratch, bool* stable) {
  if (in.type == InValue::kString) {
    *stable = in.stable;
    return Value::String(in.s);
  }
  *stable = true;
  return Value::String(JsonText(in, arena, scratch));
}

Coerced Coerce(SlotType type, const InValue& in, Arena* arena, std::string* scratch, Value* v,
               bool* stable) {
  const InValue::Type t = in.type;
  if (t == InValue::kNull) return Coerced::kNull;
  *stable = true;
  const bool is_str = t == InValue::kString;
  std::string_view s = is_str ? in.s : std::string_view();
  switch (type) {
    case SlotType::kString:
    case SlotType::kStack:  // an array of lines arrives joined (a kString)
      if (is_str) {
        *v = Value::String(s);
        *stable = in.stable;
      } else {
        *v = Value::String(JsonText(in, arena, scratch));
      }
      return Coerced::kOk;
    case SlotType::kInt: {
      int64_t i;
      if (t == InValue::kInt) {
        *v = Value::Int(in.i);
      } else if (t == InValue::kDouble && DoubleToInt(in.d, &i)) {
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
      if (t == InValue::kDouble) {
        *v = Value::Float(in.d);
      } else if (t == InValue::kInt) {
        *v = Value::Float(static_cast<double>(in.i));
      } else if (t == InValue::kUint) {
        *v = Value::Float(static_cast<double>(in.u));
      } else if (is_str && ParseDoubleText(s, &d)) {
        *v = Value::Float(d);
      } else {
        return Coerced::kFail;
      }
      return Coerced::kOk;
    }
    case SlotType::kBool:
      if (t == InValue::kBool) {
        *v = Value::Bool(in.b);
      } else if (is_str && (ascii::EqualsLower(s, "true") || ascii::EqualsLower(s, "false"))) {
        *v = Value::Bool(ascii::EqualsLower(s, "true"));
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
      if (t == InValue::kBool) {
        *v = Value::String(in.b ? "success" : "failure");
        return Coerced::kOk;
      }
      if (is_str && !OutcomeFor(s).empty()) {
        *v = Value::String(OutcomeFor(s));
        return Coerced::kOk;
      }
      return Coerce(SlotType::kString, in, arena, scratch, v, stable);
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
