#include "query/bloom_group.h"

#include <algorithm>
#include <array>
#include <functional>
#include <mutex>
#include <string>

#include "common/limits.h"

namespace vigia {

namespace {

// Striped locks for reading groups (BloomMemo::Get): groups of one key share a stripe.
std::mutex& LoadLock(const std::string& key) {
  static std::array<std::mutex, 64> locks;
  return locks[std::hash<std::string>{}(key) % locks.size()];
}

}  // namespace

size_t BloomGroupOf(size_t block) { return block / limits::kBloomGroupBlocks; }

Result<std::shared_ptr<CachedChunk>> ReadBloomGroup(const PartReader& part, uint32_t column,
                                                    size_t group, uint64_t* bytes_read) {
  const PartMeta& m = part.meta();
  const size_t first = group * limits::kBloomGroupBlocks;
  const size_t end = std::min(m.blocks.size(), first + limits::kBloomGroupBlocks);
  if (first >= end) {
    return Status::Internal("bloom group " + std::to_string(group) + " past the end of part " +
                            part.dir() + " (a bug)");
  }
  auto g = std::make_shared<CachedChunk>();
  g->bloom_offsets.reserve(end - first + 1);
  g->group_chunks.reserve(end - first);
  // Sized once: growing a group of request_id filters (~3.5 MB) by doubling copied it about
  // twice more and faulted in each larger buffer, on a cold query's path.
  std::array<const ChunkMeta*, limits::kBloomGroupBlocks> chunks{};
  size_t total = 0;
  for (size_t b = first; b < end; ++b) {
    const ChunkMeta* c = m.blocks[b].FindChunk(column);
    chunks[b - first] = c;
    if (c != nullptr) total += c->bloom_size;
  }
  g->bloom.reserve(total);
  std::string filter;
  for (size_t b = first; b < end; ++b) {
    g->bloom_offsets.push_back(static_cast<uint32_t>(g->bloom.size()));
    const ChunkMeta* c = chunks[b - first];
    if (c == nullptr) {
      g->group_chunks.push_back(kNoChunk);
      continue;
    }
    g->group_chunks.push_back(static_cast<uint32_t>(c - m.blocks[b].chunks.data()));
    VIGIA_RETURN_IF_ERROR(part.ReadBloom(b, *c, &filter, bytes_read));
    g->bloom += filter;
  }
  g->bloom_offsets.push_back(static_cast<uint32_t>(g->bloom.size()));
  g->bytes = ChunkMemory(*g);
  return g;
}

const ChunkMeta* GroupChunk(const PartReader& part, const CachedChunk& g, size_t block) {
  const uint32_t i = g.group_chunks[block % limits::kBloomGroupBlocks];
  return i == kNoChunk ? nullptr : &part.meta().blocks[block].chunks[i];
}

std::string_view GroupFilter(const CachedChunk& g, size_t block) {
  const size_t i = block % limits::kBloomGroupBlocks;
  return std::string_view(g.bloom).substr(g.bloom_offsets[i],
                                          g.bloom_offsets[i + 1] - g.bloom_offsets[i]);
}

Result<std::shared_ptr<const CachedChunk>> BloomMemo::Get(const PartReader& part, uint32_t column,
                                                          size_t block, uint64_t* bytes_read) {
  const size_t group = BloomGroupOf(block);
  // One slot per column: a worker moving to another part or group replaces it.
  Slot* slot = nullptr;
  for (Slot& s : slots_) {
    if (s.column == column) {
      if (s.part == &part && s.group == group) return s.filters;
      slot = &s;
      break;
    }
  }
  if (slot == nullptr) slot = &slots_.emplace_back();
  ChunkCache& cache = ChunkCache::Default();
  const std::string key = ChunkCache::BloomGroupKey(part.dir(), column, group);
  std::shared_ptr<const CachedChunk> filters = cache.Get(key);
  if (filters == nullptr) {
    // One reader per group: a parallel scan hands consecutive blocks to its workers, which
    // would otherwise all miss the same group at once and each read it.
    std::lock_guard<std::mutex> l(LoadLock(key));
    filters = cache.Get(key);
    if (filters == nullptr) {
      VIGIA_ASSIGN_OR_RETURN(std::shared_ptr<CachedChunk> read,
                             ReadBloomGroup(part, column, group, bytes_read));
      cache.Put(key, read);
      filters = std::move(read);
    }
  }
  *slot = Slot{&part, column, group, filters};
  return filters;
}

}  // namespace vigia
