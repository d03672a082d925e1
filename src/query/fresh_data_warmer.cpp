#include "query/fresh_data_warmer.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/logger.h"
#include "query/block_view.h"
#include "query/bloom_group.h"
#include "query/chunk_cache.h"
#include "query/hot_columns.h"
#include "query/memtable_block.h"
#include "query/part_block_reader.h"
#include "store/format/part_reader.h"

namespace vigia {

FreshDataWarmer::FreshDataWarmer(Options options)
    : opt_(options),
      hot_(options.hot ? *options.hot : HotColumns::Default()),
      blocks_(options.blocks ? *options.blocks : MemtableBlockCache::Default()),
      chunks_(options.chunks ? *options.chunks : ChunkCache::Default()) {}

FreshDataWarmer::Options FreshDataWarmer::FromEnvironment() {
  Options o;
  const char* v = std::getenv("VIGIA_FRESH_DATA_WARM");
  const std::string_view mode = v != nullptr ? v : "";
  if (mode == "off") {
    o.memtable = o.parts = false;
  } else if (mode == "memtable") {
    o.parts = false;
  } else if (mode == "parts") {
    o.memtable = false;
  }
  return o;
}

void FreshDataWarmer::BatchAppending(const std::shared_ptr<const EventBatch>& batch) {
  if (!opt_.memtable || batch == nullptr || batch->empty()) return;
  const std::vector<std::string> names = hot_.Names();
  if (names.empty()) return;
  std::shared_ptr<const MemtableBlock> block = blocks_.Get(batch);
  BlockView scratch;
  block->View(*batch, names, &scratch);
}

void FreshDataWarmer::PartWritten(const PartReader& part) {
  if (!opt_.parts || chunks_.capacity() == 0) return;
  const std::vector<std::string> names = hot_.Names();
  const bool with_ts = hot_.ReadsTime();
  if (names.empty() && !with_ts) return;
  const PartMeta& m = part.meta();
  std::vector<uint8_t> hot(m.columns.size(), 0);
  for (uint32_t i = 1; i < m.columns.size(); ++i) {
    hot[i] = std::find(names.begin(), names.end(), m.columns[i].name) != names.end();
  }
  if (with_ts && !hot.empty()) hot[0] = 1;
  uint64_t bytes_read = 0;
  for (size_t block = 0; block < m.blocks.size(); ++block) {
    for (const ChunkMeta& c : m.blocks[block].chunks) {
      if (c.column >= hot.size() || !hot[c.column]) continue;
      auto e = std::make_shared<CachedChunk>();
      Status st = ReadCachedChunk(part, block, c, e.get(), &bytes_read);
      if (!st.ok()) {
        // The query that reads it will fail naming the chunk (and the part is degraded).
        logger::Warn("fresh part not warmed", {{"part", part.dir()}, {"error", st.ToString()}});
        return;
      }
      e->bytes = ChunkMemory(*e);
      chunks_.Put(ChunkCache::Key(part.dir(), block, c.column), std::move(e));
    }
  }
  // The hot columns' bloom filters, as the queries read them: a group of blocks at a time.
  for (uint32_t col = 1; col < m.columns.size(); ++col) {
    if (!hot[col] || m.columns[col].bloom == BloomKind::kNone) continue;
    for (size_t g = 0; g * limits::kBloomGroupBlocks < m.blocks.size(); ++g) {
      auto filters = ReadBloomGroup(part, col, g, &bytes_read);
      if (!filters.ok()) break;  // the query that reads it fails naming the part
      chunks_.Put(ChunkCache::BloomGroupKey(part.dir(), col, g), std::move(*filters));
    }
  }
}

void FreshDataWarmer::PartRetired(const std::string& part_dir) { chunks_.ErasePart(part_dir); }

}  // namespace vigia
