// Router: maps (method, path) to a handler. A route path is literal or has {name} segments
// ("/v1/trace/{request_id}") that match one non-empty path segment and reach the handler
// percent-decoded as req.path_params. A literal route wins over a pattern that also
// matches. Unknown paths get 404, known paths with another method 405 (with an Allow header
// listing the methods of every route matching the path), both as JSON errors. A fallback
// handler (SetFallback) may take the GET/HEAD requests no route matches instead of the 404:
// the hook for serving static files (the dashboard).
//
// Access control lives here so no route can forget it: every route (and the fallback) is
// registered with the Access it requires (auth/principal.h: public, ingest, read, admin);
// there is no overload without one. For a non-public route the router first runs the
// authenticator (SetAuthenticator: the request's Authorization → its Principal, stored in
// req.principal), answers 401 when it fails and 403 when the principal's role does not
// permit the route's Access, and only then runs the handler. With no authenticator set
// every non-public route is refused (fail closed). Tenant scoping of reads is the query
// backend's (query/tenant_scope.h), fed from req.principal.
//
// Rate limits live here too (SetRateLimiter, rate_limiter.h): before a non-public route's
// authentication the client address's bucket, after it the key's bucket for the route's
// Access; an empty bucket is 429 `rate_limited` with Retry-After.
//
// Thread-safety: routes are added before serving starts (externally synchronized); after
// that Dispatch() is thread-safe and handlers must be too (they run on any worker thread).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "common/status.h"
#include "server/cors_policy.h"
#include "server/http_message.h"
#include "server/rate_limiter.h"

namespace vigia {

// What '+' means to PercentDecode: a space in a query string or form value, itself in a path.
enum class PlusIs { kSpace, kPlus };
// Decodes the %XX escapes of `s` (hex digits of either case); a malformed or truncated escape
// is kept literally.
std::string PercentDecode(std::string_view s, PlusIs plus = PlusIs::kSpace);

using HttpHandler = std::function<void(HttpRequest& req, HttpResponse* resp)>;
// Who sent a request: its Principal, or Unauthenticated (401, message shown to the client:
// it must not echo the key). Must be thread-safe.
using HttpAuthenticator = std::function<Result<Principal>(const HttpRequest& req)>;
// Whether a conditional route applies to a request (AddWhen).
using HttpRequestFilter = std::function<bool(const HttpRequest& req)>;

class Router {
 public:
  // `access`: what the request's principal must be allowed (Access::kPublic: no key).
  // REQUIRES: no route with the same method and path was added before; a {name} segment
  // is a whole segment.
  void Add(std::string method, std::string path, Access access, HttpHandler handler);
  // A route that exists only for the requests `when` accepts; for the others the router
  // behaves as if it were not there (another route, the fallback, 404). GET / answers
  // Elasticsearch clients' handshake this way and leaves / to the fallback for browsers.
  void AddWhen(std::string method, std::string path, Access access, HttpRequestFilter when,
               HttpHandler handler);
  // Applies `policy` (cors_policy.h) to requests whose path matches the route path `path`
  // ({name} segments allowed): OPTIONS is the preflight (public: browsers send no key on a
  // preflight), other methods get the policy's headers on whatever they answer (401/403
  // included). REQUIRES: policy outlives the router.
  void AddCors(std::string path, const CorsPolicy* policy);
  // Resolves the principal of requests to non-public routes. REQUIRES: set before serving.
  void SetAuthenticator(HttpAuthenticator authenticator);
  // Rate limits of non-public routes (none when never set). REQUIRES: set before serving;
  // `limiter` outlives the router.
  void SetRateLimiter(RateLimiter* limiter) { limiter_ = limiter; }
  // GET (and HEAD) requests whose path no route matches go to `handler` instead of the
  // 404, under `access` like a route. A path some route has with another method still gets
  // 405; other methods still get 404. REQUIRES: at most one fallback.
  void SetFallback(Access access, HttpHandler handler);

  // Each route as "METHOD path access" (for tests asserting every route's access).
  std::vector<std::string> RouteTable() const;

  void Dispatch(HttpRequest& req, HttpResponse* resp) const;
  // Whether `req` goes to a route registered with Access::kIngest (the transport runs those
  // on its ingest pool, so that queries always find a free worker; http_server.h).
  bool IsIngest(const HttpRequest& req) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    Access access = Access::kAdmin;
    HttpHandler handler;
    bool has_params = false;
    HttpRequestFilter when;  // empty: always
  };
  // Whether `r` matches `path`; fills `params` for pattern routes.
  static bool Match(const Route& r, std::string_view path,
                    std::vector<std::pair<std::string, std::string>>* params);
  std::vector<Route> routes_;
  struct Cors {
    Route route;  // its path only
    const CorsPolicy* policy = nullptr;
  };
  std::vector<Cors> cors_;
  void DispatchRoute(HttpRequest& req, HttpResponse* resp) const;
  // The route Dispatch runs for `req` (null: none), its path parameters, and the methods of
  // the other routes matching the path (for 405's Allow).
  const Route* Choose(const HttpRequest& req,
                      std::vector<std::pair<std::string, std::string>>* chosen_params,
                      std::string* allow) const;
  // True when the request may run a route requiring `access` (sets req.principal); else
  // sets the 401/403 in `resp`.
  bool Authorize(Access access, HttpRequest& req, HttpResponse* resp) const;
  HttpAuthenticator authenticator_;
  RateLimiter* limiter_ = nullptr;
  Access fallback_access_ = Access::kAdmin;
  HttpHandler fallback_;
};

}  // namespace vigia
