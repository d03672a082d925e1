// HotColumns: the field names the columnar engine's queries read lately — their filters'
// and, when they aggregate, their stats' — so the work done ahead of queries on fresh data
// (fresh_data_warmer.h: a memtable batch's columns built when it is appended, a fresh part's
// chunks decoded into the chunk cache when a flush or a merge writes it) is spent on what the
// dashboards and alert rules will read next, not on every field of every event.
//
// A name stays hot for limits::kHotColumnTtlMs after a query last read it; at most
// limits::kHotColumnsMax names are kept (beyond that the least recently read one goes).
// Whether any query read the block timestamps per row (QueryPlan::reads_time: time buckets,
// partial time ranges) is tracked the same way.
//
// Thread-safety: thread-safe (one mutex, held for a few map updates).
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigia {

class HotColumns {
 public:
  // The process-wide set the engine records into (never destroyed).
  static HotColumns& Default();

  // A query read `names` (and the timestamps per row when reads_time) at now_ns
  // (steady clock).
  void Note(std::span<const std::string> names, bool reads_time, int64_t now_ns);
  void Note(std::span<const std::string> names, bool reads_time);

  // The names read within the TTL before now_ns, most recently read first.
  std::vector<std::string> Names(int64_t now_ns) const;
  std::vector<std::string> Names() const;
  // Did a query read timestamps per row within the TTL?
  bool ReadsTime(int64_t now_ns) const;
  bool ReadsTime() const;

  void Clear();

  static int64_t NowNs();

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> last_read_;  // guarded by mu_
  int64_t time_read_ns_ = -1;                           // guarded by mu_; -1 = never
};

}  // namespace vigia
