// Router: maps (method, path) to a handler. Unknown paths get 404, known paths with another
// method 405 (with an Allow header), both as JSON errors.
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
  // REQUIRES: no route with the same method and path was added before.
  void Add(std::string method, std::string path, HttpHandler handler);
  // Every route whose path starts with `path_prefix` (added before or after) runs `guard`
  // first. Used for authentication of /v1/ so no route can forget it.
  void AddGuard(std::string path_prefix, HttpGuard guard);

  void Dispatch(HttpRequest& req, HttpResponse* resp) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
  };
  struct Guard {
    std::string prefix;
    HttpGuard guard;
  };
  std::vector<Route> routes_;
  std::vector<Guard> guards_;
};

}  // namespace vigia
