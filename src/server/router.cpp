#include "server/router.h"

#include <cassert>

#include "server/http_errors.h"

namespace vigia {

void Router::Add(std::string method, std::string path, HttpHandler handler) {
  for (const Route& r : routes_) {
    assert(!(r.method == method && r.path == path) && "duplicate route");
    (void)r;
  }
  routes_.push_back({std::move(method), std::move(path), std::move(handler)});
}

void Router::AddGuard(std::string path_prefix, HttpGuard guard) {
  guards_.push_back({std::move(path_prefix), std::move(guard)});
}

void Router::Dispatch(HttpRequest& req, HttpResponse* resp) const {
  std::string allow;
  for (const Route& r : routes_) {
    if (r.path != req.path) continue;
    // HEAD is served by the GET handler; the transport drops the body.
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      for (const Guard& g : guards_) {
        if (req.path.substr(0, g.prefix.size()) == g.prefix && !g.guard(req, resp)) return;
      }
      r.handler(req, resp);
      return;
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (allow.empty()) {
    SetError(resp, 404, error_code::kNotFound, "no route for " + std::string(req.path));
    return;
  }
  SetError(resp, 405, error_code::kMethodNotAllowed,
           std::string(req.method) + " is not allowed on " + std::string(req.path) +
               "; allowed: " + allow);
  resp->headers.emplace_back("Allow", allow);
}

}  // namespace vigia
