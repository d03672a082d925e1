// Where `vigia query`, `vigia trace` and `vigia tail` (without -f) read events from: one
// QueryBackend per source — NDJSON files or stdin through the row evaluator
// (files_backend.h), a data directory opened read-only through the columnar engine
// (LocalStoreBackend), or a running server over HTTP (server_backend.h). The commands talk
// to the backend only; adding a source is a backend plus a branch in OpenQueryBackend.
//
// Thread-safety: used from the CLI's main thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/query_api.h"
#include "query/query_backend.h"

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
  // --file/stdin: worker threads (0 = one per core) and chunk size (0 = the default; the
  // tests make it small to get many chunks out of a small file).
  unsigned threads = 0;
  size_t chunk_bytes = 0;
  // --file/stdin: decode every field even when the query reads a few (tests, benchmarks).
  bool decode_all = false;
};

// The backend of the source `src` names: --server, else --data, else the files (or stdin).
// Fails when the data directory cannot be opened.
Result<std::unique_ptr<QueryBackend>> OpenQueryBackend(const QuerySourceOptions& src);

// The progress line of a scan that reports QueryProgress (a data directory):
// "<label>: 12 / 345 blocks, 1234567 rows, 2.3 s", redrawn in place at most every 100 ms,
// erased at the end. Shown per `src` (progress / force_progress); `observer()` hooks it in.
class ScanProgressLine {
 public:
  explicit ScanProgressLine(const QuerySourceOptions& src);
  ~ScanProgressLine();
  ScanProgressLine(const ScanProgressLine&) = delete;
  ScanProgressLine& operator=(const ScanProgressLine&) = delete;

  // An observer whose on_progress draws the line (empty when it is not to be shown).
  QueryObserver observer();

 private:
  void Update(const QueryProgress& p);

  const std::string label_;
  const bool enabled_;
  const bool forced_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

// Wall-clock now in ns.
int64_t NowNs();

// Prints "vigia <command>: <msg>" on stderr; returns the exit code of a failed command (1).
int CommandFailed(std::string_view command, std::string_view msg);

}  // namespace vigia::cli
