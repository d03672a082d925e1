#include "server/module_auth.h"

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "server/http_errors.h"
#include "server/own_events.h"

namespace vigia {
namespace {

void WriteKey(JsonWriter* w, const ApiKeyRecord& r, int64_t now_ns) {
  w->KV("id", r.id).KV("tenant", r.tenant).KV("role", RoleName(r.role));
  w->KV("state", r.StateAt(now_ns)).KV("name", r.name);
  w->KV("created", FormatRfc3339(r.created_ns, 0));
  if (r.expires_ns != 0) w->KV("expires", FormatRfc3339(r.expires_ns, 0));
  if (r.revoked_ns != 0) w->KV("revoked", FormatRfc3339(r.revoked_ns, 0));
}

// Stores the admin action as a kind=audit event (default tenant: the operators').
void Audit(ServerContext* ctx, std::string_view action, const Principal& actor,
           const std::string& key_id, const std::string& details) {
  std::string line;
  JsonWriter w(&line);
  BeginOwnAuditEvent(
      &w, {.action = action, .actor = actor.key_id, .entity = "api_key", .entity_id = key_id});
  w.KV("outcome", "success").KV("details", details).EndObject();
  line += "\n";
  RecordOwnEvents(*ctx, line, "API key audit event");
}

void CreateKey(ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(req.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    SetError(resp, error_code::kBadRequest,
             "expected a JSON object {\"tenant\":...,\"role\":...,\"expires\":...}");
    return;
  }
  auto str = [&doc](const char* k) -> std::string {
    std::string_view v;
    return doc[k].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  std::optional<Role> role = ParseRole(str("role"));
  if (!role) {
    SetError(resp, error_code::kBadRequest, "role must be ingest, read or admin");
    return;
  }
  int64_t ttl = 0;
  if (std::string e = str("expires"); !e.empty()) {
    Result<int64_t> t = ParseKeyTtl(e);
    if (!t.ok()) {
      SetError(resp, error_code::kBadRequest, "expires: " + t.status().message());
      return;
    }
    ttl = *t;
  }
  Result<NewApiKey> k = ctx->key_store->Create(str("tenant"), *role, ttl, str("name"));
  if (!k.ok()) {
    SetStatusError(resp, k.status());
    return;
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  WriteKey(&w, k->record, ctx->env->NowNanos());
  w.KV("key", k->key).EndObject();
  resp->SetJson(201, std::move(out));
  resp->headers.emplace_back("Cache-Control", "no-store");
  Audit(ctx, "key.create", req.principal, k->record.id,
        std::string("role=") + std::string(RoleName(*role)) + " tenant=" + k->record.tenant);
}

void ListKeys(ServerContext* ctx, HttpResponse* resp) {
  int64_t now = ctx->env->NowNanos();
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("keys").BeginArray();
  for (const ApiKeyRecord& r : ctx->key_store->List()) {
    w.BeginObject();
    WriteKey(&w, r, now);
    w.EndObject();
  }
  w.EndArray().EndObject();
  resp->SetJson(200, std::move(out));
}

void RevokeKey(ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  std::string id(req.PathParam("id"));
  Status st = ctx->key_store->Revoke(id);
  if (!st.ok()) {
    SetStatusError(resp, st);
    return;
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("id", id).KV("state", "revoked").EndObject();
  resp->SetJson(200, std::move(out));
  Audit(ctx, "key.revoke", req.principal, id, "");
}

}  // namespace

Status AuthModule::Start(ServerContext* ctx) {
  if (ctx->key_store == nullptr) return Status::Internal("auth module: no key store");
  ctx_ = ctx;
  return Status::Ok();
}

void AuthModule::RegisterRoutes(Router* router) {
  ServerContext* ctx = ctx_;
  router->Add("POST", "/v1/admin/keys", Access::kAdmin,
              [ctx](HttpRequest& req, HttpResponse* resp) { CreateKey(ctx, req, resp); });
  router->Add("GET", "/v1/admin/keys", Access::kAdmin,
              [ctx](HttpRequest&, HttpResponse* resp) { ListKeys(ctx, resp); });
  router->Add("DELETE", "/v1/admin/keys/{id}", Access::kAdmin,
              [ctx](HttpRequest& req, HttpResponse* resp) { RevokeKey(ctx, req, resp); });
}

}  // namespace vigia
