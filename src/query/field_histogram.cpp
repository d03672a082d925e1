#include "query/field_histogram.h"

#include <algorithm>
#include <limits>

namespace vigia {

namespace {

// Interleaved copies of the histogram: consecutive rows mostly hold the same value (200),
// and increments of one counter would wait on each other's store; four counters per value,
// one per row modulo 4, keep four independent chains.
constexpr size_t kCopies = 4;

}  // namespace

bool FieldHistogram::Build(const BlockView& block, std::string_view field,
                           const std::vector<uint8_t>& mask) {
  counts_.clear();
  values_.present.clear();
  values_.ints.clear();
  values_.strings.clear();
  const size_t n = mask.size();
  const uint8_t* m = mask.data();
  const auto* cols = block.Find(field);
  if (cols == nullptr) {
    // No row has the field: one absent value.
    uint64_t selected = 0;
    for (size_t r = 0; r < n; ++r) selected += m[r] != 0;
    if (selected > 0) counts_.push_back(selected);
    Finish(false);
    return true;
  }
  if (cols->size() != 1) return false;
  const ColumnVector& c = *(*cols)[0];
  const uint8_t* present = c.present.data();
  size_t slots = 0;  // distinct slots; slot `slots` counts the absent rows
  int64_t lo = 0;
  if (c.type == ColumnType::kInt || c.type == ColumnType::kBool) {
    // The range of the present values (absent rows hold 0, which must not widen it).
    const int64_t* v = c.ints.data();
    int64_t mn = std::numeric_limits<int64_t>::max(), mx = std::numeric_limits<int64_t>::min();
    if (c.all_present) {
      for (size_t r = 0; r < n; ++r) {
        mn = std::min(mn, v[r]);
        mx = std::max(mx, v[r]);
      }
    } else {
      for (size_t r = 0; r < n; ++r) {
        mn = std::min(mn, present[r] ? v[r] : std::numeric_limits<int64_t>::max());
        mx = std::max(mx, present[r] ? v[r] : std::numeric_limits<int64_t>::min());
      }
    }
    if (mn > mx) {
      mn = mx = 0;  // no row present: only the absent slot is used
    } else if (static_cast<uint64_t>(mx) - static_cast<uint64_t>(mn) >=
               static_cast<uint64_t>(kMaxSpan)) {
      return false;
    }
    lo = mn;
    slots = static_cast<size_t>(mx - mn) + 1;
    const size_t stride = slots + 1;
    slots_.assign(kCopies * stride, 0);
    uint32_t* h = slots_.data();
    size_t r = 0;
    auto one = [&](size_t row, size_t copy) {
      const size_t slot =
          present[row]
              ? static_cast<size_t>(static_cast<uint64_t>(v[row]) - static_cast<uint64_t>(lo))
              : slots;
      h[copy * stride + slot] += m[row] != 0;
    };
    for (; r + kCopies <= n; r += kCopies) {
      for (size_t k = 0; k < kCopies; ++k) one(r + k, k);
    }
    for (; r < n; ++r) one(r, 0);
  } else if (c.type == ColumnType::kString && c.dictionary &&
             c.dict.size() <= static_cast<size_t>(kMaxSpan)) {
    slots = c.dict.size();
    const size_t stride = slots + 1;
    slots_.assign(kCopies * stride, 0);
    uint32_t* h = slots_.data();
    const uint16_t* codes = c.codes.data();
    size_t r = 0;
    auto one = [&](size_t row, size_t copy) {
      const size_t slot = present[row] ? codes[row] : slots;
      h[copy * stride + slot] += m[row] != 0;
    };
    for (; r + kCopies <= n; r += kCopies) {
      for (size_t k = 0; k < kCopies; ++k) one(r + k, k);
    }
    for (; r < n; ++r) one(r, 0);
  } else {
    return false;
  }
  // Fold the copies; every slot with selected rows becomes a row of values_.
  const size_t stride = slots + 1;
  uint32_t* h = slots_.data();
  for (size_t copy = 1; copy < kCopies; ++copy) {
    for (size_t s = 0; s < stride; ++s) h[s] += h[copy * stride + s];
  }
  values_.name = c.name;
  values_.type = c.type;
  for (size_t s = 0; s < slots; ++s) {
    if (h[s] == 0) continue;
    counts_.push_back(h[s]);
    values_.present.push_back(1);
    if (c.type == ColumnType::kString) {
      values_.strings.push_back(c.dict[s]);
    } else {
      values_.ints.push_back(lo + static_cast<int64_t>(s));
    }
  }
  if (h[slots] > 0) {
    counts_.push_back(h[slots]);
    values_.present.push_back(0);
    if (c.type == ColumnType::kString) {
      values_.strings.emplace_back();
    } else {
      values_.ints.push_back(0);
    }
  }
  Finish(true);
  return true;
}

void FieldHistogram::Finish(bool has_column) {
  values_.dictionary = false;
  values_.dict.clear();
  values_.codes.clear();
  values_.floats.clear();
  values_.all_present =
      std::all_of(values_.present.begin(), values_.present.end(), [](uint8_t p) { return p; });
  ts_.assign(counts_.size(), 0);
  view_ = BlockView();
  view_.num_rows = counts_.size();
  view_.ts = ts_.data();
  if (has_column) view_.Add(&values_);
}

uint64_t FieldHistogram::Count(const ColumnFilter& cond) {
  mask_.assign(counts_.size(), 1);
  cond.Apply(view_, &mask_);
  uint64_t n = 0;
  for (size_t i = 0; i < counts_.size(); ++i) n += mask_[i] != 0 ? counts_[i] : 0;
  return n;
}

}  // namespace vigia
