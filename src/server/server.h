// Server: `vigia serve` as a library — the core that runs the modules (server_modules.h:
// store, ingest, query, stats, health): starts them in order, lets them register their
// routes (behind the /v1/ API-key guard) and periodic tasks, starts the scheduler and the
// HTTP transport, and shuts down in order (stop accepting and finish in-flight requests,
// stop the scheduler, stop the modules in reverse order: the store's Close() last, so the
// WAL is durable).
//
// Thread-safety: Start/Stop from one controlling thread; RunUntilSignal blocks that thread.
#pragma once

#include <memory>

#include "common/env.h"
#include "common/scheduler.h"
#include "common/status.h"
#include "server/config.h"
#include "server/router.h"

namespace vigia {

class Server {
 public:
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the API keys, starts the modules (the store replays its WAL) and starts
  // listening. `env`: files and clocks for the store and the scheduler (tests pass a fault
  // or fake-clock Env); nullptr = Env::Default(). REQUIRES: env outlives the server.
  static Result<std::unique_ptr<Server>> Start(const ServerConfig& config, Env* env = nullptr);

  uint16_t port() const;
  // The routes as served, for calling handlers without a socket (tests).
  const Router& router() const;
  // The periodic tasks (a test that moved a fake clock settles them).
  Scheduler& scheduler();
  // Re-reads what the modules load from files (SIGHUP): each module's Reload in start
  // order; returns the first error (a module whose files are bad keeps what it had).
  Status Reload();
  // Graceful stop: stop accepting, drain in-flight requests, stop the periodic tasks and the
  // modules. Idempotent; returns the first module's Stop error (the store's Close()).
  Status Stop();

 private:
  Server();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole `vigia serve` process: raises the open-file limit, configures the logger,
// blocks SIGINT/SIGTERM/SIGHUP (before any thread starts, so only the waiting thread gets
// them), starts the server, reloads on SIGHUP, and on SIGINT/SIGTERM stops gracefully. Returns the
// exit code: 0 after a clean shutdown, 1 when start-up or the final store close failed.
int RunServerUntilSignal(const ServerConfig& config);

// Raises RLIMIT_NOFILE's soft limit to the hard limit (1,000+ connections need the fds);
// returns the new soft limit.
uint64_t RaiseOpenFileLimit();

}  // namespace vigia
