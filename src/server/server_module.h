// ServerModule: one part of `vigia serve` — it owns what it needs (the store, a pipeline, a
// rule set), registers its routes and periodic tasks, stops in order, and reports its
// health for /health/ready. The server runs a fixed list of modules (server_modules.cpp):
// Start in list order (a module may use what the modules before it published in the
// ServerContext), RegisterRoutes once all started, Stop in reverse order after the HTTP
// transport and the scheduler stopped.
//
// To add a module (alerts, probes, backups, the dashboard): write a class implementing
// this interface in src/server/module_<name>.{h,cpp}, with its options struct when it has
// settings (a member of ServerConfig, keys in config.cpp's table), and add one line to
// BuiltinServerModules() in server_modules.cpp.
//
// Thread-safety: Start, RegisterRoutes and Stop are called from the server's controlling
// thread; Health() and the module's route handlers run on any HTTP worker thread and must be
// thread-safe.
#pragma once

#include <string_view>

#include "common/json_writer.h"
#include "common/status.h"
#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// A module's readiness, from best to worst; /health/ready reports the worst of all.
enum class HealthState {
  kOk,
  kDegraded,     // serving, with a part of it impaired (corrupt parts): still ready (200)
  kStarting,     // not ready yet (rules still loading): 503 so traffic waits
  kUnavailable,  // cannot serve (the store cannot take writes): 503
};

// "ok", "degraded", "starting", "unavailable".
std::string_view HealthStateName(HealthState state);
// Whether a load balancer should send traffic (ok, degraded).
bool HealthStateReady(HealthState state);

class ServerModule {
 public:
  virtual ~ServerModule() = default;

  // For logs and errors ("store", "ingest", ...).
  virtual std::string_view name() const = 0;

  // Opens what the module owns, publishes in `ctx` what later modules use, adds its
  // periodic tasks to ctx->scheduler. An error stops the server's start (the modules
  // started before are stopped). REQUIRES: ctx outlives the module.
  virtual Status Start(ServerContext* ctx) = 0;

  // Adds the module's routes. Called once every module started, before serving.
  virtual void RegisterRoutes(Router* router) { (void)router; }

  // Re-reads what the module loads from files (SIGHUP, Server::Reload): alert rules. On an
  // error the module keeps what it had and returns the error. Runs on the controlling
  // thread, concurrently with requests and tasks.
  virtual Status Reload() { return Status::Ok(); }

  // Releases what Start opened; no request or task runs any more. The first error of all
  // modules becomes the server's exit status (the store's Close: the WAL must be durable).
  virtual Status Stop() { return Status::Ok(); }

  // Writes the module's members of the /health/ready body into `details` (an open JSON
  // object: keys and values only) and returns its state. Nothing written is fine.
  virtual HealthState Health(JsonWriter* details) const {
    (void)details;
    return HealthState::kOk;
  }
};

}  // namespace vigia
