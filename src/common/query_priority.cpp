#include "common/query_priority.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace vigia {

QueryPriority& QueryPriority::Global() {
  // Never destroyed: used by detached threads.
  static QueryPriority* p = [] {
    const char* v = std::getenv("VIGIA_QUERY_PRIORITY");
    return new QueryPriority(v == nullptr || std::string_view(v) != "off");
  }();
  return *p;
}

QueryPriority::Scope::Scope(QueryPriority* p) : p_(p) {
  p_->entered_.fetch_add(1, std::memory_order_relaxed);
  if (p_->enabled_) p_->queries_.fetch_add(1, std::memory_order_relaxed);
}

QueryPriority::Scope::~Scope() {
  if (p_->enabled_) p_->Leave();
}

void QueryPriority::Leave() {
  queries_.fetch_sub(1, std::memory_order_relaxed);
  // Under the lock: a waiter that saw a query running is inside wait() by now, so the
  // notification cannot fall between its check and its wait.
  std::lock_guard<std::mutex> l(mu_);
  cv_.notify_all();
}

QueryPriority::IngestTurn::IngestTurn(QueryPriority* p, std::chrono::milliseconds max_wait)
    : p_(p), left_(max_wait) {
  std::unique_lock<std::mutex> l(p_->mu_);
  WaitLocked(l);
  ++p_->ingest_active_;
}

void QueryPriority::IngestTurn::Checkpoint() {
  if (p_->queries_running() == 0 || left_ <= std::chrono::nanoseconds::zero()) return;
  std::unique_lock<std::mutex> l(p_->mu_);
  if (p_->ingest_active_ <= 1) return;  // the one batch going on while the query runs
  --p_->ingest_active_;
  WaitLocked(l);
  ++p_->ingest_active_;
}

void QueryPriority::IngestTurn::WaitLocked(std::unique_lock<std::mutex>& l) {
  auto free = [&] { return p_->queries_running() == 0 || p_->ingest_active_ == 0; };
  if (free() || left_ <= std::chrono::nanoseconds::zero()) return;
  const auto start = std::chrono::steady_clock::now();
  p_->cv_.wait_until(l, start + left_, free);
  const auto waited = std::chrono::steady_clock::now() - start;
  left_ -= std::min<std::chrono::nanoseconds>(waited, left_);
  waited_ = true;
  ++p_->waits_.ingest_waits;
  p_->waits_.ingest_wait_ns +=
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(waited).count());
}

QueryPriority::IngestTurn::~IngestTurn() {
  std::lock_guard<std::mutex> l(p_->mu_);
  --p_->ingest_active_;
  p_->cv_.notify_all();
}

int QueryPriority::ingest_batches_active() const {
  std::lock_guard<std::mutex> l(mu_);
  return ingest_active_;
}

std::chrono::nanoseconds QueryPriority::WaitWhileQueriesRun(std::chrono::nanoseconds max_wait) {
  if (queries_running() == 0 || max_wait <= std::chrono::nanoseconds::zero()) {
    return std::chrono::nanoseconds::zero();
  }
  std::unique_lock<std::mutex> l(mu_);
  const auto start = std::chrono::steady_clock::now();
  cv_.wait_until(l, start + max_wait, [&] { return queries_running() == 0; });
  const auto waited = std::chrono::steady_clock::now() - start;
  ++waits_.background_waits;
  waits_.background_wait_ns +=
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(waited).count());
  return waited;
}

QueryPriority::Stats QueryPriority::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  Stats s = waits_;
  s.queries = entered_.load(std::memory_order_relaxed);
  return s;
}

void BackgroundYield::Yield() {
  const int64_t left = left_ns_.load(std::memory_order_relaxed);
  if (left <= 0 || p_->queries_running() == 0) return;
  const int64_t w = p_->WaitWhileQueriesRun(std::chrono::nanoseconds(left)).count();
  left_ns_.fetch_sub(w, std::memory_order_relaxed);
  waited_ns_.fetch_add(w, std::memory_order_relaxed);
}

}  // namespace vigia
