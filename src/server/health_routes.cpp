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
  w.BeginObject().KV("status", "ok").KV("uptimeSec", ctx->UptimeSec()).EndObject();
  resp->SetJson(200, std::move(out));
}

void Ready(const ServerContext* ctx, HttpResponse* resp) {
  Status st = ctx->store->Health();
  if (st.ok() && ::access(ctx->data_dir.c_str(), W_OK) != 0) {
    st = Status::FromErrno("data directory " + ctx->data_dir + " is not writable", errno);
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("status", st.ok() ? "ok" : "unavailable");
  w.KV("store", st.ok() ? std::string("ok") : st.ToString());
  w.KV("uptimeSec", ctx->UptimeSec());
  w.EndObject();
  resp->SetJson(st.ok() ? 200 : 503, std::move(out));
}

}  // namespace

void AddHealthRoutes(const ServerContext* ctx, Router* router) {
  router->Add("GET", "/health/live", [ctx](HttpRequest&, HttpResponse* r) { Live(ctx, r); });
  router->Add("GET", "/health/ready", [ctx](HttpRequest&, HttpResponse* r) { Ready(ctx, r); });
}

}  // namespace vigia
