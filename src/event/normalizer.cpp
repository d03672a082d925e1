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
#include "event/normalizer_values.h"

namespace vigia {
namespace {

namespace dom = simdjson::dom;
using normalize::AppendElementJson;
using normalize::Arr;
using normalize::Bool;
using normalize::Coerce;
using normalize::Coerced;
using normalize::Dbl;
using normalize::EpochDoubleToNs;
using normalize::EpochIntToNs;
using normalize::I64;
using normalize::JsonErrorReason;
using normalize::JsonText;
using normalize::KeyAction;
using normalize::KeyInfo;
using normalize::Obj;
using normalize::OutcomeFor;
using normalize::ParseTsText;
using normalize::RawText;
using normalize::Slot;
using normalize::SlotType;
using normalize::Str;
using normalize::ToValue;

static_assert(Normalizer::kPadding >= simdjson::SIMDJSON_PADDING);

// Why the DOM front-end and not On-Demand: the DOM parser runs simdjson's runtime-dispatched
// kernels from libsimdjson (AVX2/AVX-512 on the servers we target), while On-Demand is
// inlined into this file and, built for baseline x86-64 as Debian's compiler flags are,
// falls back to the scalar implementation. We visit every value anyway (nothing is skipped),
// so the DOM's tape costs little and also gives full validation, including nesting depth.

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
      name = arena->Copy(scratch);
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
    switch (Coerce(info.type, el, arena, &scratch, &v, &stable)) {
      case Coerced::kNull:
        return true;
      case Coerced::kOk:
        SetSlot(slot, v, stable, rank, a, b, from_extra);
        return true;
      case Coerced::kFail:
        break;
    }
    v = RawText(el, arena, &scratch, &stable);
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
    if (!ToValue(el, arena, &scratch, &v, &stable)) return true;
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
      v = RawText(el, arena, &scratch, &stable);
      if (!bad_ts) {
        bad_ts = true;
        bad_ts_text.assign(v.s.substr(0, 64));
      }
      AddDyn("ts_raw", true, v, stable, from_extra);
      return true;
    }
    ToValue(el, arena, &scratch, &v, &stable);
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
