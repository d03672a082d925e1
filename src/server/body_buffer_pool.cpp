#include "server/body_buffer_pool.h"

#include <utility>

namespace vigia {

BodyBufferPool::BodyBufferPool(size_t max_idle_bytes, size_t min_buffer_bytes,
                               size_t max_buffer_bytes)
    : max_idle_bytes_(max_idle_bytes),
      min_buffer_bytes_(min_buffer_bytes),
      max_buffer_bytes_(max_buffer_bytes) {}

std::string BodyBufferPool::Take() {
  std::lock_guard<std::mutex> l(mu_);
  if (idle_.empty()) return {};
  size_t best = 0;
  for (size_t i = 1; i < idle_.size(); ++i) {
    if (idle_[i].capacity() > idle_[best].capacity()) best = i;
  }
  std::string s = std::move(idle_[best]);
  idle_[best] = std::move(idle_.back());
  idle_.pop_back();
  idle_bytes_ -= s.capacity();
  return s;
}

void BodyBufferPool::Give(std::string& s) {
  std::string owned;
  owned.swap(s);
  const size_t cap = owned.capacity();
  if (cap < min_buffer_bytes_ || cap > max_buffer_bytes_) return;
  owned.clear();
  std::lock_guard<std::mutex> l(mu_);
  if (idle_bytes_ + cap > max_idle_bytes_) return;
  idle_bytes_ += cap;
  idle_.push_back(std::move(owned));
}

size_t BodyBufferPool::idle() const {
  std::lock_guard<std::mutex> l(mu_);
  return idle_.size();
}

size_t BodyBufferPool::idle_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return idle_bytes_;
}

}  // namespace vigia
