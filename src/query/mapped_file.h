// MappedFile: a regular file mapped read-only for `vigia query --file` (ndjson_file_source.h),
// so the workers parse the page cache itself (no read(2) copy). A file truncated while mapped
// makes the kernel raise SIGBUS on a page past its new end; a process-wide SIGBUS handler
// (installed on the first Map) replaces such a page of a registered mapping with zeros,
// marks the mapping, and lets the read go on: Check() then reports "<file>: file shrank while
// being read", an error, never a crash. SIGBUS for other addresses goes to the previous
// handler (the default: the process stops, as before).
//
// Thread-safety: data() may be read from any thread; Check() is thread-safe. At most
// limits::kMaxMappedFiles mappings at once (Map fails beyond, the caller reads instead).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/line_chunk.h"

namespace vigia {

class MappedFile final : public LineChunkOwner {
 public:
  // Maps `size` bytes of `fd` (a regular file of that size; size > 0). `path` names it in
  // errors.
  static Result<std::shared_ptr<MappedFile>> Map(int fd, size_t size, std::string path);
  ~MappedFile() override;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view text() const { return {data_, size_}; }
  Status Check() const override;

 private:
  MappedFile(const char* data, size_t size, int slot, std::string path)
      : data_(data), size_(size), slot_(slot), path_(std::move(path)) {}

  const char* data_;
  size_t size_;
  int slot_;  // in the handler's registry
  std::string path_;
};

}  // namespace vigia
