#include "vigia/audit_scope.h"

namespace vigia::sdk {

AuditScope::AuditScope(Logger& logger, std::string_view action, std::string_view entity,
                       std::string_view entity_id, bool sensitive)
    : logger_(logger),
      action_(action),
      entity_(entity),
      entity_id_(entity_id),
      sensitive_(sensitive),
      uncaught_(std::uncaught_exceptions()),
      start_(std::chrono::steady_clock::now()) {}

void AuditScope::finish(bool ok, std::string_view reason) {
  if (done_) return;
  done_ = true;
  AuditEvent ev;
  ev.action = action_;
  ev.entity = entity_;
  ev.entity_id = entity_id_;
  ev.success = ok;
  ev.sensitive = sensitive_;
  ev.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  if (reason.empty()) {
    logger_.audit(ev);
  } else {
    logger_.audit(ev, {{"reason", reason}});
  }
}

AuditScope::~AuditScope() {
  if (done_) return;
  finish(false, std::uncaught_exceptions() > uncaught_ ? "exception" : "not completed");
}

}  // namespace vigia::sdk
