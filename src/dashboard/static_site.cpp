#include "dashboard/static_site.h"

#include <zlib.h>

#include <cassert>
#include <cstdint>
#include <cstdio>

#include "common/ascii.h"
#include "server/content_negotiation.h"
#include "server/http_errors.h"

namespace vigia::dashboard {
namespace {

// gzip of `in` at the best compression; empty on a zlib error (the file is then sent as is).
std::string Gzip(std::string_view in) {
  z_stream zs{};
  // 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return {};
  return out;
}

std::string Etag(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Whether an If-None-Match value ("\"a\", W/\"b\"" or "*") names `etag`, by the weak
// comparison RFC 9110 §13.1.2 prescribes for it.
bool NoneMatchNames(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = ascii::TrimSpaces(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  if (EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(path, ".svg")) return "image/svg+xml";
  if (EndsWith(path, ".json")) return "application/json";
  if (EndsWith(path, ".png")) return "image/png";
  if (EndsWith(path, ".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticSite::StaticSite(std::span<const EmbeddedFile> files) {
  for (const EmbeddedFile& f : files) {
    File file;
    file.content_type = ContentTypeFor(f.path);
    file.bytes = std::string_view(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    file.etag = Etag(file.bytes);
    std::string gz = Gzip(file.bytes);
    // Images and tiny files rarely shrink enough to be worth a Content-Encoding.
    if (!gz.empty() && gz.size() + 64 < file.bytes.size()) file.gzip = std::move(gz);
    files_.emplace(f.path, std::move(file));
  }
  auto it = files_.find("index.html");
  assert(it != files_.end() && "the dashboard has an index.html");
  index_ = it == files_.end() ? nullptr : &it->second;
}

const StaticSite::File* StaticSite::Resolve(std::string_view path) const {
  if (path == "/" || path == "/ui" || path == "/ui/") return index_;
  if (!StartsWith(path, "/ui/")) return nullptr;
  std::string_view rel = path.substr(4);
  if (rel.find("..") != std::string_view::npos) return nullptr;
  auto it = files_.find(rel);
  if (it != files_.end()) return &it->second;
  // A client-side route (/ui/search, /ui/errors/abc): the app's shell. A missing file
  // (a name with an extension in its last segment) is a 404, not the shell.
  std::string_view last =
      rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) return nullptr;
  return index_;
}

void StaticSite::Serve(const HttpRequest& req, HttpResponse* resp) const {
  const File* f = Resolve(req.path);
  if (f == nullptr) {
    SetError(resp, error_code::kNotFound, "no such path: " + std::string(req.path));
    return;
  }
  resp->headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  resp->headers.emplace_back("X-Content-Type-Options", "nosniff");
  resp->headers.emplace_back("Referrer-Policy", "no-referrer");
  resp->headers.emplace_back("Cache-Control", "no-cache");
  resp->headers.emplace_back("ETag", f->etag);
  // `/` is the shell only for browsers (the Elasticsearch handshake for API clients).
  const bool root = req.path == "/";
  if (!f->gzip.empty()) {
    resp->headers.emplace_back("Vary", root ? "Accept, Accept-Encoding" : "Accept-Encoding");
  } else if (root) {
    resp->headers.emplace_back("Vary", "Accept");
  }
  if (NoneMatchNames(req.Header("If-None-Match"), f->etag)) {
    resp->status = 304;
    resp->content_type = std::string(f->content_type);
    resp->body.clear();
    return;
  }
  resp->status = 200;
  resp->content_type = std::string(f->content_type);
  if (!f->gzip.empty() && AcceptsGzip(req)) {
    resp->headers.emplace_back("Content-Encoding", "gzip");
    resp->body = f->gzip;
  } else {
    resp->body = std::string(f->bytes);
  }
}

}  // namespace vigia::dashboard
