#include "store/format/merge.h"

#include <algorithm>
#include <numeric>
#include <queue>

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

struct CursorAfter {
  bool operator()(const Cursor* a, const Cursor* b) const {
    int c = CompareRowKeys(a->key, b->key);
    if (c != 0) return c > 0;
    return a->input > b->input;  // stable: earlier inputs first on equal keys
  }
};

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

Result<PartMeta> MergeParts(std::span<const std::shared_ptr<PartReader>> inputs,
                            const std::string& tmp_dir, const std::string& final_dir,
                            PartWriterOptions options, MergeStats* stats) {
  if (inputs.empty()) return Status::InvalidArgument("merge: no inputs");
  MergeStats local;
  for (const auto& in : inputs) {
    options.wal_seq = std::max(options.wal_seq, in->meta().wal_seq);
    local.input_bytes += in->disk_bytes();
  }
  VIGIA_ASSIGN_OR_RETURN(auto writer, PartWriter::Create(tmp_dir, std::move(options)));
  std::vector<std::unique_ptr<Cursor>> cursors;
  std::priority_queue<Cursor*, std::vector<Cursor*>, CursorAfter> heap;
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
  VIGIA_ASSIGN_OR_RETURN(PartMeta meta, writer->Finish(final_dir));
  local.output_bytes = meta.data_bytes + meta.bloom_bytes;
  if (stats) *stats = local;
  return meta;
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
  VIGIA_ASSIGN_OR_RETURN(PartMeta meta, writer->Finish(final_dir));
  local.output_bytes = meta.data_bytes + meta.bloom_bytes;
  if (stats) *stats = local;
  return meta;
}

}  // namespace vigia
