// Where `vigia query` and `vigia trace` read events from, and how they print: NDJSON files
// or stdin (plain or gzip) decoded by the ingest decoder, a data directory opened read-only
// through the Store, or a running server over HTTP (libcurl).
//
// Thread-safety: used from the CLI's main thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "query/result_format.h"
#include "query/row_evaluator.h"

namespace vigia::cli {

struct QuerySourceOptions {
  std::string server;              // base URL, e.g. http://127.0.0.1:8080
  std::string api_key;             // for --server; default $VIGIA_API_KEY
  std::string data_dir;            // --data
  std::vector<std::string> files;  // --file (none and no server/data = stdin)
  // A progress line on stderr for big scans (files over 64 MiB, data directories scanned
  // for over half a second) when stderr is a terminal; `force_progress` (--progress) shows
  // it for every scan, terminal or not.
  bool progress = false;
  bool force_progress = false;
};

// Runs `evaluator` over every event of the local source (files/stdin or data dir).
// Decode errors are counted and summarized on stderr, never fatal.
Status FeedLocal(const QuerySourceOptions& src, RowEvaluator* evaluator);

// Runs `q` over the local source: a data directory through the columnar engine (RunQuery
// over the store's snapshot), files/stdin through the row evaluator (FeedLocal).
Result<QueryResult> RunLocal(const QuerySourceOptions& src, const Query& q,
                             const QueryOptions& opt);

// GET `path_and_query` from the server; the body on 200, else the server's error message.
Result<std::string> HttpGet(const QuerySourceOptions& src, const std::string& path_and_query);

// Query-string escaping.
std::string UrlEncode(std::string_view s);

// A streamed /v1/query answer that failed after its first rows ends with an error record
// (JSON: an "error" member last; NDJSON: a last {"error":{...}} line). Returns its message
// and the length of the body before the record, or nullopt when the body has none.
std::optional<std::pair<std::string, size_t>> TrailingQueryError(std::string_view body);

// Parses a server's JSON query response rows ({"rows": [...]} or an array) into records.
Result<std::vector<QueryRecord>> ParseRowsJson(const std::string& json);

// Wall-clock now in ns.
int64_t NowNs();

}  // namespace vigia::cli
