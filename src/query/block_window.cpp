#include "query/block_window.h"

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

void BlockWindow::Set(const BlockView& block, std::span<const RowSpan> spans) {
  columns_.resize(block.all.size());
  for (size_t i = 0; i < block.all.size(); ++i) {
    const ColumnVector& from = *block.all[i];
    ColumnVector& to = columns_[i];
    to.name = from.name;
    to.type = from.type;
    to.dictionary = from.dictionary;
    to.all_present = from.all_present;
    CopyRows(from.present, spans, &to.present);
    CopyRows(from.ints, spans, &to.ints);
    CopyRows(from.floats, spans, &to.floats);
    CopyRows(from.strings, spans, &to.strings);
    CopyRows(from.codes, spans, &to.codes);
    to.dict = from.dict;
  }
  size_t rows = 0;
  for (const RowSpan& s : spans) rows += s.end - s.begin;
  view_.num_rows = rows;
  if (block.ts == nullptr || spans.empty()) {
    view_.ts = nullptr;
  } else if (spans.size() == 1) {
    view_.ts = block.ts + spans[0].begin;  // one span: the block's own timestamps
  } else {
    ts_.clear();
    for (const RowSpan& s : spans) ts_.insert(ts_.end(), block.ts + s.begin, block.ts + s.end);
    view_.ts = ts_.data();
  }
  view_.fields.clear();
  view_.all.clear();
  // After every column is in place: Add keeps views of the columns' names.
  for (const ColumnVector& c : columns_) view_.Add(&c);
}

}  // namespace vigia
