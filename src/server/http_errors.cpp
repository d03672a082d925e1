#include "server/http_errors.h"

#include "common/json_writer.h"

namespace vigia {

std::string ErrorJson(ErrorCode code, std::string_view message) {
  std::string out;
  out.reserve(48 + code.name.size() + message.size());
  JsonWriter w(&out);
  w.BeginObject().Key("error").BeginObject();
  w.KV("code", code.name).KV("message", message);
  w.EndObject().EndObject();
  return out;
}

void SetError(HttpResponse* resp, ErrorCode code, std::string_view message, int retry_after_sec) {
  resp->SetJson(code.http_status, ErrorJson(code, message));
  if (code.http_status == 503 || code.http_status == 429) {
    resp->headers.emplace_back("Retry-After", std::to_string(retry_after_sec));
  }
}

ErrorCode ErrorForStatus(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
      return error_code::kBadRequest;
    case StatusCode::kNotFound:
      return error_code::kNotFound;
    case StatusCode::kResourceExhausted:
      return error_code::kQueryTooLarge;
    case StatusCode::kCorruption:
      return error_code::kDataCorrupt;
    case StatusCode::kIOError:
      return error_code::kStoreUnavailable;
    case StatusCode::kUnavailable:
      return error_code::kOverloaded;
    case StatusCode::kDeadlineExceeded:
      return error_code::kTimeout;
    case StatusCode::kUnauthenticated:
      return error_code::kUnauthenticated;
    case StatusCode::kPermissionDenied:
      return error_code::kForbidden;
    case StatusCode::kOk:
    case StatusCode::kInternal:
      return error_code::kInternal;
  }
  return error_code::kInternal;
}

void SetStatusError(HttpResponse* resp, const Status& st) {
  SetError(resp, ErrorForStatus(st), st.message());
}

std::string_view ReasonPhrase(int http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

}  // namespace vigia
