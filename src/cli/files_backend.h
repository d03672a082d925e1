// The NDJSON log files (plain or gzip) or stdin of `vigia query --file` / `vigia trace
// --file` as a QueryBackend: each Run reads them in chunks of whole lines
// (query/ndjson_file_source.h) and evaluates the chunks on worker threads
// (ChunkedRowEvaluatorBackend), each worker decoding with its own ingest decoder (the same
// alias normalization as POST /v1/events). When the query reads a known set of fields (a
// stats/top pipe, or a fields pipe), the decoders canonicalize only what can produce them
// (a FieldProjection: same answers, same rejected lines and reasons, less work); a query whose
// rows are whole events decodes every field. Unparseable lines are counted and summarized on
// stderr after the run (the first in file order is quoted), never fatal. With `progress`, a
// progress line on stderr for files over 64 MiB when stderr is a terminal; `force_progress`
// shows it for every file, terminal or not.
//
// Lives in src/cli because decoding is ingest's and the query library must not depend on
// ingest.
//
// Thread-safety: one Run at a time (stdin can be read once).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "query/query_backend.h"

namespace vigia::cli {

struct FilesBackendOptions {
  bool progress = false;
  bool force_progress = false;
  unsigned threads = 0;     // worker threads; 0 = one per core
  size_t chunk_bytes = 0;   // 0 = limits::kFileQueryChunkBytes
  bool decode_all = false;  // no projection: every field of every line (tests, benchmarks)
};

// `files` empty or "-" = stdin.
std::unique_ptr<QueryBackend> MakeFilesBackend(std::vector<std::string> files,
                                               const FilesBackendOptions& options);

}  // namespace vigia::cli
