// QueryRecord: one output row of a query (an event's fields, or a stats group), owning its
// strings; and RowAccessor, the by-name field lookup the filter matcher and the aggregates
// read rows through, so the same code serves raw events (EventRowAccessor) and result rows
// (RecordAccessor, for `where` after `stats`).
//
// Field names with special meaning: `_time` and `ts` are the event timestamp (ns since the
// epoch, ValueType::kInt; printed as RFC 3339 by the formatters), `_msg` is `msg`.
//
// Thread-safety: value types, externally synchronized.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/event.h"

namespace vigia {

// A Value that owns its string.
struct OwnedValue {
  ValueType type = ValueType::kNull;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;

  static OwnedValue From(const Value& v) {
    OwnedValue o;
    o.type = v.type;
    switch (v.type) {
      case ValueType::kNull:
        break;
      case ValueType::kBool:
        o.b = v.b;
        break;
      case ValueType::kInt:
        o.i = v.i;
        break;
      case ValueType::kFloat:
        o.f = v.f;
        break;
      case ValueType::kString:
        o.s.assign(v.s);
        break;
    }
    return o;
  }
  static OwnedValue Int(int64_t v) { return From(Value::Int(v)); }
  static OwnedValue Float(double v) { return From(Value::Float(v)); }
  static OwnedValue String(std::string v) {
    OwnedValue o;
    o.type = ValueType::kString;
    o.s = std::move(v);
    return o;
  }
  // A view valid while this object lives and is not modified.
  Value view() const {
    switch (type) {
      case ValueType::kNull:
        return Value::Null();
      case ValueType::kBool:
        return Value::Bool(b);
      case ValueType::kInt:
        return Value::Int(i);
      case ValueType::kFloat:
        return Value::Float(f);
      case ValueType::kString:
        return Value::String(s);
    }
    return Value::Null();
  }
};

// True for the names that denote the event timestamp.
inline bool IsTimeField(std::string_view name) { return name == "_time" || name == "ts"; }

struct QueryRecord {
  std::vector<std::pair<std::string, OwnedValue>> cols;

  const OwnedValue* Get(std::string_view name) const {
    for (const auto& c : cols) {
      if (c.first == name) return &c.second;
    }
    if (name == "_time") return Get("ts");
    if (name == "ts") {
      for (const auto& c : cols) {
        if (c.first == "_time") return &c.second;
      }
    }
    if (name == "_msg") return Get("msg");
    return nullptr;
  }
  void Set(std::string_view name, OwnedValue v) {
    for (auto& c : cols) {
      if (c.first == name) {
        c.second = std::move(v);
        return;
      }
    }
    cols.emplace_back(std::string(name), std::move(v));
  }
  size_t MemoryUsage() const {
    size_t n = sizeof(*this) + cols.capacity() * sizeof(cols[0]);
    for (const auto& c : cols) n += c.first.capacity() + c.second.s.capacity();
    return n;
  }
};

class RowAccessor {
 public:
  virtual ~RowAccessor() = default;
  // The field's value, kNull when absent.
  virtual Value Get(std::string_view field) const = 0;
};

class EventRowAccessor final : public RowAccessor {
 public:
  EventRowAccessor(const EventBatch& batch, const EventBatch::EventRef& e) : batch_(batch), e_(e) {}
  Value Get(std::string_view field) const override {
    if (IsTimeField(field)) return Value::Int(e_.ts_ns);
    if (field == "_msg") field = "msg";
    // EventBatch::Find, with the first byte compared before memcmp: the filter and every
    // aggregate look fields up per row, and most names differ in length or first byte
    // (this loop was 10 % of `vigia query --file` count by level).
    const size_t n = field.size();
    for (const Field& f : batch_.fields(e_)) {
      if (f.name.size() == n &&
          (n == 0 || (f.name[0] == field[0] && std::memcmp(f.name.data(), field.data(), n) == 0))) {
        return f.value;
      }
    }
    return Value::Null();
  }

 private:
  const EventBatch& batch_;
  const EventBatch::EventRef& e_;
};

class RecordAccessor final : public RowAccessor {
 public:
  explicit RecordAccessor(const QueryRecord& r) : r_(r) {}
  Value Get(std::string_view field) const override {
    const OwnedValue* v = r_.Get(field);
    return v ? v->view() : Value::Null();
  }

 private:
  const QueryRecord& r_;
};

// Converts an event into a record: `ts` first, then its fields in order.
inline QueryRecord EventToRecord(const EventBatch& batch, const EventBatch::EventRef& e) {
  QueryRecord r;
  r.cols.reserve(e.num_fields + 1);
  r.cols.emplace_back("ts", OwnedValue::Int(e.ts_ns));
  for (const Field& f : batch.fields(e))
    r.cols.emplace_back(std::string(f.name), OwnedValue::From(f.value));
  return r;
}

}  // namespace vigia
