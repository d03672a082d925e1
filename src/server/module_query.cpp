#include "server/module_query.h"

#include "query/local_store_backend.h"
#include "query/metered_query_backend.h"
#include "query/scoped_query_backend.h"
#include "server/route_tail.h"

namespace vigia {

Status QueryModule::Start(ServerContext* ctx) {
  if (ctx->store == nullptr || ctx->live_feed == nullptr) {
    return Status::Internal("query module: the store and ingest modules must start first");
  }
  ctx_ = ctx;
  LocalStoreBackend::SetChunkCacheCapacity(options_.cache_bytes);
  local_ = std::make_unique<LocalStoreBackend>(ctx->store);
  backend_ = std::make_unique<MeteredQueryBackend>(local_.get(), ctx->metrics);
  scoped_ = std::make_unique<ScopedQueryBackend>(backend_.get());
  ctx->query_backend = scoped_.get();
  return Status::Ok();
}

void QueryModule::RegisterRoutes(Router* router) {
  TailRouteOptions tail;
  tail.backend = scoped_.get();  // for `since` backfills
  AddTailRoutes(router, ctx_->live_feed, std::move(tail));
  AddQueryRoutes(router, scoped_.get(), options_.routes);
}

}  // namespace vigia
