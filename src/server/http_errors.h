// The JSON error contract of the HTTP API: every error response is
// {"error":{"code":"...","message":"..."}} with one of the stable codes below, so clients
// branch on `code` and show `message` to humans. docs/http-api.md lists the codes.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http_message.h"

namespace vigia {

namespace error_code {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kUnsupportedMediaType = "unsupported_media_type";
inline constexpr std::string_view kUnsupportedEncoding = "unsupported_content_encoding";
inline constexpr std::string_view kBadCompression = "bad_compression";
inline constexpr std::string_view kBodyTooLarge = "body_too_large";
inline constexpr std::string_view kHeaderTooLarge = "header_too_large";
inline constexpr std::string_view kUnauthenticated = "unauthenticated";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";
inline constexpr std::string_view kStoreUnavailable = "store_unavailable";
inline constexpr std::string_view kShuttingDown = "shutting_down";
inline constexpr std::string_view kTimeout = "request_timeout";
inline constexpr std::string_view kInternal = "internal";
}  // namespace error_code

// {"error":{"code":code,"message":message}}
std::string ErrorJson(std::string_view code, std::string_view message);

// Sets `resp` to an error with HTTP status `http_status`.
void SetError(HttpResponse* resp, int http_status, std::string_view code, std::string_view message);

// "Payload Too Large" for 413, ... (the reason phrase of a status line).
std::string_view ReasonPhrase(int http_status);

}  // namespace vigia
