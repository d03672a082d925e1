#include "event/normalizer.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "event/event_fields.h"
#include "event/event_json.h"
#include "event/normalizer_keys.h"

namespace vigia {
namespace {

namespace dom = simdjson::dom;
using normalize::KeyAction;
using normalize::KeyInfo;
using normalize::Slot;
using normalize::SlotType;

static_assert(Normalizer::kPadding >= simdjson::SIMDJSON_PADDING);

// Why the DOM front-end and not On-Demand: the DOM parser runs simdjson's runtime-dispatched
// kernels from libsimdjson (AVX2/AVX-512 on the servers we target), while On-Demand is
// inlined into this file and, built for baseline x86-64 as Debian's compiler flags are,
// falls back to the scalar implementation. We visit every value anyway (nothing is skipped),
// so the DOM's tape costs little and also gives full validation, including nesting depth.

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

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

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

// 2^63 as a double: the first value that does not fit in int64_t.
constexpr double kTwo63 = 9223372036854775808.0;

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

std::string_view Str(dom::element el) { return el.get_string().value_unsafe(); }
dom::object Obj(dom::element el) { return el.get_object().value_unsafe(); }
dom::array Arr(dom::element el) { return el.get_array().value_unsafe(); }
int64_t I64(dom::element el) { return el.get_int64().value_unsafe(); }
uint64_t U64(dom::element el) { return el.get_uint64().value_unsafe(); }
double Dbl(dom::element el) { return el.get_double().value_unsafe(); }
bool Bool(dom::element el) { return el.get_bool().value_unsafe(); }

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

// A dynamic field of the event being built.
struct Pending {
  std::string_view name;
  Value value;
  bool name_stable;   // name is static or in the arena (else: in the parser, copy at emit)
  bool value_stable;  // same for a string value
  bool from_extra;
};

// Per-event set of dynamic names (index into the pending list). Cleared in O(1) per event
// with a generation stamp, so 1000-field events stay linear.
class NameSet {
 public:
  explicit NameSet(size_t max_entries) {
    size_t n = 64;
    while (n < 2 * max_entries) n <<= 1;
    slots_.resize(n);
    mask_ = n - 1;
  }
  void NewEvent() {
    if (++stamp_ == 0) {  // wrapped: old stamps could alias the new one
      for (Entry& e : slots_) e.stamp = 0;
      stamp_ = 1;
    }
  }
  // Returns the index already recorded for `name`, or records `index` and returns -1.
  int64_t FindOrInsert(std::string_view name, uint32_t index, const std::vector<Pending>& p) {
    uint64_t h = normalize::HashName(name);
    size_t i = h & mask_;
    while (slots_[i].stamp == stamp_) {
      if (slots_[i].hash == h && p[slots_[i].index].name == name) return slots_[i].index;
      i = (i + 1) & mask_;
    }
    slots_[i] = {h, stamp_, index};
    return -1;
  }

 private:
  struct Entry {
    uint64_t hash = 0;
    uint32_t stamp = 0;
    uint32_t index = 0;
  };
  std::vector<Entry> slots_;
  size_t mask_ = 0;
  uint32_t stamp_ = 0;
};

enum class Coerced { kOk, kNull, kFail };

}  // namespace

struct Normalizer::Impl {
  explicit Impl(NormalizerOptions o)
      // Every leaf can add at most one dynamic field (itself, its _raw or a displaced alias).
      : opt(o), names(o.max_fields + normalize::kSlotCount + 8) {
    name_buf.reserve(opt.max_field_name_bytes + 8);
  }

  // A canonical field of the event being built.
  struct SlotState {
    Value value;
    bool stable = false;
    int rank = 0;
    bool from_extra = false;
    std::string_view orig_a, orig_b;  // the spelling it came from: a or a.b (error objects)
  };

  NormalizerOptions opt;
  dom::parser parser;
  size_t capacity = 0;
  std::string padded;  // Normalize() copies here when the caller has no padding

  // Per-event state.
  Arena* arena = nullptr;
  uint64_t filled = 0;
  SlotState slots[normalize::kSlotCount];
  std::vector<Pending> dyn;
  NameSet names;
  size_t leaves = 0;
  bool has_ts = false;
  int64_t ts = 0;
  int ts_rank = 0;
  std::string_view ts_orig;
  Value ts_value;
  bool ts_value_stable = false;
  bool bad_ts = false;
  std::string bad_ts_text;
  std::string name_buf;  // dotted name being built by Flatten
  std::string scratch;
  std::string error;

  bool Fail(std::string reason) {
    error = std::move(reason);
    return false;
  }

  bool CountLeaf() {
    if (++leaves > opt.max_fields) {
      return Fail("more than " + std::to_string(opt.max_fields) + " fields");
    }
    return true;
  }

  std::string_view ArenaText(const std::string& s) { return arena->Copy(s); }

  std::string_view JsonText(dom::element el) {
    scratch.clear();
    AppendElementJson(el, &scratch);
    return ArenaText(scratch);
  }

  // The value an element keeps as a dynamic field. Returns false for null (dropped).
  bool ToValue(dom::element el, Value* v, bool* stable) {
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
        *v = Value::String(JsonText(el));
        return true;
    }
    return false;
  }

  // The text of a value that failed coercion (kept as <name>_raw).
  Value RawText(dom::element el, bool* stable) {
    if (el.type() == dom::element_type::STRING) {
      *stable = false;
      return Value::String(Str(el));
    }
    *stable = true;
    return Value::String(JsonText(el));
  }

  Coerced Coerce(SlotType type, dom::element el, Value* v, bool* stable) {
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
          *v = Value::String(JsonText(el));
        }
        return Coerced::kOk;
      case SlotType::kStack:
        if (t == dom::element_type::ARRAY) {
          scratch.clear();
          for (dom::element line : Arr(el)) {
            if (!scratch.empty() && scratch.back() != '\n') scratch.push_back('\n');
            if (line.type() == dom::element_type::STRING) {
              scratch.append(Str(line));
            } else {
              AppendElementJson(line, &scratch);
            }
          }
          while (!scratch.empty() && scratch.back() == '\n') scratch.pop_back();
          *v = Value::String(ArenaText(scratch));
          return Coerced::kOk;
        }
        return Coerce(SlotType::kString, el, v, stable);
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
        return Coerce(SlotType::kString, el, v, stable);
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

  void AddDyn(std::string_view name, bool name_stable, const Value& v, bool value_stable,
              bool from_extra) {
    int64_t at = names.FindOrInsert(name, static_cast<uint32_t>(dyn.size()), dyn);
    if (at < 0) {
      dyn.push_back({name, v, name_stable, value_stable, from_extra});
      return;
    }
    Pending& p = dyn[static_cast<size_t>(at)];
    if (from_extra && !p.from_extra) {  // extra/extra_fields beat the outer line
      p.value = v;
      p.value_stable = value_stable;
      p.from_extra = true;
    }
  }

  // A value that lost to a better spelling stays as a dynamic field under its own name,
  // unless that name is the canonical one (an exact duplicate) or it was derived.
  void AddLoser(std::string_view canonical, std::string_view a, std::string_view b, const Value& v,
                bool stable, bool from_extra) {
    if (a.empty()) return;
    std::string_view name = a;
    bool name_stable = false;
    if (!b.empty()) {
      scratch.assign(a).append(".").append(b);
      if (scratch == canonical) return;
      name = ArenaText(scratch);
      name_stable = true;
    } else if (a == canonical) {
      return;
    }
    AddDyn(name, name_stable, v, stable, from_extra);
  }

  void SetSlot(Slot slot, const Value& v, bool stable, int rank, std::string_view a,
               std::string_view b, bool from_extra) {
    const int i = static_cast<int>(slot);
    const uint64_t bit = uint64_t{1} << i;
    SlotState& cur = slots[i];
    std::string_view canonical = fields::kAllCanonical[i];
    if (filled & bit) {
      // A loser repeating the winner's value adds nothing (exception.type + error_type).
      if (cur.rank >= rank) {
        if (!(v == cur.value)) AddLoser(canonical, a, b, v, stable, from_extra);
        return;
      }
      if (!(v == cur.value)) {
        AddLoser(canonical, cur.orig_a, cur.orig_b, cur.value, cur.stable, cur.from_extra);
      }
    }
    filled |= bit;
    cur = {v, stable, rank, from_extra, a, b};
  }

  bool SetSlotFrom(Slot slot, dom::element el, int rank, std::string_view a, std::string_view b,
                   bool from_extra) {
    if (!CountLeaf()) return false;
    const normalize::SlotInfo& info = normalize::GetSlotInfo(slot);
    Value v;
    bool stable = false;
    switch (Coerce(info.type, el, &v, &stable)) {
      case Coerced::kNull:
        return true;
      case Coerced::kOk:
        SetSlot(slot, v, stable, rank, a, b, from_extra);
        return true;
      case Coerced::kFail:
        break;
    }
    v = RawText(el, &stable);
    AddDyn(info.raw_name, true, v, stable, from_extra);
    if (slot == Slot::kStatus && v.type == ValueType::kString) {
      // Audit lines say "status": "success"/"failed" (seed 000): that is the outcome.
      std::string_view outcome = OutcomeFor(v.s);
      if (!outcome.empty())
        SetSlot(Slot::kOutcome, Value::String(outcome), true, -1, {}, {}, false);
    }
    return true;
  }

  // `copy_name`: the name is being built in name_buf and must be copied now; otherwise it
  // is a key in the parser's buffer, copied at emission if the field survives.
  bool AddLeaf(std::string_view name, bool copy_name, dom::element el, bool from_extra) {
    if (!CountLeaf()) return false;
    Value v;
    bool stable;
    if (!ToValue(el, &v, &stable)) return true;
    if (copy_name) {
      AddDyn(arena->Copy(name), true, v, stable, from_extra);
    } else {
      AddDyn(name, false, v, stable, from_extra);
    }
    return true;
  }

  bool NameTooLong(size_t n) {
    if (n <= opt.max_field_name_bytes) return false;
    Fail("field name longer than " + std::to_string(opt.max_field_name_bytes) + " bytes");
    return true;
  }

  // Flattens the object `el` under the name prefix in name_buf.
  bool FlattenObject(dom::element el, bool from_extra) {
    const size_t prefix = name_buf.size();
    for (dom::key_value_pair kv : Obj(el)) {
      if (NameTooLong(prefix + 1 + kv.key.size())) return false;
      name_buf.resize(prefix);
      name_buf.push_back('.');
      name_buf.append(kv.key);
      if (kv.value.type() == dom::element_type::OBJECT) {
        if (!FlattenObject(kv.value, from_extra)) return false;
      } else if (!AddLeaf(name_buf, /*copy_name=*/true, kv.value, from_extra)) {
        return false;
      }
    }
    name_buf.resize(prefix);
    return true;
  }

  bool FlattenTop(std::string_view key, dom::element el, bool from_extra) {
    if (NameTooLong(key.size())) return false;
    if (el.type() == dom::element_type::OBJECT) {
      name_buf.assign(key);
      return FlattenObject(el, from_extra);
    }
    return AddLeaf(key, /*copy_name=*/false, el, from_extra);
  }

  bool HandleTs(std::string_view key, dom::element el, int rank, bool from_extra) {
    if (!CountLeaf()) return false;
    std::optional<int64_t> t;
    switch (el.type()) {
      case dom::element_type::NULL_VALUE:
        return true;
      case dom::element_type::STRING:
        t = ParseTsText(Str(el));
        break;
      case dom::element_type::INT64:
        t = EpochIntToNs(I64(el));
        break;
      case dom::element_type::DOUBLE:
        t = EpochDoubleToNs(Dbl(el));
        break;
      default:
        break;
    }
    Value v;
    bool stable;
    if (!t) {
      v = RawText(el, &stable);
      if (!bad_ts) {
        bad_ts = true;
        bad_ts_text.assign(v.s.substr(0, 64));
      }
      AddDyn("ts_raw", true, v, stable, from_extra);
      return true;
    }
    ToValue(el, &v, &stable);
    if (has_ts && ts_rank >= rank) {
      AddLoser(fields::kTs, key, {}, v, stable, from_extra);
      return true;
    }
    if (has_ts) AddLoser(fields::kTs, ts_orig, {}, ts_value, ts_value_stable, from_extra);
    has_ts = true;
    ts = *t;
    ts_rank = rank;
    ts_orig = key;
    ts_value = v;
    ts_value_stable = stable;
    return true;
  }

  bool HandleRoute(std::string_view key, dom::element el, int rank, bool from_extra) {
    if (el.type() == dom::element_type::STRING) {
      // "POST /sales/{id}/pay": a method token, one space, then the path template.
      std::string_view s(el);
      size_t sp = s.find(' ');
      if (sp != std::string_view::npos && sp > 0 && sp <= 16 && sp + 1 < s.size() &&
          s[sp + 1] == '/') {
        Value method;
        bool stable;
        std::string_view token = s.substr(0, sp);
        bool letters = true;
        for (char c : token) letters &= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (letters) {
          if (!CountLeaf()) return false;
          // Coerce only reads the string; build the upper-cased method from the token.
          char* p = arena->Allocate(token.size());
          for (size_t i = 0; i < token.size(); ++i) {
            char c = token[i];
            p[i] = c >= 'a' ? static_cast<char>(c - 'a' + 'A') : c;
          }
          method = Value::String(std::string_view(p, token.size()));
          stable = true;
          SetSlot(Slot::kRoute, Value::String(s.substr(sp + 1)), false, rank, key, {}, from_extra);
          SetSlot(Slot::kMethod, method, stable, -1, {}, {}, false);
          return true;
        }
      }
    }
    return SetSlotFrom(Slot::kRoute, el, rank, key, {}, from_extra);
  }

  bool HandleError(std::string_view key, dom::element el, int rank, bool from_extra) {
    if (el.type() != dom::element_type::OBJECT) {
      return SetSlotFrom(Slot::kErrorMessage, el, rank, key, {}, from_extra);
    }
    for (dom::key_value_pair kv : Obj(el)) {
      if (const KeyInfo* in = normalize::LookupErrorKey(kv.key)) {
        if (!SetSlotFrom(in->slot, kv.value, rank, key, kv.key, from_extra)) return false;
        continue;
      }
      // Unknown keys of an error object are kept as error.<key>, whatever its spelling.
      if (NameTooLong(6 + kv.key.size())) return false;
      name_buf.assign("error.").append(kv.key);
      if (kv.value.type() == dom::element_type::OBJECT) {
        if (!FlattenObject(kv.value, from_extra)) return false;
      } else if (!AddLeaf(name_buf, true, kv.value, from_extra)) {
        return false;
      }
    }
    return true;
  }

  bool HandleKey(std::string_view key, dom::element el, bool from_extra) {
    const KeyInfo* info = normalize::LookupTopLevelKey(key);
    if (info == nullptr) return FlattenTop(key, el, from_extra);
    const int rank = (info->canonical ? 2 : 0) + (from_extra ? 1 : 0);
    switch (info->action) {
      case KeyAction::kSlot:
      case KeyAction::kStatus:
        return SetSlotFrom(info->slot, el, rank, key, {}, from_extra);
      case KeyAction::kTs:
        return HandleTs(key, el, rank, from_extra);
      case KeyAction::kRoute:
        return HandleRoute(key, el, rank, from_extra);
      case KeyAction::kError:
        return HandleError(key, el, rank, from_extra);
      case KeyAction::kDetails:
        if (el.type() == dom::element_type::OBJECT) {
          name_buf.assign(fields::kDetails);
          return FlattenObject(el, from_extra);
        }
        return SetSlotFrom(Slot::kDetails, el, rank, key, {}, from_extra);
      case KeyAction::kExtra:
        // Only the line's own extra/extra_fields merge; nested ones are ordinary objects.
        if (from_extra || el.type() != dom::element_type::OBJECT) {
          return FlattenTop(key, el, from_extra);
        }
        for (dom::key_value_pair kv : Obj(el)) {
          if (!HandleKey(kv.key, kv.value, true)) return false;
        }
        return true;
    }
    return true;
  }

  void Derive() {
    auto has = [&](Slot s) { return (filled >> static_cast<int>(s)) & 1; };
    if (!has(Slot::kKind)) SetSlot(Slot::kKind, Value::String("log"), true, -1, {}, {}, false);
    if (!has(Slot::kLevel)) {
      bool is_error = slots[static_cast<int>(Slot::kKind)].value.s == KindName(EventKind::kError);
      SetSlot(Slot::kLevel, Value::String(is_error ? "error" : "info"), true, -1, {}, {}, false);
    }
    if (has(Slot::kDurationMs)) {
      double d = slots[static_cast<int>(Slot::kDurationMs)].value.f;
      SetSlot(Slot::kPerfClass, Value::String(PerfClassFor(d)), true, -1, {}, {}, false);
    }
    if (opt.ua_classifier != nullptr && has(Slot::kUa)) {
      UserAgentInfo ua;
      if (opt.ua_classifier->Classify(slots[static_cast<int>(Slot::kUa)].value.s, &ua)) {
        const std::pair<Slot, std::string_view> derived[] = {
            {Slot::kBrowser, ua.browser},
            {Slot::kBrowserVersion, ua.browser_version},
            {Slot::kOs, ua.os},
            {Slot::kOsVersion, ua.os_version},
            {Slot::kDevice, ua.device}};
        for (const auto& [slot, text] : derived) {
          if (!text.empty()) SetSlot(slot, Value::String(text), false, -1, {}, {}, false);
        }
      }
    }
  }

  Value Stable(const Value& v, bool stable) {
    if (stable || v.type != ValueType::kString) return v;
    return Value::String(arena->Copy(v.s));
  }

  void Emit(int64_t receive_ts_ns, EventBatch* out) {
    out->BeginEvent(has_ts ? ts : receive_ts_ns);
    uint64_t bits = filled;
    while (bits != 0) {
      int i = __builtin_ctzll(bits);
      bits &= bits - 1;
      out->AddField(fields::kAllCanonical[i], Stable(slots[i].value, slots[i].stable));
    }
    for (const Pending& p : dyn) {
      out->AddField(p.name_stable ? p.name : arena->Copy(p.name), Stable(p.value, p.value_stable));
    }
  }

  bool Run(std::string_view json, int64_t receive_ts_ns, EventBatch* out) {
    if (json.size() > capacity) {
      size_t want = std::max<size_t>({json.size(), capacity * 2, 64 * 1024});
      if (parser.allocate(want, opt.max_depth + 1) != simdjson::SUCCESS) {
        capacity = 0;
        return Fail("out of memory parsing a line of " + std::to_string(json.size()) + " bytes");
      }
      capacity = want;
    }
    dom::element root;
    // simdjson counts the document itself as one level: max_depth + 1 lets exactly
    // max_depth levels of objects/arrays through.
    auto err = parser.parse(json.data(), json.size(), false).get(root);
    if (err) return Fail(JsonErrorReason(err, opt.max_depth));
    if (root.type() != dom::element_type::OBJECT) return Fail("not a JSON object");

    arena = &out->arena();
    filled = 0;
    dyn.clear();
    names.NewEvent();
    leaves = 0;
    has_ts = false;
    bad_ts = false;
    for (dom::key_value_pair kv : Obj(root)) {
      if (!HandleKey(kv.key, kv.value, false)) return false;
    }
    if (!has_ts && bad_ts) return Fail("unparseable ts: \"" + bad_ts_text + "\"");
    Derive();
    Emit(receive_ts_ns, out);
    return true;
  }
};

Normalizer::Normalizer(NormalizerOptions options) : impl_(std::make_unique<Impl>(options)) {}
Normalizer::~Normalizer() = default;

Status Normalizer::NormalizePadded(std::string_view json, size_t readable, int64_t receive_ts_ns,
                                   EventBatch* out) {
  if (readable < json.size() + kPadding) {
    return Status::Internal("NormalizePadded: caller broke the padding precondition");
  }
  if (!impl_->Run(json, receive_ts_ns, out)) return Status::InvalidArgument(impl_->error);
  return Status::Ok();
}

Status Normalizer::Normalize(std::string_view json, int64_t receive_ts_ns, EventBatch* out) {
  std::string& buf = impl_->padded;
  if (buf.size() < json.size() + kPadding) buf.resize(json.size() + kPadding);
  std::memcpy(buf.data(), json.data(), json.size());
  return NormalizePadded(std::string_view(buf.data(), json.size()), buf.size(), receive_ts_ns, out);
}

}  // namespace vigia
