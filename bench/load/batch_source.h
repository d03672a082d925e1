// BatchSource: hands out consecutive batches of NDJSON lines for vigia-load to POST —
// either slices of a file (memory-mapped, zero copy) or lines made on the fly by the
// dataset generator. Batches never split a line; the last one may be short.
//
// Thread-safety: thread-safe; Next() may be called from many sender threads, each batch is
// handed out exactly once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gen/dataset_generator.h"
#include "gen/record_writer.h"

namespace vigia::bench {

struct Batch {
  std::string_view body;  // the lines, each ending in '\n'
  uint64_t lines = 0;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Fills *out with the next batch of at most `max_lines` lines, using *scratch as storage
  // when the source has to build the text. Returns false when the input is exhausted.
  // `out->body` stays valid until the next call with the same scratch (or, for files, for
  // the source's lifetime). REQUIRES: max_lines > 0.
  virtual bool Next(uint64_t max_lines, std::string* scratch, Batch* out) = 0;
};

// Lines of an NDJSON file. A final line without '\n' is sent as is.
class FileBatchSource : public BatchSource {
 public:
  static Result<std::unique_ptr<FileBatchSource>> Open(const std::string& path);
  ~FileBatchSource() override;
  bool Next(uint64_t max_lines, std::string* scratch, Batch* out) override;
  uint64_t size() const { return size_; }

 private:
  FileBatchSource(const char* data, uint64_t size) : data_(data), size_(size) {}
  const char* data_;
  uint64_t size_;
  std::mutex mu_;
  uint64_t pos_ = 0;  // guarded by mu_
};

// Canonical-spelling lines straight from a DatasetGenerator.
class GeneratorBatchSource : public BatchSource {
 public:
  explicit GeneratorBatchSource(const GenOptions& options)
      : gen_(options), writer_(Spelling::kCanonical) {}
  bool Next(uint64_t max_lines, std::string* scratch, Batch* out) override;

 private:
  std::mutex mu_;
  DatasetGenerator gen_;  // guarded by mu_
  RecordWriter writer_;   // guarded by mu_
  Record record_;         // guarded by mu_
};

}  // namespace vigia::bench
