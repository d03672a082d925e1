// FilterMatcher: a compiled VQL filter (regexes compiled, numbers parsed, relative times
// resolved against `now`) that decides row by row whether a row matches. It is the reference
// semantics of every filter (docs/vql.md, "Filters"):
//   - on text fields (msg, error.message, error.type, error.stack) a word or phrase matches
//     at word boundaries, a prefix matches the start of a word;
//   - on any other field a value matches the whole value (numbers compare numerically, so
//     status:500 matches 500 and 500.0), a prefix matches the start of the value;
//   - bare words and phrases search the text fields;
//   - comparisons are numeric when both sides are numbers, else lexicographic;
//   - a missing field matches nothing except `!=` and negations.
//
// Thread-safety: immutable after Compile; Matches() may be called from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/query_api.h"
#include "query/query_record.h"
#include "vql/vql_ast.h"

namespace re2 {
class RE2;
}

namespace vigia {

// Word-boundary search used by text fields: is `needle` in `hay` starting (and, unless
// `prefix`, ending) at a word boundary? Word characters are ASCII alphanumerics, '_' and
// every byte >= 0x80 (so UTF-8 letters never split words).
bool ContainsWord(std::string_view hay, std::string_view needle, bool prefix);

// The string form used for whole-value comparisons ("500", "1.5", "true").
std::string ValueToString(const Value& v);

// The value as a number: ints, floats and strings that parse fully as a number.
std::optional<double> ValueToNumber(const Value& v);

// What both filter engines (FilterMatcher here, ColumnFilter over columns) derive from one
// leaf, so the rules live in one place: `_msg` is `msg`, whether the field is a text field
// (or the bare-word text-field set) or the timestamp, and the operands parsed as numbers.
struct FilterLeaf {
  FilterKind kind = FilterKind::kAll;
  std::string field;  // `_msg` normalized to msg; empty = the text fields
  bool text = false;
  bool time_field = false;  // `_time` / `ts`
  std::string value;
  std::optional<double> number;  // value as a number when it is one
  // The value as an integer when its text is one: integer fields compare with it exactly
  // (through double, 9007199254740993 would equal 9007199254740992).
  std::optional<int64_t> integer;
  std::vector<std::string> values;
  std::vector<std::optional<double>> numbers;    // index-aligned with values
  std::vector<std::optional<int64_t>> integers;  // index-aligned with values
  CmpOp cmp = CmpOp::kEq;
};

// The leaf part of `f` (its children and time bounds are left to the caller).
FilterLeaf CompileFilterLeaf(const Filter& f);

class FilterMatcher {
 public:
  FilterMatcher(FilterMatcher&&) noexcept;
  FilterMatcher& operator=(FilterMatcher&&) noexcept;
  ~FilterMatcher();

  // Fails with InvalidArgument (with position) for a bad regex.
  static Result<FilterMatcher> Compile(const Filter& filter, int64_t now_ns);

  bool Matches(const RowAccessor& row) const;

  // The time range every matching row lies in (from the top-level _time conjuncts).
  const TimeRange& time_range() const { return time_range_; }

 private:
  struct Node;
  FilterMatcher();
  std::unique_ptr<Node> root_;
  TimeRange time_range_;
};

}  // namespace vigia
