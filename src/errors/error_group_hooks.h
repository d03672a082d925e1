// ErrorGroupHooks: where the error-group table's transitions go besides the audit trail —
// the alerting hooks of issue 14: a new group, a regression (a resolved group occurs again),
// a group's rate reaching the threshold (errors.rate_threshold_per_min), and the status
// changes. The server's errors module publishes one instance as ServerContext::error_hooks;
// a module that starts after it (alerts) adds its listener at Start:
//
//   ctx->error_hooks->AddListener([this](const errors::GroupEvent& e) {
//     if (e.kind == errors::GroupEventKind::kRegression) ...;  // e.tenant, e.fingerprint,
//   });                                                           // e.title, e.service, ...
//
// Listeners run on the ingest thread that stored the occurrence (kStatusChanged: on the
// PATCH request's thread), after the events are acknowledged and outside the table's lock:
// they must be quick and must not block (queue the work), and must not ingest synchronously.
//
// Thread-safety: thread-safe; AddListener normally runs at Start, before any Notify.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "errors/error_group.h"

namespace vigia::errors {

using ErrorGroupListener = std::function<void(const GroupEvent&)>;

class ErrorGroupHooks {
 public:
  void AddListener(ErrorGroupListener listener) {
    std::lock_guard lock(mu_);
    listeners_.push_back(std::move(listener));
  }
  void Notify(const GroupEvent& e) const {
    std::vector<ErrorGroupListener> listeners;
    {
      std::lock_guard lock(mu_);
      listeners = listeners_;
    }
    for (const ErrorGroupListener& l : listeners) l(e);
  }
  bool empty() const {
    std::lock_guard lock(mu_);
    return listeners_.empty();
  }

 private:
  mutable std::mutex mu_;
  std::vector<ErrorGroupListener> listeners_;
};

}  // namespace vigia::errors
