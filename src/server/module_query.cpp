#include "server/module_query.h"

#include "query/local_store_backend.h"
#include "server/route_tail.h"

namespace vigia {

Status QueryModule::Start(ServerContext* ctx) {
  if (ctx->store == nullptr || ctx->live_feed == nullptr) {
    return Status::Internal("query module: the store and ingest modules must start first");
  }
  ctx_ = ctx;
  LocalStoreBackend::SetChunkCacheCapacity(options_.cache_bytes);
  backend_ = std::make_unique<LocalStoreBackend>(ctx->store);
  ctx->query_backend = backend_.get();
  return Status::Ok();
}

void QueryModule::RegisterRoutes(Router* router) {
  TailRouteOptions tail;
  tail.backend = backend_.get();  // for `since` backfills
  AddTailRoutes(router, ctx_->live_feed, std::move(tail));
  AddQueryRoutes(router, backend_.get(), options_.routes);
}

}  // namespace vigia
