// Scheduler: periodic background work (retention today; alert evaluation, probes and
// backups next) on a few worker threads, timed by an Env's monotonic clock so tests drive it
// with a fake clock (common/fake_clock_env.h) instead of sleeping.
//
// A task has a name, an interval, an optional first-run delay and jitter. It never overlaps
// itself: its next run is planned when a run ends, at the next multiple of the interval
// after the planned time that is still ahead (runs missed while it ran long or while the
// clock jumped are skipped, not caught up in a burst), plus a random jitter in [0, jitter).
// Different tasks run in parallel up to `threads`. A task that fails (non-OK Status, or an
// exception) is logged and counted, and runs again at its next time.
//
// Stop() waits for running tasks to return and joins the threads; long tasks should check
// stopping() and return early.
//
// Thread-safety: thread-safe, except that AddTask is called before Start (externally
// synchronized with it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/status.h"

namespace vigia {

struct SchedulerOptions {
  Env* env = nullptr;  // its MonotonicNanos() is the clock; nullptr = Env::Default()
  int threads = 2;     // tasks that may run at the same time
  // The workers re-read the clock at least this often: a fake clock does not wake them
  // (Settle does), and a real one may be adjusted.
  int max_wait_ms = 1000;
};

struct ScheduledTask {
  std::string name;  // in logs and stats; unique per scheduler
  int64_t interval_ns = 0;
  // Time from Start() to the first run; negative = one interval.
  int64_t first_delay_ns = -1;
  // Each run is planned up to this much later than its slot, at random (so periodic work of
  // many servers does not fire in step).
  int64_t jitter_ns = 0;
  std::function<Status()> run;
};

struct ScheduledTaskStats {
  std::string name;
  uint64_t runs = 0;       // finished runs, failed or not
  uint64_t failures = 0;   // runs that returned an error or threw
  std::string last_error;  // of the latest failure; empty when none
  int64_t last_duration_ns = 0;
  int64_t next_run_ns = 0;  // on the scheduler's clock
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerOptions options = {});
  ~Scheduler();  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // REQUIRES: not started; task.interval_ns > 0; task.run set; no task of that name yet.
  void AddTask(ScheduledTask task);
  // Starts the worker threads; the first runs are planned from now. REQUIRES: called once.
  void Start();
  // Waits for the running tasks to return and joins the threads; no task starts after it
  // began. Idempotent.
  void Stop();
  bool stopping() const;

  // Makes the workers read the clock now (a fake clock moved; they would otherwise see it
  // within max_wait_ms).
  void Wake();
  // Makes the workers read the clock now and waits until every task due by then has run
  // and returned. After a test advanced a fake clock, this is the point where the due tasks
  // have run. REQUIRES: started (returns at once when stopped).
  void Settle();

  std::vector<ScheduledTaskStats> Stats() const;

 private:
  struct Task;
  void WorkerLoop();
  // Marks the tasks due at `now` running and queues them. REQUIRES: mu_ held.
  void ClaimDue(int64_t now, int64_t* next_due);
  void RunOne(Task* t);
  int64_t Plan(Task* t, int64_t slot, int64_t now);

  const SchedulerOptions options_;
  Env* const env_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::deque<Task*> ready_;  // due and claimed, not yet picked up by a worker
  int running_ = 0;          // claimed tasks (queued or running)
  uint64_t wake_gen_ = 0;    // bumped by Settle
  uint64_t seen_gen_ = 0;    // the highest wake_gen_ a worker has read the clock after
  bool started_ = false;
  bool stop_ = false;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
  std::vector<std::thread> threads_;
};

}  // namespace vigia
