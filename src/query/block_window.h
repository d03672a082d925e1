// BlockWindow: rows [begin, end) of a decoded block (BlockView) as a block of their own, for
// the query engine's kernels to read only the rows a time range keeps.
//
// Why: part rows are sorted by (service, kind, ts), so in a block of one service and kind
// (most blocks) the rows of a time range are one run. A dashboard's "last hour" or an alert
// rule's window keeps a quarter of a block that spans four hours; filtering and aggregating
// the whole block read four times the rows the range can match. The engine masks the rows
// outside the range anyway; a window of the run the mask keeps gives the same answer for
// fewer rows. Columns are copied (their values only: strings stay views into the block's
// buffers, dictionaries are shared as copies of their views), so a window costs a few
// bytes per row and column, against the kernels' several operations per row and leaf.
// A block of several services or kinds holds several sorted runs; a window may then be made
// of the range's rows in each (several spans, concatenated in row order): a rare kind's
// block keeps the hour's few rows of each service, not the block between them.
//
// Thread-safety: value type; one thread at a time. A window's views stay valid while the
// source block's buffers do, and until the next Set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <span>

#include "query/block_view.h"
#include "query/time_mask.h"
#include "store/format/column_vector.h"

namespace vigia {

// The first and one past the last row with a nonzero mask byte ({0, 0} when none).
std::pair<size_t, size_t> MaskSpan(const std::vector<uint8_t>& mask);

class BlockWindow {
 public:
  // Makes view() rows [begin, end) of `block`, every column of it.
  // REQUIRES: begin <= end <= block.num_rows.
  void Set(const BlockView& block, size_t begin, size_t end);
  // Makes view() the rows of `spans`, one after the other.
  // REQUIRES: spans in row order, not overlapping, each within block.num_rows.
  void Set(const BlockView& block, std::span<const RowSpan> spans);
  // After the last Set's block gained columns (the engine reads the rest of a block only
  // when its filter matched): copies the spans' rows of the new columns only; the columns
  // Set copied are kept. view() is then as Set(block, same spans) would make it.
  // REQUIRES: Set was last called with the same spans, on `block` before it gained columns
  // (its columns are still the same objects).
  void Extend(const BlockView& block);
  const BlockView& view() const { return view_; }

 private:
  void CopyColumn(const ColumnVector& from, ColumnVector* to) const;
  void BuildView(const BlockView& block);

  std::vector<ColumnVector> columns_;  // reused between blocks: their capacity stays
  size_t used_ = 0;                    // columns_[0, used_) hold this window's columns
  std::vector<const ColumnVector*> sources_;  // the block column each copy was made from
  std::vector<RowSpan> spans_;                // of the last Set
  std::vector<int64_t> ts_;            // the spans' timestamps (when more than one span)
  BlockView view_;
};

}  // namespace vigia
