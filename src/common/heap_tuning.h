// Heap tuning: how the server asks glibc's allocator to keep its resident memory near what the
// program holds, without handing memory back to the kernel that the next seconds of work
// allocate again. The server's big structures are short-lived and large — memtable batches
// (tens of MB each), the columnar blocks queries build of them, a merge's decoded input
// blocks, column chunks — allocated on one thread and freed on another. With glibc's
// defaults (8 arenas per core) that memory went back to arenas, not to the kernel: issue 20's
// 10M-event mixed run peaked at 3.0 GB RSS for a 1.6 GB heap peak (heaptrack). ClickHouse
// ships jemalloc for the same reason; vigia keeps glibc (no extra dependency) and sets it up:
//
// - a bounded number of arenas (limits::kMallocArenas): fewer places for freed memory to sit;
// - a fixed mmap threshold (limits::kMallocMmapThreshold, 32 MiB): only bigger blocks are
//   their own mappings; the rest is reused from the heaps' free lists;
// - a high trim threshold: free() does not give the top of a heap back by itself;
// - ReleaseFreeHeap() after a flush or a merge frees its memory: malloc_trim(0) gives back
//   every whole free page of the heaps (MADV_DONTNEED) — but only while the process's
//   resident memory is above limits::kHeapReleaseAboveRssBytes. Under it the freed memory is
//   kept for the next batches: each page given back was a page fault and a zero-fill when
//   ingest took it again (docs/ingest-performance.md, round sixteen);
// - ReleaseFreeHeapIfDue(), from a maintenance thread, trims every limits::kHeapIdleReleaseMs
//   while no flush or merge asks for a trim (an idle server, or one only answering queries,
//   gives its free heap back), and resident memory over the threshold between flushes.
//
// VIGIA_HEAP_TUNING=off leaves glibc's defaults and makes both calls no-ops (before/after
// measurements). Other allocators (a preloaded jemalloc) ignore mallopt.
//
// Thread-safety: ConfigureServerHeap is called once, from main, before threads start; the
// others are thread-safe (glibc locks each arena while trimming it).
#pragma once

#include <cstdint>

namespace vigia {

// Applies the settings above unless VIGIA_HEAP_TUNING=off. Returns whether it did.
bool ConfigureServerHeap();

// After work that freed a lot (a flush, a merge): gives free heap pages back to the kernel when
// resident memory is above the threshold or `force`; otherwise keeps them for reuse. No-op when
// the tuning is off. A trim takes a few milliseconds on a large heap: not per request.
void ReleaseFreeHeap(bool force = false);
// The same at `steady_now_ns` (std::chrono::steady_clock; tests pass their own times).
void ReleaseFreeHeap(bool force, int64_t steady_now_ns);

// Called every few hundred milliseconds by a maintenance thread: trims when no ReleaseFreeHeap
// call and no trim happened for limits::kHeapIdleReleaseMs, or when resident memory is above the
// threshold and the last trim is limits::kHeapOverBudgetCheckMs old. `steady_now_ns`: now on
// std::chrono::steady_clock (tests pass a later time).
void ReleaseFreeHeapIfDue();
void ReleaseFreeHeapIfDue(int64_t steady_now_ns);

// The resident memory above which ReleaseFreeHeap trims (tests; default
// limits::kHeapReleaseAboveRssBytes, 0 = always).
void SetHeapReleaseThreshold(uint64_t rss_bytes);

// Trims so far, their total time, and the releases skipped under the threshold (tests; not in
// /v1/stats yet).
struct HeapReleaseStats {
  uint64_t releases = 0;
  double total_ms = 0;
  uint64_t skipped = 0;
};
HeapReleaseStats GetHeapReleaseStats();

// This process's resident memory (/proc/self/statm), 0 when unknown.
uint64_t ResidentMemoryBytes();

}  // namespace vigia
