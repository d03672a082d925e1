#include "query/block_window.h"

#include <cstring>

namespace vigia {
namespace {

template <typename T>
void CopyRows(const std::vector<T>& from, size_t begin, size_t end, std::vector<T>* to) {
  if (from.empty()) {
    to->clear();
    return;
  }
  to->assign(from.begin() + static_cast<std::ptrdiff_t>(begin),
             from.begin() + static_cast<std::ptrdiff_t>(end));
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
  columns_.resize(block.all.size());
  for (size_t i = 0; i < block.all.size(); ++i) {
    const ColumnVector& from = *block.all[i];
    ColumnVector& to = columns_[i];
    to.name = from.name;
    to.type = from.type;
    to.dictionary = from.dictionary;
    to.all_present = from.all_present;
    CopyRows(from.present, begin, end, &to.present);
    CopyRows(from.ints, begin, end, &to.ints);
    CopyRows(from.floats, begin, end, &to.floats);
    CopyRows(from.strings, begin, end, &to.strings);
    CopyRows(from.codes, begin, end, &to.codes);
    to.dict = from.dict;
  }
  view_.num_rows = end - begin;
  view_.ts = block.ts == nullptr ? nullptr : block.ts + begin;
  view_.fields.clear();
  view_.all.clear();
  // After every column is in place: Add keeps views of the columns' names.
  for (const ColumnVector& c : columns_) view_.Add(&c);
}

}  // namespace vigia
