// SyslogModule: the [syslog] listeners (syslog_listener.h) — UDP, TCP and TLS (RFC 5425)
// sockets whose messages go through the IngestPipeline's syslog decoder in batches. Off unless
// syslog.udp_listen, tcp_listen or tls_listen is set. Reload (SIGHUP) re-reads the TLS
// certificate and key. Comes after the ingest module (it uses the
// pipeline and the ingest metrics) and stops before it, storing what it has read.
//
// Thread-safety: see ServerModule.
#pragma once

#include <memory>

#include "server/server_module.h"
#include "server/syslog_listener.h"

namespace vigia {

class SyslogModule final : public ServerModule {
 public:
  explicit SyslogModule(SyslogOptions options);
  ~SyslogModule() override;

  std::string_view name() const override { return "syslog"; }
  Status Start(ServerContext* ctx) override;
  Status Stop() override;
  Status Reload() override;

 private:
  const SyslogOptions options_;
  std::unique_ptr<SyslogListener> listener_;
};

}  // namespace vigia
