#include "query/scan_helpers.h"

#include <algorithm>

#include "common/limits.h"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace vigia {

ScanHelpers::ScanHelpers(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

ScanHelpers::~ScanHelpers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

ScanHelpers& ScanHelpers::Default() {
  // Leaked on purpose: a static destructor would join helpers while other static
  // destructors (or a detached query) may still be running.
  static ScanHelpers* pool = new ScanHelpers(static_cast<size_t>(limits::kQueryWorkerThreads));
  return *pool;
}

void ScanHelpers::Run(size_t extra, const std::function<void(size_t)>& fn) {
  Job job(this, extra, &fn);
  job.OfferSlots();
  fn(0);
  job.Finish();
}

ScanHelpers::Job::Job(ScanHelpers* pool, size_t extra, const std::function<void(size_t)>* fn)
    : pool_(pool) {
  offer_.fn = fn;
  offer_.end_slot = 1 + extra;
}

void ScanHelpers::Job::OfferSlots() {
  if (offered_ || finished_ || offer_.end_slot == 1 || pool_->threads_.empty()) return;
  offered_ = true;
  {
    std::lock_guard<std::mutex> lock(pool_->mu_);
    pool_->queue_.push_back(&offer_);
  }
  if (offer_.end_slot == 2) {
    pool_->work_cv_.notify_one();
  } else {
    pool_->work_cv_.notify_all();
  }
}

void ScanHelpers::Job::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!offered_) return;
  std::unique_lock<std::mutex> lock(pool_->mu_);
  // Withdraw the slots nobody took: a helper waking up later finds the offer gone.
  auto& queue = pool_->queue_;
  auto it = std::find(queue.begin(), queue.end(), &offer_);
  if (it != queue.end()) queue.erase(it);
  pool_->done_cv_.wait(lock, [&] { return offer_.running == 0; });
}

size_t ScanHelpers::slots_run() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slots_run_;
}

void ScanHelpers::Loop() {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), "vigia-scan");
#endif
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Offer* offer = queue_.front();
    const size_t slot = offer->next_slot++;
    if (offer->next_slot == offer->end_slot) queue_.pop_front();
    ++offer->running;
    lock.unlock();
    (*offer->fn)(slot);
    lock.lock();
    ++slots_run_;
    // The offer lives until its caller sees running == 0, which needs this lock.
    if (--offer->running == 0) done_cv_.notify_all();
  }
}

}  // namespace vigia
