// FieldHistogram: the distinct values one field takes among a block's selected rows, each
// with the number of selected rows holding it (absent rows as one more value) — so that
// conditions over that field alone (ColumnFilter::single_field(): `count() if (status:>=500)`,
// `count() if (status:in(401, 403))`) are decided once per distinct value on a small block of
// those values, and each condition's count is the sum of its matching values' counts, instead
// of one pass over the whole column per condition. One pass over the column builds it, shared
// by every condition over the field.
//
// Counts equal ColumnFilter::Apply on the block followed by counting the mask: the small
// block holds the same typed values (and an absent row), and a filter reading one field
// decides a row from that field's value alone.
//
// Only the columns where this pays are taken: one integer or boolean column whose values in
// the block span at most kMaxSpan (status codes, small enums), or one dictionary-form string
// column (codes); a field the block lacks (every row absent). Build returns false otherwise
// (several typed columns, floats, flat strings, a wide integer range): the caller evaluates
// the conditions row by row.
//
// Thread-safety: externally synchronized (one per ColumnStats, i.e. per scanning thread).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "query/block_view.h"
#include "query/column_filter.h"

namespace vigia {

class FieldHistogram {
 public:
  // Widest integer range [min, max] of a block's column taken (a histogram slot per value).
  static constexpr int64_t kMaxSpan = 1024;

  // The distinct values of `field` (a name as ColumnFilter leaves read it) among the rows of
  // `block` whose mask entry is set. False when the block's column does not fit (above).
  // REQUIRES: mask.size() == block.num_rows.
  bool Build(const BlockView& block, std::string_view field, const std::vector<uint8_t>& mask);

  // The selected rows of the block Build saw that match `cond`.
  // REQUIRES: Build returned true; cond.single_field() is the field Build was given.
  uint64_t Count(const ColumnFilter& cond);

  // Distinct values (absent included) of the last Build.
  size_t num_values() const { return counts_.size(); }

 private:
  // Ends a Build: the view over values_ (when any row has the field) and the all-ones mask.
  void Finish(bool has_column);

  ColumnVector values_;           // one row per distinct value; a last absent row if any
  std::vector<uint64_t> counts_;  // selected rows per row of values_
  BlockView view_;
  std::vector<int64_t> ts_;      // values_'s rows have no time (no condition reads it)
  std::vector<uint32_t> slots_;  // per integer (minus the minimum) or dictionary code
  std::vector<uint8_t> mask_;    // Count's working mask over values_
};

}  // namespace vigia
