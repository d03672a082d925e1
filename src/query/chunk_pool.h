// ChunkPool: recycled storage for decoded chunks that a query reads but the chunk cache does
// not keep (chunk_cache.h admits a chunk on its second read). A chunk taken from the pool
// comes back when its last reference drops, with its vectors, string buffers and arena
// emptied but their memory kept, so the next chunk decodes into pages that are already
// mapped: on this class of machine a fresh page costs ~15x what rewriting a used one does,
// and a cold scan of 10M events spent half its CPU faulting in new memory.
//
// The pool keeps at most limits::kChunkPoolMaxIdle idle chunks holding at most
// limits::kChunkPoolMaxIdleBytes; a chunk returned beyond that is freed.
//
// Thread-safety: thread-safe. A chunk may be released on any thread.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "query/chunk_cache.h"

namespace vigia {

class ChunkPool {
 public:
  ChunkPool(size_t max_idle, size_t max_idle_bytes);
  // REQUIRES: every chunk taken from the pool was released.
  ~ChunkPool() = default;
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;

  // The process-wide pool the query engine uses (never destroyed).
  static ChunkPool& Default();

  // An empty chunk for a column of `type` (a recycled one of that type when the pool has
  // one: an int chunk's memory is in its int vector, a string chunk's in its views and
  // buffers) that returns to the pool when the last copy of the pointer is dropped.
  // REQUIRES: the pool outlives the chunk.
  std::shared_ptr<CachedChunk> Take(ColumnType type);

  size_t idle() const;
  size_t idle_bytes() const;

 private:
  void Return(ColumnType type, CachedChunk* chunk);

  mutable std::mutex mu_;
  const size_t max_idle_;
  const size_t max_idle_bytes_;
  // Idle chunks by the ColumnType they were taken for.
  std::array<std::vector<std::unique_ptr<CachedChunk>>, 5> idle_;  // guarded by mu_
  size_t idle_count_ = 0;                                          // guarded by mu_
  size_t idle_bytes_ = 0;                                          // guarded by mu_
};

// Empties `chunk` for reuse and returns the memory it keeps: its vectors' capacity, the string
// buffers (moved to storage.spare_buffers) and the arena's standard blocks.
size_t ClearForReuse(CachedChunk* chunk);

}  // namespace vigia
