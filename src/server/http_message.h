// HttpRequest / HttpResponse: the transport-neutral view of one HTTP exchange that route
// handlers see. The socket layer (http_server.cpp, the only user of Boost.Beast) fills a
// request and serializes the response, so handlers compile fast and are unit-testable
// without sockets.
//
// Thread-safety: plain values, externally synchronized. A request's header views point into
// the transport's buffers and are valid only while its handler runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"

namespace vigia {

class ResponseStream;

struct HttpRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/v1/query?q=*&limit=10"
  std::string_view path;    // "/v1/query"
  std::string_view query;   // "limit=10" (without '?')
  // Values of the route's {name} segments, percent-decoded; set by the Router.
  std::vector<std::pair<std::string, std::string>> path_params;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string body;
  std::string request_id;  // chosen by the transport (client's if sane, else generated)
  // The TCP peer's address ("203.0.113.7", "::1"), for per-IP rate limits; empty when the
  // request did not come from a socket (tests calling handlers directly).
  std::string remote_ip;
  int64_t receive_ts_ns = 0;
  // Who sent it: set by the Router's authenticator before a non-public route's handler
  // runs (router.h); default (unauthenticated) on public routes.
  Principal principal;

  // Value of header `name` (case-insensitive); empty when absent.
  std::string_view Header(std::string_view name) const;
  // Value of query parameter `name` (not percent-decoded); empty when absent.
  std::string_view QueryParam(std::string_view name) const;
  // Value of path parameter `name` (route "/v1/trace/{request_id}"); empty when absent.
  std::string_view PathParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool close = false;  // close the connection after this response
  // When set, the body is streamed from here with chunked transfer encoding (`body` must
  // be empty) and the connection closes when the stream ends; see response_stream.h.
  std::shared_ptr<ResponseStream> stream;

  // A JSON body (content type application/json).
  void SetJson(int code, std::string json) {
    status = code;
    content_type = "application/json";
    body = std::move(json);
  }
  // Value of the extra header `name` (case-insensitive); empty when absent.
  std::string_view Header(std::string_view name) const;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace vigia
