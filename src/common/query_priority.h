// Queries first (issue 20, mixed load): a process-wide record of the queries running, which
// the work that can wait consults to give way to them while they run —
//   * background part writers (merges, memtable flushes) pause before each column chunk they
//     encode, on either encoding thread, and every few thousand rows they transpose
//     (BackgroundYield, through PartWriterOptions::yield_point);
//   * ingest decodes and stores one batch at a time instead of one per HTTP worker
//     (IngestTurn), so ingest takes one core, not both, while a query runs; a batch already
//     under way steps aside at its next checkpoint (every few hundred records) when a query
//     starts, not only the batches that start after it.
// The points are fine-grained on purpose: a query of this server runs for 5-30 ms, and a
// gate checked once per 20,000-event batch (~60 ms of decoding) or per 32k-row block was
// hardly ever reached while one ran (issue 20, round twelve: 2 ingest waits and 2 background
// waits in a run of 14 queries under full ingest).
// On 2 cores a query scanning with both threads competes with two ingest workers, the flush
// and a merge; measured before this (docs/ingest-performance.md, "Mixed load") the query ran
// 8.5x slower during a full-speed ingest than idle.
//
// Every wait is bounded (common/limits.h: kIngestQueryWaitMaxMs, kFlushQueryYieldBudgetMs,
// kMergeQueryYieldBudgetMs), so a steady stream of queries slows merges, flushes and ingest
// but never stops them: the memtable still drains (memory stays bounded, an append never
// waits out kMemtableStallMaxMs because of a yield), and nothing here runs between an
// acknowledgement and the WAL — batches are durable before they reach a flush.
//
// Thread-safety: QueryPriority is thread-safe. A Scope, an IngestTurn and a BackgroundYield
// each belong to one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace vigia {

class QueryPriority {
 public:
  // enabled = false: queries are not counted, so nothing ever waits (the behaviour before
  // this existed; for before/after measurements).
  explicit QueryPriority(bool enabled = true) : enabled_(enabled) {}
  QueryPriority(const QueryPriority&) = delete;
  QueryPriority& operator=(const QueryPriority&) = delete;

  // The one the server's queries, ingest and store share. Disabled when the environment has
  // VIGIA_QUERY_PRIORITY=off (bench/mixed_load.sh compares both on the same binary).
  static QueryPriority& Global();

  // One query running, for the Scope's lifetime.
  class Scope {
   public:
    explicit Scope(QueryPriority* p);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    QueryPriority* p_;
  };

  // One ingest batch being decoded and stored, for the turn's lifetime. While a query runs, a
  // batch waits until no other batch is active; when none runs, batches go in parallel as
  // before. `max_wait` bounds all the waits of one turn together (its start and its
  // checkpoints), so a steady stream of queries delays a batch by at most that.
  class IngestTurn {
   public:
    IngestTurn(QueryPriority* p, std::chrono::milliseconds max_wait);
    ~IngestTurn();
    IngestTurn(const IngestTurn&) = delete;
    IngestTurn& operator=(const IngestTurn&) = delete;

    // Where a batch under way gives way: while a query runs and another batch is active,
    // this one steps aside until the query ends or no other batch is active (within what is
    // left of `max_wait`). One relaxed atomic load when no query runs: call it every few
    // hundred records.
    void Checkpoint();

    bool waited() const { return waited_; }

   private:
    void WaitLocked(std::unique_lock<std::mutex>& l);

    QueryPriority* p_;
    std::chrono::nanoseconds left_;
    bool waited_ = false;
  };

  int queries_running() const { return queries_.load(std::memory_order_relaxed); }
  int ingest_batches_active() const;

  // Waits while a query runs, at most `max_wait`; returns how long it waited (zero at once,
  // without taking a lock, when no query runs).
  std::chrono::nanoseconds WaitWhileQueriesRun(std::chrono::nanoseconds max_wait);

  struct Stats {
    uint64_t queries = 0;             // Scopes entered
    uint64_t background_waits = 0;    // WaitWhileQueriesRun calls that waited
    uint64_t background_wait_ns = 0;  // their total time
    uint64_t ingest_waits = 0;        // times a batch waited for another (start or checkpoint)
    uint64_t ingest_wait_ns = 0;      // their total time
  };
  Stats stats() const;

 private:
  void Leave();

  const bool enabled_;
  std::atomic<int> queries_{0};
  std::atomic<uint64_t> entered_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;  // a query ended, or an ingest batch finished decoding
  int ingest_active_ = 0;       // guarded by mu_
  Stats waits_;                 // guarded by mu_ (queries taken from entered_)
};

// A background job's allowance of waiting for queries (a flush, a merge): Yield() waits
// while queries run, and the waits of one job add up to at most `budget`; after that Yield()
// returns at once, so the job finishes however many queries arrive. Thread-safe: a job's
// threads (a part writer and its encode helper) share one; waits that overlap each count.
class BackgroundYield {
 public:
  BackgroundYield(QueryPriority* p, std::chrono::milliseconds budget)
      : p_(p), left_ns_(std::chrono::nanoseconds(budget).count()) {}

  void Yield();
  std::chrono::nanoseconds waited() const {
    return std::chrono::nanoseconds(waited_ns_.load(std::memory_order_relaxed));
  }

 private:
  QueryPriority* p_;
  std::atomic<int64_t> left_ns_;
  std::atomic<int64_t> waited_ns_{0};
};

}  // namespace vigia
