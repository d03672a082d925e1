// LineChunk: a buffer of whole NDJSON lines that moves from the file reader
// (ndjson_file_source.h) to a worker of `vigia query --file` (chunked_row_evaluator_backend.h)
// without being copied: the reader reads or inflates straight into it, and the buffer itself
// is handed over, then recycled. LineChunkSink is where a reader gets buffers to fill and
// hands the filled ones to.
//
// Thread-safety: a LineChunk is a plain value (one owner at a time); a sink's thread-safety is
// its implementation's.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include "common/status.h"

namespace vigia {

class LineChunk {
 public:
  LineChunk() = default;
  // A chunk holding a copy of `text` (tests, readers of in-memory text).
  explicit LineChunk(std::string_view text) {
    Reserve(text.size(), 0);
    if (!text.empty()) std::memcpy(buf_.get(), text.data(), text.size());
    size_ = text.size();
  }

  char* data() { return buf_.get(); }
  size_t capacity() const { return cap_; }
  size_t size() const { return size_; }
  std::string_view text() const { return {buf_.get(), size_}; }

  // At least `bytes` of capacity, keeping the first `keep` bytes (uninitialized beyond them).
  void Reserve(size_t bytes, size_t keep) {
    if (bytes <= cap_) return;
    std::unique_ptr<char[]> bigger(new char[bytes]);
    if (keep > 0) std::memcpy(bigger.get(), buf_.get(), keep);
    buf_ = std::move(bigger);
    cap_ = bytes;
  }
  // REQUIRES: bytes <= capacity().
  void set_size(size_t bytes) { size_ = bytes; }

 private:
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t size_ = 0;
};

class LineChunkSink {
 public:
  virtual ~LineChunkSink() = default;
  // A buffer to fill: one already consumed and recycled, or an empty one.
  virtual LineChunk Buffer() = 0;
  // Takes `chunk` (whole lines, in input order). An error stops the reader and is returned
  // by it.
  virtual Status Emit(LineChunk chunk) = 0;
};

}  // namespace vigia
