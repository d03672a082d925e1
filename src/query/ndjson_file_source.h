// ReadNdjsonChunks: streams an NDJSON log file (plain or gzip, detected from the content;
// "-" is stdin) in chunks of whole lines, for `vigia query --file` and the golden tests.
// Chunks never split a line; a final line without '\n' is still delivered. The caller
// decodes each chunk (NdjsonDecoder) and feeds the batch to an engine, so memory stays
// bounded by the chunk size whatever the file size.
//
// No copy between reading and parsing: a plain regular file is mapped (mapped_file.h) and
// its chunks are views of the mapping, read as the file was when opened (its size then); a
// file truncated meanwhile is an error ("<file>: file shrank while being read"), not a
// SIGBUS. gzip (inflated by ISA-L, gzip_inflater.h), stdin and pipes are read or inflated
// straight into the chunk buffers the caller hands over (LineChunkSink): only the partial
// last line of a chunk is copied, to the next one; a regular file that ends before its size
// at open is the same error, one that grows is read to its new end. Truncated or corrupt
// gzip is an error naming the file.
//
// Thread-safety: pure functions; the callbacks run on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/line_chunk.h"

namespace vigia {

struct NdjsonReadProgress {
  uint64_t compressed_bytes_read = 0;  // file bytes consumed so far
  uint64_t file_bytes = 0;             // size of the file, 0 when unknown (stdin, pipes)
};

// Fills buffers from `sink` with consecutive runs of whole lines (each ending in '\n' except
// possibly the last line of the file) of about `chunk_bytes` each and emits them; an error
// Emit returns stops the read and is returned. `on_progress` (may be empty) is called after
// every chunk.
Status ReadNdjsonChunks(const std::string& path, size_t chunk_bytes, LineChunkSink& sink,
                        const std::function<void(const NdjsonReadProgress&)>& on_progress = {});

// The same, with each chunk lent to `on_chunk` as text (valid during the call).
Status ReadNdjsonChunks(const std::string& path, size_t chunk_bytes,
                        const std::function<Status(std::string_view)>& on_chunk,
                        const std::function<void(const NdjsonReadProgress&)>& on_progress = {});

}  // namespace vigia
