#include "server/module_health.h"

#include <algorithm>

#include "common/build_info.h"
#include "common/json_writer.h"

namespace vigia {

std::string_view HealthStateName(HealthState state) {
  switch (state) {
    case HealthState::kOk:
      return "ok";
    case HealthState::kDegraded:
      return "degraded";
    case HealthState::kStarting:
      return "starting";
    case HealthState::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

bool HealthStateReady(HealthState state) {
  return state == HealthState::kOk || state == HealthState::kDegraded;
}

ReadyAnswer ReadyJson(const std::vector<const ServerModule*>& modules, int64_t uptime_sec) {
  HealthState worst = HealthState::kOk;
  std::string details;
  JsonWriter d(&details);
  d.BeginObject();
  for (const ServerModule* m : modules) worst = std::max(worst, m->Health(&d));
  d.KV("uptime_sec", uptime_sec);
  d.EndObject();
  ReadyAnswer answer;
  answer.http_status = HealthStateReady(worst) ? 200 : 503;
  JsonWriter w(&answer.body);
  w.BeginObject().KV("status", HealthStateName(worst)).EndObject();
  // {"status":"..."} + {<details>} → {"status":"...",<details>}
  answer.body.pop_back();
  answer.body += ',';
  answer.body.append(details, 1);
  return answer;
}

void HealthModule::RegisterRoutes(Router* router) {
  const ServerContext* ctx = ctx_;
  router->Add("GET", "/health/live", Access::kPublic, [ctx](HttpRequest&, HttpResponse* resp) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .KV("status", "ok")
        .KV("uptime_sec", ctx->UptimeSec())
        .KV("version", BuildInfo().version)
        .KV("commit", BuildInfo().commit)
        .EndObject();
    resp->SetJson(200, std::move(out));
  });
  router->Add("GET", "/health/ready", Access::kPublic, [ctx](HttpRequest&, HttpResponse* resp) {
    ReadyAnswer a = ReadyJson(ctx->modules, ctx->UptimeSec());
    resp->SetJson(a.http_status, std::move(a.body));
  });
}

}  // namespace vigia
