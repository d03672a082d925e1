#include "server/module_syslog.h"

namespace vigia {

SyslogModule::SyslogModule(SyslogOptions options) : options_(std::move(options)) {}

SyslogModule::~SyslogModule() = default;

Status SyslogModule::Start(ServerContext* ctx) {
  if (options_.udp_listen.empty() && options_.tcp_listen.empty() && options_.tls_listen.empty()) {
    return Status::Ok();
  }
  if (ctx->ingest == nullptr || ctx->ingest_metrics == nullptr) {
    return Status::Internal("syslog module needs the ingest module");
  }
  VIGIA_ASSIGN_OR_RETURN(listener_, SyslogListener::Start(options_, ctx));
  return Status::Ok();
}

Status SyslogModule::Stop() {
  if (listener_) listener_->Stop();
  return Status::Ok();
}

Status SyslogModule::Reload() { return listener_ ? listener_->ReloadTls() : Status::Ok(); }

}  // namespace vigia
