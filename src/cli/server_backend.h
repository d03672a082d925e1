// ServerBackend: the QueryBackend of a running vigia server, over its HTTP API with libcurl —
// `vigia query --server URL` and `vigia trace --server URL`. A query goes to GET /v1/query as
// its VQL text (Query::text) with since/until as RFC 3339 times and `limit` from
// options.row_limit; the NDJSON answer comes back as rows (values as JSON has them: ts as
// RFC 3339 text). A trace goes to GET /v1/trace. The server applies its own limits (row
// default, deadline, groups); options.max_* and options.deadline are not sent.
//
// A streamed answer that failed after its first rows ends with an error record: those rows
// go to observer.on_rows (when set) and Run fails with the record's message. Errors:
// Unavailable "cannot reach URL", InvalidArgument with the server's message for a refused
// query (its syntax errors keep their line:col), IOError for other HTTP failures.
//
// Also the HTTP helpers the CLI's other server commands (`vigia tail --server`) share.
//
// Thread-safety: Run and Trace may be called concurrently (one curl handle per call).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "query/query_backend.h"

namespace vigia::cli {

class ServerBackend final : public QueryBackend {
 public:
  // `url` e.g. http://127.0.0.1:8080; `api_key` empty = none.
  ServerBackend(std::string url, std::string api_key)
      : url_(std::move(url)), api_key_(std::move(api_key)) {}

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  using QueryBackend::Run;
  Result<QueryResult> Trace(const std::string& request_id, const QueryOptions& options) override;
  // GET /v1/query?explain=true: the server's plan (its backend, the key's tenant condition).
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override;

 private:
  const std::string url_;
  const std::string api_key_;
};

// GET `path_and_query` from the server at `url`; the body on 200, else the server's error
// message (NotFound for a 404 that has one, InvalidArgument for the other refusals).
Result<std::string> HttpGet(const std::string& url, const std::string& api_key,
                            const std::string& path_and_query);
// Any method, with a JSON body for methods other than GET; the body of a 2xx answer, else the
// errors of HttpGet (DeadlineExceeded when `timeout_ms` > 0 passed first; 0 = no limit).
Result<std::string> HttpRequest(const std::string& server, const std::string& api_key,
                                const std::string& method, const std::string& path_and_query,
                                const std::string& json_body, long timeout_ms = 0);

// Query-string escaping.
std::string UrlEncode(std::string_view s);

// A streamed /v1/query answer that failed after its first rows ends with an error record
// (JSON: an "error" member last; NDJSON: a last {"error":{...}} line). Returns its message
// and the length of the body before the record, or nullopt when the body has none.
std::optional<std::pair<std::string, size_t>> TrailingQueryError(std::string_view body);

// Parses a server's JSON query response rows ({"rows": [...]}, {"events": [...]} or an
// array) into records.
Result<std::vector<QueryRecord>> ParseRowsJson(const std::string& json);

// Parses NDJSON rows (one JSON object per line; blank lines skipped) into records.
Result<std::vector<QueryRecord>> ParseRowsNdjson(std::string_view ndjson);

}  // namespace vigia::cli
