// Test helpers shared by the event tests: gtest printing of Value and a one-line
// normalization fixture. Thread-safety: test-only, single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "event/event.h"
#include "event/event_json.h"
#include "event/normalizer.h"

namespace vigia {

inline void PrintTo(const Value& v, std::ostream* os) {
  std::string s;
  AppendJsonValue(&s, v);
  static const char* kTypes[] = {"null", "bool", "int", "float", "string"};
  *os << kTypes[static_cast<int>(v.type)] << ":" << s;
}

class NormalizerFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kRecv = 1'700'000'000'123'456'789;

  // Normalizes `line` into a fresh batch.
  Status Norm(std::string_view line) {
    batch_ = EventBatch();
    return normalizer_.Normalize(line, kRecv, &batch_);
  }
  const EventBatch::EventRef& Ev() { return batch_.events().back(); }
  // The value of `name`, or a Null value when absent.
  Value Get(std::string_view name) {
    const Value* v = batch_.Find(Ev(), name);
    return v ? *v : Value::Null();
  }
  bool Has(std::string_view name) { return batch_.Find(Ev(), name) != nullptr; }
  std::vector<std::string> Names() {
    std::vector<std::string> out;
    for (const Field& f : batch_.fields(Ev())) out.emplace_back(f.name);
    return out;
  }
  std::string Json() { return EventJson(batch_, Ev()); }

  Normalizer normalizer_;
  EventBatch batch_;
};

inline Value S(std::string_view s) { return Value::String(s); }
inline Value I(int64_t i) { return Value::Int(i); }
inline Value F(double f) { return Value::Float(f); }
inline Value B(bool b) { return Value::Bool(b); }

}  // namespace vigia
