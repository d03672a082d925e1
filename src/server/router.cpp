#include "server/router.h"

#include <cassert>

#include "common/ascii.h"
#include "server/http_errors.h"

namespace vigia {

std::string PercentDecode(std::string_view s, PlusIs plus) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus == PlusIs::kSpace) {
      out.push_back(' ');
      continue;
    }
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = ascii::HexValue(s[i + 1]), lo = ascii::HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}
namespace {

// Splits off the first segment of `*rest` (which starts after a '/').
std::string_view NextSegment(std::string_view* rest) {
  size_t slash = rest->find('/');
  std::string_view seg = rest->substr(0, slash);
  *rest = slash == std::string_view::npos ? std::string_view() : rest->substr(slash + 1);
  return seg;
}

}  // namespace

void Router::Add(std::string method, std::string path, Access access, HttpHandler handler) {
  for (const Route& r : routes_) {
    assert(!(r.method == method && r.path == path) && "duplicate route");
    (void)r;
  }
  bool has_params = path.find('{') != std::string::npos;
  routes_.push_back(
      {std::move(method), std::move(path), access, std::move(handler), has_params, {}});
}

void Router::AddWhen(std::string method, std::string path, Access access, HttpRequestFilter when,
                     HttpHandler handler) {
  bool has_params = path.find('{') != std::string::npos;
  routes_.push_back({std::move(method), std::move(path), access, std::move(handler), has_params,
                     std::move(when)});
}

void Router::AddCors(std::string path, const CorsPolicy* policy) {
  bool has_params = path.find('{') != std::string::npos;
  cors_.push_back({Route{"", std::move(path), Access::kPublic, {}, has_params, {}}, policy});
}

void Router::SetAuthenticator(HttpAuthenticator authenticator) {
  authenticator_ = std::move(authenticator);
}

void Router::SetFallback(Access access, HttpHandler handler) {
  assert(!fallback_ && "one fallback only");
  fallback_access_ = access;
  fallback_ = std::move(handler);
}

std::vector<std::string> Router::RouteTable() const {
  std::vector<std::string> out;
  for (const Route& r : routes_) {
    out.push_back(r.method + " " + r.path + " " + std::string(AccessName(r.access)));
  }
  return out;
}

bool Router::Authorize(Access access, HttpRequest& req, HttpResponse* resp) const {
  req.principal = Principal{};
  if (access == Access::kPublic) return true;
  if (limiter_ != nullptr) {
    if (int wait = limiter_->AdmitIp(req.remote_ip); wait > 0) {
      SetError(resp, error_code::kRateLimited,
               "too many requests from this address (rate_limit.ip_per_sec); retry after " +
                   std::to_string(wait) + " s",
               wait);
      return false;
    }
  }
  if (!authenticator_) {
    SetError(resp, error_code::kUnauthenticated, "authentication is not configured");
    return false;
  }
  Result<Principal> p = authenticator_(req);
  if (!p.ok()) {
    SetError(resp, error_code::kUnauthenticated, p.status().message());
    resp->headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigia\"");
    return false;
  }
  if (!Permits(p->role, access)) {
    SetError(resp, error_code::kForbidden,
             "this API key has role " + std::string(RoleName(p->role)) + "; " +
                 std::string(req.method) + " " + std::string(req.path) + " needs role " +
                 std::string(AccessName(access)));
    return false;
  }
  if (limiter_ != nullptr) {
    if (int wait = limiter_->AdmitKey(p->key_id, access); wait > 0) {
      SetError(resp, error_code::kRateLimited,
               std::string("too many requests with this API key (rate_limit.") +
                   (access == Access::kIngest ? "key_ingest_per_sec" : "key_query_per_sec") +
                   "); retry after " + std::to_string(wait) + " s",
               wait);
      return false;
    }
  }
  req.principal = std::move(*p);
  return true;
}

bool Router::Match(const Route& r, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>* params) {
  params->clear();
  if (!r.has_params) return r.path == path;
  std::string_view pattern = r.path;
  if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  while (true) {
    bool pattern_done = pattern.data() == nullptr;
    bool path_done = path.data() == nullptr;
    if (pattern_done || path_done) return pattern_done && path_done;
    std::string_view want = NextSegment(&pattern);
    std::string_view got = NextSegment(&path);
    if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
      if (got.empty()) return false;
      params->emplace_back(std::string(want.substr(1, want.size() - 2)),
                           PercentDecode(got, PlusIs::kPlus));
    } else if (want != got) {
      return false;
    }
  }
}

void Router::Dispatch(HttpRequest& req, HttpResponse* resp) const {
  const CorsPolicy* policy = nullptr;
  std::vector<std::pair<std::string, std::string>> params;  // stays empty for literal paths
  for (const Cors& c : cors_) {
    if (Match(c.route, req.path, &params)) policy = c.policy;
  }
  if (policy == nullptr || !policy->enabled()) {
    DispatchRoute(req, resp);
    return;
  }
  if (req.method == "OPTIONS") {
    policy->Preflight(req, resp);
    return;
  }
  DispatchRoute(req, resp);
  policy->Decorate(req, resp);
}

const Router::Route* Router::Choose(const HttpRequest& req,
                                    std::vector<std::pair<std::string, std::string>>* chosen_params,
                                    std::string* allow) const {
  const Route* chosen = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  for (const Route& r : routes_) {
    if (r.when && !r.when(req)) continue;
    if (!Match(r, req.path, &params)) continue;
    // HEAD is served by the GET handler; the transport drops the body.
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      if (chosen == nullptr || (chosen->has_params && !r.has_params)) {
        chosen = &r;
        *chosen_params = params;
      }
      continue;
    }
    if (allow->find(r.method) == std::string::npos) {
      if (!allow->empty()) *allow += ", ";
      *allow += r.method;
    }
  }
  return chosen;
}

bool Router::IsIngest(const HttpRequest& req) const {
  std::vector<std::pair<std::string, std::string>> params;
  std::string allow;
  const Route* r = Choose(req, &params, &allow);
  return r != nullptr && r->access == Access::kIngest;
}

void Router::DispatchRoute(HttpRequest& req, HttpResponse* resp) const {
  std::string allow;
  std::vector<std::pair<std::string, std::string>> chosen_params;
  const Route* chosen = Choose(req, &chosen_params, &allow);
  if (chosen != nullptr) {
    req.path_params = std::move(chosen_params);
    if (!Authorize(chosen->access, req, resp)) return;
    chosen->handler(req, resp);
    return;
  }
  if (allow.empty() && fallback_ && (req.method == "GET" || req.method == "HEAD")) {
    req.path_params.clear();
    if (!Authorize(fallback_access_, req, resp)) return;
    fallback_(req, resp);
    return;
  }
  if (allow.empty()) {
    SetError(resp, error_code::kNotFound, "no route for " + std::string(req.path));
    return;
  }
  SetError(resp, error_code::kMethodNotAllowed,
           std::string(req.method) + " is not allowed on " + std::string(req.path) +
               "; allowed: " + allow);
  resp->headers.emplace_back("Allow", allow);
}

}  // namespace vigia
