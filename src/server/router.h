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

class Router {
 public:
  // REQUIRES: no route with the same method and path was added before.
  void Add(std::string method, std::string path, HttpHandler handler);

  void Dispatch(HttpRequest& req, HttpResponse* resp) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace vigia
