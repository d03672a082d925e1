// EncodeHelper: a second thread for a part writer's block encoding (issue 20, round eight:
// the memtable flush on both cores). A job is tasks 0..n-1 of one function: Start hands
// them to the helper thread, which runs them in index order while the caller does other
// work (the writer transposes the next block's rows); Finish runs the tasks not taken yet on
// the calling thread too, and returns once all n have run. One job at a time.
//
// The helper thread is created at the first Start (a writer of one small block never makes
// one) and is named "vigia-encode". It inherits the creating thread's scheduling priority —
// on Linux a nice value belongs to a thread and a new thread starts with its creator's — so
// a flush's helper runs at the flush's nice value, below the ingest and query threads, and
// it runs only the jobs its owner starts; a writer's tasks call its yield_point hook first,
// where background writers give way to queries (common/query_priority.h).
// If the thread cannot be created, Finish runs every task on the caller.
//
// Thread-safety: one owner thread calls Start, Finish and the destructor. The task function
// runs on the owner and the helper at once, never twice for one index; what it reads must
// not change between Start and Finish, and what task i writes is the owner's to read once
// Finish returns. The destructor lets a task in progress end and drops the rest.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

namespace vigia {

class EncodeHelper {
 public:
  EncodeHelper() = default;
  ~EncodeHelper();
  EncodeHelper(const EncodeHelper&) = delete;
  EncodeHelper& operator=(const EncodeHelper&) = delete;

  // REQUIRES: no job running (Finish returned since the last Start).
  void Start(size_t n, std::function<void(size_t)> task);
  // Runs the job's remaining tasks here too and waits for the helper's. No-op without a job.
  void Finish();

  // Tasks of all jobs run on the helper thread (tests, measurements).
  size_t helper_tasks() const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a job started, or stop_
  std::condition_variable done_cv_;  // a task of the job ended
  std::function<void(size_t)> task_;
  size_t n_ = 0;     // tasks of the job
  size_t next_ = 0;  // the next task to take
  size_t done_ = 0;  // tasks ended
  size_t helper_tasks_ = 0;
  bool stop_ = false;
  bool tried_thread_ = false;
  std::thread thread_;
};

}  // namespace vigia
