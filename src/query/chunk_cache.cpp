#include "query/chunk_cache.h"

#include <cstdlib>
#include <functional>
#include <string_view>

#include "common/limits.h"

namespace vigia {

ChunkCache& ChunkCache::Default() {
  static ChunkCache* cache = [] {
    auto* c = new ChunkCache(limits::kQueryChunkCacheBytes);
    const char* v = std::getenv("VIGIA_CHUNK_CACHE_ADMIT");
    c->SetAdmitOnFirstRead(v != nullptr && std::string_view(v) == "first");
    return c;
  }();
  return *cache;
}

std::string ChunkCache::Key(const std::string& part_dir, size_t block, uint32_t column) {
  return part_dir + '#' + std::to_string(block) + '#' + std::to_string(column);
}

std::string ChunkCache::BloomGroupKey(const std::string& part_dir, uint32_t column, size_t group) {
  return part_dir + "#bloomgroup#" + std::to_string(column) + '#' + std::to_string(group);
}

std::string ChunkCache::RowsKey(const std::string& chunk_key, std::span<const uint32_t> rows) {
  const std::string_view bytes(reinterpret_cast<const char*>(rows.data()),
                               rows.size() * sizeof(uint32_t));
  return chunk_key + "#rows#" + std::to_string(rows.size()) + '#' +
         std::to_string(std::hash<std::string_view>{}(bytes));
}

size_t ChunkMemory(const CachedChunk& c) {
  const ColumnVector& v = c.col;
  size_t n = sizeof(CachedChunk) + v.present.capacity() + v.ints.capacity() * sizeof(int64_t) +
             v.floats.capacity() * sizeof(double) +
             v.strings.capacity() * sizeof(std::string_view) +
             v.dict.capacity() * sizeof(std::string_view) + v.codes.capacity() * sizeof(uint16_t) +
             c.bloom.capacity() + c.bloom_offsets.capacity() * sizeof(uint32_t) +
             c.group_chunks.capacity() * sizeof(uint32_t) + c.rows.capacity() * sizeof(uint32_t) +
             c.time_runs.capacity() * sizeof(uint32_t);
  // The buffers hold every decoded string (dictionary entries included) except hex ids,
  // which are rebuilt in the arena.
  for (const auto& b : c.storage.buffers) n += b->capacity();
  if (!v.dictionary) {
    // Hex ids live in the arena; count each run of equal pointers once (an overestimate
    // for views into the buffers, already counted above).
    const char* last = nullptr;
    for (std::string_view s : v.strings) {
      if (s.data() != last) n += s.size();
      last = s.data();
    }
  }
  return n;
}

std::shared_ptr<const CachedChunk> ChunkCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->chunk;
}

std::shared_ptr<const CachedChunk> ChunkCache::Lookup(const std::string& key, bool* admit) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->chunk;
  }
  ++misses_;
  if (capacity_ == 0) {
    *admit = false;
    return nullptr;
  }
  const size_t h = std::hash<std::string>{}(key);  // only on a miss: hits stay one lookup
  if (admit_first_ || seen_.erase(h) > 0) {
    *admit = true;
    return nullptr;
  }
  if (seen_.size() >= limits::kChunkCacheDoorkeeperKeys) seen_.clear();
  seen_.insert(h);
  *admit = false;
  return nullptr;
}

void ChunkCache::SetAdmitOnFirstRead(bool first) {
  std::lock_guard<std::mutex> l(mu_);
  admit_first_ = first;
}

void ChunkCache::Put(const std::string& key, std::shared_ptr<const CachedChunk> chunk) {
  std::lock_guard<std::mutex> l(mu_);
  if (chunk->bytes > capacity_ / 4) return;
  auto it = index_.find(key);
  if (it != index_.end()) {
    bytes_ -= it->second->chunk->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += chunk->bytes;
  lru_.push_front({key, std::move(chunk)});
  index_.emplace(key, lru_.begin());
  EvictLocked();
}

void ChunkCache::EvictLocked() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    bytes_ -= lru_.back().chunk->bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
    ++evictions_;
  }
}

void ChunkCache::ErasePart(const std::string& part_dir) {
  const std::string prefix = part_dir + '#';
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->key.starts_with(prefix)) {
      bytes_ -= it->chunk->bytes;
      index_.erase(it->key);
      it = lru_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t ChunkCache::entries() const {
  std::lock_guard<std::mutex> l(mu_);
  return lru_.size();
}

size_t ChunkCache::capacity() const {
  std::lock_guard<std::mutex> l(mu_);
  return capacity_;
}

void ChunkCache::SetCapacity(size_t capacity_bytes) {
  std::lock_guard<std::mutex> l(mu_);
  capacity_ = capacity_bytes;
  seen_.clear();
  EvictLocked();
}

size_t ChunkCache::bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return bytes_;
}

ChunkCacheStats ChunkCache::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return ChunkCacheStats{bytes_, capacity_, lru_.size(), hits_, misses_, evictions_};
}

}  // namespace vigia
