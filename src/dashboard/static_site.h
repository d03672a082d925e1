// StaticSite: serves the dashboard's files (embedded_files.h) over the HTTP API's router as
// its fallback (router.h SetFallback: the GET/HEAD requests no API route matches).
//
// URL layout (docs/dashboard.md): `/` is ui/index.html; `/ui/<file>` is ui/<file>; any other
// `/ui/...` path without a file extension is a client-side route of the single-page app and
// gets index.html too, so a reloaded or shared link (/ui/search?q=...) opens the right page.
// Everything else is the API's JSON 404 `not_found`, so an unknown /v1 path stays an API
// error. The UI is served under /ui/ rather than at top-level paths because one-segment
// paths belong to the Elasticsearch-compatible routes (PUT /{index}).
//
// Every answer has a Content-Type from the file's extension, a strong ETag (If-None-Match →
// 304), `Cache-Control: no-cache` (the browser revalidates, so a new binary's files are
// never mixed with cached old ones), a strict Content-Security-Policy (only this origin's
// scripts, styles and API; no inline script, no frames) and `X-Content-Type-Options:
// nosniff`. Files are gzip-compressed once at construction and sent compressed to clients
// that accept gzip, when that is smaller.
//
// Thread-safety: immutable after construction; Serve is thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dashboard/embedded_files.h"
#include "server/http_message.h"

namespace vigia::dashboard {

// The Content-Security-Policy header value of every dashboard answer.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// "text/javascript; charset=utf-8" for "js/app.js"; application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view path);

class StaticSite {
 public:
  // REQUIRES: `files` holds "index.html".
  explicit StaticSite(std::span<const EmbeddedFile> files);

  // Answers a GET or HEAD request (the body is left for HEAD's transport to drop).
  void Serve(const HttpRequest& req, HttpResponse* resp) const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string_view content_type;
    std::string_view bytes;
    std::string gzip;  // empty when compression does not pay
    std::string etag;  // "\"<fnv-1a 64 hex>\""
  };
  // The file a URL path names; null when none (→ 404).
  const File* Resolve(std::string_view path) const;
  std::unordered_map<std::string_view, File> files_;
  const File* index_ = nullptr;
};

}  // namespace vigia::dashboard
