#include "store/retention.h"

#include <algorithm>

namespace vigia {

std::vector<PartitionKey> PlanRetention(std::vector<PartitionUsage> partitions,
                                        const RetentionPolicy& policy, int64_t now_ns) {
  std::sort(partitions.begin(), partitions.end(),
            [](const PartitionUsage& a, const PartitionUsage& b) { return a.key < b.key; });
  std::vector<PartitionKey> drop;
  std::vector<PartitionUsage> keep;
  const int32_t today = DayOf(now_ns);
  for (const PartitionUsage& p : partitions) {
    if (policy.days > 0 && p.key.day <= today - policy.days) {
      drop.push_back(p.key);
    } else {
      keep.push_back(p);
    }
  }
  if (policy.max_disk_bytes > 0 && !keep.empty()) {
    uint64_t total = 0;
    for (const auto& p : keep) total += p.bytes;
    const int32_t newest = keep.back().key.day;
    for (const auto& p : keep) {
      if (total <= policy.max_disk_bytes || p.key.day == newest) break;
      drop.push_back(p.key);
      total -= p.bytes;
    }
  }
  return drop;
}

}  // namespace vigia
