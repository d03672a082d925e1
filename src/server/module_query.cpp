#include "server/module_query.h"

#include "query/local_store_backend.h"
#include "query/metered_query_backend.h"
#include "query/scoped_query_backend.h"
#include "server/route_tail.h"
#include "server/server_context.h"
#include "server/storage_backend.h"

namespace vigia {

Status QueryModule::Start(ServerContext* ctx) {
  if (ctx->storage == nullptr || ctx->live_feed == nullptr) {
    return Status::Internal("query module: the store and ingest modules must start first");
  }
  ctx_ = ctx;
  LocalStoreBackend::SetChunkCacheCapacity(options_.cache_bytes);
  VIGIA_ASSIGN_OR_RETURN(local_, ctx->storage->MakeQueryBackend());
  backend_ = std::make_unique<MeteredQueryBackend>(local_.get(), ctx->metrics);
  scoped_ = std::make_unique<ScopedQueryBackend>(backend_.get());
  ctx->query_backend = scoped_.get();
  return Status::Ok();
}

void QueryModule::RegisterRoutes(Router* router) {
  // "now" of relative times (since=1h, _time:5m) is the server's clock, so a server on a
  // FakeClockEnv answers for its own time (the real Env's is the wall clock anyway).
  Env* env = ctx_->env;
  TailRouteOptions tail;
  tail.backend = scoped_.get();  // for `since` backfills
  tail.now_ns = [env] { return env->NowNanos(); };
  AddTailRoutes(router, ctx_->live_feed, std::move(tail));
  QueryRouteOptions routes = options_.routes;
  if (!routes.now_ns) routes.now_ns = [env] { return env->NowNanos(); };
  routes.key_concurrency_refused =
      ctx_->metrics->GetCounter("vigia_rate_limited_total",
                                "Requests refused with 429 by a rate limit ([rate_limit], [query])",
                                {"limit"}, {"key_query_concurrency"});
  AddQueryRoutes(router, scoped_.get(), routes);
}

}  // namespace vigia
