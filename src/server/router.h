// Router: maps (method, path) to a handler. A route path is literal or has {name} segments
// ("/v1/trace/{request_id}") that match one non-empty path segment and reach the handler
// percent-decoded as req.path_params. A literal route wins over a pattern that also
// matches. Unknown paths get 404, known paths with another method 405 (with an Allow header
// listing the methods of every route matching the path), both as JSON errors. A fallback
// handler (SetFallback) may take the GET/HEAD requests no route matches instead of the 404:
// the hook for serving static files (the dashboard).
//
// Thread-safety: routes are added before serving starts (externally synchronized); after
// that Dispatch() is thread-safe and handlers must be too (they run on any worker thread).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"

namespace vigia {

using HttpHandler = std::function<void(HttpRequest& req, HttpResponse* resp)>;
// Runs before the handler; returns false after setting `resp` (e.g. 401) to stop there.
using HttpGuard = std::function<bool(const HttpRequest& req, HttpResponse* resp)>;

class Router {
 public:
  // REQUIRES: no route with the same method and path was added before; a {name} segment
  // is a whole segment.
  void Add(std::string method, std::string path, HttpHandler handler);
  // Every route whose path starts with `path_prefix` (added before or after) runs `guard`
  // first. Used for authentication of /v1/ so no route can forget it.
  void AddGuard(std::string path_prefix, HttpGuard guard);
  // GET (and HEAD) requests whose path no route matches go to `handler` instead of the
  // 404; the guards of its path prefix run first, as for a route. A path some route has
  // with another method still gets 405; other methods still get 404. REQUIRES: at most one
  // fallback.
  void SetFallback(HttpHandler handler);

  void Dispatch(HttpRequest& req, HttpResponse* resp) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
    bool has_params = false;
  };
  // Whether `r` matches `path`; fills `params` for pattern routes.
  static bool Match(const Route& r, std::string_view path,
                    std::vector<std::pair<std::string, std::string>>* params);
  struct Guard {
    std::string prefix;
    HttpGuard guard;
  };
  std::vector<Route> routes_;
  // True when every guard whose prefix `req.path` starts with lets the request through.
  bool PassGuards(const HttpRequest& req, HttpResponse* resp) const;
  std::vector<Guard> guards_;
  HttpHandler fallback_;
};

}  // namespace vigia
