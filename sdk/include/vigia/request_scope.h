// RequestScope: wraps one incoming HTTP request (seeds 000 and 003). At construction it picks
// the request id (X-Request-ID if sane, else the trace id of a W3C traceparent, else a new
// UUIDv7), the client IP (X-Forwarded-For first hop, X-Real-IP, X-Forwarded, X-Cluster-Client-IP,
// then the peer), installs a ContextScope (request_id, trace_id, route, ip) and starts the clock.
// finish() emits the `request` event (method, route, path, status, duration_ms, ip, ua,
// bytes_in, bytes_out), a slow-request warning above the threshold, and returns the response
// headers to set (X-Request-ID, X-Response-Time). Health checks and bots can be skipped (no
// request event, context still set). If finish() is never called (exception) the destructor
// emits the event with status 500.
//
// Thread-safety: externally synchronized; create, use and destroy on one thread (it owns a
// ContextScope). Pass context() to async work explicitly.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigia/context.h"
#include "vigia/logger.h"

namespace vigia::sdk {

// Non-owning "header name → value" lookup (case-insensitive name); empty view when absent.
class HeaderLookup {
 public:
  template <typename F>
  HeaderLookup(const F& f)  // NOLINT: implicit so lambdas convert
      : obj_(&f), call_([](const void* o, std::string_view name) -> std::string_view {
          return (*static_cast<const F*>(o))(name);
        }) {}
  std::string_view operator()(std::string_view name) const { return call_(obj_, name); }

 private:
  const void* obj_;
  std::string_view (*call_)(const void*, std::string_view);
};

struct RequestOptions {
  std::chrono::milliseconds slow_threshold{1000};
  // Exact paths not recorded (health checks); bots are skipped when skip_bots.
  std::vector<std::string> skip_paths{"/health", "/health/live", "/health/ready", "/metrics"};
  bool skip_bots = false;
};

class RequestScope {
 public:
  RequestScope(Logger& logger, std::string_view method, std::string_view route,
               std::string_view path, std::string_view peer_ip, HeaderLookup headers,
               const RequestOptions& opts);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

  using Headers = std::array<std::pair<std::string_view, std::string_view>, 2>;
  // Ends the request; returns the headers to add to the response. Idempotent.
  const Headers& finish(int status, int64_t bytes_out = -1, int64_t bytes_in = -1);

  std::string_view request_id() const { return request_id_; }
  std::string_view client_ip() const { return ip_; }
  bool skipped() const { return skipped_; }
  const Context& context() const { return scope_.context(); }
  void set_user(std::string_view user_id) { scope_.set("user_id", user_id); }

  // Exposed for tests: the sanitizing rules.
  static bool valid_request_id(std::string_view id);
  static std::string_view trace_id_from_traceparent(std::string_view tp);
  static std::string_view client_ip_from(HeaderLookup headers, std::string_view peer);
  static bool is_bot(std::string_view ua);

 private:
  Logger& logger_;
  const RequestOptions& opts_;
  std::chrono::steady_clock::time_point start_;
  std::string_view method_, route_, path_, ua_;
  char request_id_buf_[64];
  char ip_buf_[64];
  char time_buf_[32];
  std::string_view request_id_, ip_;
  bool skipped_ = false;
  bool finished_ = false;
  ContextScope scope_;
  Headers headers_;
};

// A new UUIDv7 (time-ordered) as 36 lowercase chars into out. Thread-safe.
void new_uuid_v7(char out[36]);

}  // namespace vigia::sdk
