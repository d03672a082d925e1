// VectorPool<T>: recycled large std::vector buffers, kept resident between one user and the
// next. The server's heap gives freed memory back to the kernel — a block above its mmap
// threshold when it is freed, the rest at a trim while resident memory is high
// (common/heap_tuning.h, so that RSS follows what is held) — which makes the next block of
// that size fresh pages: each first touch is a page fault and a zero-fill. For
// the memtable's batches that was ~10 % of the server's CPU under ingest — a flush frees
// ~200 MB of batches at once and the next seconds of ingest fault the same amount back in
// (docs/ingest-performance.md, round ten). A pool of the freed vectors, bounded in bytes,
// hands them to the next batches instead.
//
// Policy: only vectors of at least `min_bytes` of capacity are kept (smaller ones come from
// the heap's free lists anyway); the idle total stays within `max_idle_bytes` (the oldest
// idle vectors are freed to make room for a newer one); Take(n) returns the idle vector with the
// smallest capacity >= n, and only when that capacity is at most twice n, so a small batch never
// pins a big buffer. ReleaseIfIdle frees everything once no Take or Give has happened for a while,
// so an idle server does not keep the pool's memory.
//
// Thread-safety: thread-safe (one mutex; taken once per buffer, not per element).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace vigia {

template <typename T>
class VectorPool {
  static_assert(std::is_trivially_destructible_v<T>, "clear() must not run destructors");

 public:
  struct Stats {
    uint64_t takes = 0;      // Take calls that returned a pooled vector
    uint64_t misses = 0;     // Take calls for a poolable size that found none
    uint64_t gives = 0;      // vectors kept by Give
    uint64_t evictions = 0;  // idle vectors freed to make room for a newer one
    uint64_t releases = 0;   // ReleaseIfIdle calls that freed something
    size_t idle = 0;
    size_t idle_bytes = 0;
  };

  VectorPool(size_t max_idle_bytes, size_t min_bytes)
      : max_idle_bytes_(max_idle_bytes), min_bytes_(min_bytes) {}
  VectorPool(const VectorPool&) = delete;
  VectorPool& operator=(const VectorPool&) = delete;

  // An empty vector with capacity in [n, 2n] from the pool, or an empty vector without
  // capacity when none fits (the caller reserves as before).
  std::vector<T> Take(size_t n) {
    if (n * sizeof(T) < min_bytes_) return {};
    std::lock_guard<std::mutex> l(mu_);
    last_use_ = std::chrono::steady_clock::now();
    size_t best = idle_.size();
    for (size_t i = 0; i < idle_.size(); ++i) {
      const size_t cap = idle_[i].capacity();
      if (cap >= n && cap / 2 <= n && (best == idle_.size() || cap < idle_[best].capacity())) {
        best = i;
      }
    }
    if (best == idle_.size()) {
      ++stats_.misses;
      return {};
    }
    std::vector<T> v = std::move(idle_[best]);
    idle_[best] = std::move(idle_.back());
    idle_.pop_back();
    idle_bytes_ -= v.capacity() * sizeof(T);
    ++stats_.takes;
    return v;
  }

  // Keeps `v`'s buffer (emptied) when it is big enough, freeing the oldest idle buffers
  // when the idle bound needs room (so the pool follows the sizes in use now); frees `v`
  // when it is too small or alone exceeds the bound. Leaves `v` empty without capacity.
  void Give(std::vector<T>& v) {
    std::vector<T> owned;
    owned.swap(v);
    const size_t bytes = owned.capacity() * sizeof(T);
    if (bytes < min_bytes_ || bytes > max_idle_bytes_) return;
    owned.clear();
    std::vector<std::vector<T>> evicted;  // freed after the lock is released
    std::lock_guard<std::mutex> l(mu_);
    last_use_ = std::chrono::steady_clock::now();
    size_t oldest = 0;
    while (idle_bytes_ + bytes > max_idle_bytes_) {
      idle_bytes_ -= idle_[oldest].capacity() * sizeof(T);
      evicted.push_back(std::move(idle_[oldest++]));
    }
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(oldest));
    stats_.evictions += oldest;
    idle_bytes_ += bytes;
    idle_.push_back(std::move(owned));
    ++stats_.gives;
  }

  // Frees every idle vector when the pool has not been used for `idle_for`; returns the
  // bytes freed.
  size_t ReleaseIfIdle(std::chrono::steady_clock::duration idle_for) {
    std::vector<std::vector<T>> freed;
    size_t bytes = 0;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (idle_.empty() || std::chrono::steady_clock::now() - last_use_ < idle_for) return 0;
      freed.swap(idle_);
      bytes = std::exchange(idle_bytes_, 0);
      ++stats_.releases;
    }
    return bytes;  // `freed` goes out of scope outside the lock
  }

  Stats stats() const {
    std::lock_guard<std::mutex> l(mu_);
    Stats s = stats_;
    s.idle = idle_.size();
    s.idle_bytes = idle_bytes_;
    return s;
  }

 private:
  mutable std::mutex mu_;
  const size_t max_idle_bytes_;
  const size_t min_bytes_;
  std::vector<std::vector<T>> idle_;  // guarded by mu_
  size_t idle_bytes_ = 0;             // guarded by mu_; sum of idle_ capacities in bytes
  std::chrono::steady_clock::time_point last_use_{};  // guarded by mu_
  Stats stats_;                                       // guarded by mu_ (idle fields unused)
};

}  // namespace vigia
