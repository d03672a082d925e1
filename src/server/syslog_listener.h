// SyslogListener: the sockets of the syslog module — a UDP, a TCP and/or a TLS listener
// (RFC 5426; RFC 6587: octet counting or LF framing, auto-detected per message; RFC 5425:
// the same framing inside TLS 1.2/1.3, optionally with client certificates) — batching
// messages to the IngestPipeline's "syslog" decoder (ingest/syslog/syslog_decoder.h), so the
// WAL is appended once per batch (kSyslogBatchMessages messages or kSyslogBatchDelayMs), not
// once per message.
//
// Back-pressure: while more than max_pending_bytes wait for the pipeline, TCP connections
// are not read (the sender's socket buffer fills and it blocks or queues: rsyslog and
// syslog-ng hold the messages in their own queues), and UDP datagrams are dropped, counted in
// vigia_syslog_dropped_total{transport="udp",reason="queue_full"}; datagrams the kernel
// dropped because the socket buffer was full (SO_RXQ_OVFL) are counted with
// reason="socket_buffer". What UDP can lose is in docs/ingest.md.
//
// Durability: a batch is stored (WAL) before more than max_pending_bytes are read again, but
// syslog has no acknowledgement: what was read and not yet stored when the process dies is
// lost (at most one batch plus the pending bytes; TCP senders do not resend it).
//
// TLS: the certificate and key of syslog.tls_cert_file / tls_key_file (tls_context.h);
// ReloadTls() re-reads them (SIGHUP) for new connections, keeping the old ones on an error.
// A client has kSyslogTlsHandshakeTimeoutSec to finish its handshake; failed handshakes are
// counted in vigia_syslog_tls_handshake_failures_total.
//
// Threads: one I/O thread (Boost.Asio: every socket and connection) and one flusher
// thread that runs the pipeline (decode, WAL append), so a slow disk never stalls reading
// beyond the pending bound.
//
// Thread-safety: Start/Stop from one thread; ReloadTls from any; the rest is internal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/limits.h"
#include "common/status.h"
#include "server/server_context.h"

namespace vigia {

// [syslog]
struct SyslogOptions {
  std::string udp_listen;  // "host:port"; empty = no UDP listener
  std::string tcp_listen;  // "host:port"; empty = no TCP listener
  std::string tls_listen;  // "host:port"; empty = no TLS listener (RFC 5425)
  // REQUIRES: both set when tls_listen is (config.cpp defaults them to server.tls_*).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;  // set: clients must present a certificate chaining to it
  size_t max_message_bytes = limits::kMaxSyslogMessageBytes;
  size_t max_pending_bytes = limits::kMaxSyslogPendingBytes;
  size_t batch_messages = limits::kSyslogBatchMessages;
  int batch_delay_ms = limits::kSyslogBatchDelayMs;
  size_t max_connections = limits::kMaxSyslogConnections;
};

class SyslogListener {
 public:
  // Binds the configured sockets and starts the threads. REQUIRES: ctx->ingest,
  // ctx->ingest_metrics and ctx->metrics set; ctx outlives the listener.
  static Result<std::unique_ptr<SyslogListener>> Start(const SyslogOptions& options,
                                                       ServerContext* ctx);
  ~SyslogListener();  // Stop()

  // Closes the sockets, stores what was read, joins the threads. Idempotent.
  void Stop();

  uint16_t udp_port() const;  // 0 without a UDP listener
  uint16_t tcp_port() const;  // 0 without a TCP listener
  uint16_t tls_port() const;  // 0 without a TLS listener

  // Re-reads the TLS certificate, key and client CA (no-op without a TLS listener). On an
  // error the listener keeps the context it has. Thread-safe.
  Status ReloadTls();

 private:
  SyslogListener();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
