// ColumnVector: one typed column of a block as the scan hands it to the query engine —
// a dense array of values (one slot per row) plus a presence flag per row (absent = null).
//
// A field is stored as one physical column per (name, type): a dynamic field that is an int
// in some events and a string in others yields two ColumnVectors with the same name, and in
// any row at most one of them is present. kNull columns record fields whose JSON value was
// null (present, but with no value) so that round trips are exact.
//
// String columns come in two forms. Flat: one view per row in `strings`. Dictionary (the
// decoded form of dictionary-encoded chunks: service, level, route, browser...): the distinct
// values once in `dict` and a 2-byte code per row in `codes` — 8x less memory than a view
// per row, so the chunk cache holds far more rows, and filters and group-by can decide once
// per distinct value instead of once per row. StringAt(row) reads either form; only kernels
// that exploit the dictionary look at `dict`/`codes` directly.
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
  std::vector<std::string_view> strings;  // kString, flat form (empty where absent)
  std::vector<std::string_view> dict;     // kString, dictionary form: the distinct values
  std::vector<uint16_t> codes;            // dictionary form: index into dict (0 where absent)
  bool dictionary = false;                // kString: dictionary form (else flat)
  // Every row has the field (present is all 1s): kernels then skip the presence test, and a
  // one-entry dictionary decides a whole block at once.
  bool all_present = false;

  size_t size() const { return present.size(); }
  // The string of a present row of a kString column, in either form.
  std::string_view StringAt(size_t row) const {
    return dictionary ? dict[codes[row]] : strings[row];
  }
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
        return Value::String(StringAt(row));
    }
    return Value::Null();
  }
};

}  // namespace vigia
