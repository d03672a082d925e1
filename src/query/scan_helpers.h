// ScanHelpers: a few long-lived threads that join a query's scan when they are free, so a
// query never waits for a thread to start.
//
// The columnar engine splits a big scan between kQueryWorkerThreads threads. It used to start
// a thread per query and join it at the end; on a VM a thread started on an idle vCPU begins
// running 0.1-1 ms later, and the join waited for it even when the calling thread had
// already scanned every block alone (a 2 ms query, issue 20's errors_1h, spent half its time
// there). Here the caller offers slots to idle helpers and scans itself at once; when it
// has run out of work it withdraws the slots no helper has taken and waits only for the
// helpers that took one — each is then finishing the block in hand.
//
// Priority: helpers inherit the nice value of the thread that creates the pool (the first
// caller of Default()); background scans that run at a lowered priority (the start-up
// refill) must not use the pool, or they would run their blocks at the helpers' priority.
//
// Thread-safety: Run may be called from any number of threads at once; each call's slots
// go to at most one helper each.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vigia {

class ScanHelpers {
 private:
  struct Offer {
    const std::function<void(size_t)>* fn = nullptr;
    size_t next_slot = 1;  // the next slot a helper takes
    size_t end_slot = 1;   // one past the last slot
    size_t running = 0;    // slots taken and not yet returned
  };

 public:
  // Starts `threads` helper threads.
  explicit ScanHelpers(size_t threads);
  ScanHelpers(const ScanHelpers&) = delete;
  ScanHelpers& operator=(const ScanHelpers&) = delete;
  // Stops and joins the helpers. REQUIRES: no Run in progress.
  ~ScanHelpers();

  // The process's pool (limits::kQueryWorkerThreads helpers), started on first use and
  // never destroyed (helpers may still be waiting for work when the process exits).
  static ScanHelpers& Default();

  // Runs fn(0) on the calling thread and offers fn(1), ..., fn(extra) to idle helpers.
  // Returns once fn(0) has returned and every slot a helper took has returned; the slots
  // no helper took by the time fn(0) returned are never run. fn must therefore leave
  // nothing undone that only a helper's slot would do: the slots share a work queue.
  // REQUIRES: fn is safe to call from several threads at once with distinct slots.
  void Run(size_t extra, const std::function<void(size_t)>& fn);

  // Run in two steps, for a caller that offers its slots only once its own slot has run
  // for a while: a scan that ends sooner wakes no helper (on a VM the wake-up and the wait
  // for the helper's block cost more than a short scan gains). Construct, call fn(0) on
  // the calling thread (it may call OfferSlots, from that thread, at any point), then Finish.
  // Thread-safety: one thread uses a Job.
  class Job {
   public:
    // REQUIRES: fn outlives the Job, with Run's requirements.
    Job(ScanHelpers* pool, size_t extra, const std::function<void(size_t)>* fn);
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;
    ~Job() { Finish(); }

    // Offers the slots to idle helpers; later calls do nothing.
    void OfferSlots();
    bool offered() const { return offered_; }
    // Withdraws the slots no helper took and waits for those taken to return.
    void Finish();

   private:
    ScanHelpers* pool_;
    Offer offer_;
    bool offered_ = false;
    bool finished_ = false;
  };

  // Slots helpers have run since the pool started (tests: a helper did take part).
  size_t slots_run() const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // an offer was queued, or stopping
  std::condition_variable done_cv_;  // a taken slot returned
  std::deque<Offer*> queue_;         // offers with slots left, oldest first
  size_t slots_run_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigia
