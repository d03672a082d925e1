// CorsPolicy: which web origins may call vigia's ingest routes from a browser (the Flutter
// web client, a SPA logging straight to vigia), and the CORS headers that say so
// (ingest.cors_origins). The Router applies it to the paths it is given (Router::AddCors):
//
//  - a preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed
//    origin gets 204 with Access-Control-Allow-Origin: <that origin>, -Allow-Methods,
//    -Allow-Headers (Authorization, Content-Type, Content-Encoding and the headers the
//    browser asked for that are plain tokens), -Max-Age, and Vary: Origin; it needs no API
//    key (browsers never send credentials on a preflight);
//  - the actual request from an allowed origin gets Access-Control-Allow-Origin and Vary:
//    Origin on whatever the handler answered (errors included, so the app can read them);
//  - any other origin gets no CORS header at all, so the browser refuses it: an origin is
//    never echoed unless configured, and Access-Control-Allow-Credentials is sent only with
//    an exact configured origin, never with "*".
//
// "*" in the list allows every origin without credentials (the key in an Authorization
// header still works: it is a request header, not a browser credential).
//
// Thread-safety: immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/http_message.h"

namespace vigia {

class CorsPolicy {
 public:
  // Parses "https://app.example.com,https://admin.example.com" (or "*"). Origins are
  // scheme://host[:port] without a path; compared exactly (case-insensitively).
  static Result<CorsPolicy> Parse(std::string_view origins);

  bool enabled() const { return any_ || !origins_.empty(); }

  // Answers a preflight (OPTIONS): 204, with the CORS headers only for an allowed origin.
  void Preflight(const HttpRequest& req, HttpResponse* resp) const;
  // Adds the CORS headers of an actual request from an allowed origin.
  void Decorate(const HttpRequest& req, HttpResponse* resp) const;

 private:
  // The value of Access-Control-Allow-Origin for `origin`, or empty when not allowed.
  std::string_view AllowedOrigin(std::string_view origin) const;

  std::vector<std::string> origins_;
  bool any_ = false;
};

}  // namespace vigia
