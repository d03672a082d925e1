// TailSeam: the seam between a tail's backfill (the stored events since `since`, read
// through a QueryBackend) and its live events (LiveFeed), without a gap and without sending
// an event twice — for any backend, since it needs nothing from the backend but the rows it
// returned.
//
// Events carry no id, so an event is known by its cursor key: (ts, a hash of its content —
// every non-null field, order-independent). The tail subscribes to the feed before the
// backfill starts (no gap: an event stored after the backfill's view was fixed is published
// to the tail) and holds the live batches while the backfill runs. The backfill records the
// key of every row it sends (Sent). When it ends, the feed's next ticket is the mark (Close):
// ingest takes a batch's ticket before it stores it (LiveFeed::Reserve), so every batch the
// backfill could have read has a ticket below the mark, however late it is published — a
// batch stored, then held up before its publication (commit hooks, a preempted thread)
// while the whole backfill ran. Each event of a live batch below the mark whose key the
// backfill sent is skipped, consuming one occurrence (a multiset, so two identical events are
// both delivered when the backfill had only one of them). A batch at or above the mark was
// stored after the backfill ended: nothing of it is skipped. The seam ends (Expire) `hold`
// after Close: the keys are freed.
//
// Residual cases (documented in docs/http-api.md):
//   - An event stored before the backfill ended but published more than `hold` after it
//     (limits::kTailSeamHoldMs: 10 s) is sent twice.
//   - Two identical events (same ts to the nanosecond, same fields and values), one in the
//     backfill and the other stored while the backfill ran but after its view was fixed: the
//     live one is taken for the backfilled one and not sent.
//   - Only the keys of the newest `max_keys` backfilled rows are kept (bounded memory): a
//     live event of the seam that is older than all of them is sent twice.
//
// Thread-safety: externally synchronized (the tail subscriber's lock).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "event/event.h"
#include "query/query_record.h"

namespace vigia {

class TailSeam {
 public:
  struct Key {
    int64_t ts = 0;
    uint64_t content = 0;
    bool operator==(const Key& o) const { return ts == o.ts && content == o.content; }
  };

  // The key of a backfilled row and of a live event: equal for the same event.
  static Key RowKey(const QueryRecord& row);
  static Key EventKey(const EventBatch& batch, const EventBatch::EventRef& e);

  using Clock = std::chrono::steady_clock;

  TailSeam(size_t max_keys, std::chrono::milliseconds hold) : max_keys_(max_keys), hold_(hold) {}

  // The backfill sent `row`. REQUIRES: before Close().
  void Sent(const QueryRecord& row);

  // The backfill has ended and the feed's next ticket was `live_mark` (LiveFeed::reserved()
  // read after the backfill's last row): live batches with a ticket below it are the seam.
  void Close(uint64_t live_mark, Clock::time_point now);

  // Whether the live event (of the batch with feed ticket `ticket`, matching the tail's
  // filter) was already sent by the backfill; if so one occurrence of it is consumed.
  // REQUIRES: after Close().
  bool SkipLive(uint64_t ticket, const EventBatch& batch, const EventBatch::EventRef& e);

  // Ends the seam (frees the keys) once `hold` has passed since Close.
  void Expire(Clock::time_point now);

 private:
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return static_cast<size_t>(k.content ^ (static_cast<uint64_t>(k.ts) * 0x9E3779B97F4A7C15ull));
    }
  };

  const size_t max_keys_;
  const std::chrono::milliseconds hold_;
  std::deque<Key> sent_;  // before Close: the newest max_keys_ backfilled rows
  std::optional<uint64_t> mark_;
  Clock::time_point closed_at_;
  std::unordered_map<Key, uint32_t, KeyHash> unmatched_;  // after Close, until the seam ends
};

}  // namespace vigia
