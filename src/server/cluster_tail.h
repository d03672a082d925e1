// ClusterTail: the live tail (/v1/tail) of a node in a cluster (storage.backend =
// "clickhouse"; docs/scale-out.md "The live tail in a cluster"). The cluster's nodes are
// stateless behind a load balancer, so a tail cannot follow the node's own ingest (it would
// show only what that node ingested): its events come from polling the shared events table.
//
// One poller thread per node serves all of the node's tails: every `poll_ms` it reads, through
// a ClusterTailSource, the rows at or after its horizon that satisfy any open tail's filter
// (each compiled once when the tail opened), in (ts, seq) order, and publishes the rows it has
// not shown yet to its own LiveFeed, to which the tails subscribe as on one node — so the
// per-subscriber bounds, drop counts, heartbeats and formats are the tail route's, unchanged.
// No tail open: no poll.
//
// Late arrivals: events reach ClickHouse after their ts. The horizon trails the poll's start
// by `lag_ms`, so each poll re-reads the last lag_ms of event time, and the (ts, seq) keys of
// the rows shown since the horizon are kept: a row is shown once however many polls read it,
// and a row that arrives up to lag_ms after its ts is shown (after newer rows shown earlier:
// a tail is in time order except for late arrivals). A row later than that is below the
// horizon and never shown on a tail. The horizon moves only after a poll that read every
// shard: while ClickHouse or a shard is down it stays, and the rows stored meanwhile are shown
// when the reads work again. Past `max_window_keys` kept keys the oldest is forgotten and the
// horizon moves past it (a shorter window under heavy matching load, never a duplicate).
//
// Failures are notices on every tail (LiveFeed::Notify, SSE event `cluster`), sent when the
// state changes: {"cluster":{"state":"unavailable","error":..}} (the poll failed: ClickHouse or
// a shard down without clickhouse.partial_results), {"cluster":{"state":"partial",
// "shards_unavailable":N,"shards_total":M}} (with partial_results: the live shards' rows are
// shown), {"cluster":{"state":"ok"}} when polls work again.
//
// Thread-safety: Register, MarkAfterNextPoll, stats and Stop are thread-safe; the source is
// used by the poller thread only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"
#include "server/live_feed.h"
#include "vql/vql_ast.h"

namespace vigia {

// Where a cluster tail's rows come from (the ClickHouse storage backend's events table).
class ClusterTailSource {
 public:
  struct ReadResult {
    uint64_t rows_read = 0;
    uint64_t bytes_read = 0;
    uint32_t shards_total = 0;
    uint32_t shards_unavailable = 0;  // > 0: some rows may be missing (partial results)
  };
  virtual ~ClusterTailSource() = default;
  // One tail's filter as the source's condition. InvalidArgument when it cannot be compiled.
  virtual Result<std::string> Compile(const Filter& filter, int64_t now_ns) = 0;
  // The rows with ts >= from_ns satisfying any of `conditions`, in (ts, seq) order; `keep` is
  // asked once per row; the kept rows go to `on_batch`.
  virtual Result<ReadResult> Read(
      const std::vector<std::string>& conditions, int64_t from_ns,
      const std::function<bool(int64_t ts, uint64_t seq)>& keep,
      const std::function<Status(std::shared_ptr<EventBatch>)>& on_batch,
      const std::atomic<bool>* cancel) = 0;
};

struct ClusterTailOptions {
  int poll_ms = limits::kTailClusterPollMs;  // tail.cluster_poll_ms
  int lag_ms = limits::kTailClusterLagMs;    // tail.cluster_lag_ms
  size_t max_window_keys = limits::kMaxTailClusterWindowKeys;
  std::function<int64_t()> now_ns;  // event-time clock; empty = the wall clock
  LiveFeed::Options feed;
};

class ClusterTail {
 public:
  struct Stats {
    uint64_t polls = 0;
    uint64_t poll_failures = 0;
    uint64_t rows_read = 0;  // rows the polls read (re-read ones included)
    uint64_t bytes_read = 0;
    uint64_t events_published = 0;  // rows shown (published to the tails' feed)
    uint64_t window_keys = 0;
    uint64_t window_evictions = 0;  // keys forgotten past max_window_keys
    std::string last_error;
  };

  ClusterTail(std::unique_ptr<ClusterTailSource> source, ClusterTailOptions options);
  ~ClusterTail();  // Stop()
  ClusterTail(const ClusterTail&) = delete;
  ClusterTail& operator=(const ClusterTail&) = delete;

  // The feed the tails subscribe to.
  LiveFeed* feed() { return &feed_; }

  // Adds a tail's filter to the polls for as long as the returned handle lives.
  // InvalidArgument when the source cannot compile it.
  Result<std::shared_ptr<const void>> Register(const Filter& filter, int64_t now_ns);

  // Waits (at most `max_wait_ms`) for a poll that starts after this call to end, and returns
  // the feed's reserved() then: every row that was in the source before the call and that
  // the poller will ever show was published below it (the seam of a `since` backfill).
  uint64_t MarkAfterNextPoll(int max_wait_ms);

  Stats stats() const;
  // Ends the tails (the feed stops) and joins the poller. Idempotent.
  void Stop();

 private:
  using Key = std::pair<int64_t, uint64_t>;  // (ts, seq)
  enum class State : uint8_t { kOk, kPartial, kUnavailable };

  void Run();
  void PollOnce();
  // Conditions of the live registrations (expired ones pruned), deduplicated.
  std::vector<std::string> Conditions();
  void SetState(State state, const std::string& json);
  int64_t Now() const;

  const ClusterTailOptions options_;
  std::unique_ptr<ClusterTailSource> source_;
  LiveFeed feed_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poll_now_ = false;
  uint64_t polls_started_ = 0;
  uint64_t polls_ended_ = 0;
  std::vector<std::weak_ptr<const std::string>> registrations_;
  Stats stats_;
  std::atomic<bool> cancel_{false};

  // Poller thread only.
  bool active_ = false;  // a tail was open at the last poll: horizon_ and seen_ are valid
  Key horizon_{0, 0};    // rows below it are never shown
  std::set<Key> seen_;   // rows shown at or above the horizon
  State state_ = State::kOk;

  std::thread thread_;  // last: started when everything above is ready
};

}  // namespace vigia
