// HttpServer: the HTTP/1.1 transport (Boost.Beast/Asio; the only file that includes Beast).
// Keep-alive connections served by a pool of worker threads, header and body size limits
// (413 as soon as Content-Length or a chunked body passes the limit, without reading the
// rest), an idle timeout between requests and a read timeout per request (slow clients),
// Expect: 100-continue, X-Request-ID on every response, one access-log line per request,
// and a graceful Shutdown(): stop accepting, let in-flight requests finish, close idle
// connections.
//
// TLS (HTTPS) when tls_cert_file and tls_key_file are set: OpenSSL through Beast's
// ssl_stream, TLS 1.2 and 1.3 only, the same HTTP/1.1 on top. ReloadTls() re-reads both files
// (SIGHUP: certificate rotation without a restart); connections open at that moment keep the
// certificate they started with, new ones get the new one.
//
// Handlers run on the worker threads and may block (a query scans); size the pool
// accordingly (default: one thread per core). Ingest routes (Access::kIngest) run on a
// pool of their own instead (ingest_threads, default one per core): a batch's decode, WAL
// commit and memtable stall would otherwise hold every worker while clients keep sending,
// and a query would wait for a worker before it even starts (issue 20's mixed load). The
// bodies waiting for that pool are bounded (ingest_queue_max_bytes; beyond it 503).
//
// Thread-safety: Start() and Shutdown() are called from one controlling thread; everything
// else is internal. The Router must outlive the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/limits.h"
#include "common/metric_registry.h"
#include "common/status.h"
#include "server/router.h"

namespace vigia {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7070;    // 0 = any free port (see HttpServer::port())
  int threads = 0;         // 0 = one per core
  int ingest_threads = 0;  // 0 = one per core; -1 = ingest handlers on the workers
  uint64_t ingest_queue_max_bytes = limits::kIngestQueueMaxBytes;
  int idle_timeout_sec = limits::kIdleTimeoutSec;
  int request_timeout_sec = limits::kRequestReadTimeoutSec;
  int shutdown_grace_sec = limits::kShutdownGraceSec;
  uint64_t max_connections = limits::kMaxConnections;
  uint64_t max_header_bytes = limits::kMaxHeaderBytes;
  uint64_t max_body_bytes = limits::kMaxBodyBytes;  // on the wire (decompressed: capped again)
  // PEM files: the certificate chain (leaf first) and its private key. Both set: HTTPS
  // only on this listener; both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;

  bool tls() const { return !tls_cert_file.empty(); }

  // "127.0.0.1:7070", "[::1]:7070"
  std::string ListenAddress() const;
};

class HttpServer {
 public:
  // `metrics` (may be null) gets the transport's counters (vigia_tls_handshake_failures_total).
  HttpServer(HttpServerOptions options, const Router* router, MetricRegistry* metrics = nullptr);
  ~HttpServer();  // calls Shutdown() when still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the worker threads. Returns once the socket accepts. With TLS
  // configured, an unreadable certificate or key, or a key that does not match, fails here.
  Status Start();
  // Re-reads the TLS certificate and key (no-op without TLS). On an error the server keeps
  // serving the certificate it had. Thread-safe; REQUIRES: Start() returned OK.
  Status ReloadTls();
  // TLS handshakes that failed (clients that do not trust the certificate, plain HTTP sent
  // to the TLS port, scanners).
  uint64_t tls_handshake_failures() const;
  // The bound port (useful with port 0). REQUIRES: Start() returned OK.
  uint16_t port() const;
  // Stops accepting; requests being read or handled finish (up to shutdown_grace_sec, then
  // their connections are closed); idle keep-alive connections are closed; joins the
  // workers. Idempotent.
  void Shutdown();
  // Ingest requests refused because ingest_queue_max_bytes were already waiting.
  uint64_t ingest_refused() const;
  // Bytes of the ingest bodies read and handed to the ingest pool, not answered yet (running
  // or waiting): what ingest_queue_max_bytes bounds.
  uint64_t ingest_queued_bytes() const;
  // Connections open now.
  uint64_t connections() const;

  // Implementation detail, public only so that the connection class in the .cpp can name it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
