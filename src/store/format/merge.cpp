#include "store/format/merge.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <queue>
#include <set>
#include <utility>

#include "common/same_bytes.h"

namespace vigia {
namespace {

// One input's position: its current decoded block and the row within it.
struct Cursor {
  const PartReader* part = nullptr;
  size_t input = 0;
  size_t next_block = 0;
  EventBatch block;
  size_t row = 0;
  RowKey key;

  const EventBatch::EventRef& event() const { return block.events()[row]; }
  void UpdateKey() { key = RowKeyOf(event().ts_ns, block.fields(event())); }

  // Moves to the next row, loading the next block when needed. False at the end.
  Result<bool> Advance() {
    ++row;
    while (row >= block.size()) {
      if (next_block >= part->meta().blocks.size()) return false;
      block = EventBatch();
      row = 0;
      VIGIA_RETURN_IF_ERROR(part->ReadBlockEvents(next_block++, &block));
    }
    UpdateKey();
    return true;
  }
};

// Heap order of both merges: the smallest key on top; earlier inputs first on equal keys.
template <typename C>
struct CursorAfter {
  bool operator()(const C* a, const C* b) const {
    int c = CompareRowKeys(a->key, b->key);
    if (c != 0) return c > 0;
    return a->input > b->input;
  }
};

// The writer of a merge's output: options.wal_seq raised to the inputs' max, their bytes
// counted in *local.
Result<std::unique_ptr<PartWriter>> CreateMergeWriter(
    std::span<const std::shared_ptr<PartReader>> inputs, const std::string& tmp_dir,
    PartWriterOptions options, MergeStats* local) {
  for (const auto& in : inputs) {
    options.wal_seq = std::max(options.wal_seq, in->meta().wal_seq);
    local->input_bytes += in->disk_bytes();
  }
  return PartWriter::Create(tmp_dir, std::move(options));
}

// Commits a merge's or rewrite's output (tmp_dir -> final_dir) and reports its stats.
Result<PartMeta> FinishMerge(PartWriter* writer, const std::string& final_dir, MergeStats local,
                             MergeStats* stats) {
  VIGIA_ASSIGN_OR_RETURN(PartMeta meta, writer->Finish(final_dir));
  local.output_bytes = meta.data_bytes + meta.bloom_bytes;
  if (stats) *stats = local;
  return meta;
}

// --- The columnar merge -------------------------------------------------------------------

constexpr uint32_t kUnmapped = UINT32_MAX;

// One decoded block of an input, held as the reader decodes its chunks (typed values,
// dictionary codes, string views into `storage`), never as rows.
struct SourceBlock {
  ColumnBatch storage;             // the buffers the string views point into
  std::vector<ColumnVector> cols;  // by chunk position; cols[0] is _time
  // By chunk position: the merge column the chunk feeds (kUnmapped until a merged row has
  // it: columns are numbered in the order they first appear, as the row writer numbers them).
  std::vector<uint32_t> out_col;
  std::vector<uint32_t> unmapped;  // chunk positions still kUnmapped, ascending
  // Chunk positions of the fields named "service" / "kind" (the row key, RowKeyOf).
  std::vector<uint32_t> service_chunks, kind_chunks;
  std::vector<uint32_t> input_col;  // by chunk position: the input's column index
  size_t num_rows = 0;

  // RowKeyOf over the row's fields in chunk order: the first field of the name decides,
  // and one that is not a string gives the empty key.
  std::string_view KeyString(const std::vector<uint32_t>& chunks, size_t row) const {
    for (uint32_t k : chunks) {
      const ColumnVector& c = cols[k];
      if (!c.IsPresent(row)) continue;
      return c.type == ColumnType::kString ? c.StringAt(row) : std::string_view();
    }
    return {};
  }
};

// An input of the columnar merge: its current block and row.
struct ColumnCursor {
  const PartReader* part = nullptr;
  size_t input = 0;
  size_t next_block = 0;
  std::shared_ptr<SourceBlock> block;
  size_t row = 0;
  RowKey key;
  std::vector<uint32_t> col_map;  // input column index -> merge column (kUnmapped: none yet)

  // Reads and decodes every chunk of block `b`. Chunks that hold no string views give their
  // unframed bytes back at once (their values are decoded into the vectors).
  Status Load(size_t b) {
    const BlockMeta& bm = part->meta().blocks[b];
    auto sb = std::make_shared<SourceBlock>();
    sb->num_rows = bm.num_rows;
    sb->cols.resize(bm.chunks.size());
    sb->out_col.assign(bm.chunks.size(), kUnmapped);
    sb->input_col.resize(bm.chunks.size());
    for (size_t k = 0; k < bm.chunks.size(); ++k) {
      const ChunkMeta& c = bm.chunks[k];
      VIGIA_RETURN_IF_ERROR(part->ReadChunk(b, c, &sb->storage, &sb->cols[k], nullptr));
      sb->input_col[k] = c.column;
      if (k == 0) continue;
      const std::string& name = part->meta().columns[c.column].name;
      if (name == "service") sb->service_chunks.push_back(static_cast<uint32_t>(k));
      if (name == "kind") sb->kind_chunks.push_back(static_cast<uint32_t>(k));
      sb->out_col[k] = col_map[c.column];
      if (sb->out_col[k] == kUnmapped) sb->unmapped.push_back(static_cast<uint32_t>(k));
    }
    block = std::move(sb);
    return Status::Ok();
  }

  void UpdateKey() {
    key = RowKey{block->KeyString(block->service_chunks, row),
                 block->KeyString(block->kind_chunks, row), block->cols[0].ints[row]};
  }

  // Moves to the next row, loading the next block when needed. False at the end.
  Result<bool> Advance() {
    ++row;
    while (block == nullptr || row >= block->num_rows) {
      if (next_block >= part->meta().blocks.size()) {
        block.reset();
        return false;
      }
      row = 0;
      VIGIA_RETURN_IF_ERROR(Load(next_block++));
    }
    UpdateKey();
    return true;
  }
};

// Consecutive output rows taken from consecutive rows of one source block.
struct Run {
  const SourceBlock* src = nullptr;
  uint32_t first = 0;  // row in src
  uint32_t count = 0;
  uint32_t out = 0;  // first output row (within the output block)
};

// A merge column: one (name, type) of the output, numbered in order of first appearance.
struct MergeColumn {
  std::string name;
  ColumnType type = ColumnType::kNull;
};

// Does any input hold two columns of one (name, type)? The writer never writes such a part;
// the row merge handles it (keeping the first value per row) and the columnar one does not.
bool HasRepeatedColumns(std::span<const std::shared_ptr<PartReader>> inputs) {
  for (const auto& in : inputs) {
    std::set<std::pair<std::string_view, ColumnType>> seen;
    const auto& cols = in->meta().columns;
    for (size_t c = 1; c < cols.size(); ++c) {
      if (!seen.emplace(cols[c].name, cols[c].type).second) return true;
    }
  }
  return false;
}

// Builds each output block column by column from the runs' source blocks and hands it to
// the writer: for every merge column with values in the block, the output rows that have it
// and their values (views into the source blocks for strings).
class BlockAssembler {
 public:
  BlockAssembler(PartWriter* writer, const std::vector<MergeColumn>* columns)
      : writer_(writer), columns_(columns) {}

  Status Write(std::span<const int64_t> ts, const std::vector<Run>& runs) {
    VIGIA_RETURN_IF_ERROR(writer_->BeginBlock(ts));
    const size_t ncols = columns_->size();
    // Per distinct source block of the output block: merge column -> chunk position.
    sources_.clear();
    run_source_.resize(runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
      const SourceBlock* src = runs[i].src;
      size_t s = 0;
      while (s < sources_.size() && sources_[s].src != src) ++s;
      if (s == sources_.size()) {
        Source& n = sources_.emplace_back();
        n.src = src;
        n.chunk_of.assign(ncols, kUnmapped);
        for (size_t k = 1; k < src->out_col.size(); ++k) {
          if (src->out_col[k] != kUnmapped) n.chunk_of[src->out_col[k]] = static_cast<uint32_t>(k);
        }
      }
      run_source_[i] = s;
    }
    for (uint32_t mc = 0; mc < ncols; ++mc) {
      const ColumnType type = (*columns_)[mc].type;
      rows_.clear();
      ints_.clear();
      floats_.clear();
      strings_.clear();
      for (size_t i = 0; i < runs.size(); ++i) {
        const uint32_t k = sources_[run_source_[i]].chunk_of[mc];
        if (k == kUnmapped) continue;
        Gather(runs[i], runs[i].src->cols[k], type);
      }
      if (rows_.empty()) continue;
      ColumnChunkInput in;
      in.type = type;
      in.num_rows = static_cast<uint32_t>(ts.size());
      in.rows = rows_;
      in.ints = ints_;
      in.floats = floats_;
      in.strings = strings_;
      VIGIA_RETURN_IF_ERROR(writer_->AddChunk((*columns_)[mc].name, type, in));
    }
    return writer_->EndBlock();
  }

 private:
  struct Source {
    const SourceBlock* src = nullptr;
    std::vector<uint32_t> chunk_of;
  };

  void Gather(const Run& run, const ColumnVector& c, ColumnType type) {
    for (uint32_t j = 0; j < run.count; ++j) {
      const uint32_t r = run.first + j;
      if (!c.IsPresent(r)) continue;
      rows_.push_back(run.out + j);
      switch (type) {
        case ColumnType::kNull:
          break;
        case ColumnType::kBool:
          ints_.push_back(c.ints[r] != 0 ? 1 : 0);
          break;
        case ColumnType::kInt:
          ints_.push_back(c.ints[r]);
          break;
        case ColumnType::kFloat:
          floats_.push_back(c.floats[r]);
          break;
        case ColumnType::kString:
          strings_.push_back(c.StringAt(r));
          break;
      }
    }
  }

  PartWriter* writer_;
  const std::vector<MergeColumn>* columns_;
  std::vector<Source> sources_;
  std::vector<size_t> run_source_;
  // One column's values, reused.
  std::vector<uint32_t> rows_;
  std::vector<int64_t> ints_;
  std::vector<double> floats_;
  std::vector<std::string_view> strings_;
};

Result<PartMeta> MergePartsByColumns(std::span<const std::shared_ptr<PartReader>> inputs,
                                     const std::string& tmp_dir, const std::string& final_dir,
                                     PartWriterOptions options, MergeStats* stats) {
  MergeStats local;
  VIGIA_ASSIGN_OR_RETURN(auto writer,
                         CreateMergeWriter(inputs, tmp_dir, std::move(options), &local));
  const size_t block_rows = writer->block_rows();

  std::vector<MergeColumn> columns;
  std::map<std::pair<std::string, ColumnType>, uint32_t, std::less<>> column_ids;
  std::vector<std::unique_ptr<ColumnCursor>> cursors;
  std::priority_queue<ColumnCursor*, std::vector<ColumnCursor*>, CursorAfter<ColumnCursor>> heap;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto c = std::make_unique<ColumnCursor>();
    c->part = inputs[i].get();
    c->input = i;
    c->col_map.assign(c->part->meta().columns.size(), kUnmapped);
    c->row = static_cast<size_t>(-1);  // "before the first row": Advance loads block 0
    VIGIA_ASSIGN_OR_RETURN(bool has, c->Advance());
    if (has) heap.push(c.get());
    cursors.push_back(std::move(c));
  }

  // Gives the chunks of `c`'s block that the current row is the first to use their merge
  // column, in field order — the row writer's column numbering.
  auto map_columns = [&](ColumnCursor* c) {
    SourceBlock& sb = *c->block;
    auto& pending = sb.unmapped;
    size_t keep = 0;
    for (size_t p = 0; p < pending.size(); ++p) {
      const uint32_t k = pending[p];
      const uint32_t in_col = sb.input_col[k];
      uint32_t mc = c->col_map[in_col];
      if (mc == kUnmapped && sb.cols[k].IsPresent(c->row)) {
        const ColumnMeta& cm = c->part->meta().columns[in_col];
        auto [it, added] = column_ids.try_emplace(std::make_pair(cm.name, cm.type),
                                                  static_cast<uint32_t>(columns.size()));
        if (added) columns.push_back({cm.name, cm.type});
        mc = c->col_map[in_col] = it->second;
      }
      if (mc == kUnmapped) {
        pending[keep++] = k;
      } else {
        sb.out_col[k] = mc;
      }
    }
    pending.resize(keep);
  };

  BlockAssembler assembler(writer.get(), &columns);
  std::vector<int64_t> ts;
  std::vector<Run> runs;
  // The blocks the output block's runs point into (a cursor may have moved past them).
  std::vector<std::shared_ptr<SourceBlock>> held;
  std::string last_service, last_kind;
  int64_t last_ts = 0;
  bool have_last = false;
  auto flush = [&]() -> Status {
    if (ts.empty()) return Status::Ok();
    VIGIA_RETURN_IF_ERROR(assembler.Write(ts, runs));
    ts.clear();
    runs.clear();
    held.clear();
    return Status::Ok();
  };
  while (!heap.empty()) {
    ColumnCursor* c = heap.top();
    heap.pop();
    // The order check of PartWriter::AddWithKey: only a corrupt input breaks it.
    if (have_last && CompareRowKeys(c->key, RowKey{last_service, last_kind, last_ts}) < 0) {
      return Status::InvalidArgument("part writer: rows not in (service, kind, ts) order");
    }
    if (!have_last || !SameBytes(c->key.service, last_service)) {
      last_service.assign(c->key.service);
    }
    if (!have_last || !SameBytes(c->key.kind, last_kind)) last_kind.assign(c->key.kind);
    last_ts = c->key.ts;
    have_last = true;

    if (!c->block->unmapped.empty()) map_columns(c);
    const auto out = static_cast<uint32_t>(ts.size());
    const auto row = static_cast<uint32_t>(c->row);
    ts.push_back(c->key.ts);
    if (!runs.empty() && runs.back().src == c->block.get() &&
        runs.back().first + runs.back().count == row) {
      ++runs.back().count;
    } else {
      if (held.empty() || std::find(held.begin(), held.end(), c->block) == held.end()) {
        held.push_back(c->block);
      }
      runs.push_back({c->block.get(), row, 1, out});
    }
    ++local.rows;
    VIGIA_ASSIGN_OR_RETURN(bool more, c->Advance());
    if (more) heap.push(c);
    if (ts.size() >= block_rows) VIGIA_RETURN_IF_ERROR(flush());
  }
  VIGIA_RETURN_IF_ERROR(flush());
  return FinishMerge(writer.get(), final_dir, local, stats);
}

}  // namespace

std::vector<size_t> SelectMergeInputs(std::span<const uint64_t> rows, size_t min_parts,
                                      size_t max_parts, uint64_t tier_ratio) {
  min_parts = std::max<size_t>(2, min_parts);
  max_parts = std::max(min_parts, max_parts);
  tier_ratio = std::max<uint64_t>(2, tier_ratio);
  // Tier t holds parts of [ratio^t, ratio^(t+1)) rows. Fixed boundaries (not "within ratio
  // of the smallest") make progress certain: merging >= ratio parts of tier t yields a part
  // of tier > t, so no row is rewritten twice in one tier when min_parts >= ratio.
  auto tier = [&](uint64_t n) {
    int t = 0;
    while (n >= tier_ratio) {
      n /= tier_ratio;
      ++t;
    }
    return t;
  };
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rows[a] < rows[b]; });
  for (size_t first = 0; first < order.size();) {
    const int t = tier(rows[order[first]]);
    size_t end = first;
    while (end < order.size() && tier(rows[order[end]]) == t) ++end;
    if (end - first >= min_parts) {
      return {order.begin() + static_cast<ptrdiff_t>(first),
              order.begin() + static_cast<ptrdiff_t>(std::min(end, first + max_parts))};
    }
    first = end;
  }
  return {};
}

Result<PartMeta> MergePartsByRows(std::span<const std::shared_ptr<PartReader>> inputs,
                                  const std::string& tmp_dir, const std::string& final_dir,
                                  PartWriterOptions options, MergeStats* stats) {
  if (inputs.empty()) return Status::InvalidArgument("merge: no inputs");
  MergeStats local;
  VIGIA_ASSIGN_OR_RETURN(auto writer,
                         CreateMergeWriter(inputs, tmp_dir, std::move(options), &local));
  std::vector<std::unique_ptr<Cursor>> cursors;
  std::priority_queue<Cursor*, std::vector<Cursor*>, CursorAfter<Cursor>> heap;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto c = std::make_unique<Cursor>();
    c->part = inputs[i].get();
    c->input = i;
    // Position "before the first row": Advance loads block 0.
    c->row = static_cast<size_t>(-1);
    VIGIA_ASSIGN_OR_RETURN(bool has, c->Advance());
    if (has) heap.push(c.get());
    cursors.push_back(std::move(c));
  }
  while (!heap.empty()) {
    Cursor* c = heap.top();
    heap.pop();
    const auto& e = c->event();
    VIGIA_RETURN_IF_ERROR(writer->AddWithKey(c->key, c->block.fields(e)));
    ++local.rows;
    VIGIA_ASSIGN_OR_RETURN(bool more, c->Advance());
    if (more) heap.push(c);
  }
  return FinishMerge(writer.get(), final_dir, local, stats);
}

Result<PartMeta> MergeParts(std::span<const std::shared_ptr<PartReader>> inputs,
                            const std::string& tmp_dir, const std::string& final_dir,
                            PartWriterOptions options, MergeStats* stats) {
  if (inputs.empty()) return Status::InvalidArgument("merge: no inputs");
  if (HasRepeatedColumns(inputs)) {
    return MergePartsByRows(inputs, tmp_dir, final_dir, std::move(options), stats);
  }
  return MergePartsByColumns(inputs, tmp_dir, final_dir, std::move(options), stats);
}

Result<uint64_t> CountRows(const PartReader& input, const RowPredicate& doomed) {
  uint64_t n = 0;
  EventBatch block;
  for (size_t b = 0; b < input.meta().blocks.size(); ++b) {
    block = EventBatch();
    VIGIA_RETURN_IF_ERROR(input.ReadBlockEvents(b, &block));
    for (const auto& e : block.events()) n += doomed(e.ts_ns, block.fields(e)) ? 1 : 0;
  }
  return n;
}

Result<PartMeta> RewritePartWithout(const PartReader& input, const RowPredicate& doomed,
                                    const std::string& tmp_dir, const std::string& final_dir,
                                    PartWriterOptions options, MergeStats* stats) {
  MergeStats local;
  options.wal_seq = std::max(options.wal_seq, input.meta().wal_seq);
  local.input_bytes = input.disk_bytes();
  VIGIA_ASSIGN_OR_RETURN(auto writer, PartWriter::Create(tmp_dir, std::move(options)));
  EventBatch block;
  for (size_t b = 0; b < input.meta().blocks.size(); ++b) {
    block = EventBatch();
    VIGIA_RETURN_IF_ERROR(input.ReadBlockEvents(b, &block));
    for (const auto& e : block.events()) {
      if (doomed(e.ts_ns, block.fields(e))) continue;
      VIGIA_RETURN_IF_ERROR(writer->Add(e.ts_ns, block.fields(e)));
      ++local.rows;
    }
  }
  if (local.rows == 0) return Status::InvalidArgument("rewrite: every row removed");
  return FinishMerge(writer.get(), final_dir, local, stats);
}

}  // namespace vigia
