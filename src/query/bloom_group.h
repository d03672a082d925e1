// Bloom groups: the bloom filters of one column over limits::kBloomGroupBlocks consecutive
// blocks of a part, read and checksummed together and kept in the ChunkCache as one entry
// (under ChunkCache::BloomGroupKey), with each block's chunk of that column. Block pruning
// by a bloomed column (request_id, trace_id, a word in msg...) then costs one cache lookup per
// group instead of one per block, and finds the block's chunk without a search of the block's
// chunk list (a binary search over 128-byte ChunkMetas: several cache misses per block).
//
// BloomMemo holds a scan worker's current groups, so consecutive blocks of a part share them.
//
// Thread-safety: ReadBloomGroup and the accessors are thread-safe (a group is immutable once
// built); a BloomMemo belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/chunk_cache.h"
#include "store/format/part_reader.h"

namespace vigia {

// The group holding `block`.
size_t BloomGroupOf(size_t block);

// Reads the filters of column `column` in every block of group `group` of `part` (each
// checked: a bad filter is Corruption naming the part, block and column). The entry's
// `bloom` holds them end to end; `bloom_offsets` (one more than the group's blocks) bounds
// each block's filter, `group_chunks` is each block's index in BlockMeta::chunks of its chunk
// of `column` (kNoChunk when the block has none). REQUIRES: group covers at least one block.
Result<std::shared_ptr<CachedChunk>> ReadBloomGroup(const PartReader& part, uint32_t column,
                                                    size_t group, uint64_t* bytes_read);

inline constexpr uint32_t kNoChunk = UINT32_MAX;

// The chunk of the group's column in `block` (nullptr when none). REQUIRES: `g` is the group
// of `block` read from `part`.
const ChunkMeta* GroupChunk(const PartReader& part, const CachedChunk& g, size_t block);
// The block's filter (empty when its chunk has none). REQUIRES: as GroupChunk.
std::string_view GroupFilter(const CachedChunk& g, size_t block);

// A scan worker's bloom groups, one per (part, column) it probed last: a needle over a part
// of 2,000 blocks looks each group up once.
class BloomMemo {
 public:
  // The group of `block` for `column` of `part`: from the memo, the cache (kept there), or
  // read and put in the cache. `part` must outlive the memo's use of it (a query's snapshot
  // holds its parts).
  Result<std::shared_ptr<const CachedChunk>> Get(const PartReader& part, uint32_t column,
                                                 size_t block, uint64_t* bytes_read);

 private:
  struct Slot {
    const PartReader* part = nullptr;
    uint32_t column = 0;
    size_t group = 0;
    std::shared_ptr<const CachedChunk> filters;
  };
  std::vector<Slot> slots_;  // few: one per bloomed column a query's filter names
};

}  // namespace vigia
