// ValueBufferPool: recycled value buffers for exact percentile states (stats_aggregator.cpp).
// A state keeps up to limits::kMaxExactQuantileValues values; grown by doubling, its buffer
// passed glibc's mmap threshold (128 KiB until round sixteen; a trim of the heap does the same
// now, common/heap_tuning.h) and every growth was a new mapping
// whose pages fault in again on every query. Past limits::kQuantilePooledFromValues values a
// state takes a full-size buffer from this pool instead, and gives it back when it is done
// (merged, turned into a sketch, or destroyed), so repeated percentile queries rewrite pages
// that are already mapped.
//
// The pool keeps at most limits::kQuantileBufferPoolBytes of idle buffers; beyond that a
// returned buffer is freed.
//
// Thread-safety: thread-safe (one mutex per element type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "common/limits.h"

namespace vigia {

template <typename T>
class ValueBufferPool {
 public:
  // The capacity of a pooled buffer: the most values an exact state holds at once (it turns
  // into a sketch when it passes kMaxExactQuantileValues).
  static constexpr size_t kCapacity = limits::kMaxExactQuantileValues + 1;

  explicit ValueBufferPool(size_t max_idle_bytes) : max_idle_bytes_(max_idle_bytes) {}

  // The process-wide pool of this element type (never destroyed).
  static ValueBufferPool& Default() {
    static auto* pool = new ValueBufferPool(limits::kQuantileBufferPoolBytes);
    return *pool;
  }

  // An empty buffer with capacity() >= kCapacity.
  std::vector<T> Take() {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!idle_.empty()) {
        std::vector<T> v = std::move(idle_.back());
        idle_.pop_back();
        return v;
      }
    }
    std::vector<T> v;
    v.reserve(kCapacity);
    return v;
  }

  // Takes `v` back (emptied) when it is a pooled-size buffer and there is room; frees it
  // otherwise. Leaves `v` empty with no capacity.
  void Give(std::vector<T>& v) {
    std::vector<T> owned;
    owned.swap(v);
    if (owned.capacity() < kCapacity) return;
    owned.clear();
    std::lock_guard<std::mutex> l(mu_);
    if ((idle_.size() + 1) * kCapacity * sizeof(T) > max_idle_bytes_) return;
    idle_.push_back(std::move(owned));
  }

  size_t idle() const {
    std::lock_guard<std::mutex> l(mu_);
    return idle_.size();
  }

 private:
  mutable std::mutex mu_;
  const size_t max_idle_bytes_;
  std::vector<std::vector<T>> idle_;  // guarded by mu_
};

// Makes room for `n` values in a percentile buffer: past limits::kQuantilePooledFromValues
// (and up to the pooled capacity) the values move into a pooled buffer; below, or for more
// than a pooled buffer holds, the vector grows as usual.
template <typename T>
void ReserveValues(std::vector<T>& v, size_t n) {
  if (n <= v.capacity()) return;
  if (n > limits::kQuantilePooledFromValues && n <= ValueBufferPool<T>::kCapacity) {
    std::vector<T> big = ValueBufferPool<T>::Default().Take();
    big.assign(v.begin(), v.end());
    v.swap(big);
    return;
  }
  if (n > limits::kQuantilePooledFromValues) v.reserve(n);
  // Small: push_back's doubling.
}

}  // namespace vigia
