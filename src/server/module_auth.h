// AuthModule: the admin API of the API keys (docs/security.md, docs/http-api.md), all with
// role admin:
//   POST   /v1/admin/keys        {"tenant":"acme","role":"ingest|read|admin","expires":"30d",
//                                 "name":"..."} → 201 with the new key, shown this once
//   GET    /v1/admin/keys        every key: id, tenant, role, state, times, name (no secret)
//   DELETE /v1/admin/keys/{id}   revokes it (at once: the next request with it gets 401)
// Each change is also an audit event (kind=audit, action key.create / key.revoke, actor =
// the admin key's id, entity api_key, entity_id = the key's id) stored through the ingest
// pipeline like any event. The key store itself is the server core's (ctx->key_store).
//
// Thread-safety: see ServerModule; KeyStore is thread-safe.
#pragma once

#include "server/server_module.h"

namespace vigia {

class AuthModule final : public ServerModule {
 public:
  std::string_view name() const override { return "auth"; }
  // REQUIRES: ctx->key_store set (the server core opens it before the modules).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;

 private:
  ServerContext* ctx_ = nullptr;
};

}  // namespace vigia
