// The JSON error contract of the HTTP API: every error response is
// {"error":{"code":"...","message":"..."}} with one of the stable codes below, so clients
// branch on `code` and show `message` to humans. docs/http-api.md lists the codes.
//
// The table below is the only place an error code is spelled: each code carries its one
// HTTP status, SetError() takes a code (never a bare string or a separate status), and every
// 429 and 503 answer gets a Retry-After header there, so no call site can forget it.
// ErrorForStatus() is the one mapping from a Status to a code.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http_message.h"

namespace vigia {

// A stable error code and the HTTP status it is always sent with.
struct ErrorCode {
  std::string_view name;
  int http_status;
};

namespace error_code {
inline constexpr ErrorCode kBadRequest{"bad_request", 400};
inline constexpr ErrorCode kUnsupportedMediaType{"unsupported_media_type", 400};
inline constexpr ErrorCode kUnsupportedEncoding{"unsupported_content_encoding", 400};
inline constexpr ErrorCode kBadCompression{"bad_compression", 400};
inline constexpr ErrorCode kUnauthenticated{"unauthenticated", 401};
// A valid key whose role does not allow the route (an ingest key querying, a read key
// creating keys).
inline constexpr ErrorCode kForbidden{"forbidden", 403};
inline constexpr ErrorCode kNotFound{"not_found", 404};
inline constexpr ErrorCode kMethodNotAllowed{"method_not_allowed", 405};
inline constexpr ErrorCode kTimeout{"request_timeout", 408};
inline constexpr ErrorCode kBodyTooLarge{"body_too_large", 413};
// A query over the group or memory limit: the same query fails again, so not a 503.
inline constexpr ErrorCode kQueryTooLarge{"query_too_large", 422};
// A per-key or per-IP rate limit (server/rate_limiter.h) or a key's query concurrency: that
// client must slow down; others are served. Always with Retry-After.
inline constexpr ErrorCode kRateLimited{"rate_limited", 429};
inline constexpr ErrorCode kHeaderTooLarge{"header_too_large", 431};
inline constexpr ErrorCode kInternal{"internal", 500};  // a bug in vigia
// Stored data failed a checksum or structural check (StatusCode::kCorruption): not a bug,
// and not transient either; the message names the part.
inline constexpr ErrorCode kDataCorrupt{"data_corrupt", 500};
inline constexpr ErrorCode kStoreUnavailable{"store_unavailable", 503};
inline constexpr ErrorCode kOverloaded{"overloaded", 503};
inline constexpr ErrorCode kShuttingDown{"shutting_down", 503};
}  // namespace error_code

// The Retry-After (seconds) a 429 or 503 carries unless the call site knows better.
inline constexpr int kDefaultRetryAfterSec = 1;

// {"error":{"code":code,"message":message}}
std::string ErrorJson(ErrorCode code, std::string_view message);

// Sets `resp` to an error with the code's HTTP status; a 429 or 503 also gets
// `Retry-After: retry_after_sec`. REQUIRES: retry_after_sec >= 0.
void SetError(HttpResponse* resp, ErrorCode code, std::string_view message,
              int retry_after_sec = kDefaultRetryAfterSec);

// The error code for a failed operation's Status: kInvalidArgument → bad_request,
// kResourceExhausted → query_too_large, kCorruption → data_corrupt, kUnavailable →
// overloaded, kIOError → store_unavailable, kInternal → internal, ...
// REQUIRES: !st.ok() (an OK status maps to internal: reporting success as an error is a bug).
ErrorCode ErrorForStatus(const Status& st);

// SetError(resp, ErrorForStatus(st), st.message()).
void SetStatusError(HttpResponse* resp, const Status& st);

// "Payload Too Large" for 413, ... (the reason phrase of a status line).
std::string_view ReasonPhrase(int http_status);

}  // namespace vigia
