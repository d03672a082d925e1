#include "store/format/encode_helper.h"

#include <pthread.h>

#include <system_error>
#include <utility>

namespace vigia {

EncodeHelper::~EncodeHelper() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EncodeHelper::Start(size_t n, std::function<void(size_t)> task) {
  if (!tried_thread_) {
    tried_thread_ = true;
    try {
      thread_ = std::thread([this] { Loop(); });
    } catch (const std::system_error&) {
      // No helper (thread limit reached): Finish runs every task on the caller.
    }
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    task_ = std::move(task);
    n_ = n;
    next_ = 0;
    done_ = 0;
  }
  work_cv_.notify_one();
}

void EncodeHelper::Finish() {
  std::unique_lock<std::mutex> l(mu_);
  while (next_ < n_) {
    const size_t i = next_++;
    l.unlock();
    task_(i);
    l.lock();
    ++done_;
  }
  done_cv_.wait(l, [&] { return done_ == n_; });
  task_ = nullptr;
  n_ = next_ = done_ = 0;
}

size_t EncodeHelper::helper_tasks() const {
  std::lock_guard<std::mutex> l(mu_);
  return helper_tasks_;
}

void EncodeHelper::Loop() {
  pthread_setname_np(pthread_self(), "vigia-encode");
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    work_cv_.wait(l, [&] { return stop_ || next_ < n_; });
    if (stop_) return;
    const size_t i = next_++;
    l.unlock();
    task_(i);
    l.lock();
    ++helper_tasks_;
    if (++done_ == n_) done_cv_.notify_one();
  }
}

}  // namespace vigia
