// Server: `vigia serve` as a library — opens the store, wires the routes and runs the HTTP
// server until asked to stop, then shuts down in order (stop accepting, finish in-flight
// requests, Store::Close() so the WAL is durable).
//
// Thread-safety: Start/Stop from one controlling thread; RunUntilSignal blocks that thread.
#pragma once

#include <memory>

#include "common/status.h"
#include "server/config.h"

namespace vigia {

class Server {
 public:
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the store (replaying the WAL), loads the API keys and starts listening.
  static Result<std::unique_ptr<Server>> Start(const ServerConfig& config);

  uint16_t port() const;
  // Graceful stop: stop accepting, drain in-flight requests, close the store. Idempotent;
  // returns the store's Close() status.
  Status Stop();

 private:
  Server();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole `vigia serve` process: raises the open-file limit, configures the logger,
// blocks SIGINT/SIGTERM (before any thread starts, so only the waiting thread gets them),
// starts the server, waits for a signal and stops gracefully. Returns the exit code:
// 0 after a clean shutdown, 1 when start-up or the final store close failed.
int RunServerUntilSignal(const ServerConfig& config);

// Raises RLIMIT_NOFILE's soft limit to the hard limit (1,000+ connections need the fds);
// returns the new soft limit.
uint64_t RaiseOpenFileLimit();

}  // namespace vigia
