// StaticSite: serves the dashboard's files (embedded_files.h) over the HTTP API's router as
// its fallback (router.h SetFallback: the GET/HEAD requests no API route matches).
//
// URL layout (docs/dashboard.md): `/` is the app's shell (ui/index.html); the other files
// are under `/ui/assets/<version>/<file>`, where the version is a hash of every file, so a
// URL's content never changes and the browser caches it for a year (`Cache-Control: public,
// max-age=31536000, immutable`); a URL of another version (a tab opened before an upgrade)
// is a 404. index.html names its files as `@ASSETS@/app.css`; the shell served is index.html
// with `@ASSETS@` replaced by `/ui/assets/<version>`, and is sent with `Cache-Control:
// no-cache` (revalidated by ETag → 304 on every load, so an upgrade is seen at once). The
// modules import each other by relative URLs, so a page only ever runs one version's code.
// Any other `/ui/...` path without a file extension is a client-side route of the
// single-page app and gets the shell too, so a reloaded or shared link (/ui/search?q=...)
// opens the right page. Everything else is the API's JSON 404 `not_found`, so an unknown /v1
// path stays an API error. The UI is served under /ui/ rather than at top-level paths
// because one-segment paths belong to the Elasticsearch-compatible routes (PUT /{index}).
//
// Every answer has a Content-Type from the file's extension, a strong ETag (If-None-Match →
// 304), a strict Content-Security-Policy (only this origin's scripts, styles and API; no
// inline script, no frames) and `X-Content-Type-Options: nosniff`. Files are gzip-compressed
// once at construction and sent compressed to clients that accept gzip
// (server/content_negotiation.h), when that is smaller. A file the dashboard's build
// precompressed with brotli (`<file>.br` beside it, src/dashboard/web/build.mjs: quality 11,
// too slow for the server's start) is sent as is to clients that accept br, in preference to
// gzip; the .br files are not served at URLs of their own. `/` also varies by Accept (API
// clients get the Elasticsearch handshake there).
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

// The Content-Security-Policy header value of every dashboard answer. Scripts, style sheets
// and <style> elements only from the dashboard's own files; style *attributes* are allowed
// (style-src-attr): the browser's own editing of the query editor's contenteditable
// (CodeMirror 6) writes them when it merges lines, and a style attribute runs no script and
// loads nothing the other directives do not allow (docs/dashboard.md, "Keys and security").
// worker-src: the streamed query's worker (js/query_worker.js).
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Where the versioned files are: /ui/assets/<version>/<file>.
inline constexpr std::string_view kAssetsPath = "/ui/assets/";
// What index.html writes for "/ui/assets/<version>" (its own URLs of the files).
inline constexpr std::string_view kAssetsPlaceholder = "@ASSETS@";

// "text/javascript; charset=utf-8" for "js/app.js"; application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view path);

class StaticSite {
 public:
  // REQUIRES: `files` holds "index.html", which names the files as @ASSETS@/<file>.
  explicit StaticSite(std::span<const EmbeddedFile> files);
  StaticSite(const StaticSite&) = delete;
  StaticSite& operator=(const StaticSite&) = delete;

  // Answers a GET or HEAD request (the body is left for HEAD's transport to drop).
  void Serve(const HttpRequest& req, HttpResponse* resp) const;

  // The files beside index.html.
  size_t file_count() const { return files_.size(); }
  // 16 hex digits: the hash of every file, the <version> of the asset URLs.
  const std::string& version() const { return version_; }
  // "/ui/assets/<version>/js/app.js" for "js/app.js".
  std::string AssetUrl(std::string_view file) const;

 private:
  struct File {
    std::string_view content_type;
    std::string_view bytes;
    std::string gzip;         // empty when compression does not pay
    std::string_view brotli;  // the embedded <file>.br; empty when the build made none
    std::string etag;         // "\"<fnv-1a 64 hex>\""
    bool immutable = false;   // a versioned file (cached for a year), not the shell
  };
  static File MakeFile(std::string_view path, std::string_view bytes, bool immutable);
  // The file a URL path names; null when none (→ 404).
  const File* Resolve(std::string_view path) const;
  std::unordered_map<std::string_view, File> files_;  // by path under ui/, not index.html
  std::string version_;
  std::string assets_prefix_;  // "/ui/assets/<version>/"
  std::string shell_text_;     // index.html with this version's asset URLs
  File shell_;                 // its bytes view shell_text_
};

}  // namespace vigia::dashboard
