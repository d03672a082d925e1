// ChunkCacheStats: what the chunk cache (chunk_cache.h) holds and how it served, for
// /v1/stats ("query_cache") and /metrics (vigia_query_chunk_cache_*). A header of its own,
// free of the store's types, so the server reads it through LocalStoreBackend without seeing
// the engine.
//
// Thread-safety: a value type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia {

struct ChunkCacheStats {
  size_t bytes = 0;     // held
  size_t capacity = 0;  // the bound (query.cache_bytes)
  size_t entries = 0;
  uint64_t hits = 0;    // lookups since start that found their chunk
  uint64_t misses = 0;  // and those that did not
  uint64_t evictions = 0;
};

}  // namespace vigia
