#include "server/module_dashboard.h"

#include "dashboard/embedded_files.h"
#include "dashboard/static_site.h"

namespace vigia {

DashboardModule::DashboardModule(DashboardModuleOptions options) : options_(options) {}

DashboardModule::~DashboardModule() = default;

Status DashboardModule::Start(ServerContext* ctx) {
  (void)ctx;
  // Compresses the files once (a few hundred KB, milliseconds).
  if (options_.enabled) {
    site_ = std::make_shared<const dashboard::StaticSite>(dashboard::EmbeddedFiles());
  }
  return Status::Ok();
}

void DashboardModule::RegisterRoutes(Router* router) {
  if (!site_) return;
  std::shared_ptr<const dashboard::StaticSite> site = site_;
  // Public: the files are the same for everyone and carry no data; the API calls the pages
  // make are authorized like any client's.
  router->SetFallback(Access::kPublic,
                      [site](HttpRequest& req, HttpResponse* resp) { site->Serve(req, resp); });
}

}  // namespace vigia
