#include "server/cors_policy.h"

#include "common/ascii.h"

namespace vigia {
namespace {

// How long a browser may cache a preflight answer.
constexpr std::string_view kMaxAgeSec = "600";
constexpr std::string_view kBaseHeaders = "Authorization, Content-Type, Content-Encoding";

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// The requested header names that are plain tokens, comma separated (nothing else is echoed).
std::string RequestedHeaders(std::string_view list) {
  std::string out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = ascii::TrimSpaces(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty() || name.size() > 64) continue;
    bool ok = true;
    for (char c : name) ok = ok && IsTokenChar(c);
    if (!ok) continue;
    out.append(", ").append(name);
  }
  return out;
}

}  // namespace

Result<CorsPolicy> CorsPolicy::Parse(std::string_view origins) {
  CorsPolicy p;
  while (!origins.empty()) {
    size_t comma = origins.find(',');
    std::string_view o = ascii::TrimSpaces(origins.substr(0, comma));
    origins = comma == std::string_view::npos ? std::string_view() : origins.substr(comma + 1);
    if (o.empty()) continue;
    if (o == "*") {
      p.any_ = true;
      continue;
    }
    size_t scheme = o.find("://");
    if (scheme == std::string_view::npos || scheme == 0 || o.size() == scheme + 3 ||
        o.find('/', scheme + 3) != std::string_view::npos) {
      return Status::InvalidArgument("expected an origin like https://app.example.com, got \"" +
                                     std::string(o) + "\"");
    }
    p.origins_.emplace_back(o);
  }
  return p;
}

std::string_view CorsPolicy::AllowedOrigin(std::string_view origin) const {
  if (origin.empty()) return {};
  for (const std::string& o : origins_) {
    if (ascii::EqualsIgnoreCase(o, origin)) return origin;
  }
  return any_ ? std::string_view("*") : std::string_view();
}

void CorsPolicy::Preflight(const HttpRequest& req, HttpResponse* resp) const {
  resp->status = 204;
  resp->content_type.clear();
  resp->body.clear();
  resp->headers.emplace_back("Vary", "Origin");
  std::string_view allow = AllowedOrigin(req.Header("Origin"));
  if (allow.empty()) return;
  resp->headers.emplace_back("Access-Control-Allow-Origin", std::string(allow));
  if (allow != "*") resp->headers.emplace_back("Access-Control-Allow-Credentials", "true");
  resp->headers.emplace_back("Access-Control-Allow-Methods", "POST, PUT, OPTIONS");
  resp->headers.emplace_back(
      "Access-Control-Allow-Headers",
      std::string(kBaseHeaders) + RequestedHeaders(req.Header("Access-Control-Request-Headers")));
  resp->headers.emplace_back("Access-Control-Max-Age", std::string(kMaxAgeSec));
}

void CorsPolicy::Decorate(const HttpRequest& req, HttpResponse* resp) const {
  std::string_view origin = req.Header("Origin");
  if (origin.empty()) return;
  resp->headers.emplace_back("Vary", "Origin");
  std::string_view allow = AllowedOrigin(origin);
  if (allow.empty()) return;
  resp->headers.emplace_back("Access-Control-Allow-Origin", std::string(allow));
  if (allow != "*") resp->headers.emplace_back("Access-Control-Allow-Credentials", "true");
}

}  // namespace vigia
