// ReadNdjsonChunks: streams an NDJSON log file (plain or gzip, detected from the content;
// "-" is stdin) in chunks of whole lines, for `vigia query --file` and the golden tests.
// Chunks never split a line; a final line without '\n' is still delivered. The caller
// decodes each chunk (NdjsonDecoder) and feeds the batch to an engine, so memory stays
// bounded by the chunk size whatever the file size.
//
// Every input is read (plain files with read(2), gzip inflated by ISA-L, gzip_inflater.h)
// straight into the chunk buffers the caller hands over (LineChunkSink) and recycles: only
// the partial last line of a chunk is copied, to the next one. Plain files used to be
// mapped; reading into recycled buffers takes ~25 % less CPU, as the mapping's pages were
// each faulted in on first touch (bench/README.md, issue 20 session 27). A plain regular file
// is read as it was when opened (its size then; an empty one to its end), a gzip one to its
// end; either that ends before its size at open is an error ("<file>: file shrank while
// being read"). Truncated or corrupt gzip is an error naming the file.
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
