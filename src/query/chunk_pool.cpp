#include "query/chunk_pool.h"

#include "common/limits.h"

namespace vigia {

ChunkPool::ChunkPool(size_t max_idle, size_t max_idle_bytes)
    : max_idle_(max_idle), max_idle_bytes_(max_idle_bytes) {}

ChunkPool& ChunkPool::Default() {
  static ChunkPool* pool = new ChunkPool(limits::kChunkPoolMaxIdle, limits::kChunkPoolMaxIdleBytes);
  return *pool;
}

size_t ClearForReuse(CachedChunk* c) {
  ColumnVector& v = c->col;
  v.name.clear();
  v.type = ColumnType::kNull;
  v.present.clear();
  v.ints.clear();
  v.floats.clear();
  v.strings.clear();
  v.dict.clear();
  v.codes.clear();
  v.dictionary = false;
  v.all_present = false;
  c->bloom.clear();
  c->rows.clear();
  c->bytes = 0;
  ColumnBatch& s = c->storage;
  s.part.clear();
  s.block = 0;
  s.num_rows = 0;
  s.ts.clear();
  s.columns.clear();
  for (auto& b : s.buffers) {
    b->clear();
    s.spare_buffers.push_back(std::move(b));
  }
  s.buffers.clear();
  s.arena->Reset();
  size_t kept = ChunkMemory(*c) + s.ts.capacity() * sizeof(int64_t) + s.arena->MemoryUsage();
  for (const auto& b : s.spare_buffers) kept += b->capacity();
  return kept;
}

std::shared_ptr<CachedChunk> ChunkPool::Take(ColumnType type) {
  std::unique_ptr<CachedChunk> chunk;
  auto& idle = idle_[static_cast<size_t>(type)];
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!idle.empty()) {
      chunk = std::move(idle.back());
      idle.pop_back();
      --idle_count_;
      // Recomputed on return; what it held is what ClearForReuse reported then.
      idle_bytes_ -= chunk->bytes;
      chunk->bytes = 0;
    }
  }
  if (!chunk) chunk = std::make_unique<CachedChunk>();
  return std::shared_ptr<CachedChunk>(chunk.release(),
                                      [this, type](CachedChunk* c) { Return(type, c); });
}

void ChunkPool::Return(ColumnType type, CachedChunk* chunk) {
  std::unique_ptr<CachedChunk> owned(chunk);
  const size_t kept = ClearForReuse(chunk);
  std::lock_guard<std::mutex> l(mu_);
  if (idle_count_ >= max_idle_ || idle_bytes_ + kept > max_idle_bytes_) return;  // freed
  chunk->bytes = kept;  // what the idle chunk holds, until it is taken again
  idle_bytes_ += kept;
  ++idle_count_;
  idle_[static_cast<size_t>(type)].push_back(std::move(owned));
}

size_t ChunkPool::idle() const {
  std::lock_guard<std::mutex> l(mu_);
  return idle_count_;
}

size_t ChunkPool::idle_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return idle_bytes_;
}

}  // namespace vigia
