// Test helpers for event values: gtest printing of Value and one-letter constructors.
// Thread-safety: test-only, single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "event/event.h"
#include "event/event_json.h"

namespace vigia {

inline void PrintTo(const Value& v, std::ostream* os) {
  std::string s;
  AppendJsonValue(&s, v);
  static const char* kTypes[] = {"null", "bool", "int", "float", "string"};
  *os << kTypes[static_cast<int>(v.type)] << ":" << s;
}

inline Value S(std::string_view s) { return Value::String(s); }
inline Value I(int64_t i) { return Value::Int(i); }
inline Value F(double f) { return Value::Float(f); }
inline Value B(bool b) { return Value::Bool(b); }

}  // namespace vigia
