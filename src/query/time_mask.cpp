#include "query/time_mask.h"

#include "query/cpu_clones.h"

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

}  // namespace vigia
