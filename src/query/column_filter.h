// ColumnFilter: a VQL filter evaluated over a decoded block (BlockView) a column at a time,
// narrowing a selection mask, with exactly FilterMatcher's semantics (filter_matcher.h is
// the reference; the oracle and golden tests compare the two).
//
// and/or/not combine masks (a child only looks at the rows still undecided); leaves run a
// typed kernel per column type — whole-value equality, word search in text fields, prefix,
// numeric comparison, in(), exists, time range — and fall back to FilterMatcher on a
// BlockRowAccessor for the rest (regexes, text comparisons, odd type mixes).
//
// Thread-safety: immutable after Compile; Apply may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/block_view.h"
#include "vql/vql_ast.h"

namespace vigia {

class ColumnFilter {
 public:
  ColumnFilter(ColumnFilter&&) noexcept;
  ColumnFilter& operator=(ColumnFilter&&) noexcept;
  ~ColumnFilter();

  // Fails with InvalidArgument for a bad regex (as FilterMatcher::Compile).
  static Result<ColumnFilter> Compile(const Filter& filter, int64_t now_ns);

  // For every row r with (*mask)[r] != 0, clears it unless the row matches.
  // REQUIRES: mask->size() == block.num_rows.
  void Apply(const BlockView& block, std::vector<uint8_t>* mask) const;
  // As Apply, but skips the time leaves of the top level (the root, or the children of a
  // root `and`): the query engine has already cleared every row outside their range, the
  // query's time range (FilterMatcher::time_range()), so they would keep every row left.
  // REQUIRES: every set row of *mask lies within each top-level time leaf's range.
  void ApplyInTimeRange(const BlockView& block, std::vector<uint8_t>* mask) const;

  // True when the filter is `*` (every row matches).
  bool MatchesAll() const;

  // The one field whose value alone decides a row (every leaf reads that field: no time,
  // bare-text or `*`-only filter), normalized as the leaves read it (`_msg` is msg); empty
  // otherwise. Such a filter can be decided once per distinct value (field_histogram.h).
  const std::string& single_field() const { return single_field_; }

  struct Node;  // implementation detail (column_filter.cpp)

 private:
  ColumnFilter();
  std::unique_ptr<Node> root_;
  std::string single_field_;
};

}  // namespace vigia
