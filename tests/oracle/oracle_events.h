// Random events for the query oracle test: normalized EventBatches (event.h invariants: one
// `kind` and one `level` each, no repeated names, `ts` not a field) that stress what a
// columnar engine can get wrong — every value type, dynamic fields that appear in few
// events, fields that are ints in some events and strings or floats in others, unicode and
// empty strings, absent fields, and timestamps spread over several days (several partitions).
// Timestamps are unique, so "time order" is a total order and both engines must agree on it.
//
// Also a Rng shared with the query generator (a fixed algorithm, so a seed reproduces the
// same data and queries on every standard library).
//
// Thread-safety: Rng and OracleData are externally synchronized; a finished OracleData is
// read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "event/event.h"

namespace vigia::oracle {

// splitmix64: tiny, fast, and identical everywhere (unlike std::uniform_int_distribution).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  int64_t Range(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t s_;
};

struct OracleDataOptions {
  uint64_t seed = 1;
  size_t events = 20000;
  size_t events_per_batch = 500;
  int days = 4;  // timestamps spread over this many UTC days before `now`
};

// What the query generator may ask about a field.
enum class FieldRole : uint8_t {
  kKeyword,  // low-cardinality string (group keys, word/prefix/in filters)
  kText,     // a text field (msg, error.*): word and phrase search
  kNumber,   // numeric (maybe mixed int/float/string): ranges, sums, percentiles
  kMixed,    // int in some events, string in others
  kId,       // high-cardinality string
  kBool,
};

struct FieldInfo {
  std::string name;
  FieldRole role;
  // Numbers whose sums stay exact in double (|x| < 2^40, few decimals), so sum/avg differ
  // between engines only by summation order.
  bool sum_safe = false;
  // No two distinct values of the field compare equal (CompareValues: 3 == 3.0, true == 1),
  // so group order and sort order are total. Only such fields are grouped or sorted by.
  bool orderable = true;
  // Filters compare values of this field through doubles exactly (no |x| > 2^53).
  bool filterable = true;
};

struct OracleData {
  int64_t now_ns = 0;  // one hour after the newest event
  int64_t first_ns = 0;
  std::vector<std::shared_ptr<const EventBatch>> batches;  // in generation (random ts) order
  std::vector<FieldInfo> fields;                           // every field name the events use
  size_t events = 0;
};

OracleData GenerateOracleData(const OracleDataOptions& options);

// The words msg is built from (unicode included); the query generator searches for them.
const std::vector<std::string>& OracleWords();

}  // namespace vigia::oracle
