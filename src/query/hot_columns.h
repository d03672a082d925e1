// HotColumns: the field names the columnar engine's queries read lately — their filters'
// and, when they aggregate, their stats' — so the work done ahead of queries on fresh data
// (fresh_data_warmer.h: a memtable batch's columns built when it is appended, a fresh part's
// chunks decoded into the chunk cache when a flush or a merge writes it) is spent on what the
// dashboards and alert rules will read next, not on every field of every event.
//
// A name becomes hot on its second read within limits::kHotColumnTtlMs of the one before,
// and stays hot for that long after a query last read it. Dashboards refresh and alert rules
// run every few seconds to a minute, so their names are hot from their second run on; a query
// run once (someone exploring, a report, a `vigia query` from a shell) reads its names once
// and has the warmer decode nothing for it — before, its columns were decoded on every flush
// and merge for the next 10 minutes (a `msg` read once meant every fresh part's text, for
// nobody). The chunk cache admits a chunk on its second read for the same reason
// (chunk_cache.h). At most limits::kHotColumnsMax hot names are returned, and twice that many
// names are remembered (beyond that the least recently read one goes). Whether queries read
// the block timestamps per row (QueryPlan::reads_time: time buckets, partial time ranges) is
// tracked the same way.
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
  // (steady clock). REQUIRES: no name twice in `names` (one query reads a name once).
  void Note(std::span<const std::string> names, bool reads_time, int64_t now_ns);
  void Note(std::span<const std::string> names, bool reads_time);

  // The hot names at now_ns (read twice, the last time within the TTL), most recently read
  // first; at most limits::kHotColumnsMax.
  std::vector<std::string> Names(int64_t now_ns) const;
  std::vector<std::string> Names() const;
  // Are the timestamps per row hot (read so twice, the last time within the TTL)?
  bool ReadsTime(int64_t now_ns) const;
  bool ReadsTime() const;

  void Clear();

  static int64_t NowNs();

 private:
  // When a name (or the timestamps) was last read, and whether it was read again within the
  // TTL of a previous read.
  struct Reads {
    int64_t last_ns = -1;  // -1 = never
    bool hot = false;
    void Note(int64_t now_ns);
    bool HotAt(int64_t now_ns) const;
  };

  mutable std::mutex mu_;
  std::unordered_map<std::string, Reads> reads_;  // guarded by mu_
  Reads time_;                                    // guarded by mu_
};

}  // namespace vigia
