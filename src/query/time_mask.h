// The rows of a block whose timestamps fall in a range, as a selection mask: the query
// engine's first step on every block a time range cuts (TimeMask) and the filter's `_time`
// leaves. In vector registers where the CPU has AVX2 (cpu_clones.h): the x86-64 baseline
// has no 64-bit compare, and the scalar loop was the largest single cost of a warm
// `level:error service:X _time:[1h]` count (issue 20, bench/README.md).
//
// Thread-safety: pure functions over the caller's arrays.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia {

// m[r] = (lo <= ts[r] < hi) for r < n.
void SetTimeRange(const int64_t* ts, size_t n, int64_t lo, int64_t hi, uint8_t* m);
// m[r] &= (lo <= ts[r] < hi) for r < n.
void AndTimeRange(const int64_t* ts, size_t n, int64_t lo, int64_t hi, uint8_t* m);
// m[r] &= (lo <= ts[r]) for r < n.
void AndTimeFrom(const int64_t* ts, size_t n, int64_t lo, uint8_t* m);

}  // namespace vigia
