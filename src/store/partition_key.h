// PartitionKey: the partition an event belongs to — its UTC day and its tenant — and the
// partition directory name that encodes it: "YYYYMMDD" for the default (empty) tenant,
// "YYYYMMDD.<tenant>" otherwise, with every tenant byte outside [A-Za-z0-9_-] written as
// %XX so that any tenant string maps to a safe, reversible name.
//
// Thread-safety: value type and pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time_units.h"

namespace vigia {

struct PartitionKey {
  int32_t day = 0;  // days since 1970-01-01 (UTC)
  std::string tenant;

  bool operator==(const PartitionKey&) const = default;
  bool operator<(const PartitionKey& o) const {
    return day != o.day ? day < o.day : tenant < o.tenant;
  }
};

// Floor division: events before 1970 land in negative days, not day 0.
inline int32_t DayOf(int64_t ts_ns) {
  int64_t d = ts_ns / kNanosPerDay;
  if (ts_ns % kNanosPerDay < 0) --d;
  return static_cast<int32_t>(d);
}

inline PartitionKey PartitionKeyOf(int64_t ts_ns, std::string_view tenant) {
  return PartitionKey{DayOf(ts_ns), std::string(tenant)};
}

std::string PartitionDirName(const PartitionKey& key);
// Inverse of PartitionDirName; nullopt for names it did not produce.
std::optional<PartitionKey> ParsePartitionDirName(std::string_view name);

}  // namespace vigia
