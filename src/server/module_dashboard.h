// DashboardModule: the web dashboard at `/` (docs/dashboard.md) — the embedded UI files of
// src/dashboard served as the router's fallback (the GET/HEAD requests no API route takes).
// The pages are static and public (they hold no data); everything they show comes from the
// public HTTP API with the user's API key, so the UI can do nothing a script cannot.
//
// Thread-safety: the fallback handler is thread-safe (StaticSite is immutable).
#pragma once

#include <memory>

#include "server/server_module.h"

namespace vigia {

namespace dashboard {
class StaticSite;
}

struct DashboardModuleOptions {
  bool enabled = true;  // dashboard.enabled: false leaves `/` to the API's 404
};

class DashboardModule final : public ServerModule {
 public:
  explicit DashboardModule(DashboardModuleOptions options);
  ~DashboardModule() override;
  std::string_view name() const override { return "dashboard"; }
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;

 private:
  DashboardModuleOptions options_;
  std::shared_ptr<const dashboard::StaticSite> site_;
};

}  // namespace vigia
