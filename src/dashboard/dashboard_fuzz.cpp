// libFuzzer target: what the server answers to a GET or HEAD that no API route takes — the
// `/` split by Accept (the dashboard's shell for browsers, the Elasticsearch handshake for
// API clients, routed as the server does: a conditional GET / route and StaticSite as the
// router's fallback), StaticSite's path resolution, If-None-Match and Accept-Encoding.
// Input: lines "path\nAccept\nAccept-Encoding\nIf-None-Match", an optional 5th line "HEAD";
// "@V@" in the path stands for the current asset version.
// Checked on every input, against the real embedded files:
//   - the status is 200, 304 or 404; a 404 is the API's JSON error;
//   - `/` without "text/html" anywhere in Accept is the handshake; with Accept exactly
//     "text/html" it is the shell;
//   - a 200 body (gunzipped when Content-Encoding is gzip, which needs "gzip" or "*" in
//     Accept-Encoding; with br, which needs "br" or "*", exactly the embedded <file>.br of the
//     file the path names) is the shell (no-cache) or exactly the embedded file the path names,
//     and a file is only served at its own versioned URL /ui/assets/<version>/<file> (cached
//     for a year); the shell only at `/` and under /ui/ outside /ui/assets/, never for a
//     path with "..";
//   - a 304 only when If-None-Match holds the answer's ETag or "*", and an unconditional
//     request never gets one;
//   - every dashboard answer carries the Content-Security-Policy, nosniff and an ETag.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "dashboard/embedded_files.h"
#include "dashboard/static_site.h"
#include "server/content_negotiation.h"
#include "server/router.h"

namespace {

using vigia::dashboard::EmbeddedFile;
using vigia::dashboard::EmbeddedFiles;
using vigia::dashboard::StaticSite;

constexpr std::string_view kHandshake = R"({"tagline":"You Know, for Search"})";

struct Fixture {
  StaticSite site{EmbeddedFiles()};
  vigia::Router router;
  std::string shell;  // the body of `/` for a browser
};

Fixture* MakeFixture() {
  auto* f = new Fixture();
  f->router.AddWhen(
      "GET", "/", vigia::Access::kPublic,
      [](const vigia::HttpRequest& req) { return !vigia::IsBrowserNavigation(req); },
      [](vigia::HttpRequest&, vigia::HttpResponse* resp) {
        resp->SetJson(200, std::string(kHandshake));
      });
  const StaticSite* site = &f->site;
  f->router.SetFallback(
      vigia::Access::kPublic,
      [site](vigia::HttpRequest& req, vigia::HttpResponse* resp) { site->Serve(req, resp); });
  vigia::HttpRequest req;
  req.method = "GET";
  req.path = "/";
  req.target = "/";
  req.headers.emplace_back("Accept", "text/html");
  vigia::HttpResponse resp;
  f->router.Dispatch(req, &resp);
  if (resp.status != 200 || resp.content_type != "text/html; charset=utf-8") abort();
  f->shell = resp.body;
  return f;
}

bool ContainsIgnoreCase(std::string_view s, std::string_view lower) {
  for (size_t i = 0; i + lower.size() <= s.size(); ++i) {
    if (vigia::ascii::EqualsLower(s.substr(i, lower.size()), lower)) return true;
  }
  return false;
}

// The gunzipped body; aborts when it is not a valid gzip stream.
std::string Gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) abort();
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) abort();
  return out;
}

// The embedded file whose bytes are `body`, or null.
const EmbeddedFile* FileWithBytes(std::string_view body) {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (std::string_view(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()) == body) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fx = MakeFixture();
  // Copy so that ASan sees reads past the end.
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  size_t start = 0;
  while (lines.size() < 5) {
    size_t nl = input.find('\n', start);
    lines.push_back(input.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  lines.resize(5);
  // "@V@" in the path is this build's asset version, so seeds reach the real files whatever
  // the version is.
  for (size_t at; (at = lines[0].find("@V@")) != std::string::npos;) {
    lines[0].replace(at, 3, fx->site.version());
  }
  const std::string& path = lines[0];
  const std::string& accept = lines[1];
  const std::string& encoding = lines[2];
  const std::string& inm = lines[3];

  vigia::HttpRequest req;
  req.method = lines[4] == "HEAD" ? "HEAD" : "GET";
  req.path = path;
  req.target = path;
  if (!accept.empty()) req.headers.emplace_back("Accept", accept);
  if (!encoding.empty()) req.headers.emplace_back("Accept-Encoding", encoding);
  if (!inm.empty()) req.headers.emplace_back("If-None-Match", inm);
  vigia::HttpResponse resp;
  fx->router.Dispatch(req, &resp);

  if (resp.status != 200 && resp.status != 304 && resp.status != 404) abort();
  const bool handshake = resp.body == kHandshake;
  if (path == "/" && !ContainsIgnoreCase(accept, "text/html") && !handshake) abort();
  if (path == "/" && accept == "text/html" && handshake) abort();
  if (handshake) {
    if (path != "/" || resp.status != 200) abort();
    return 0;
  }
  if (resp.status == 404) {
    if (resp.content_type != "application/json") abort();
    if (resp.body.find(R"("code":"not_found")") == std::string::npos) abort();
    return 0;
  }
  if (resp.Header("Content-Security-Policy") != vigia::dashboard::kContentSecurityPolicy) abort();
  if (resp.Header("X-Content-Type-Options") != "nosniff") abort();
  const std::string_view etag = resp.Header("ETag");
  if (etag.size() < 3 || etag.front() != '"' || etag.back() != '"') abort();
  if (resp.status == 304) {
    if (inm.empty() || !resp.body.empty()) abort();
    if (inm.find('*') == std::string::npos && inm.find(etag) == std::string::npos) abort();
    return 0;
  }
  std::string body = resp.body;
  if (resp.Header("Content-Encoding") == "gzip") {
    if (!ContainsIgnoreCase(encoding, "gzip") && encoding.find('*') == std::string::npos) abort();
    body = Gunzip(body);
  } else if (resp.Header("Content-Encoding") == "br") {
    // The build's <file>.br, sent as is: the body is that embedded file; check as its file.
    if (!ContainsIgnoreCase(encoding, "br") && encoding.find('*') == std::string::npos) abort();
    const EmbeddedFile* br = FileWithBytes(body);
    if (br == nullptr || !br->path.ends_with(".br")) abort();
    const std::string_view base = br->path.substr(0, br->path.size() - 3);
    if (path != fx->site.AssetUrl(base)) abort();
    if (resp.content_type != vigia::dashboard::ContentTypeFor(base)) abort();
    if (resp.Header("Cache-Control") != "public, max-age=31536000, immutable") abort();
    return 0;
  } else if (!resp.Header("Content-Encoding").empty()) {
    abort();
  }
  if (body == fx->shell) {
    const bool ui = path == "/" || path == "/ui" || path.rfind("/ui/", 0) == 0;
    if (!ui || path.find("..") != std::string::npos) abort();
    if (path.rfind(vigia::dashboard::kAssetsPath, 0) == 0) abort();
    if (resp.content_type != "text/html; charset=utf-8") abort();
    if (resp.Header("Cache-Control") != "no-cache") abort();
    return 0;
  }
  const EmbeddedFile* f = FileWithBytes(body);
  if (f == nullptr || f->path == "index.html" || f->path.ends_with(".br")) abort();
  if (path != fx->site.AssetUrl(f->path)) abort();
  if (resp.content_type != vigia::dashboard::ContentTypeFor(f->path)) abort();
  if (resp.Header("Cache-Control") != "public, max-age=31536000, immutable") abort();
  return 0;
}
