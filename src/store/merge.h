// MergeParts: merges several parts of one partition into a single new part.
//
// Streaming k-way merge on the row sort key (part_writer.h RowKey): each input contributes one
// decoded block at a time and the writer holds one output block, so memory is bounded by
// (inputs + 1) blocks whatever the part sizes (limits::kMaxPartsPerMerge bounds the inputs).
// Rows are carried over exactly (every typed column, nulls, strings byte for byte).
//
// The output is written to `tmp_dir` and renamed to `final_dir` (PartWriter), with
// PartMeta::replaces listing the inputs' directory names so that a crash after the rename
// but before the inputs are deleted is repaired at open (PartitionSet). Deleting the inputs
// is the caller's job.
//
// Thread-safety: thread-safe with respect to the inputs (readers are thread-safe); one call
// owns its output directories.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "store/part_reader.h"
#include "store/part_writer.h"

namespace vigia {

struct MergeStats {
  uint64_t rows = 0;
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
};

// REQUIRES: inputs non-empty. options.wal_seq is raised to the inputs' max.
Result<PartMeta> MergeParts(std::span<const std::shared_ptr<PartReader>> inputs,
                            const std::string& tmp_dir, const std::string& final_dir,
                            PartWriterOptions options, MergeStats* stats = nullptr);

}  // namespace vigia
