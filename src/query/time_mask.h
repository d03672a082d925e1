// The rows of a block whose timestamps fall in a range, as a selection mask: the query
// engine's first step on every block a time range cuts (TimeMask) and the filter's `_time`
// leaves. In vector registers where the CPU has AVX2 (cpu_clones.h): the x86-64 baseline
// has no 64-bit compare, and the scalar loop was the largest single cost of a warm
// `level:error service:X _time:[1h]` count (issue 20, bench/README.md). Where a block's
// timestamps are a few sorted runs (FindSortedRuns), the rows in range are found without a
// per-row test at all (TimeRangeSpans).
//
// Thread-safety: pure functions over the caller's arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vigia {

// Rows [begin, end) of a block.
struct RowSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// m[r] = (lo <= ts[r] < hi) for r < n.
void SetTimeRange(const int64_t* ts, size_t n, int64_t lo, int64_t hi, uint8_t* m);
// m[r] &= (lo <= ts[r] < hi) for r < n.
void AndTimeRange(const int64_t* ts, size_t n, int64_t lo, int64_t hi, uint8_t* m);
// m[r] &= (lo <= ts[r]) for r < n.
void AndTimeFrom(const int64_t* ts, size_t n, int64_t lo, uint8_t* m);

// The first row of each run of non-decreasing timestamps in ts[0, n) into *starts (row 0
// first; empty when n is 0). Part rows are sorted by (service, kind, ts), so a block holds
// one run per service and kind in it. False, with *starts cleared, when there are more than
// max_runs: the caller then tests every row.
bool FindSortedRuns(const int64_t* ts, size_t n, size_t max_runs, std::vector<uint32_t>* starts);
// The rows with lo <= ts[r] < hi, as spans in row order (empty ones left out), by a binary
// search in each run; returns how many rows they hold.
// REQUIRES: run_starts is FindSortedRuns' answer for ts[0, n).
size_t TimeRangeSpans(const int64_t* ts, size_t n, std::span<const uint32_t> run_starts, int64_t lo,
                      int64_t hi, std::vector<RowSpan>* spans);

// Appends to *rows the indexes r < n with m[r] != 0, ascending. Eight mask bytes at a time:
// a plain filter's matching rows are usually a handful in a 32k-row block, and the byte loop
// was a sixth of a warm rare-word search over 100M events.
void AppendMaskRows(const uint8_t* m, size_t n, std::vector<uint32_t>* rows);

}  // namespace vigia
