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

StaticSite::File StaticSite::MakeFile(std::string_view path, std::string_view bytes,
                                      bool immutable) {
  File file;
  file.content_type = ContentTypeFor(path);
  file.bytes = bytes;
  file.etag = Etag(bytes);
  file.immutable = immutable;
  std::string gz = Gzip(bytes);
  // Images and tiny files rarely shrink enough to be worth a Content-Encoding.
  if (!gz.empty() && gz.size() + 64 < bytes.size()) file.gzip = std::move(gz);
  return file;
}

StaticSite::StaticSite(std::span<const EmbeddedFile> files) {
  // The version: FNV-1a 64 of every file's path and bytes, so any change to any file gives
  // every asset a new URL (the modules import each other by relative URLs, so they must
  // all be of one version).
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // an end-of-field mark between a path and its bytes
    h *= 1099511628211ull;
  };
  std::string_view index;
  std::unordered_map<std::string_view, std::string_view> brotli;  // "js/app.js" → its .br
  for (const EmbeddedFile& f : files) {
    std::string_view bytes(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    mix(f.path);
    mix(bytes);
    if (f.path == "index.html") {
      index = bytes;
    } else if (EndsWith(f.path, ".br")) {
      brotli.emplace(f.path.substr(0, f.path.size() - 3), bytes);
    } else {
      files_.emplace(f.path, MakeFile(f.path, bytes, /*immutable=*/true));
    }
  }
  for (auto& [path, file] : files_) {
    auto it = brotli.find(path);
    if (it != brotli.end()) file.brotli = it->second;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  version_ = hex;
  assets_prefix_ = std::string(kAssetsPath) + version_ + "/";
  // The shell: index.html with its asset URLs pointing at this version.
  assert(index.find(kAssetsPlaceholder) != std::string_view::npos &&
         "index.html names its files as @ASSETS@/...");
  const std::string base = std::string(kAssetsPath) + version_;
  for (size_t pos = 0;;) {
    size_t at = index.find(kAssetsPlaceholder, pos);
    shell_text_.append(index.substr(pos, at == std::string_view::npos ? at : at - pos));
    if (at == std::string_view::npos) break;
    shell_text_ += base;
    pos = at + kAssetsPlaceholder.size();
  }
  shell_ = MakeFile("index.html", shell_text_, /*immutable=*/false);
}

std::string StaticSite::AssetUrl(std::string_view file) const {
  return assets_prefix_ + std::string(file);
}

const StaticSite::File* StaticSite::Resolve(std::string_view path) const {
  if (path == "/" || path == "/ui" || path == "/ui/") return &shell_;
  if (!StartsWith(path, "/ui/")) return nullptr;
  // Files: only this version's URL of each; another version's (a page opened before an
  // upgrade) is a 404, which the page tells from other errors to ask for a reload.
  if (StartsWith(path, kAssetsPath) || path == kAssetsPath.substr(0, kAssetsPath.size() - 1)) {
    if (!StartsWith(path, assets_prefix_)) return nullptr;
    auto it = files_.find(path.substr(assets_prefix_.size()));
    return it == files_.end() ? nullptr : &it->second;
  }
  // A client-side route (/ui/search, /ui/errors/abc): the app's shell. A name with an
  // extension in its last segment (a file outside /ui/assets/) or with ".." is a 404.
  std::string_view rel = path.substr(4);
  if (rel.find("..") != std::string_view::npos) return nullptr;
  std::string_view last =
      rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) return nullptr;
  return &shell_;
}

void StaticSite::Serve(const HttpRequest& req, HttpResponse* resp) const {
  const File* f = Resolve(req.path);
  if (f == nullptr) {
    if (StartsWith(req.path, kAssetsPath) && !StartsWith(req.path, assets_prefix_)) {
      SetError(resp, error_code::kNotFound,
               "no such path: " + std::string(req.path) +
                   " (the dashboard's files are of another version now: reload the page)");
    } else {
      SetError(resp, error_code::kNotFound, "no such path: " + std::string(req.path));
    }
    return;
  }
  resp->headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  resp->headers.emplace_back("X-Content-Type-Options", "nosniff");
  resp->headers.emplace_back("Referrer-Policy", "no-referrer");
  // A versioned file never changes at its URL; the shell is revalidated on every load, so
  // an upgraded server's shell (naming the new version) is seen at once.
  resp->headers.emplace_back("Cache-Control",
                             f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  resp->headers.emplace_back("ETag", f->etag);
  // `/` is the shell only for browsers (the Elasticsearch handshake for API clients).
  const bool root = req.path == "/";
  if (!f->gzip.empty() || !f->brotli.empty()) {
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
  if (!f->brotli.empty() && AcceptsBrotli(req)) {
    resp->headers.emplace_back("Content-Encoding", "br");
    resp->body = std::string(f->brotli);
  } else if (!f->gzip.empty() && AcceptsGzip(req)) {
    resp->headers.emplace_back("Content-Encoding", "gzip");
    resp->body = f->gzip;
  } else {
    resp->body = std::string(f->bytes);
  }
}

}  // namespace vigia::dashboard
