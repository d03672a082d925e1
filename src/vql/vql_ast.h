// The VQL abstract syntax tree: what VqlParser produces and both engines (the row evaluator
// and the columnar engine) consume. A query is one filter followed by zero or more pipes
// (docs/vql.md is the language reference).
//
// Thread-safety: plain immutable-after-construction data; a finished Query may be read from
// many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vigia {

// 1-based position in the query text, for error messages.
struct VqlPos {
  int line = 1;
  int col = 1;
};

enum class CmpOp : uint8_t { kLt, kLe, kGt, kGe, kEq, kNe };

enum class FilterKind : uint8_t {
  kAll,      // `*`
  kAnd,      // children
  kOr,       // children
  kNot,      // children[0]
  kWord,     // field:value / bare word: whole value (non-text fields) or word (text fields)
  kPhrase,   // "a phrase": the words in sequence (text fields) or whole value
  kPrefix,   // value* / "phrase"*
  kExact,    // field:=value, whole-value equality on any field
  kCompare,  // field:>N, field >= N, field != x ...
  kIn,       // field:in(a, b)
  kRegex,    // field:~"re"
  kExists,   // field:*
  kTime,     // _time:5m, _time:[a, b)
};

struct Filter {
  FilterKind kind = FilterKind::kAll;
  VqlPos pos;
  // Empty = "the text fields" (msg, error.message, error.type, error.stack) for bare words.
  std::string field;
  std::string value;                // word, phrase, prefix, exact, regex, compare operand
  std::vector<std::string> values;  // kIn
  CmpOp cmp = CmpOp::kEq;           // kCompare
  // kTime: either a relative window (last `relative_ns` before `now`) or [from, to).
  int64_t relative_ns = 0;
  std::optional<int64_t> from_ns;
  std::optional<int64_t> to_ns;
  std::vector<std::unique_ptr<Filter>> children;
};

// One `stats` aggregate: `func(args) [if (filter)] [as name]`.
enum class AggFunc : uint8_t {
  kCount,
  kCountDistinct,
  kSum,
  kAvg,
  kMin,
  kMax,
  kQuantile,  // p50/p90/p95/p99 are quantile with q preset
  kRate,
};

struct Aggregate {
  AggFunc func = AggFunc::kCount;
  std::string field;             // empty for count() and rate()
  double q = 0;                  // kQuantile
  std::unique_ptr<Filter> cond;  // `if (...)`, may be null
  std::string name;              // output column: `as` name or the canonical call text
};

// A `by (...)` key: a field, or `_time:bucket`.
struct GroupKey {
  std::string field;      // "_time" for a time bucket
  int64_t bucket_ns = 0;  // > 0 only for _time buckets
};

struct SortKey {
  std::string field;
  bool desc = false;
};

// `math` expressions over result columns.
struct MathExpr {
  enum class Kind : uint8_t { kNumber, kField, kNeg, kAdd, kSub, kMul, kDiv, kRound };
  Kind kind = Kind::kNumber;
  double number = 0;
  std::string field;
  std::vector<std::unique_ptr<MathExpr>> args;
};

struct MathAssign {
  std::unique_ptr<MathExpr> expr;
  std::string name;
};

enum class PipeKind : uint8_t { kStats, kWhere, kSort, kLimit, kFields, kTop, kMath };

struct Pipe {
  PipeKind kind = PipeKind::kStats;
  VqlPos pos;
  std::vector<Aggregate> aggregates;  // kStats
  std::vector<GroupKey> by;           // kStats, kTop
  std::unique_ptr<Filter> where;      // kWhere
  std::vector<SortKey> sort;          // kSort
  uint64_t limit = 0;                 // kLimit, kTop (N)
  std::vector<std::string> fields;    // kFields
  std::vector<MathAssign> math;       // kMath
};

struct Query {
  std::unique_ptr<Filter> filter;  // never null (kAll when the query has no filter)
  std::vector<Pipe> pipes;
  // The text ParseVql read; empty for a query built as an AST. A backend that forwards VQL
  // to another vigia (the CLI's server backend) sends it as is.
  std::string text;
};

}  // namespace vigia
