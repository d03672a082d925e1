// ColumnStats: the `stats`/`top` pipe fed a decoded block at a time — group keys computed per
// block with a per-block memo (one hash lookup per distinct key value, not per row), typed
// column values folded straight into the StatsAggregator's states (no per-row records), and
// `if (...)` conditions evaluated as column filters. One ColumnStats per worker thread; the
// engine merges their aggregators at the end (StatsAggregator::Merge).
//
// Results equal the row path's (StatsAggregator::Add): same states, same rules.
//
// Thread-safety: externally synchronized (one per thread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/block_view.h"
#include "query/column_filter.h"
#include "query/field_histogram.h"
#include "query/query_api.h"
#include "query/stats_aggregator.h"
#include "vql/vql_ast.h"

namespace vigia {

class ColumnStats {
 public:
  // REQUIRES: pipe.kind is kStats or kTop; `pipe` outlives this object.
  static Result<std::unique_ptr<ColumnStats>> Create(const Pipe& pipe, const QueryOptions& opt,
                                                     TimeRange window);

  // Folds the rows of `block` whose mask entry is set.
  Status AddBlock(const BlockView& block, const std::vector<uint8_t>& mask);

  // A `by` key as part metadata can give it: a `_time` bucket (bucket_ns > 0) or a field.
  struct CountKey {
    std::string field;  // the column name (`_msg` is `msg`); empty for a time bucket
    int64_t bucket_ns = 0;
  };
  // Plain count()s (no field, no condition, no rate()) whose `by` keys are `_time` buckets or
  // fields: a block can be counted from its metadata (metadata_counter.h) instead of decoded.
  // *keys gets the `by` keys in order.
  bool CountsByValueCounts(std::vector<CountKey>* keys) const;
  // Adds `count` rows of the group `key` (the `by` values in order, a `_time` bucket as its
  // start) to every aggregate. REQUIRES: CountsByValueCounts.
  Status AddCount(std::vector<OwnedValue> key, uint64_t count);

  StatsAggregator& aggregator() { return *agg_; }
  std::unique_ptr<StatsAggregator> Release() { return std::move(agg_); }

 private:
  ColumnStats() = default;
  // One `by` key over the selected rows of a block: a small local id per row (equal ids =
  // equal key values) and the key value of each id. Dictionary columns map codes straight
  // to ids; other values go through per-block memos.
  struct LocalKey {
    std::vector<uint32_t> ids;  // per selected row
    // Per id; id 0 is null. Views into the block's columns: valid while it is being added.
    std::vector<Value> values;
  };
  Status KeyIds(const BlockView& block, const GroupKey& gk, LocalKey* out);
  // Fills gid_ and lid_ with the group of each selected row: local ids of all keys are
  // combined, and each distinct combination costs one StatsAggregator::GroupIndex call.
  Status Groups(const BlockView& block);
  // The fast paths for plain `count()`s (no field, no condition, no rate): without `by`, the
  // block's count is the number of selected rows; by one dictionary-encoded column, a
  // histogram of the codes of the selected rows (one pass, no per-row group ids). False when
  // the pipe or the block's columns do not fit (the general path runs instead).
  Result<bool> CountOnly(const BlockView& block, const std::vector<uint8_t>& mask);
  // Adds the selected rows' count per block-local group (lid_) to counts_.
  // REQUIRES: lid_ is non-empty; counts_ has one slot per block-local group.
  void CountGroups();

  // Conditioned plain counts (`count() if (...)` without a field) whose conditions read one
  // field, by that field: in a block of one group they are counted from one FieldHistogram
  // of the field instead of a pass over the block per condition.
  struct FieldConds {
    std::string field;
    std::vector<size_t> aggs;
  };
  void CountByHistogram(const BlockView& block, const std::vector<uint8_t>& mask);

  bool counts_only_ = false;  // every aggregate is a plain count()
  std::vector<FieldConds> field_conds_;
  FieldHistogram hist_of_field_;
  std::vector<std::optional<uint64_t>> precounted_;  // per aggregate, this block's count

  const Pipe* pipe_ = nullptr;
  std::unique_ptr<StatsAggregator> agg_;
  std::vector<std::optional<ColumnFilter>> conds_;  // per aggregate
  bool needs_time_ = false;           // a rate() without a bucket reads the span of the rows seen
  std::vector<uint32_t> sel_;         // selected rows of the current block
  std::vector<uint32_t> gid_;         // their groups
  std::vector<uint32_t> lid_;         // their block-local groups (index into block_gids_)
  std::vector<uint32_t> block_gids_;  // the aggregator's group of each block-local group
  std::vector<uint64_t> counts_;      // per block-local group (count/rate)
  std::vector<uint64_t> counts4_;     // CountGroups' four interleaved tables
  std::vector<std::vector<double>> by_group_;  // per block-local group: percentile values
  std::vector<LocalKey> keys_;                 // per `by` key, reused across blocks
  std::vector<Value> key_views_;               // one block-local group's key, for GroupIndex
  std::vector<uint32_t> hist_;                 // CountOnly: selected rows per dictionary code
};

}  // namespace vigia
