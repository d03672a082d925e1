#include "ingest/normalize/canonicalizer.h"

#include <optional>
#include <utility>

#include "common/json_writer.h"
#include "event/event_fields.h"
#include "ingest/normalize/normalizer_keys.h"
#include "ingest/normalize/normalizer_values.h"

namespace vigia {

namespace normalize {

// A canonical field of the event being built.
struct SlotState {
  Value value;
  bool stable = false;
  int rank = 0;
  bool from_extra = false;
  std::string_view orig_a, orig_b;  // the spelling it came from: a or a.b (error objects)
};

// What CanonicalEvent (field_deriver.h) gives derivers access to.
struct CanonicalSlots {
  uint64_t filled = 0;
  SlotState slots[kSlotCount];
  Arena* arena = nullptr;
};

}  // namespace normalize

namespace {

using normalize::CanonicalSlots;
using normalize::Coerce;
using normalize::Coerced;
using normalize::EpochDoubleToNs;
using normalize::EpochIntToNs;
using normalize::InValue;
using normalize::KeyAction;
using normalize::KeyInfo;
using normalize::OutcomeFor;
using normalize::ParseTsText;
using normalize::RawText;
using normalize::Slot;
using normalize::SlotState;
using normalize::SlotType;
using normalize::ToValue;

// A dynamic field of the event being built.
struct Pending {
  std::string_view name;
  Value value;
  bool name_stable;   // name is static or in the arena (else: the caller's view, copy at emit)
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

// Where the keys being fed belong.
enum class FrameKind : uint8_t {
  kTop,      // the event's own object
  kExtra,    // the event's extra/extra_fields object: keys act as top-level keys
  kError,    // an error container: type/message/stack/... fill error.*
  kFlatten,  // any other object: leaves are named <prefix>.<key>
};

struct Frame {
  FrameKind kind;
  bool from_extra;
  int rank;            // kError: the container's precedence rank
  size_t prefix;       // kFlatten: length of the name prefix in name_buf
  std::string_view a;  // kError: the container's key
  // Outside the projection: leaves are counted and their names' lengths checked, nothing is
  // kept (kFlatten's prefix is then only a length: name_buf is not built).
  bool skip = false;
};

}  // namespace

bool CanonicalEvent::Has(Slot slot) const { return (slots_->filled >> static_cast<int>(slot)) & 1; }
const Value& CanonicalEvent::Get(Slot slot) const {
  return slots_->slots[static_cast<int>(slot)].value;
}
void CanonicalEvent::AddIfAbsent(Slot slot, const Value& v, bool stable) {
  if (Has(slot)) return;
  slots_->filled |= uint64_t{1} << static_cast<int>(slot);
  slots_->slots[static_cast<int>(slot)] = {v, stable, -1, false, {}, {}};
}
Arena& CanonicalEvent::arena() { return *slots_->arena; }

struct Canonicalizer::Impl {
  explicit Impl(CanonicalizerOptions o)
      // Every leaf can add at most one dynamic field (itself, its _raw or a displaced alias).
      : opt(std::move(o)), names(opt.max_fields + normalize::kSlotCount + 8) {
    name_buf.reserve(opt.max_field_name_bytes + 8);
    frames.reserve(opt.max_depth + 2);
  }

  CanonicalizerOptions opt;
  AdmissionWindow admission;

  // Per-event state.
  EventBatch* out = nullptr;
  Arena* arena = nullptr;
  CanonicalSlots cs;  // the canonical fields (derivers see them through CanonicalEvent)
  std::vector<Pending> dyn;
  NameSet names;
  size_t leaves = 0;
  size_t depth = 1;  // the event's object
  std::vector<Frame> frames;
  bool has_ts = false;
  int64_t ts = 0;
  int ts_rank = 0;
  std::string_view ts_orig;
  Value ts_value;
  bool ts_value_stable = false;
  bool bad_ts = false;
  std::string bad_ts_text;
  // The key SkipTopLevelScalar just let through and its class, for the OnTopValue that
  // follows with the same view: one lookup per key, not two. Cleared when used and per event.
  std::string_view fed_key;
  FieldProjection::TopLevelKey fed_class;
  std::string name_buf;  // dotted name of the object being flattened
  std::string scratch;
  std::string error;

  // An array, or an object given to a canonical field, is captured as compact JSON text (or
  // as newline-joined lines for a stack field) and then handled as one value of `cap_key`.
  size_t cap_depth = 0;  // 0: not capturing
  bool cap_lines = false;
  std::string_view cap_key;
  bool cap_skip = false;  // outside the projection: no text, only the leaf at the end
  std::string capture;
  std::vector<uint8_t> cap_first;   // per capture level: no member written yet
  std::vector<uint8_t> cap_object;  // per capture level: object (else array)

  bool Fail(std::string reason) {
    error = std::move(reason);
    return false;
  }

  [[gnu::noinline, gnu::cold]] bool TooManyFields() {
    return Fail("more than " + std::to_string(opt.max_fields) + " fields");
  }
  [[gnu::noinline, gnu::cold]] void NameLengthError() {
    Fail("field name longer than " + std::to_string(opt.max_field_name_bytes) + " bytes");
  }

  [[gnu::always_inline]] bool CountLeaf() {
    if (++leaves > opt.max_fields) [[unlikely]]
      return TooManyFields();
    return true;
  }

  [[gnu::always_inline]] bool NameTooLong(size_t n) {
    if (n <= opt.max_field_name_bytes) [[likely]]
      return false;
    NameLengthError();
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
    SlotState& cur = cs.slots[i];
    std::string_view canonical = fields::kAllCanonical[i];
    if (cs.filled & bit) {
      // A loser repeating the winner's value adds nothing (exception.type + error_type).
      if (cur.rank >= rank) {
        if (!(v == cur.value)) AddLoser(canonical, a, b, v, stable, from_extra);
        return;
      }
      if (!(v == cur.value)) {
        AddLoser(canonical, cur.orig_a, cur.orig_b, cur.value, cur.stable, cur.from_extra);
      }
    }
    cs.filled |= bit;
    cur = {v, stable, rank, from_extra, a, b};
  }

  bool SetSlotFrom(Slot slot, const InValue& in, int rank, std::string_view a, std::string_view b,
                   bool from_extra) {
    if (!CountLeaf()) return false;
    const normalize::SlotInfo& info = normalize::GetSlotInfo(slot);
    Value v;
    bool stable = false;
    switch (Coerce(info.type, in, arena, &scratch, &v, &stable)) {
      case Coerced::kNull:
        return true;
      case Coerced::kOk:
        SetSlot(slot, v, stable, rank, a, b, from_extra);
        return true;
      case Coerced::kFail:
        break;
    }
    v = RawText(in, arena, &scratch, &stable);
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
  // is the caller's key, copied at emission if the field survives.
  bool AddLeaf(std::string_view name, bool copy_name, const InValue& in, bool from_extra) {
    if (!CountLeaf()) return false;
    Value v;
    bool stable;
    if (!ToValue(in, arena, &scratch, &v, &stable)) return true;
    if (copy_name) {
      AddDyn(arena->Copy(name), true, v, stable, from_extra);
    } else {
      AddDyn(name, false, v, stable, from_extra);
    }
    return true;
  }

  bool HandleTs(std::string_view key, const InValue& in, int rank, bool from_extra) {
    if (!CountLeaf()) return false;
    std::optional<int64_t> t;
    switch (in.type) {
      case InValue::kNull:
        return true;
      case InValue::kString:
        t = ParseTsText(in.s);
        break;
      case InValue::kInt:
        t = EpochIntToNs(in.i);
        break;
      case InValue::kDouble:
        t = EpochDoubleToNs(in.d);
        break;
      case InValue::kUint:
      case InValue::kBool:
      case InValue::kJson:
        break;
    }
    Value v;
    bool stable;
    if (!t) {
      v = RawText(in, arena, &scratch, &stable);
      if (!bad_ts) {
        bad_ts = true;
        bad_ts_text.assign(v.s.substr(0, 64));
      }
      AddDyn("ts_raw", true, v, stable, from_extra);
      return true;
    }
    ToValue(in, arena, &scratch, &v, &stable);
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

  bool HandleRoute(std::string_view key, const InValue& in, int rank, bool from_extra) {
    if (in.type == InValue::kString) {
      // "POST /sales/{id}/pay": a method token, one space, then the path template.
      std::string_view s = in.s;
      size_t sp = s.find(' ');
      if (sp != std::string_view::npos && sp > 0 && sp <= 16 && sp + 1 < s.size() &&
          s[sp + 1] == '/') {
        std::string_view token = s.substr(0, sp);
        bool letters = true;
        for (char c : token) letters &= (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (letters) {
          if (!CountLeaf()) return false;
          char* p = arena->Allocate(token.size());
          for (size_t i = 0; i < token.size(); ++i) {
            char c = token[i];
            p[i] = c >= 'a' ? static_cast<char>(c - 'a' + 'A') : c;
          }
          SetSlot(Slot::kRoute, Value::String(s.substr(sp + 1)), in.stable, rank, key, {},
                  from_extra);
          SetSlot(Slot::kMethod, Value::String(std::string_view(p, token.size())), true, -1, {}, {},
                  false);
          return true;
        }
      }
    }
    return SetSlotFrom(Slot::kRoute, in, rank, key, {}, from_extra);
  }

  // A leaf (scalar, captured array, or an object captured for a canonical field) under
  // `key` in the current frame.
  bool OnValue(std::string_view key, const InValue& in) {
    const Frame& f = frames.back();
    switch (f.kind) {
      case FrameKind::kTop:
      case FrameKind::kExtra:
        return OnTopValue(key, in, f.kind == FrameKind::kExtra);
      case FrameKind::kError:
        if (const KeyInfo* info = normalize::LookupErrorKey(key)) {
          if (f.skip) return CountLeaf();
          return SetSlotFrom(info->slot, in, f.rank, f.a, key, f.from_extra);
        }
        // Unknown keys of an error object are kept as error.<key>, whatever its spelling.
        if (NameTooLong(6 + key.size())) return false;
        if (f.skip) return CountLeaf();
        name_buf.assign("error.").append(key);
        return AddLeaf(name_buf, /*copy_name=*/true, in, f.from_extra);
      case FrameKind::kFlatten:
        if (NameTooLong(f.prefix + 1 + key.size())) return false;
        if (f.skip) return CountLeaf();
        name_buf.resize(f.prefix);
        name_buf.push_back('.');
        name_buf.append(key);
        return AddLeaf(name_buf, /*copy_name=*/true, in, f.from_extra);
    }
    return true;
  }

  bool OnTopValue(std::string_view key, const InValue& in, bool from_extra) {
    const KeyInfo* info;
    if (opt.projection != nullptr) {
      const bool classified = key.data() == fed_key.data() && key.size() == fed_key.size();
      const FieldProjection::TopLevelKey c =
          classified ? fed_class : opt.projection->ClassifyTopLevelKey(key);
      fed_key = {};
      if (!c.wanted) return SkippedTopLeaf(key, c.info);
      info = c.info;
    } else {
      info = normalize::LookupTopLevelKey(key);
    }
    if (info == nullptr) {
      if (NameTooLong(key.size())) return false;
      return AddLeaf(key, /*copy_name=*/false, in, from_extra);
    }
    const int rank = (info->canonical ? 2 : 0) + (from_extra ? 1 : 0);
    switch (info->action) {
      case KeyAction::kSlot:
      case KeyAction::kStatus:
        return SetSlotFrom(info->slot, in, rank, key, {}, from_extra);
      case KeyAction::kTs:
        return HandleTs(key, in, rank, from_extra);
      case KeyAction::kRoute:
        return HandleRoute(key, in, rank, from_extra);
      case KeyAction::kError:
        return SetSlotFrom(Slot::kErrorMessage, in, rank, key, {}, from_extra);
      case KeyAction::kDetails:
        return SetSlotFrom(Slot::kDetails, in, rank, key, {}, from_extra);
      case KeyAction::kExtra:
        // A scalar or array extra is an ordinary field.
        if (NameTooLong(key.size())) return false;
        return AddLeaf(key, /*copy_name=*/false, in, from_extra);
    }
    return true;
  }

  void PushFlatten(bool from_extra) {
    frames.push_back({FrameKind::kFlatten, from_extra, 0, name_buf.size(), {}});
  }
  // A flattened object outside the projection whose names would be `name_bytes` long.
  void PushSkippedFlatten(size_t name_bytes, bool from_extra) {
    frames.push_back({FrameKind::kFlatten, from_extra, 0, name_bytes, {}, /*skip=*/true});
  }
  bool Skips(std::string_view key, const KeyInfo* info) const {
    return opt.projection != nullptr && !opt.projection->WantsValue(key, info);
  }
  // A top-level leaf outside the projection: the checks the kept path (OnTopValue) makes,
  // a dynamic name's length, then the leaf count.
  bool SkippedTopLeaf(std::string_view key, const KeyInfo* info) {
    if ((info == nullptr || info->action == KeyAction::kExtra) && NameTooLong(key.size())) {
      return false;
    }
    return CountLeaf();
  }

  // An object under `key` in the current frame: a new frame, or a capture when a canonical
  // field takes the object as its value.
  bool OnObject(std::string_view key) {
    const Frame f = frames.back();
    switch (f.kind) {
      case FrameKind::kTop:
      case FrameKind::kExtra: {
        const bool from_extra = f.kind == FrameKind::kExtra;
        const KeyInfo* info = normalize::LookupTopLevelKey(key);
        // Only the event's own extra/extra_fields merge; nested ones are ordinary objects.
        if (info == nullptr || (info->action == KeyAction::kExtra && from_extra)) {
          if (NameTooLong(key.size())) return false;
          if (opt.projection != nullptr && !opt.projection->WantsPrefix(key)) {
            PushSkippedFlatten(key.size(), from_extra);
            return true;
          }
          name_buf.assign(key);
          PushFlatten(from_extra);
          return true;
        }
        const int rank = (info->canonical ? 2 : 0) + (from_extra ? 1 : 0);
        switch (info->action) {
          case KeyAction::kExtra:
            frames.push_back({FrameKind::kExtra, true, 0, 0, {}});
            return true;
          case KeyAction::kError:
            frames.push_back({FrameKind::kError, from_extra, rank, 0, key,
                              opt.projection != nullptr && !opt.projection->WantsErrorObject(key)});
            return true;
          case KeyAction::kDetails:
            if (opt.projection != nullptr && !opt.projection->WantsPrefix(fields::kDetails)) {
              PushSkippedFlatten(fields::kDetails.size(), from_extra);
              return true;
            }
            name_buf.assign(fields::kDetails);
            PushFlatten(from_extra);
            return true;
          case KeyAction::kSlot:
          case KeyAction::kStatus:
          case KeyAction::kTs:
          case KeyAction::kRoute:
            StartCapture(key, /*object=*/true, /*lines=*/false, Skips(key, info));
            return true;
        }
        return true;
      }
      case FrameKind::kError:
        if (normalize::LookupErrorKey(key) != nullptr) {
          StartCapture(key, /*object=*/true, /*lines=*/false, f.skip);
          return true;
        }
        if (NameTooLong(6 + key.size())) return false;
        if (f.skip) {
          PushSkippedFlatten(6 + key.size(), f.from_extra);
          return true;
        }
        name_buf.assign("error.").append(key);
        PushFlatten(f.from_extra);
        return true;
      case FrameKind::kFlatten:
        if (NameTooLong(f.prefix + 1 + key.size())) return false;
        if (f.skip) {
          PushSkippedFlatten(f.prefix + 1 + key.size(), f.from_extra);
          return true;
        }
        name_buf.resize(f.prefix);
        name_buf.push_back('.');
        name_buf.append(key);
        PushFlatten(f.from_extra);
        return true;
    }
    return true;
  }

  // Does an array under `key` go to a stack field (joined as lines)?
  bool WantsLines(std::string_view key) const {
    const Frame& f = frames.back();
    const KeyInfo* info = nullptr;
    switch (f.kind) {
      case FrameKind::kTop:
      case FrameKind::kExtra:
        info = normalize::LookupTopLevelKey(key);
        if (info == nullptr ||
            (info->action != KeyAction::kSlot && info->action != KeyAction::kStatus)) {
          return false;
        }
        break;
      case FrameKind::kError:
        info = normalize::LookupErrorKey(key);
        break;
      case FrameKind::kFlatten:
        return false;
    }
    return info != nullptr && normalize::GetSlotInfo(info->slot).type == SlotType::kStack;
  }

  // Is an array under `key` in the current frame outside the projection?
  bool SkipsArray(std::string_view key) const {
    if (opt.projection == nullptr) return false;
    const Frame& f = frames.back();
    switch (f.kind) {
      case FrameKind::kTop:
      case FrameKind::kExtra:
        return Skips(key, normalize::LookupTopLevelKey(key));
      case FrameKind::kError:
      case FrameKind::kFlatten:
        return f.skip;
    }
    return false;
  }

  // --- capture ---------------------------------------------------------------------------

  // `skip`: the value is outside the projection; only its leaf is checked when it closes.
  void StartCapture(std::string_view key, bool object, bool lines, bool skip) {
    cap_key = key;
    cap_lines = lines;
    cap_skip = skip;
    cap_depth = 1;
    capture.clear();
    if (!lines && !skip) capture.push_back(object ? '{' : '[');
    cap_first.assign(1, 1);
    cap_object.assign(1, object ? 1 : 0);
  }

  // Writes the separator and key before a member of the current capture level.
  void CaptureMember(std::string_view key) {
    const size_t level = cap_depth - 1;
    if (cap_lines && level == 0) {  // a new line of a stack
      if (!capture.empty() && capture.back() != '\n') capture.push_back('\n');
      return;
    }
    if (!cap_first[level]) capture.push_back(',');
    cap_first[level] = 0;
    if (cap_object[level]) {
      AppendJsonString(&capture, key);
      capture.push_back(':');
    }
  }

  void CaptureValue(std::string_view key, const InValue& in) {
    if (cap_skip) return;
    CaptureMember(key);
    if (cap_lines && cap_depth == 1 && in.type == InValue::kString) {
      capture.append(in.s);  // stack lines are kept as text, not JSON strings
    } else {
      normalize::AppendInJson(in, &capture);
    }
  }

  void CaptureOpen(std::string_view key, bool object) {
    if (!cap_skip) {
      CaptureMember(key);
      capture.push_back(object ? '{' : '[');
    }
    ++cap_depth;
    cap_first.push_back(1);
    cap_object.push_back(object ? 1 : 0);
  }

  // Closes a capture level; at the outermost one hands the text to OnValue.
  bool CaptureClose() {
    --cap_depth;
    const bool object = cap_object.back();
    cap_first.pop_back();
    cap_object.pop_back();
    if (cap_skip) {
      if (cap_depth > 0) return true;
      // The same frame and key decide again (skip), so only the checks of a leaf run.
      InValue in;
      in.type = InValue::kJson;
      return OnValue(cap_key, in);
    }
    if (cap_depth > 0 || !cap_lines) capture.push_back(object ? '}' : ']');
    if (cap_depth > 0) return true;
    InValue in;
    if (cap_lines) {
      while (!capture.empty() && capture.back() == '\n') capture.pop_back();
      in.type = InValue::kString;
    } else {
      in.type = InValue::kJson;
    }
    in.s = arena->Copy(capture);
    in.stable = true;
    return OnValue(cap_key, in);
  }

  // --- entry points ----------------------------------------------------------------------

  [[gnu::flatten, gnu::noinline]] bool Value_(std::string_view key, const InValue& in) {
    if (cap_depth > 0) {
      CaptureValue(key, in);
      return true;
    }
    return OnValue(key, in);
  }

  bool Open(std::string_view key, bool object) {
    if (++depth > opt.max_depth) {
      return Fail("nesting deeper than " + std::to_string(opt.max_depth));
    }
    if (cap_depth > 0) {
      CaptureOpen(key, object);
      return true;
    }
    if (object) return OnObject(key);
    StartCapture(key, /*object=*/false, WantsLines(key), SkipsArray(key));
    return true;
  }

  bool Close() {
    --depth;
    if (cap_depth > 0) return CaptureClose();
    frames.pop_back();
    return true;
  }

  void Begin(EventBatch* batch) {
    out = batch;
    arena = &batch->arena();
    cs.arena = arena;
    cs.filled = 0;
    dyn.clear();
    names.NewEvent();
    leaves = 0;
    depth = 1;
    frames.clear();
    frames.push_back({FrameKind::kTop, false, 0, 0, {}});
    cap_depth = 0;
    cap_skip = false;
    has_ts = false;
    bad_ts = false;
    fed_key = {};
  }

  // Appends `v` to the event, its string copied into the arena unless `stable`. The value is
  // copied straight from where it sits: a temporary Value built member by member and then
  // copied whole stalled on store forwarding (~10 % of `vigia query --file`'s time).
  void AddStable(std::string_view name, const Value& v, bool stable) {
    if (stable || v.type != ValueType::kString) {
      out->AddField(name, v);
    } else {
      out->AddField(name, Value::String(arena->Copy(v.s)));
    }
  }

  bool End(int64_t receive_ts_ns) {
    if (!has_ts && bad_ts) return Fail("unparseable ts: \"" + bad_ts_text + "\"");
    const int64_t event_ts = has_ts ? ts : receive_ts_ns;
    if (event_ts < admission.min_ts_ns) return Fail(admission.too_old);
    if (event_ts > admission.max_ts_ns) return Fail(admission.too_new);

    auto has = [&](Slot s) { return (cs.filled >> static_cast<int>(s)) & 1; };
    if (!has(Slot::kKind)) SetSlot(Slot::kKind, Value::String("log"), true, -1, {}, {}, false);
    if (!has(Slot::kLevel)) {
      bool is_error =
          cs.slots[static_cast<int>(Slot::kKind)].value.s == KindName(EventKind::kError);
      SetSlot(Slot::kLevel, Value::String(is_error ? "error" : "info"), true, -1, {}, {}, false);
    }
    if (!opt.derivers.empty()) {
      CanonicalEvent view(&cs);
      for (const FieldDeriver* d : opt.derivers) d->Derive(view);
    }

    out->BeginEvent(event_ts);
    uint64_t bits = cs.filled;
    while (bits != 0) {
      int i = __builtin_ctzll(bits);
      bits &= bits - 1;
      AddStable(fields::kAllCanonical[i], cs.slots[i].value, cs.slots[i].stable);
    }
    for (const Pending& p : dyn) {
      AddStable(p.name_stable ? p.name : arena->Copy(p.name), p.value, p.value_stable);
    }
    return true;
  }
};

Canonicalizer::Canonicalizer(CanonicalizerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Canonicalizer::~Canonicalizer() = default;

void Canonicalizer::SetAdmission(AdmissionWindow window) { impl_->admission = std::move(window); }
const CanonicalizerOptions& Canonicalizer::options() const { return impl_->opt; }
const std::string& Canonicalizer::error() const { return impl_->error; }

void Canonicalizer::BeginEvent(EventBatch* out) { impl_->Begin(out); }

bool Canonicalizer::String(std::string_view key, std::string_view v, bool stable) {
  InValue in;
  in.type = InValue::kString;
  in.s = v;
  in.stable = stable;
  return impl_->Value_(key, in);
}
bool Canonicalizer::Int(std::string_view key, int64_t v) {
  InValue in;
  in.type = InValue::kInt;
  in.i = v;
  return impl_->Value_(key, in);
}
bool Canonicalizer::Uint(std::string_view key, uint64_t v) {
  InValue in;
  in.type = InValue::kUint;
  in.u = v;
  return impl_->Value_(key, in);
}
bool Canonicalizer::Double(std::string_view key, double v) {
  InValue in;
  in.type = InValue::kDouble;
  in.d = v;
  return impl_->Value_(key, in);
}
bool Canonicalizer::Bool(std::string_view key, bool v) {
  InValue in;
  in.type = InValue::kBool;
  in.b = v;
  return impl_->Value_(key, in);
}
bool Canonicalizer::Null(std::string_view key) { return impl_->Value_(key, InValue()); }
Canonicalizer::Member Canonicalizer::SkipTopLevelScalar(std::string_view key) {
  Impl& m = *impl_;
  if (m.opt.projection == nullptr) return Member::kFeed;
  const FieldProjection::TopLevelKey c = m.opt.projection->ClassifyTopLevelKey(key);
  if (c.wanted) {
    m.fed_key = key;
    m.fed_class = c;
    return Member::kFeed;
  }
  return m.SkippedTopLeaf(key, c.info) ? Member::kSkipped : Member::kFailed;
}

bool Canonicalizer::SkipTopLevelLeaves(size_t n) {
  Impl& m = *impl_;
  m.leaves += n;
  if (m.leaves > m.opt.max_fields) [[unlikely]]
    return m.TooManyFields();
  return true;
}

bool Canonicalizer::BeginObject(std::string_view key) { return impl_->Open(key, true); }
bool Canonicalizer::EndObject() { return impl_->Close(); }
bool Canonicalizer::BeginArray(std::string_view key) { return impl_->Open(key, false); }
bool Canonicalizer::EndArray() { return impl_->Close(); }
bool Canonicalizer::EndEvent(int64_t receive_ts_ns) { return impl_->End(receive_ts_ns); }

}  // namespace vigia
