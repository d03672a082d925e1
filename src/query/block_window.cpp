#include "query/block_window.h"

#include <algorithm>
#include <cstring>

namespace vigia {
namespace {

template <typename T>
void CopyRows(const std::vector<T>& from, std::span<const RowSpan> spans, std::vector<T>* to) {
  to->clear();
  if (from.empty()) return;
  for (const RowSpan& s : spans) {
    to->insert(to->end(), from.begin() + static_cast<std::ptrdiff_t>(s.begin),
               from.begin() + static_cast<std::ptrdiff_t>(s.end));
  }
}

}  // namespace

std::pair<size_t, size_t> MaskSpan(const std::vector<uint8_t>& mask) {
  const uint8_t* m = mask.data();
  size_t n = mask.size();
  size_t first = 0;
  // Eight bytes at a time from each end: the rows outside a time range are long zero runs.
  while (first + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, m + first, 8);
    if (w != 0) break;
    first += 8;
  }
  while (first < n && m[first] == 0) ++first;
  if (first == n) return {0, 0};
  while (n >= first + 8) {
    uint64_t w;
    std::memcpy(&w, m + n - 8, 8);
    if (w != 0) break;
    n -= 8;
  }
  while (m[n - 1] == 0) --n;  // m[first] != 0 stops it
  return {first, n};
}

void BlockWindow::Set(const BlockView& block, size_t begin, size_t end) {
  const RowSpan span{static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
  Set(block, std::span<const RowSpan>(&span, 1));
}

void BlockWindow::CopyColumn(const ColumnVector& from, ColumnVector* to) const {
  to->name = from.name;
  to->type = from.type;
  to->dictionary = from.dictionary;
  to->all_present = from.all_present;
  CopyRows(from.present, spans_, &to->present);
  CopyRows(from.ints, spans_, &to->ints);
  CopyRows(from.floats, spans_, &to->floats);
  CopyRows(from.strings, spans_, &to->strings);
  CopyRows(from.codes, spans_, &to->codes);
  to->dict = from.dict;
}

void BlockWindow::Set(const BlockView& block, std::span<const RowSpan> spans) {
  spans_.assign(spans.begin(), spans.end());
  used_ = 0;
  sources_.clear();
  Extend(block);
  size_t rows = 0;
  for (const RowSpan& s : spans_) rows += s.end - s.begin;
  view_.num_rows = rows;
  if (block.ts == nullptr || spans_.empty()) {
    view_.ts = nullptr;
  } else if (spans_.size() == 1) {
    view_.ts = block.ts + spans_[0].begin;  // one span: the block's own timestamps
  } else {
    ts_.clear();
    for (const RowSpan& s : spans_) ts_.insert(ts_.end(), block.ts + s.begin, block.ts + s.end);
    view_.ts = ts_.data();
  }
}

void BlockWindow::Extend(const BlockView& block) {
  for (const ColumnVector* from : block.all) {
    if (std::find(sources_.begin(), sources_.end(), from) != sources_.end()) continue;
    if (used_ == columns_.size()) columns_.emplace_back();
    CopyColumn(*from, &columns_[used_++]);
    sources_.push_back(from);
  }
  BuildView(block);
}

void BlockWindow::BuildView(const BlockView& block) {
  // In the block's column order, which the kernels and the row evaluator expect; after
  // every column is in place, as Add keeps views of the columns' names.
  view_.ClearColumns();
  for (const ColumnVector* from : block.all) {
    const size_t i =
        static_cast<size_t>(std::find(sources_.begin(), sources_.end(), from) - sources_.begin());
    view_.Add(&columns_[i]);
  }
}

}  // namespace vigia
