// BodyBufferPool: recycled request-body strings for the HTTP server (http_server.cpp). An
// ingest body (a few MB for a 10,000-line batch) was above glibc's mmap threshold (128 KiB
// until round sixteen; common/heap_tuning.h), so every request's body was a new mapping: the
// parser's zero-fill and copy touched fresh pages, and the kernel's page faults on them were ~3 %
// of the server's CPU under ingest (docs/ingest-performance.md, round six). A session takes a
// buffer when a request's header announces a body and gives it back once the response is
// handed to the transport, so the next body is written into pages that are already mapped.
//
// The pool keeps at most limits::kBodyPoolMaxIdleBytes of idle buffers, each with a capacity
// between limits::kBodyPoolMinBufferBytes and limits::kBodyPoolMaxBufferBytes; a buffer
// given back outside those bounds is freed.
//
// Thread-safety: thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace vigia {

class BodyBufferPool {
 public:
  BodyBufferPool(size_t max_idle_bytes, size_t min_buffer_bytes, size_t max_buffer_bytes);
  BodyBufferPool(const BodyBufferPool&) = delete;
  BodyBufferPool& operator=(const BodyBufferPool&) = delete;

  // An empty string: the idle buffer with the largest capacity, or a new one (no capacity)
  // when the pool is empty.
  std::string Take();

  // Takes `s` back (emptied, capacity kept) when its capacity is within the bounds and the
  // idle total stays within max_idle_bytes; frees it otherwise. Leaves `s` empty.
  void Give(std::string& s);

  size_t idle() const;
  size_t idle_bytes() const;

 private:
  mutable std::mutex mu_;
  const size_t max_idle_bytes_;
  const size_t min_buffer_bytes_;
  const size_t max_buffer_bytes_;
  std::vector<std::string> idle_;  // guarded by mu_
  size_t idle_bytes_ = 0;          // guarded by mu_; sum of idle_ capacities
};

}  // namespace vigia
