#include "query/time_mask.h"

#include <algorithm>
#include <cstring>

#include "common/cpu_clones.h"

namespace vigia {

// Locals and no branch: a uint8_t store may alias anything, so through members or vector
// internals every bound would be reloaded each row and the loops would not vectorize.

VIGIA_CLONED_FOR_AVX2
void SetTimeRange(const int64_t* ts, size_t n, int64_t lo, int64_t hi, uint8_t* m) {
  for (size_t r = 0; r < n; ++r) m[r] = static_cast<uint8_t>((ts[r] >= lo) & (ts[r] < hi));
}

VIGIA_CLONED_FOR_AVX2
void AndTimeRange(const int64_t* ts, size_t n, int64_t lo, int64_t hi, uint8_t* m) {
  for (size_t r = 0; r < n; ++r) m[r] &= static_cast<uint8_t>((ts[r] >= lo) & (ts[r] < hi));
}

VIGIA_CLONED_FOR_AVX2
void AndTimeFrom(const int64_t* ts, size_t n, int64_t lo, uint8_t* m) {
  for (size_t r = 0; r < n; ++r) m[r] &= static_cast<uint8_t>(ts[r] >= lo);
}

// Runs every decoded _time chunk: 16 rows at a time are tested for a step back without a
// branch per row (vectorized in the AVX2 clone), and only a group holding one is walked.
VIGIA_CLONED_FOR_AVX2
bool FindSortedRuns(const int64_t* ts, size_t n, size_t max_runs, std::vector<uint32_t>* starts) {
  constexpr size_t kGroup = 16;
  starts->clear();
  if (n == 0) return true;
  starts->push_back(0);
  size_t r = 1;
  while (r < n) {
    if (r + kGroup <= n) {
      bool back = false;
      for (size_t k = 0; k < kGroup; ++k) back |= ts[r + k] < ts[r + k - 1];
      if (!back) {
        r += kGroup;
        continue;
      }
    }
    const size_t end = std::min(n, r + kGroup);
    for (; r < end; ++r) {
      if (ts[r] >= ts[r - 1]) continue;
      if (starts->size() == max_runs) {
        starts->clear();
        return false;
      }
      starts->push_back(static_cast<uint32_t>(r));
    }
  }
  return true;
}

size_t TimeRangeSpans(const int64_t* ts, size_t n, std::span<const uint32_t> run_starts, int64_t lo,
                      int64_t hi, std::vector<RowSpan>* spans) {
  spans->clear();
  size_t rows = 0;
  for (size_t i = 0; i < run_starts.size(); ++i) {
    const int64_t* first = ts + run_starts[i];
    const int64_t* last = ts + (i + 1 < run_starts.size() ? run_starts[i + 1] : n);
    const int64_t* b = std::lower_bound(first, last, lo);
    const int64_t* e = std::lower_bound(b, last, hi);
    if (b == e) continue;
    spans->push_back({static_cast<uint32_t>(b - ts), static_cast<uint32_t>(e - ts)});
    rows += static_cast<size_t>(e - b);
  }
  return rows;
}

void AppendMaskRows(const uint8_t* m, size_t n, std::vector<uint32_t>* rows) {
  size_t r = 0;
  for (; r + 8 <= n; r += 8) {
    uint64_t word;
    std::memcpy(&word, m + r, sizeof(word));
    if (word == 0) continue;
    for (size_t k = r; k < r + 8; ++k) {
      if (m[k]) rows->push_back(static_cast<uint32_t>(k));
    }
  }
  for (; r < n; ++r) {
    if (m[r]) rows->push_back(static_cast<uint32_t>(r));
  }
}

}  // namespace vigia
