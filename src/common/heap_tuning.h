// Heap tuning: how the server asks glibc's allocator to keep its resident memory near what the
// program holds. The server's big structures are short-lived and large — memtable batches
// (tens of MB each), the columnar blocks queries build of them, a merge's decoded input
// blocks, column chunks — allocated on one thread and freed on another. With glibc's
// defaults (8 arenas per core, an mmap threshold that rises to 32 MiB after the first large
// free) that memory went back to arenas, not to the kernel: issue 20's 10M-event mixed run
// peaked at 3.0 GB RSS for a 1.6 GB heap peak (heaptrack). ClickHouse ships jemalloc for the
// same reason; vigia keeps glibc (no extra dependency) and sets it up instead:
//
// - a bounded number of arenas (limits::kMallocArenas): fewer places for freed memory to sit;
// - a fixed mmap threshold (limits::kMallocMmapThreshold): a block at least this big is its
//   own mapping and goes back to the kernel when freed; fixing it also stops glibc's dynamic
//   threshold from growing after the first big free;
// - a fixed trim threshold: the top of a heap is returned once this much is free there;
// - ReleaseFreeHeap() after a flush or a merge frees its memory: malloc_trim(0) also gives
//   back whole free pages in the middle of the heaps (MADV_DONTNEED).
//
// VIGIA_HEAP_TUNING=off leaves glibc's defaults and makes ReleaseFreeHeap a no-op
// (before/after measurements). Other allocators (a preloaded jemalloc) ignore mallopt.
//
// Thread-safety: ConfigureServerHeap is called once, from main, before threads start;
// ReleaseFreeHeap is thread-safe (glibc locks each arena while trimming it).
#pragma once

#include <cstdint>

namespace vigia {

// Applies the settings above unless VIGIA_HEAP_TUNING=off. Returns whether it did.
bool ConfigureServerHeap();

// Gives free heap pages back to the kernel (no-op when tuning is off). Takes a few
// milliseconds on a large heap: call it after work that freed a lot, not per request.
void ReleaseFreeHeap();

// How many ReleaseFreeHeap calls ran and their total time (tests; not in /v1/stats yet).
struct HeapReleaseStats {
  uint64_t releases = 0;
  double total_ms = 0;
};
HeapReleaseStats GetHeapReleaseStats();

}  // namespace vigia
