// MemtableAdmission: the memtable's hard memory limit (store.memtable_max_bytes).
//
// Every Store::Append admits its batch's bytes here before it writes the WAL. They stay
// counted from admission until the flush that takes them out of the memtable releases them,
// so bytes admitted but not yet inserted (encoding, queued for the WAL's group commit) count
// too: concurrent appenders cannot together overshoot the limit, as they could when each
// only looked at the memtable's size (all saw room, all inserted).
//
// An Append whose batch does not fit waits, in arrival order (a big batch is not starved by
// small ones), for a flush to release bytes; after `max_wait_ns` on the Env's monotonic
// clock it is refused with Unavailable (ingest answers 503 + Retry-After). A batch larger
// than the whole limit is admitted when nothing else is (empty memtable, nothing in flight),
// so no batch waits forever. The timeout is read from the Env, so tests move it by hand
// (FakeClockEnv); a waiter re-reads the clock at least every kPollNs of real time.
//
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

class MemtableAdmission {
 public:
  // How often (real time) a waiter re-reads the Env's clock for its timeout: a fake clock
  // moved by a test is noticed this soon; with the real clock it only costs a wake-up.
  static constexpr int64_t kPollNs = 20'000'000;

  struct Stats {
    uint64_t admitted_bytes = 0;  // in the memtable or on their way into it
    uint64_t waiting = 0;         // appenders waiting now
    uint64_t stalls = 0;          // appends that had to wait, since construction
    uint64_t refusals = 0;        // appends refused after waiting max_wait_ns
  };

  // max_bytes = 0: no limit (Admit never waits). REQUIRES: env outlives this object.
  MemtableAdmission(uint64_t max_bytes, int64_t max_wait_ns, Env* env);

  // Counts `bytes` as admitted, first waiting while they do not fit. `on_stall` (may be
  // empty) runs when this caller starts waiting, under this object's lock (it must not call
  // back into it): the store wakes its flush thread there. Unavailable after max_wait_ns, or
  // when Close() was called.
  Status Admit(uint64_t bytes, const std::function<void()>& on_stall);
  // Counts bytes already in the memtable (the WAL replay at Open) without waiting.
  void AdmitUnchecked(uint64_t bytes);
  // Bytes leaving: flushed out of the memtable, or admitted for an append that failed.
  void Release(uint64_t bytes);
  // Wakes every waiter; they and every later Admit fail with Unavailable. Idempotent.
  void Close();

  bool has_waiters() const;
  uint64_t max_bytes() const { return max_bytes_; }
  Stats stats() const;

 private:
  // REQUIRES: mu_ held.
  bool Fits(uint64_t bytes) const;

  const uint64_t max_bytes_;
  const int64_t max_wait_ns_;
  Env* const env_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t admitted_ = 0;       // guarded by mu_
  std::deque<uint64_t> queue_;  // guarded by mu_; tickets of the waiters, oldest first
  uint64_t next_ticket_ = 0;    // guarded by mu_
  bool closed_ = false;         // guarded by mu_
  uint64_t stalls_ = 0;         // guarded by mu_
  uint64_t refusals_ = 0;       // guarded by mu_
};

}  // namespace vigia
