#include "server/health_routes.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "common/json_writer.h"

namespace vigia {

namespace {

void Live(const ServerContext* ctx, HttpResponse* resp) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("status", "ok").KV("uptime_sec", ctx->UptimeSec()).EndObject();
  resp->SetJson(200, std::move(out));
}

void Ready(const ServerContext* ctx, HttpResponse* resp) {
  Status st = ctx->store->Health();
  if (st.ok() && ::access(ctx->data_dir.c_str(), W_OK) != 0) {
    st = Status::FromErrno("data directory " + ctx->data_dir + " is not writable", errno);
  }
  // Corrupt parts do not make the server unready: it still takes writes and answers every
  // query that does not touch them, so an orchestrator must not restart or drain it (that
  // would not repair the part); the body names the parts for the operator.
  std::vector<DegradedPart> degraded = ctx->store->Degraded();
  // While the user-agent rules load (~1 s; much longer under sanitizers) an ingest of an
  // event with `ua` waits for them: not ready yet, so a load balancer holds traffic back.
  const bool starting = ctx->ua_rules != nullptr && !ctx->ua_rules->IsLoaded();
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("status", !st.ok() ? "unavailable" : starting ? "starting" : "ok");
  if (starting) w.KV("ua_rules", "loading");
  if (!st.ok()) {
    w.KV("store", st.ToString());
  } else {
    w.KV("store", degraded.empty() ? "ok" : "degraded");
  }
  if (!degraded.empty()) {
    w.Key("degraded_parts").BeginArray();
    for (const DegradedPart& d : degraded) {
      w.BeginObject().KV("part", d.part).KV("error", d.reason).EndObject();
    }
    w.EndArray();
  }
  w.KV("uptime_sec", ctx->UptimeSec());
  w.EndObject();
  resp->SetJson(st.ok() && !starting ? 200 : 503, std::move(out));
}

}  // namespace

void AddHealthRoutes(const ServerContext* ctx, Router* router) {
  router->Add("GET", "/health/live", [ctx](HttpRequest&, HttpResponse* r) { Live(ctx, r); });
  router->Add("GET", "/health/ready", [ctx](HttpRequest&, HttpResponse* r) { Ready(ctx, r); });
}

}  // namespace vigia
