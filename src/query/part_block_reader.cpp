#include "query/part_block_reader.h"

#include <algorithm>

#include "store/bloom.h"

namespace vigia {
namespace {

bool IsNumeric(ColumnType t) { return t == ColumnType::kInt || t == ColumnType::kFloat; }

// Can the chunk hold a value in [lo, hi]? Without min/max, maybe.
bool Overlaps(const ChunkMeta& c, ColumnType t, double lo, double hi) {
  if (!c.has_minmax) return true;
  double mn = t == ColumnType::kInt ? static_cast<double>(c.min_int) : c.min_float;
  double mx = t == ColumnType::kInt ? static_cast<double>(c.max_int) : c.max_float;
  return !(mx < lo || mn > hi);
}

}  // namespace

PartBlockReader::PartBlockReader(const PartReader& reader, const QueryPlan& plan)
    : reader_(reader), plan_(plan) {
  const PartMeta& m = reader_.meta();
  auto listed = [](const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  wanted_.assign(m.columns.size(), 0);
  for (uint32_t i = 1; i < m.columns.size(); ++i) {
    const std::string& name = m.columns[i].name;
    by_name_[name].push_back(i);
    if (listed(plan.filter_columns, name)) {
      wanted_[i] = 2;
    } else if (plan.all_columns || listed(plan.columns, name)) {
      wanted_[i] = 1;
    }
  }
}

bool PartBlockReader::InTimeRange(size_t block) const {
  const BlockMeta& b = reader_.meta().blocks[block];
  return !(b.max_ts < plan_.min_ts || b.min_ts >= plan_.max_ts);
}

Result<bool> PartBlockReader::LeafMayMatch(size_t block, const PruneLeaf& leaf,
                                           uint64_t* bytes_read) const {
  auto it = by_name_.find(leaf.column);
  if (it == by_name_.end()) return false;
  const PartMeta& m = reader_.meta();
  const BlockMeta& b = m.blocks[block];
  for (uint32_t col : it->second) {
    const ChunkMeta* c = b.FindChunk(col);
    if (c == nullptr) continue;
    const ColumnMeta& cm = m.columns[col];
    if (cm.type == ColumnType::kNull) continue;  // JSON nulls match no leaf
    std::string filter;
    bool loaded = false;
    auto bloom_has = [&](uint64_t hash) -> Result<bool> {
      if (c->bloom_size == 0) return true;
      if (!loaded) {
        VIGIA_RETURN_IF_ERROR(reader_.ReadBloom(block, *c, &filter, bytes_read));
        loaded = true;
      }
      return BloomMayContain(filter, hash);
    };
    auto all_tokens = [&](const auto& tokens) -> Result<bool> {
      for (const auto& t : tokens) {
        VIGIA_ASSIGN_OR_RETURN(bool may, bloom_has(BloomTokenHash(t)));
        if (!may) return false;
      }
      return true;
    };
    switch (leaf.op) {
      case PruneLeaf::Op::kExists:
        if (leaf.non_string_only && cm.type == ColumnType::kString) break;
        return true;
      case PruneLeaf::Op::kRange:
        if (!IsNumeric(cm.type) || Overlaps(*c, cm.type, leaf.lo, leaf.hi)) return true;
        break;
      case PruneLeaf::Op::kTokens: {
        if (cm.type != ColumnType::kString) break;
        if (cm.bloom != BloomKind::kTokens) return true;
        VIGIA_ASSIGN_OR_RETURN(bool may, all_tokens(leaf.tokens));
        if (may) return true;
        break;
      }
      case PruneLeaf::Op::kValues:
        for (const ScanValue& v : leaf.values) {
          if (IsNumeric(cm.type) && (v.type == ValueType::kInt || v.type == ValueType::kFloat)) {
            double d = v.type == ValueType::kInt ? static_cast<double>(v.i) : v.f;
            if (Overlaps(*c, cm.type, d, d)) return true;
          } else if (cm.type == ColumnType::kBool && v.type == ValueType::kBool) {
            return true;
          } else if (cm.type == ColumnType::kString && v.type == ValueType::kString) {
            if (cm.bloom == BloomKind::kValues) {
              VIGIA_ASSIGN_OR_RETURN(bool may, bloom_has(BloomValueHash(v.s)));
              if (may) return true;
            } else if (cm.bloom == BloomKind::kTokens) {
              std::vector<std::string_view> tokens;
              ForEachToken(v.s, [&](std::string_view t) { tokens.push_back(t); });
              VIGIA_ASSIGN_OR_RETURN(bool may, all_tokens(tokens));
              if (may) return true;
            } else {
              return true;
            }
          }
        }
        break;
    }
  }
  return false;
}

Result<bool> PartBlockReader::MayMatch(size_t block, uint64_t* bytes_read) const {
  if (!InTimeRange(block)) return false;
  for (const PruneClause& clause : plan_.prune) {
    bool any = false;
    for (const PruneLeaf& leaf : clause.any) {
      VIGIA_ASSIGN_OR_RETURN(any, LeafMayMatch(block, leaf, bytes_read));
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

Result<std::shared_ptr<const CachedChunk>> PartBlockReader::LoadChunk(size_t block,
                                                                      const ChunkMeta& c,
                                                                      uint64_t* bytes_read) const {
  ChunkCache& cache = ChunkCache::Default();
  const std::string key = ChunkCache::Key(reader_.dir(), block, c.column);
  if (auto hit = cache.Get(key)) return hit;
  auto e = std::make_shared<CachedChunk>();
  VIGIA_RETURN_IF_ERROR(reader_.ReadChunk(block, c, &e->storage, &e->col, bytes_read));
  e->col.type = reader_.meta().columns[c.column].type;
  e->bytes = ChunkMemory(*e);
  cache.Put(key, e);
  return std::shared_ptr<const CachedChunk>(std::move(e));
}

void PartBlockReader::BuildView(DecodedBlock* out, uint32_t num_rows) {
  // Column order (as the row evaluator sees decoded parts), whatever the decode order.
  std::vector<size_t> order(out->chunks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return out->col_index[a] < out->col_index[b]; });
  out->view = BlockView();
  out->view.num_rows = num_rows;
  out->view.ts = out->ts->col.ints.data();
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

Status PartBlockReader::ReadFilterColumns(size_t block, DecodedBlock* out,
                                          uint64_t* bytes_read) const {
  const BlockMeta& b = reader_.meta().blocks[block];
  out->chunks.clear();
  out->col_index.clear();
  VIGIA_ASSIGN_OR_RETURN(out->ts, LoadChunk(block, b.chunks[0], bytes_read));
  if (out->ts->col.ints.size() != b.num_rows) {
    return Status::Corruption("part " + reader_.dir() + " block " + std::to_string(block) +
                              ": time column has the wrong row count");
  }
  return ReadColumns(block, 2, out, bytes_read);
}

Status PartBlockReader::ReadRest(size_t block, DecodedBlock* out, uint64_t* bytes_read) const {
  return ReadColumns(block, 1, out, bytes_read);
}

}  // namespace vigia
