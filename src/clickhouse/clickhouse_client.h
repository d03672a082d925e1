// ClickHouseClient: ClickHouse's HTTP interface with libcurl (the HTTP client the project
// already uses for webhooks and the CLI). A statement goes as the `query` URL parameter, an
// optional body (INSERT data) as the POST body; the answer streams to a callback as it
// arrives, so a large SELECT is never held whole, and the caller may stop it early.
//
// Errors: Unavailable "clickhouse URL: ..." when the server cannot be reached or the answer
// broke off; InvalidArgument with ClickHouse's message for a refused statement (HTTP 4xx/500
// with a "Code: N" text); Unavailable "cancelled" when the callback or `cancel` stopped it;
// DeadlineExceeded when the deadline passed.
//
// Thread-safety: thread-safe; every call has its own curl handle (libcurl's global init is
// done once on first use).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigia::clickhouse {

struct ClickHouseRequest {
  std::string sql;
  std::string body;  // sent after the statement's text (INSERT ... FORMAT X data)
  // Extra URL parameters: ClickHouse settings (`max_execution_time`, `insert_deduplicate`...).
  std::vector<std::pair<std::string, std::string>> settings;
  // Receives the answer's body as it arrives; a non-OK status stops the request, which then
  // fails with it. Empty: the body is collected and returned.
  std::function<Status(std::string_view data)> on_data;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  const std::atomic<bool>* cancel = nullptr;
};

class ClickHouseClient {
 public:
  // `url`: http://host:port (the HTTP interface). `user` empty: ClickHouse's default user.
  explicit ClickHouseClient(std::string url, std::string user = "", std::string password = "")
      : url_(std::move(url)), user_(std::move(user)), password_(std::move(password)) {}

  // Runs one statement; returns the body when no on_data callback was given.
  Result<std::string> Execute(const ClickHouseRequest& request);
  Result<std::string> Execute(std::string sql) {
    ClickHouseRequest r;
    r.sql = std::move(sql);
    return Execute(r);
  }

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::string user_;
  std::string password_;
};

// `s` as a ClickHouse string literal ('...' with \ and ' escaped; bytes kept as they are).
std::string SqlString(std::string_view s);

// A field of a TabSeparated answer: ClickHouse's hex() of a String (two digits per byte, either
// case) back to its bytes, and an unsigned decimal. False when the text is not one.
bool UnhexField(std::string_view hex, std::string* out);
bool ParseUintField(std::string_view text, uint64_t* out);

// Calls `row` with each non-empty line of a FORMAT TabSeparated answer and its fields split
// at the tabs (no unescaping: the callers select hex() or numbers); stops at the first error
// `row` returns and returns it.
Status ForEachTsvRow(std::string_view body,
                     const std::function<Status(std::string_view line,
                                                const std::vector<std::string_view>& fields)>& row);

}  // namespace vigia::clickhouse
