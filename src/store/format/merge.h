// MergeParts: merges several parts of one partition into a single new part.
//
// Streaming k-way merge on the row sort key (part_writer.h RowKey), column by column: each
// input contributes one decoded block at a time, held as the reader decodes its chunks
// (typed values, dictionary codes, string views into the chunk buffers — no rows of
// `Field`). The inputs' _time, service and kind columns give the merge order (which input
// and row each output row comes from); each output block is then built one column at a time
// from those source chunks and encoded by the PartWriter's columnar path (BeginBlock /
// AddChunk / EndBlock), with the row writer's column numbering, block boundaries and
// metadata, so the part is byte for byte the one the row merge (MergePartsByRows) writes.
// Memory: the source blocks the current output block reads from (about inputs + 1 blocks
// when blocks are full) plus one output column; limits::kMaxPartsPerMerge bounds the inputs.
// Rows are carried over exactly (every typed column, nulls, strings byte for byte).
//
// The output is written to `tmp_dir` and renamed to `final_dir` (PartWriter), with
// PartMeta::replaces listing the inputs' directory names so that a crash after the rename
// but before the inputs are deleted is repaired at open (PartitionSet). Deleting the inputs
// is the caller's job.
//
// SelectMergeInputs is the merge policy: size tiers, so that every row is rewritten about
// log_fanin(total / flush size) times instead of once per merge of its partition.
//
// Thread-safety: thread-safe with respect to the inputs (readers are thread-safe); one call
// owns its output directories. SelectMergeInputs is a pure function.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "store/format/part_reader.h"
#include "store/format/part_writer.h"

namespace vigia {

struct MergeStats {
  uint64_t rows = 0;
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
};

// Chooses the parts of one partition to merge next, given each candidate's row count.
// Parts fall in size tiers [ratio^t, ratio^(t+1)) rows; the lowest tier with at least
// `min_parts` parts is merged (its `max_parts` smallest). Returns indexes into `rows`
// (ascending by size), or nothing when no tier is full. Why tiers: merging a big part with each new
// small one rewrites the big one every few flushes (quadratic in the partition's size);
// merging only like-sized parts bounds every row's rewrites by the number of tiers.
std::vector<size_t> SelectMergeInputs(std::span<const uint64_t> rows, size_t min_parts,
                                      size_t max_parts,
                                      uint64_t tier_ratio = limits::kMergeTierRatio);

// Which rows a rewrite removes (erasure, retention by kind): true = delete the row.
using RowPredicate = std::function<bool(int64_t ts, std::span<const Field> fields)>;

// How many rows of `input` `doomed` selects (decodes every block).
Result<uint64_t> CountRows(const PartReader& input, const RowPredicate& doomed);

// Copies `input` without the rows `doomed` selects into a new part (tmp_dir → final_dir, the
// rename being the commit point), in the input's row order; options.wal_seq is raised to the
// input's. The caller lists the input in options.replaces, so that a crash after the rename
// is repaired at open exactly like an interrupted merge: the old part or the new one, never
// both. REQUIRES: at least one row is kept (CountRows < rows).
Result<PartMeta> RewritePartWithout(const PartReader& input, const RowPredicate& doomed,
                                    const std::string& tmp_dir, const std::string& final_dir,
                                    PartWriterOptions options, MergeStats* stats = nullptr);

// REQUIRES: inputs non-empty. options.wal_seq is raised to the inputs' max.
Result<PartMeta> MergeParts(std::span<const std::shared_ptr<PartReader>> inputs,
                            const std::string& tmp_dir, const std::string& final_dir,
                            PartWriterOptions options, MergeStats* stats = nullptr);

// The same merge through rows: every input block decoded to events and re-added through
// PartWriter::AddWithKey (one block of rows per input in memory). The reference the
// columnar merge is tested against, and what MergeParts falls back to for an input holding
// two columns of one (name, type) — which the writer never writes; the row path keeps the
// first value of such a row.
Result<PartMeta> MergePartsByRows(std::span<const std::shared_ptr<PartReader>> inputs,
                                  const std::string& tmp_dir, const std::string& final_dir,
                                  PartWriterOptions options, MergeStats* stats = nullptr);

}  // namespace vigia
