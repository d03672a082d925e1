// StoreUsage: where the store's disk bytes go — per partition (parts, rows, bytes) and per
// column (chunk bytes, bloom bytes, values), summed from part metadata without reading any
// data. Served by GET /v1/stats (from the live part snapshot) and printed by
// `vigia store stats --data DIR` (from the directory, read-only).
//
// Thread-safety: value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "event/event.h"

namespace vigia {

class PartReader;
struct PartSnapshot;

struct ColumnUsage {
  std::string name;           // field name (all physical types of that name together)
  uint64_t stored_bytes = 0;  // chunk bytes in data files
  uint64_t bloom_bytes = 0;   // bloom filter bytes
  uint64_t values = 0;        // rows where present
};

struct PartitionUsageRow {
  std::string partition;  // directory name, e.g. "20261122" or "20261122.acme"
  uint64_t parts = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;  // disk bytes of its parts (data + bloom + metadata)
};

struct StoreUsage {
  std::vector<PartitionUsageRow> partitions;  // sorted by name (oldest day first)
  std::vector<ColumnUsage> columns;           // biggest (stored + bloom) first
  uint64_t parts = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  std::vector<std::string> unreadable;  // parts that could not be opened (with the reason)

  // Two aligned tables (partitions, then columns) and a totals line.
  std::string ToText() const;
};

// Accumulates parts; Finish() sorts.
class StoreUsageBuilder {
 public:
  void AddPart(std::string_view partition, const PartReader& part);
  StoreUsage Finish();

 private:
  std::map<std::string, PartitionUsageRow, std::less<>> partitions_;
  std::map<std::string, ColumnUsage, std::less<>> columns_;
  StoreUsage usage_;
};

// The decoded column size of a batch's events (8 bytes per timestamp, int and float, 1 per
// bool, the bytes of each string): the "raw" side of StoreStats::compression_ratio().
uint64_t RawEventBytes(const EventBatch& batch);

// Usage of the parts of a snapshot (what a running store serves).
StoreUsage UsageOfSnapshot(const PartSnapshot& snapshot);

// Usage of the parts under `data_dir`, opening each part's metadata (read-only: nothing is
// deleted or repaired, so it is safe beside a running server). Fails only when the parts
// directory exists but cannot be listed.
Result<StoreUsage> CollectStoreUsage(Env* env, const std::string& data_dir);

}  // namespace vigia
