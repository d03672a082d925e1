#include "dashboard/static_site.h"

#include <zlib.h>

#include <cassert>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

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

// Whether an Accept-Encoding value accepts `token` ("gzip, br", "gzip;q=0.8"; "gzip;q=0" and
// an absent token refuse it; "*" accepts it).
bool AcceptsEncoding(std::string_view header, std::string_view token) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != token && name != "*") continue;
    if (semi == std::string_view::npos) return true;
    size_t q = item.find("q=", semi);
    if (q == std::string_view::npos) return true;
    std::string value(item.substr(q + 2));
    return std::strtod(value.c_str(), nullptr) > 0;
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
  if (!f->gzip.empty()) resp->headers.emplace_back("Vary", "Accept-Encoding");
  std::string_view inm = req.Header("If-None-Match");
  if (!inm.empty() && (inm == f->etag || inm.find(f->etag) != std::string_view::npos)) {
    resp->status = 304;
    resp->content_type = std::string(f->content_type);
    resp->body.clear();
    return;
  }
  resp->status = 200;
  resp->content_type = std::string(f->content_type);
  if (!f->gzip.empty() && AcceptsEncoding(req.Header("Accept-Encoding"), "gzip")) {
    resp->headers.emplace_back("Content-Encoding", "gzip");
    resp->body = f->gzip;
  } else {
    resp->body = std::string(f->bytes);
  }
}

}  // namespace vigia::dashboard
