#include "common/scheduler.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <exception>
#include <limits>

#include "common/logger.h"

namespace vigia {

struct Scheduler::Task {
  ScheduledTask spec;
  int64_t slot_ns = 0;  // the planned time without jitter
  int64_t due_ns = 0;   // slot + this run's jitter
  bool claimed = false;
  ScheduledTaskStats stats;
};

Scheduler::Scheduler(SchedulerOptions options)
    : options_(options), env_(options.env != nullptr ? options.env : Env::Default()) {
  assert(options_.threads > 0 && options_.max_wait_ms > 0);
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::AddTask(ScheduledTask task) {
  std::lock_guard<std::mutex> lock(mu_);
  assert(!started_ && task.interval_ns > 0 && task.run);
  for (const auto& t : tasks_) {
    assert(t->spec.name != task.name && "duplicate task name");
    (void)t;
  }
  auto t = std::make_unique<Task>();
  t->stats.name = task.name;
  t->spec = std::move(task);
  tasks_.push_back(std::move(t));
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  assert(!started_);
  started_ = true;
  const int64_t now = env_->MonotonicNanos();
  for (auto& t : tasks_) {
    const int64_t delay = t->spec.first_delay_ns < 0 ? t->spec.interval_ns : t->spec.first_delay_ns;
    t->slot_ns = now + delay;
    t->due_ns = t->slot_ns;  // the first run keeps its exact delay
    t->stats.next_run_ns = t->due_ns;
  }
  if (tasks_.empty()) return;  // nothing to run: no threads
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  idle_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

bool Scheduler::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

void Scheduler::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wake_gen_;
  }
  work_cv_.notify_all();
}

void Scheduler::Settle() {
  std::unique_lock<std::mutex> lock(mu_);
  assert(started_);
  if (threads_.empty()) return;
  const uint64_t gen = ++wake_gen_;
  work_cv_.notify_all();
  idle_cv_.wait(lock, [&] { return stop_ || (seen_gen_ >= gen && running_ == 0); });
}

std::vector<ScheduledTaskStats> Scheduler::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ScheduledTaskStats> out;
  out.reserve(tasks_.size());
  for (const auto& t : tasks_) out.push_back(t->stats);
  return out;
}

void Scheduler::ClaimDue(int64_t now, int64_t* next_due) {
  for (auto& t : tasks_) {
    if (t->claimed) continue;
    if (t->due_ns <= now) {
      t->claimed = true;
      ++running_;
      ready_.push_back(t.get());
    } else {
      *next_due = std::min(*next_due, t->due_ns);
    }
  }
}

int64_t Scheduler::Plan(Task* t, int64_t slot, int64_t now) {
  const int64_t every = t->spec.interval_ns;
  int64_t next = slot + every;
  if (next < now) next += (now - next + every - 1) / every * every;  // the first slot ahead
  t->slot_ns = next;
  int64_t jitter = 0;
  if (t->spec.jitter_ns > 0) {
    // xorshift64: cheap, and good enough to spread runs.
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    jitter = static_cast<int64_t>(rng_ % static_cast<uint64_t>(t->spec.jitter_ns));
  }
  return next + jitter;
}

void Scheduler::RunOne(Task* t) {
  const int64_t start = env_->MonotonicNanos();
  Status st;
  try {
    st = t->spec.run();
  } catch (const std::exception& e) {
    // Tasks report errors through their Status; an exception is a bug, but it must not
    // take the scheduler (and the server) down.
    st = Status::Internal(std::string("task threw: ") + e.what());
  }
  const int64_t end = env_->MonotonicNanos();
  if (!st.ok()) {
    logger::Error("scheduler: task failed", {{"task", t->spec.name}, {"error", st.ToString()}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++t->stats.runs;
  t->stats.last_duration_ns = end - start;
  if (!st.ok()) {
    ++t->stats.failures;
    t->stats.last_error = st.ToString();
  }
  t->due_ns = Plan(t, t->slot_ns, end);
  t->stats.next_run_ns = t->due_ns;
  if (t->due_ns <= end) {
    ready_.push_back(t);  // due again already (it ran up to its next slot): stays claimed
    return;
  }
  t->claimed = false;
  --running_;
}

void Scheduler::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (!ready_.empty()) {
      Task* t = ready_.front();
      ready_.pop_front();
      lock.unlock();
      RunOne(t);
      lock.lock();
      // Its next time may be the earliest now: the waiting workers recompute.
      work_cv_.notify_all();
      idle_cv_.notify_all();
      continue;
    }
    const uint64_t gen = wake_gen_;
    const int64_t now = env_->MonotonicNanos();
    int64_t next_due = std::numeric_limits<int64_t>::max();
    ClaimDue(now, &next_due);
    seen_gen_ = std::max(seen_gen_, gen);
    idle_cv_.notify_all();
    if (!ready_.empty()) {
      if (ready_.size() > 1) work_cv_.notify_all();
      continue;
    }
    const int64_t max_wait = int64_t{options_.max_wait_ms} * 1'000'000;
    const int64_t wait_ns = std::min(next_due - now, max_wait);
    work_cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns),
                      [&] { return stop_ || wake_gen_ != gen || !ready_.empty(); });
  }
  // Claimed but never started: release them so Settle does not wait for them.
  while (!ready_.empty()) {
    ready_.front()->claimed = false;
    ready_.pop_front();
    --running_;
  }
  idle_cv_.notify_all();
}

}  // namespace vigia
