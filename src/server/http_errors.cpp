#include "server/http_errors.h"

#include "common/json_writer.h"

namespace vigia {

std::string ErrorJson(std::string_view code, std::string_view message) {
  std::string out;
  out.reserve(48 + code.size() + message.size());
  JsonWriter w(&out);
  w.BeginObject().Key("error").BeginObject();
  w.KV("code", code).KV("message", message);
  w.EndObject().EndObject();
  return out;
}

void SetError(HttpResponse* resp, int http_status, std::string_view code,
              std::string_view message) {
  resp->SetJson(http_status, ErrorJson(code, message));
}

std::string_view ReasonPhrase(int http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
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
