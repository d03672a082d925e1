// The NDJSON log files (plain or gzip) or stdin of `vigia query --file` / `vigia trace
// --file` as a QueryBackend: each Run decodes them with the ingest decoder (the same alias
// normalization as POST /v1/events) and feeds the row evaluator (RowEvaluatorBackend).
// Unparseable lines are counted and summarized on stderr, never fatal. With `progress`, a
// progress line on stderr for files over 64 MiB when stderr is a terminal; `force_progress`
// shows it for every file, terminal or not.
//
// Lives in src/cli because decoding is ingest's and the query library must not depend on
// ingest.
//
// Thread-safety: one Run at a time (stdin can be read once).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/query_backend.h"

namespace vigia::cli {

// `files` empty or "-" = stdin.
std::unique_ptr<QueryBackend> MakeFilesBackend(std::vector<std::string> files, bool progress,
                                               bool force_progress);

}  // namespace vigia::cli
