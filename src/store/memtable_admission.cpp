// MemtableAdmission: the memtable's hard memory limit (see memtable_admission.h).
#include "store/memtable_admission.h"

#include <algorithm>
#include <chrono>

#include "common/logger.h"

namespace vigia {

MemtableAdmission::MemtableAdmission(uint64_t max_bytes, int64_t max_wait_ns, Env* env)
    : max_bytes_(max_bytes), max_wait_ns_(max_wait_ns), env_(env) {}

bool MemtableAdmission::Fits(uint64_t bytes) const {
  // Nothing admitted: even a batch above the whole limit goes in, or it would wait forever.
  return max_bytes_ == 0 || admitted_ == 0 || admitted_ + bytes <= max_bytes_;
}

Status MemtableAdmission::Admit(uint64_t bytes, const std::function<void()>& on_stall) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return Status::Unavailable("store is closed");
  // Waiters go first: a newcomer that fits still queues behind them.
  if (queue_.empty() && Fits(bytes)) {
    admitted_ += bytes;
    return Status::Ok();
  }
  const uint64_t ticket = next_ticket_++;
  queue_.push_back(ticket);
  ++stalls_;
  if (on_stall) on_stall();
  const int64_t deadline = env_->MonotonicNanos() + max_wait_ns_;
  while (true) {
    if (closed_) break;
    if (queue_.front() == ticket && Fits(bytes)) {
      queue_.pop_front();
      admitted_ += bytes;
      // The next waiter may fit too.
      if (!queue_.empty()) cv_.notify_all();
      return Status::Ok();
    }
    const int64_t left = deadline - env_->MonotonicNanos();
    if (left <= 0) break;
    cv_.wait_for(lock, std::chrono::nanoseconds(std::min(left, kPollNs)));
  }
  queue_.erase(std::find(queue_.begin(), queue_.end(), ticket));
  cv_.notify_all();  // a waiter behind this one may now be first
  if (closed_) return Status::Unavailable("store is closed");
  ++refusals_;
  const uint64_t admitted = admitted_;
  lock.unlock();
  logger::Warn("store: append refused, memtable still full after waiting for the flush",
               {{"memtable_bytes", admitted},
                {"batch_bytes", bytes},
                {"limit_bytes", max_bytes_},
                {"waited_ms", max_wait_ns_ / 1'000'000}});
  return Status::Unavailable(
      "memtable full (store.memtable_max_bytes): flushing to parts is behind ingest, retry "
      "later");
}

void MemtableAdmission::AdmitUnchecked(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  admitted_ += bytes;
}

void MemtableAdmission::Release(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  admitted_ -= std::min(bytes, admitted_);
  if (!queue_.empty()) cv_.notify_all();
}

void MemtableAdmission::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

bool MemtableAdmission::has_waiters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !queue_.empty();
}

MemtableAdmission::Stats MemtableAdmission::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  s.admitted_bytes = admitted_;
  s.waiting = queue_.size();
  s.stalls = stalls_;
  s.refusals = refusals_;
  return s;
}

}  // namespace vigia
