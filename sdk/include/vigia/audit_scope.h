// AuditScope: RAII form of Logger::audit (seeds 000/001). Records the audited operation's
// duration and outcome: success() or failure() mark it explicitly; otherwise the destructor
// records failure if an exception is unwinding through it (or nothing was marked) — an
// operation that did not say it succeeded is not reported as a success.
//
// Thread-safety: externally synchronized (one operation on one thread).
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <string_view>

#include "vigia/logger.h"

namespace vigia::sdk {

class AuditScope {
 public:
  AuditScope(Logger& logger, std::string_view action, std::string_view entity,
             std::string_view entity_id, bool sensitive = false);
  ~AuditScope();
  AuditScope(const AuditScope&) = delete;
  AuditScope& operator=(const AuditScope&) = delete;

  void success() { finish(true, {}); }
  void failure(std::string_view reason = {}) { finish(false, reason); }

 private:
  void finish(bool ok, std::string_view reason);
  Logger& logger_;
  std::string action_, entity_, entity_id_;
  bool sensitive_;
  bool done_ = false;
  int uncaught_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace vigia::sdk
