// Retention policy: which whole partitions to drop, and which rows of the partitions kept
// expire on their own. Pure planning, so it is testable to the exact partition;
// PartitionSet::ApplyRetention executes the partition plan, the Store the row rules.
//
//  - by age: an event is kept `DaysFor(tenant, kind, level)` UTC days (today included): the
//    first rule that matches it, else `days`. A partition (day × tenant) whose day is older
//    than the longest any event of its tenant is kept (MaxDaysFor) is dropped whole:
//    day <= today - N. Inside the partitions kept, the rows whose own rule expired them
//    (debug for 3 days, requests for 30, audit forever) are removed by rewriting their parts
//    (PartitionSet::DeleteRows), once per part and UTC day.
//  - by size: then, while the remaining partitions total more than `max_disk_bytes`, the oldest
//    (by day, then tenant) is dropped — except partitions of the newest day present, so that
//    fresh data is never the price of an undersized budget.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"
#include "store/partition_key.h"

namespace vigia {

// "kind=debug:3": events that match every selector set here are kept `days` (0 = forever).
// An event without kind is a log, without level an info (the event model's defaults).
struct RetentionRule {
  std::optional<std::string> tenant;  // unset = any tenant ("" = the default tenant)
  std::string kind;                   // empty = any
  std::string level;                  // empty = any
  int days = 0;
  bool operator==(const RetentionRule&) const = default;
};

struct RetentionPolicy {
  // 0 = keep forever. The library keeps everything unless told otherwise (an embedder or a
  // test with fixed-date data must not lose it as the clock moves); the server's
  // `retention.days` defaults to limits::kRetentionDays.
  int days = 0;
  uint64_t max_disk_bytes = 0;  // 0 = no size limit
  // Per tenant, kind or level; the first that matches an event wins, else `days`.
  std::vector<RetentionRule> rules;

  // How many UTC days an event is kept (0 = forever).
  int DaysFor(std::string_view tenant, std::string_view kind, std::string_view level) const;
  // The longest any event of `tenant` is kept (0 = forever): its partitions go whole after it.
  int MaxDaysFor(std::string_view tenant) const;
  // The longest any event is kept (0 = forever): the ingest admission window.
  int MaxDays() const;
  // Whether anything expires by age at all.
  bool ByAge() const;
};

// "kind=audit:forever, level=debug:3, tenant=acme kind=request:90" (retention.rules).
Result<std::vector<RetentionRule>> ParseRetentionRules(std::string_view text);
// The days an event of `batch` is kept under `policy` (its tenant, kind and level fields).
int RetentionDaysOf(const RetentionPolicy& policy, std::span<const Field> fields);

struct PartitionUsage {
  PartitionKey key;
  uint64_t bytes = 0;
};

// The partitions to drop, oldest first.
std::vector<PartitionKey> PlanRetention(std::vector<PartitionUsage> partitions,
                                        const RetentionPolicy& policy, int64_t now_ns);

}  // namespace vigia
