// The scan contract between parts and the query engine: what to read (ScanSpec: a time
// range, the columns to materialize, prunable predicates) and what comes back (ColumnBatch:
// typed column vectors with presence info, one batch per surviving block) plus ScanStats
// (blocks read / skipped, bytes read).
//
// Predicates form a conjunction. They serve twice: to skip whole blocks without reading
// them (time range, per-chunk min/max, absent columns, bloom filters) and, when
// ScanSpec::filter_rows is set (the default), to drop non-matching rows from the batches, so
// an engine can push a filter down and only evaluate what it could not express here.
// Semantics of one predicate over a row (a field may have several typed columns):
//   kEquals/kIn  the field's value equals one of `values`: strings byte-exactly, numbers
//                numerically (int 5 == float 5.0), bools as bools
//   kRange       the field is numeric and lo <= value <= hi (doubles; ints beyond 2^53 are
//                compared after conversion)
//   kToken       the field is a string containing `token` as a whole word, ASCII
//                case-insensitively (tokens as in bloom.h)
// An absent field matches nothing.
//
// Thread-safety: value types. A ColumnBatch is immutable once handed out and may be read from
// many threads; its string views live as long as it does.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/arena.h"
#include "event/event.h"
#include "store/format/column_vector.h"

namespace vigia {

// An owned scalar (Value with its own string).
struct ScanValue {
  ValueType type = ValueType::kNull;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;

  static ScanValue Bool(bool v) {
    ScanValue x;
    x.type = ValueType::kBool;
    x.b = v;
    return x;
  }
  static ScanValue Int(int64_t v) {
    ScanValue x;
    x.type = ValueType::kInt;
    x.i = v;
    return x;
  }
  static ScanValue Float(double v) {
    ScanValue x;
    x.type = ValueType::kFloat;
    x.f = v;
    return x;
  }
  static ScanValue String(std::string v) {
    ScanValue x;
    x.type = ValueType::kString;
    x.s = std::move(v);
    return x;
  }
};

struct ScanPredicate {
  enum class Op { kEquals, kIn, kRange, kToken };
  Op op = Op::kEquals;
  std::string column;
  std::vector<ScanValue> values;                         // kEquals (one) / kIn
  double lo = -std::numeric_limits<double>::infinity();  // kRange, inclusive
  double hi = std::numeric_limits<double>::infinity();
  std::string token;  // kToken

  static ScanPredicate Equals(std::string column, ScanValue v);
  static ScanPredicate In(std::string column, std::vector<ScanValue> vs);
  static ScanPredicate Range(std::string column, double lo, double hi);
  static ScanPredicate Token(std::string column, std::string token);

  // Does `v` (a present field value) satisfy this predicate?
  bool Matches(const Value& v) const;
};

struct ScanSpec {
  // Rows with min_ts <= ts < max_ts.
  int64_t min_ts = std::numeric_limits<int64_t>::min();
  int64_t max_ts = std::numeric_limits<int64_t>::max();
  // Columns to materialize, by field name (every typed column of that name). Ignored when
  // all_columns is set. Predicate columns are read anyway but returned only if listed.
  std::vector<std::string> columns;
  bool all_columns = false;
  std::vector<ScanPredicate> predicates;
  // Drop rows that fail the time range or a predicate (otherwise predicates only prune
  // blocks and every row of a surviving block is returned).
  bool filter_rows = true;
};

// Rows of one block that survived the scan.
struct ColumnBatch {
  std::string part;  // the part's directory, for error messages and debugging
  size_t block = 0;  // block index within the part
  size_t num_rows = 0;
  std::vector<int64_t> ts;            // one per row
  std::vector<ColumnVector> columns;  // requested columns that have values in this block
  // Storage the string views point into.
  std::vector<std::unique_ptr<std::string>> buffers;
  // Emptied buffers a recycled batch keeps (query/chunk_pool.h); ReadChunk takes one before
  // allocating a new buffer.
  std::vector<std::unique_ptr<std::string>> spare_buffers;
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();

  // First column with this name (of any type); nullptr when none.
  const ColumnVector* Find(std::string_view name) const {
    for (const ColumnVector& c : columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

struct ScanStats {
  uint64_t blocks_total = 0;
  uint64_t blocks_skipped_time = 0;   // outside the time range
  uint64_t blocks_skipped_index = 0;  // min/max or absent column proves no match
  uint64_t blocks_skipped_bloom = 0;  // a bloom filter proves no match
  uint64_t blocks_read = 0;
  uint64_t bytes_read = 0;    // chunk + bloom bytes read from disk
  uint64_t rows_scanned = 0;  // rows of the blocks read
  uint64_t rows_returned = 0;

  void Add(const ScanStats& o) {
    blocks_total += o.blocks_total;
    blocks_skipped_time += o.blocks_skipped_time;
    blocks_skipped_index += o.blocks_skipped_index;
    blocks_skipped_bloom += o.blocks_skipped_bloom;
    blocks_read += o.blocks_read;
    bytes_read += o.bytes_read;
    rows_scanned += o.rows_scanned;
    rows_returned += o.rows_returned;
  }
};

}  // namespace vigia
