// WebhookSink: a real HTTP server (vigia's own transport, server/http_server.h) that records
// every POST to /hook/<name>, for tests of alert notifications; plus SilentListener, a socket
// that accepts connections at the kernel level and never answers (a hanging receiver).
//
// Thread-safety: thread-safe (requests arrive on server threads; tests wait on them).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "server/http_server.h"
#include "server/router.h"

namespace vigia::testing {

struct HookRequest {
  std::string name;  // the <name> of /hook/<name>
  std::string body;
  std::string signature;  // X-Vigia-Signature
};

class WebhookSink {
 public:
  // `status`: what every request is answered with; `port` 0 = any free port.
  explicit WebhookSink(int status = 200, uint16_t port = 0) : status_(status) {
    router_.Add("POST", "/hook/{name}", Access::kPublic,
                [this](HttpRequest& req, HttpResponse* resp) {
                  {
                    std::lock_guard lock(mu_);
                    requests_.push_back(HookRequest{std::string(req.PathParam("name")), req.body,
                                                    std::string(req.Header("X-Vigia-Signature"))});
                  }
                  cv_.notify_all();
                  resp->SetJson(status_, "{}");
                });
    HttpServerOptions o;
    o.port = port;
    o.threads = 1;
    server_ = std::make_unique<HttpServer>(o, &router_);
  }
  Status Start() { return server_->Start(); }
  uint16_t port() const { return server_->port(); }
  std::string Url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/hook/" + name;
  }
  std::vector<HookRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Waits until `pred` holds for the requests so far (true) or `ms` passed (false).
  bool WaitFor(const std::function<bool(const std::vector<HookRequest>&)>& pred, int ms) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return pred(requests_); });
  }
  size_t Count(const std::string& name, const std::string& needle = "") {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const HookRequest& r : requests_) {
      n += r.name == name && r.body.find(needle) != std::string::npos;
    }
    return n;
  }

 private:
  const int status_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<HookRequest> requests_;
};

// Listens on a loopback port and never accepts: connections complete (the kernel's backlog)
// and requests are never answered.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace vigia::testing
