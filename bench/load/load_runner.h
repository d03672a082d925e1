// LoadRunner: POSTs the batches of a BatchSource to one HTTP endpoint over C keep-alive
// connections (one libcurl easy handle per sender thread), optionally rate-limited, and
// measures throughput and per-batch latency. Used by vigia-load for vigia's
// POST /v1/events and, with the same batches, for ClickHouse's INSERT ... FORMAT
// JSONEachRow, so both systems are loaded the same way.
//
// A batch succeeds when the reply is 2xx. When the reply body holds `"accepted":N` (vigia's
// ingest reply) N is added to `accepted`, and N below the batch's line count counts as a
// partial batch; otherwise every line of a 2xx batch counts as accepted.
//
// Thread-safety: Run() is externally synchronized (call it once at a time); it spawns and
// joins its own threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "load/batch_source.h"

namespace vigia::bench {

struct LoadOptions {
  std::string url;                   // full URL, query string included
  std::vector<std::string> headers;  // extra "Name: value" headers
  std::string content_type = "application/x-ndjson";
  int connections = 2;
  uint64_t batch_lines = 10000;
  double rate_events_per_sec = 0;  // 0 = as fast as the server takes them
  long timeout_sec = 120;          // per batch
  int max_error_messages = 5;      // failures kept verbatim in the report
};

// One batch as the sender saw it: when it left (ms since the run started), how long it took
// until the reply (or the failure), which connection sent it.
struct BatchTiming {
  double start_ms = 0;
  double latency_ms = 0;
  int connection = 0;
  bool ok = false;
};

struct LoadReport {
  uint64_t events = 0;  // lines sent in batches that got a reply
  uint64_t accepted = 0;
  uint64_t bytes = 0;
  uint64_t batches = 0;
  uint64_t failed_batches = 0;   // transport errors and non-2xx replies
  uint64_t partial_batches = 0;  // 2xx with accepted < lines
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::vector<std::string> errors;  // first failures, "HTTP 500: body" or curl's message
  // Every batch, in the order they left (the percentiles above are of these latencies).
  std::vector<BatchTiming> timings;

  double EventsPerSec() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
  double MBPerSec() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0; }
  bool ok() const { return failed_batches == 0 && partial_batches == 0; }
  std::string ToJson() const;
  std::string ToText() const;
  // "start_ms latency_ms connection ok" per batch, one a line, in the order they left: to
  // line slow batches up with what the server did then (its log, /v1/stats samples).
  std::string TimingsText() const;
};

// Nearest-rank percentile of `v` (sorted in place). 0 when empty. REQUIRES: 0 <= q <= 1.
double Percentile(std::vector<double>* v, double q);

// Parses `"accepted":N` out of a JSON reply; -1 when absent.
int64_t ParseAccepted(std::string_view body);

class LoadRunner {
 public:
  explicit LoadRunner(LoadOptions options) : opt_(std::move(options)) {}
  // Sends every batch of `source`. Fails only when the run could not start (bad options,
  // libcurl initialization); per-batch failures are counted in the report.
  Result<LoadReport> Run(BatchSource* source);

 private:
  LoadOptions opt_;
};

}  // namespace vigia::bench
