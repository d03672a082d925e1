// The process's pools of recycled EventBatch buffers (common/vector_pool.h). A batch's field
// array is ~40 bytes × ~18 fields per event — 7 MB for a 10,000-line ingest batch — and lives
// in the memtable until a flush frees a memtable's worth of batches at once; with the heap
// giving such blocks back to the kernel (common/heap_tuning.h) every new batch was fresh
// pages, and the page faults of filling them were the largest single cost of the ingest
// threads (docs/ingest-performance.md, round ten). ~EventBatch gives its arrays here and
// EventBatch::Reserve takes them.
//
// Bounds (common/limits.h): kBatchPoolMaxIdleBytes of idle buffers in all, buffers of at
// least kBatchPoolMinBufferBytes; ReleaseIdleBatchBuffers frees them after
// kBatchPoolIdleReleaseMs without use.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>

#include "common/vector_pool.h"
#include "event/event.h"

namespace vigia {

VectorPool<Field>& BatchFieldPool();
VectorPool<EventBatch::EventRef>& BatchEventPool();

// Frees both pools' idle buffers when they have not been used for kBatchPoolIdleReleaseMs;
// returns the bytes freed. Called by the store's maintenance thread every few hundred ms.
size_t ReleaseIdleBatchBuffers();

}  // namespace vigia
