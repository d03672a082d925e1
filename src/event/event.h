// The vigia event (docs/architecture.md, "The event model") and EventBatch, the unit that flows
// from ingest through the WAL into the memtable and parts.
//
// An event is a timestamp plus a list of fields with canonical names. Canonical fields
// (kind, level, service, request_id, error.type, ...) use the names in event_fields.h;
// dynamic fields keep their (flattened, dotted) names. Strings (names and values) live in the
// batch's arena, so a batch is a handful of allocations however many events it holds.
//
// Invariants after normalization (normalizer.h): every event has exactly one `kind` and one
// `level` field (strings, canonical values); no field name repeats within one event; `ts`
// is not a field (it is EventRef::ts_ns).
//
// Thread-safety: externally synchronized while being built; a finished batch held through
// shared_ptr<const EventBatch> is immutable and safe to read from many threads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "common/arena.h"

#if !defined(__GLIBCXX__)
#error "Value overlays std::string_view's pointer with its scalars: libstdc++'s layout only"
#endif

namespace vigia {

enum class ValueType : uint8_t { kNull = 0, kBool = 1, kInt = 2, kFloat = 3, kString = 4 };

// A field's value: the member named by `type` holds it (b, i, f or s; none for kNull).
//
// 24 bytes, not 40: the scalars share storage with the string (an event batch holds ~18 Fields
// per event, so each byte here is ~18 bytes per event in the memtable and in every batch on its
// way to the WAL). Reading a member other than `type`'s is a bug, with one guarantee kept for
// old code: `s` of a non-string value is empty. The scalars overlay the string's data pointer
// and the string's length stays 0 for them (libstdc++'s string_view is {length, pointer};
// event_test checks it).
struct Value {
  ValueType type = ValueType::kNull;
  union {
    std::string_view s{};  // kString: points into the owning batch's arena
    struct {
      size_t string_length_zero_;  // s.size() for a scalar: never written, stays 0
      union {
        bool b;     // kBool
        int64_t i;  // kInt
        double f;   // kFloat
      };
    };
  };

  static Value Null() { return {}; }
  static Value Bool(bool v) {
    Value x;
    x.type = ValueType::kBool;
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.type = ValueType::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.type = ValueType::kFloat;
    x.f = v;
    return x;
  }
  static Value String(std::string_view v) {
    Value x;
    x.type = ValueType::kString;
    x.s = v;
    return x;
  }

  bool operator==(const Value& o) const {
    if (type != o.type) return false;
    switch (type) {
      case ValueType::kNull:
        return true;
      case ValueType::kBool:
        return b == o.b;
      case ValueType::kInt:
        return i == o.i;
      case ValueType::kFloat:
        return f == o.f || (f != f && o.f != o.f);
      case ValueType::kString:
        return s == o.s;
    }
    return false;
  }
};

struct Field {
  std::string_view name;  // canonical or dynamic (dotted) name; in the arena or static
  Value value;
};
static_assert(sizeof(Value) == 24 && sizeof(Field) == 40, "the memtable's footprint per field");

class EventBatch {
 public:
  struct EventRef {
    int64_t ts_ns = 0;
    uint32_t first_field = 0;  // index into fields()
    uint32_t num_fields = 0;
  };

  EventBatch() = default;
  EventBatch(EventBatch&&) = default;
  EventBatch& operator=(EventBatch&&) = default;
  // Gives the event and field arrays back to the batch buffer pools (event_batch_pool.h)
  // when they are large, so the next batch reuses their pages.
  ~EventBatch();

  // Pre-sizes the event and field arrays (decoders know roughly how many they will add;
  // growing a vector of 10k+ fields by doubling costs more than parsing them). An array
  // without capacity takes a recycled buffer from the pools when one fits.
  void Reserve(size_t events, size_t fields);

  // Forgets every event, keeping the arrays' capacity and the arena's blocks, for a batch
  // filled over and over (a `vigia query --file` worker's): no fresh pages per refill.
  // Views into the arena are invalid afterwards.
  void Clear() {
    events_.clear();
    fields_.clear();
    arena_.Reset();
  }

  // Building: BeginEvent, AddField..., EndEvent.
  void BeginEvent(int64_t ts_ns) {
    events_.push_back({ts_ns, static_cast<uint32_t>(fields_.size()), 0});
  }
  // `name` and string values must already be in arena() or static storage.
  void AddField(std::string_view name, const Value& v) {
    fields_.push_back({name, v});
    ++events_.back().num_fields;
  }
  // Drops the event begun last (used when a line fails validation half-way).
  void AbortEvent() {
    fields_.resize(events_.back().first_field);
    events_.pop_back();
  }

  // Events and fields that fit without growing the arrays.
  size_t spare_events() const { return events_.capacity() - events_.size(); }
  size_t spare_fields() const { return fields_.capacity() - fields_.size(); }

  size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  const std::vector<EventRef>& events() const { return events_; }
  std::vector<EventRef>& mutable_events() { return events_; }
  std::span<const Field> fields(const EventRef& e) const {
    return {fields_.data() + e.first_field, e.num_fields};
  }
  std::span<Field> mutable_fields(const EventRef& e) {
    return {fields_.data() + e.first_field, e.num_fields};
  }
  // Finds a field of event `e` by name; nullptr when absent.
  const Value* Find(const EventRef& e, std::string_view name) const {
    for (const Field& f : fields(e)) {
      if (f.name == name) return &f.value;
    }
    return nullptr;
  }

  // Sets field `name` to `v` on every event: replaces it where present, appends it where
  // absent (the field arrays are rebuilt once; the events keep their order). `name` and a
  // string value must be in arena() or static storage. Used to bind the tenant of a batch
  // to the API key that sent it.
  void SetOnEveryEvent(std::string_view name, const Value& v) {
    std::vector<Field> out = TakeFieldBuffer(fields_.size() + events_.size());
    for (EventRef& e : events_) {
      uint32_t first = static_cast<uint32_t>(out.size());
      bool seen = false;
      for (const Field& f : fields(e)) {
        if (f.name == name) {
          if (seen) continue;  // a duplicate of the name goes too
          seen = true;
          out.push_back({f.name, v});
        } else {
          out.push_back(f);
        }
      }
      if (!seen) out.push_back({name, v});
      e.first_field = first;
      e.num_fields = static_cast<uint32_t>(out.size()) - first;
    }
    ReplaceFields(out);
  }

  // Appends one field to some events: `extra` holds (event index, field) pairs, indexes
  // ascending and distinct. The field arrays are rebuilt once. `name` and string values must
  // be in arena() or static storage. Used to add the `redacted` marker.
  void AppendFields(const std::vector<std::pair<uint32_t, Field>>& extra) {
    if (extra.empty()) return;
    if (fields_.capacity() >= fields_.size() + extra.size() && FieldsInEventOrder()) {
      // In place, from the back: the decoders reserve a field per event beyond what the last
      // batch needed, so a marker here and there fits without a second copy of the array.
      size_t to = fields_.size() + extra.size();
      fields_.resize(to);
      size_t next = extra.size();
      for (size_t i = events_.size(); i-- > 0 && next > 0;) {
        EventRef& e = events_[i];
        const bool add = extra[next - 1].first == i;
        if (add) fields_[--to] = extra[--next].second;
        // Destinations are never below their sources: a copy downwards never overwrites a
        // field not yet moved.
        for (uint32_t k = e.num_fields; k-- > 0;) fields_[--to] = fields_[e.first_field + k];
        e.first_field = static_cast<uint32_t>(to);
        e.num_fields += add ? 1 : 0;
      }
      return;
    }
    std::vector<Field> out = TakeFieldBuffer(fields_.size() + extra.size());
    size_t next = 0;
    for (uint32_t i = 0; i < events_.size(); ++i) {
      EventRef& e = events_[i];
      uint32_t first = static_cast<uint32_t>(out.size());
      for (const Field& f : fields(e)) out.push_back(f);
      if (next < extra.size() && extra[next].first == i) out.push_back(extra[next++].second);
      e.first_field = first;
      e.num_fields = static_cast<uint32_t>(out.size()) - first;
    }
    ReplaceFields(out);
  }

  Arena& arena() { return arena_; }
  size_t total_fields() const { return fields_.size(); }
  // Approximate heap bytes held (for memtable accounting).
  size_t MemoryUsage() const {
    return arena_.MemoryUsage() + fields_.capacity() * sizeof(Field) +
           events_.capacity() * sizeof(EventRef);
  }

 private:
  // An empty field array with capacity for `n` fields: a pooled one when it fits.
  static std::vector<Field> TakeFieldBuffer(size_t n);
  // fields_ = `rebuilt` (left empty); the old array goes back to the pool.
  void ReplaceFields(std::vector<Field>& rebuilt);

  // True when the events' field ranges tile fields_ in event order (as built by BeginEvent /
  // AddField; not after mutable_events() reordered them).
  bool FieldsInEventOrder() const {
    uint32_t at = 0;
    for (const EventRef& e : events_) {
      if (e.first_field != at) return false;
      at += e.num_fields;
    }
    return at == fields_.size();
  }

  Arena arena_;
  std::vector<EventRef> events_;
  std::vector<Field> fields_;
};

}  // namespace vigia
