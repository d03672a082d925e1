// HealthModule: GET /health/live (the process answers) and GET /health/ready (it can take
// traffic), for orchestrators' liveness and readiness probes. Neither needs an API key, so
// probes need no secret.
//
// /health/ready combines every module's Health(): the worst state is the "status" ("ok",
// "degraded", "starting", "unavailable"), each module adds its own members (the store
// module "store" and "degraded_parts", the ingest module "ua_rules"), then "uptime_sec".
// HTTP 200 while ok or degraded (corrupt parts: everything else is served, and a restart
// would not repair them), 503 while starting or unavailable (docs/http-api.md).
//
// Thread-safety: the handlers are thread-safe (every module's Health() is).
#pragma once

#include <string>
#include <vector>

#include "server/server_module.h"

namespace vigia {

// The /health/ready answer for these modules: HTTP status and body.
struct ReadyAnswer {
  int http_status = 200;
  std::string body;
};
ReadyAnswer ReadyJson(const std::vector<const ServerModule*>& modules, int64_t uptime_sec);

class HealthModule final : public ServerModule {
 public:
  std::string_view name() const override { return "health"; }
  Status Start(ServerContext* ctx) override {
    ctx_ = ctx;
    return Status::Ok();
  }
  // Reads ctx->modules at request time (the server fills it in once all started).
  void RegisterRoutes(Router* router) override;

 private:
  const ServerContext* ctx_ = nullptr;
};

}  // namespace vigia
