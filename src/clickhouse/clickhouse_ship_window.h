// ShipWindow: the INSERTs of the ClickHouse outbox that are in flight at once
// (clickhouse.insert_concurrency, clickhouse_outbox.h), and the watermark they leave behind.
// Each INSERT carries a contiguous range of outbox records [first, last], ranges are begun in
// WAL order and never overlap, but they may complete in any order. The watermark is the last
// record of the longest prefix of begun ranges that have all completed: only up to it may the
// outbox release its WAL (the state file, the segments, the backlog). A range that completes
// ahead of an older one waits, done, until the older one completes too; a range that fails is
// retried by its sender and stays in the window (holding the watermark back) until it succeeds.
//
// Thread-safety: externally synchronized (the outbox's mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace vigia::clickhouse {

class ShipWindow {
 public:
  // `watermark`: the last record already released (outbox.state's), 0 for none.
  explicit ShipWindow(uint64_t watermark = 0) : watermark_(watermark) {}

  // Starts a range. REQUIRES: watermark() < first <= last, first > every begun range's last.
  void Begin(uint64_t first, uint64_t last);
  // Marks the range starting at `first` as acknowledged; returns the watermark after it (it
  // moves only when this was the oldest range in flight). REQUIRES: that range was begun
  // and not completed.
  uint64_t Complete(uint64_t first);

  uint64_t watermark() const { return watermark_; }
  // Ranges begun and not yet released (in flight, or done behind an older one).
  size_t in_flight() const { return ranges_.size(); }

 private:
  struct Range {
    uint64_t first = 0;
    uint64_t last = 0;
    bool done = false;
  };
  std::deque<Range> ranges_;  // in WAL order
  uint64_t watermark_ = 0;
};

}  // namespace vigia::clickhouse
