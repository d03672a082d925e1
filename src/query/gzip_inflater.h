// GzipInflater: streaming gzip decompression with ISA-L's igzip (several times zlib's
// inflate speed), for the NDJSON file reader of `vigia query --file` (ndjson_file_source.h).
// The caller feeds compressed input as it reads it and inflates into its own buffers (no copy
// of the output). Like zlib's gzread: several gzip members one after another (`cat a.gz
// b.gz`, pigz, logrotate appends) are one stream; bytes after a member that do not start a
// new one (zero padding, trailing junk) end the stream and are ignored; every member's CRC-32
// is checked.
//
// Thread-safety: externally synchronized; one per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/status.h"

namespace vigia {

class GzipInflater {
 public:
  GzipInflater();
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // True when the first two bytes of a file are gzip's magic number (1f 8b).
  static bool LooksLikeGzip(const void* data, size_t size);

  // The next compressed bytes; they must stay valid until NeedsInput(). REQUIRES: NeedsInput().
  void SetInput(const void* data, size_t size);
  // True when every byte given to SetInput has been consumed (or ignored after the end).
  bool NeedsInput() const;
  // Inflates into out[0, capacity): returns the bytes written, fewer than `capacity` only when
  // the input is exhausted (NeedsInput) or the stream ended. Corrupt data is an error
  // ("invalid ...", "CRC mismatch") that names no file: the caller adds it.
  Result<size_t> Inflate(char* out, size_t capacity);
  // Called when there is no more input: OK when the stream ended at the end of a member,
  // otherwise the "unexpected end of file" error of a truncated file.
  Status Finish() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
