// The pieces of a query answer that is streamed while the scan runs (/v1/query for plain
// filters, /v1/tail's backfill): the threads such queries run on, a blocking write into a
// ResponseStream that respects its bound, the piecewise JSON/NDJSON body of /v1/query (so a
// streamed answer is byte for byte the answer sent in one piece, apart from elapsed_ms).
//
// Errors after the first byte: the HTTP status (200) is gone by then, so the body ends with
// an error record instead — JSON: `"error":{"code":..,"message":..}` in place of
// `truncated`/`stats`; NDJSON: a last line `{"error":{"code":..,"message":..}}`
// (docs/http-api.md).
//
// Thread-safety: JobThreads is thread-safe. QueryBody is externally synchronized (one
// query's producer at a time). The functions are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/query_api.h"
#include "query/query_record.h"
#include "server/response_stream.h"

namespace vigia {

// Runs jobs on threads of their own (a query that outlives its HTTP handler). The destructor
// waits until every job has returned, so whatever the owner's owner holds (the store) outlives
// them; jobs must end promptly once their stream is closed (client gone, shutdown).
class JobThreads {
 public:
  JobThreads() = default;
  JobThreads(const JobThreads&) = delete;
  JobThreads& operator=(const JobThreads&) = delete;
  ~JobThreads();

  void Start(std::function<void()> job);

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  int running_ = 0;
};

// Writes `data` to `stream`, in pieces that fit its bound, waiting for the client to make
// room. Unavailable when the stream was closed (client gone, server stopping),
// DeadlineExceeded when `deadline` passes before the first piece fits (once a piece is out,
// the rest follows, so the body never ends in the middle of a row).
Status WriteAll(ResponseStream* stream, std::string_view data,
                std::optional<std::chrono::steady_clock::time_point> deadline);

// The body of a /v1/query answer in json ({"rows":[...],"truncated":..,"stats":{..}}) or
// ndjson (one row per line), built piece by piece. At most `limit` rows (0 = all) are
// written; a row past it sets truncated().
class QueryBody {
 public:
  QueryBody(bool json, uint64_t limit) : json_(json), limit_(limit) {}

  std::string Begin() const;
  void AddRows(const std::vector<QueryRecord>& rows, std::string* out);
  std::string End(const QueryStats& stats, double elapsed_ms) const;
  // The end of a body whose query failed after rows were sent.
  std::string EndWithError(const Status& st) const;

  bool truncated() const { return truncated_; }

 private:
  const bool json_;
  const uint64_t limit_;
  uint64_t rows_ = 0;
  bool truncated_ = false;
};

}  // namespace vigia
