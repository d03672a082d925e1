// Retention policy: which whole partitions to drop. Pure planning, so it is testable to the
// exact partition; PartitionSet::ApplyRetention executes the plan.
//
//  - by age: with `days` = N, a partition whose UTC day is older than the N most recent days
//    (today included) is dropped: day <= today - N.
//  - by size: then, while the remaining partitions total more than `max_disk_bytes`, the oldest
//    (by day, then tenant) is dropped — except partitions of the newest day present, so that
//    fresh data is never the price of an undersized budget.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/limits.h"
#include "store/partition_key.h"

namespace vigia {

struct RetentionPolicy {
  // 0 = keep forever. The library keeps everything unless told otherwise (an embedder or a
  // test with fixed-date data must not lose it as the clock moves); the server's
  // `retention.days` defaults to limits::kRetentionDays.
  int days = 0;
  uint64_t max_disk_bytes = 0;        // 0 = no size limit
};

struct PartitionUsage {
  PartitionKey key;
  uint64_t bytes = 0;
};

// The partitions to drop, oldest first.
std::vector<PartitionKey> PlanRetention(std::vector<PartitionUsage> partitions,
                                        const RetentionPolicy& policy, int64_t now_ns);

}  // namespace vigia
