#include "query/part_block_reader.h"

#include <algorithm>

#include "common/limits.h"
#include "query/chunk_pool.h"
#include "query/time_mask.h"
#include "store/format/bloom.h"

namespace vigia {
PartBlockReader::PartBlockReader(const PartReader& reader, const QueryPlan& plan)
    : reader_(reader), plan_(plan) {
  const PartMeta& m = reader_.meta();
  auto listed = [](const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  wanted_.assign(m.columns.size(), 0);
  for (uint32_t i = 1; i < m.columns.size(); ++i) {
    const std::string& name = m.columns[i].name;
    if (listed(plan.filter_columns, name)) {
      wanted_[i] = 2;
    } else if (plan.all_columns || listed(plan.columns, name)) {
      wanted_[i] = 1;
    }
  }
  leaf_columns_.resize(plan.prune.size());
  for (size_t ci = 0; ci < plan.prune.size(); ++ci) {
    for (const PruneLeaf& leaf : plan.prune[ci].any) {
      leaf_columns_[ci].push_back(reader_.ColumnsNamed(leaf.column));
    }
  }
}

bool PartBlockReader::InTimeRange(size_t block) const {
  const BlockMeta& b = reader_.meta().blocks[block];
  return !(b.max_ts < plan_.min_ts || b.min_ts >= plan_.max_ts);
}

const ChunkMeta* PartBlockReader::FieldChunk(size_t block, const std::string& field,
                                             size_t* count) const {
  *count = 0;
  const std::vector<uint32_t>* columns = reader_.ColumnsNamed(field);
  if (columns == nullptr) return nullptr;
  const BlockMeta& b = reader_.meta().blocks[block];
  const ChunkMeta* first = nullptr;
  for (uint32_t col : *columns) {
    const ChunkMeta* c = b.FindChunk(col);
    if (c == nullptr) continue;
    if (first == nullptr) first = c;
    ++*count;
  }
  return first;
}

Result<bool> PartBlockReader::LeafMayMatch(size_t block, const PruneLeaf& leaf,
                                           const std::vector<uint32_t>* columns, BloomMemo* memo,
                                           uint64_t* bytes_read) const {
  if (columns == nullptr) return false;
  const PartMeta& m = reader_.meta();
  const BlockMeta& b = m.blocks[block];
  ChunkProbe probe;
  switch (leaf.op) {
    case PruneLeaf::Op::kValues:
      probe.op = ChunkProbe::Op::kValues;
      probe.values = leaf.values;
      break;
    case PruneLeaf::Op::kRange:
      probe.op = ChunkProbe::Op::kRange;
      probe.lo = leaf.lo;
      probe.hi = leaf.hi;
      probe.range_includes_text = true;
      break;
    case PruneLeaf::Op::kTokens:
      probe.op = ChunkProbe::Op::kTokens;
      probe.tokens = leaf.tokens;
      break;
    case PruneLeaf::Op::kExists:
      break;
  }
  // The filter of the chunk being probed, from its bloom group (one per kBloomGroupBlocks
  // blocks, held by the memo): a warm needle lookup reads and checksums nothing. Behind one
  // pointer: a lambda capturing only that fits in std::function's inline storage, so a check
  // allocates nothing (it runs per block and leaf of every query).
  std::string_view filter;
  const BloomLookup bloom_has = [f = &filter](uint64_t hash) -> Result<bool> {
    return BloomMayContain(*f, hash);
  };
  for (uint32_t col : *columns) {
    const ColumnMeta& cm = m.columns[col];
    if (cm.type == ColumnType::kNull) continue;  // JSON nulls match no leaf
    // A bloomed column's chunk comes with its group (no search of the block's chunk list).
    std::shared_ptr<const CachedChunk> group;
    const ChunkMeta* c = nullptr;
    if (cm.bloom != BloomKind::kNone && leaf.op != PruneLeaf::Op::kExists &&
        leaf.op != PruneLeaf::Op::kRange) {
      VIGIA_ASSIGN_OR_RETURN(group, memo->Get(reader_, col, block, bytes_read));
      c = GroupChunk(reader_, *group, block);
      if (c != nullptr) filter = GroupFilter(*group, block);
    } else {
      c = b.FindChunk(col);
    }
    if (c == nullptr) continue;
    if (leaf.op == PruneLeaf::Op::kExists) {
      if (leaf.non_string_only && cm.type == ColumnType::kString) continue;
      return true;
    }
    VIGIA_ASSIGN_OR_RETURN(bool may, PartReader::ChunkMayMatch(cm, *c, probe, bloom_has));
    if (may) return true;
  }
  return false;
}

Result<bool> PartBlockReader::MayMatch(size_t block, BloomMemo* memo, uint64_t* bytes_read) const {
  if (!InTimeRange(block)) return false;
  for (size_t ci = 0; ci < plan_.prune.size(); ++ci) {
    const PruneClause& clause = plan_.prune[ci];
    bool any = false;
    for (size_t li = 0; li < clause.any.size(); ++li) {
      VIGIA_ASSIGN_OR_RETURN(
          any, LeafMayMatch(block, clause.any[li], leaf_columns_[ci][li], memo, bytes_read));
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

Status ReadCachedChunk(const PartReader& part, size_t block, const ChunkMeta& c, CachedChunk* e,
                       uint64_t* bytes_read, bool time_runs) {
  VIGIA_RETURN_IF_ERROR(part.ReadChunk(block, c, &e->storage, &e->col, bytes_read));
  e->col.type = part.meta().columns[c.column].type;
  e->time_runs.clear();
  if (c.column == 0 && time_runs) {
    FindSortedRuns(e->col.ints.data(), e->col.ints.size(), limits::kMaxTimeRunsPerBlock,
                   &e->time_runs);
  }
  return Status::Ok();
}

Result<std::shared_ptr<const CachedChunk>> PartBlockReader::LoadChunk(size_t block,
                                                                      const ChunkMeta& c,
                                                                      uint64_t* bytes_read,
                                                                      bool time_runs) const {
  const std::string key = ChunkCache::Key(reader_.dir(), block, c.column);
  bool admit = false;
  if (auto hit = ChunkCache::Default().Lookup(key, &admit)) return hit;
  return DecodeChunk(block, c, key, admit, bytes_read, time_runs);
}

Result<std::shared_ptr<const CachedChunk>> PartBlockReader::DecodeChunk(
    size_t block, const ChunkMeta& c, const std::string& key, bool admit, uint64_t* bytes_read,
    bool time_runs) const {
  const ColumnType type = reader_.meta().columns[c.column].type;
  // Read once so far: decoded into recycled memory and not kept; else into new memory, kept.
  std::shared_ptr<CachedChunk> e =
      admit ? std::make_shared<CachedChunk>() : ChunkPool::Default().Take(type);
  // A kept chunk has its runs for whatever query reads it next.
  VIGIA_RETURN_IF_ERROR(
      ReadCachedChunk(reader_, block, c, e.get(), bytes_read, admit || time_runs));
  if (!admit) return std::shared_ptr<const CachedChunk>(std::move(e));
  e->bytes = ChunkMemory(*e);
  ChunkCache::Default().Put(key, e);
  return std::shared_ptr<const CachedChunk>(std::move(e));
}

void PartBlockReader::BuildView(DecodedBlock* out, uint32_t num_rows) {
  // Column order (as the row evaluator sees decoded parts), whatever the decode order.
  std::vector<size_t>& order = out->view_order;
  order.resize(out->chunks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return out->col_index[a] < out->col_index[b]; });
  out->view.ClearColumns();
  out->view.num_rows = num_rows;
  out->view.ts = out->ts ? out->ts->col.ints.data() : nullptr;
  for (size_t i : order) out->view.Add(&out->chunks[i]->col);
}

Status PartBlockReader::ReadColumns(size_t block, uint8_t which, DecodedBlock* out,
                                    uint64_t* bytes_read) const {
  const BlockMeta& b = reader_.meta().blocks[block];
  for (size_t k = 1; k < b.chunks.size(); ++k) {
    const ChunkMeta& c = b.chunks[k];
    if (wanted_[c.column] != which) continue;
    VIGIA_ASSIGN_OR_RETURN(auto chunk, LoadChunk(block, c, bytes_read));
    out->chunks.push_back(std::move(chunk));
    out->col_index.push_back(c.column);
  }
  BuildView(out, b.num_rows);
  return Status::Ok();
}

Status PartBlockReader::ReadFilterColumns(size_t block, DecodedBlock* out, uint64_t* bytes_read,
                                          bool with_ts, bool ts_runs) const {
  const BlockMeta& b = reader_.meta().blocks[block];
  out->chunks.clear();
  out->col_index.clear();
  out->ts = nullptr;
  if (!with_ts) return ReadColumns(block, 2, out, bytes_read);
  VIGIA_ASSIGN_OR_RETURN(out->ts, LoadChunk(block, b.chunks[0], bytes_read, ts_runs));
  if (out->ts->col.ints.size() != b.num_rows) {
    return Status::Corruption("part " + reader_.dir() + " block " + std::to_string(block) +
                              ": time column has the wrong row count");
  }
  return ReadColumns(block, 2, out, bytes_read);
}

Status PartBlockReader::ReadRest(size_t block, DecodedBlock* out, uint64_t* bytes_read) const {
  return ReadColumns(block, 1, out, bytes_read);
}

Status PartBlockReader::ReadRestRows(size_t block, BlockRows* out, uint64_t* bytes_read) const {
  const BlockMeta& b = reader_.meta().blocks[block];
  out->chunks.clear();
  out->col_index.clear();
  out->whole.clear();
  ChunkCache& cache = ChunkCache::Default();
  const bool few = out->rows.size() * kFewRowsDivisor <= b.num_rows;
  for (size_t k = 1; k < b.chunks.size(); ++k) {
    const ChunkMeta& c = b.chunks[k];
    if (wanted_[c.column] != 1) continue;
    const ColumnType type = reader_.meta().columns[c.column].type;
    const std::string key = ChunkCache::Key(reader_.dir(), block, c.column);
    std::shared_ptr<const CachedChunk> chunk;
    bool whole = true;
    if (few) {
      chunk = cache.Get(key);  // a whole chunk another query keeps
      if (chunk == nullptr) {
        whole = false;
        const std::string rows_key = ChunkCache::RowsKey(key, out->rows);
        bool admit = false;
        chunk = cache.Lookup(rows_key, &admit);
        if (chunk != nullptr && chunk->rows != out->rows) chunk = nullptr;  // a hash collision
        if (chunk == nullptr) {
          std::shared_ptr<CachedChunk> e =
              admit ? std::make_shared<CachedChunk>() : ChunkPool::Default().Take(type);
          VIGIA_RETURN_IF_ERROR(
              reader_.ReadChunkRows(block, c, out->rows, &e->storage, &e->col, bytes_read));
          e->col.type = type;
          if (admit) {
            e->rows = out->rows;
            e->bytes = ChunkMemory(*e);
            cache.Put(rows_key, e);
          }
          chunk = std::move(e);
        }
      }
    } else {
      bool admit = false;
      chunk = cache.Lookup(key, &admit);
      if (chunk == nullptr && admit) {
        VIGIA_ASSIGN_OR_RETURN(chunk, DecodeChunk(block, c, key, true, bytes_read));
      } else if (chunk == nullptr) {
        std::shared_ptr<CachedChunk> e = ChunkPool::Default().Take(type);
        VIGIA_RETURN_IF_ERROR(
            reader_.ReadChunkRows(block, c, out->rows, &e->storage, &e->col, bytes_read));
        e->col.type = type;
        chunk = std::move(e);
        whole = false;
      }
    }
    out->chunks.push_back(std::move(chunk));
    out->col_index.push_back(c.column);
    out->whole.push_back(whole ? 1 : 0);
  }
  return Status::Ok();
}

}  // namespace vigia
