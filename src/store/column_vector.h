// ColumnVector: one typed column of a block as the scan hands it to the query engine —
// a dense array of values (one slot per row) plus a presence flag per row (absent = null).
//
// A field is stored as one physical column per (name, type): a dynamic field that is an int
// in some events and a string in others yields two ColumnVectors with the same name, and in
// any row at most one of them is present. kNull columns record fields whose JSON value was
// null (present, but with no value) so that round trips are exact.
//
// String values are views into buffers owned by the ColumnBatch (part_scan.h) that holds
// the vector: they stay valid as long as that batch lives.
//
// Thread-safety: value type; immutable once built, safe to read from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace vigia {

// Physical column type; numerically equal to ValueType.
enum class ColumnType : uint8_t { kNull = 0, kBool = 1, kInt = 2, kFloat = 3, kString = 4 };

inline ColumnType ColumnTypeOf(ValueType t) { return static_cast<ColumnType>(t); }
std::string_view ColumnTypeName(ColumnType t);

// Name of the pseudo-column that holds every row's timestamp (ns since epoch, int).
inline constexpr std::string_view kTimeColumn = "_time";

struct ColumnVector {
  std::string name;
  ColumnType type = ColumnType::kNull;
  std::vector<uint8_t> present;           // 1 = the row has this field
  std::vector<int64_t> ints;              // kInt: values; kBool: 0/1 (0 where absent)
  std::vector<double> floats;             // kFloat (0 where absent)
  std::vector<std::string_view> strings;  // kString (empty where absent)

  size_t size() const { return present.size(); }
  bool IsPresent(size_t row) const { return present[row] != 0; }
  // The row's value as an event Value (Null when absent). Strings are views as above.
  Value Get(size_t row) const {
    if (!present[row]) return Value::Null();
    switch (type) {
      case ColumnType::kNull:
        return Value::Null();
      case ColumnType::kBool:
        return Value::Bool(ints[row] != 0);
      case ColumnType::kInt:
        return Value::Int(ints[row]);
      case ColumnType::kFloat:
        return Value::Float(floats[row]);
      case ColumnType::kString:
        return Value::String(strings[row]);
    }
    return Value::Null();
  }
};

}  // namespace vigia
