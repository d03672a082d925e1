#include "server/module_query.h"

#include "common/json_writer.h"
#include "query/local_store_backend.h"
#include "query/metered_query_backend.h"
#include "query/scoped_query_backend.h"
#include "server/route_tail.h"
#include "server/server_collectors.h"
#include "server/server_context.h"
#include "server/storage_backend.h"

namespace vigia {

Status QueryModule::Start(ServerContext* ctx) {
  if (ctx->storage == nullptr || ctx->live_feed == nullptr) {
    return Status::Internal("query module: the store and ingest modules must start first");
  }
  ctx_ = ctx;
  LocalStoreBackend::SetChunkCacheCapacity(options_.cache_bytes);
  ExportChunkCache(ctx);
  VIGIA_ASSIGN_OR_RETURN(local_, ctx->storage->MakeQueryBackend());
  backend_ = std::make_unique<MeteredQueryBackend>(local_.get(), ctx->metrics);
  scoped_ = std::make_unique<ScopedQueryBackend>(backend_.get());
  ctx->query_backend = scoped_.get();
  if (std::unique_ptr<ClusterTailSource> source = ctx->storage->MakeClusterTailSource()) {
    ClusterTailOptions to;
    to.poll_ms = options_.tail_cluster_poll_ms;
    to.lag_ms = options_.tail_cluster_lag_ms;
    Env* env = ctx->env;
    to.now_ns = [env] { return env->NowNanos(); };
    cluster_tail_ = std::make_unique<ClusterTail>(std::move(source), std::move(to));
    ctx->tail_feed = cluster_tail_->feed();
    if (MetricRegistry* m = ctx->metrics) {
      Counter* polls = m->GetCounter("vigia_tail_cluster_polls_total",
                                     "Polls of ClickHouse for this node's open tails (a cluster).");
      Counter* failures =
          m->GetCounter("vigia_tail_cluster_poll_failures_total", "Tail polls that failed.");
      Counter* rows = m->GetCounter("vigia_tail_cluster_rows_read_total",
                                    "Rows the tail polls read (the lag window re-read included).");
      Counter* events = m->GetCounter("vigia_tail_cluster_events_total",
                                      "Events the tail polls showed (each once).");
      Gauge* keys = m->GetGauge("vigia_tail_cluster_window_keys",
                                "(ts, seq) keys of shown events kept in the lag window.");
      const ClusterTail* t = cluster_tail_.get();
      m->AddCollector([=] {
        const ClusterTail::Stats s = t->stats();
        MirrorCounter(polls, s.polls);
        MirrorCounter(failures, s.poll_failures);
        MirrorCounter(rows, s.rows_read);
        MirrorCounter(events, s.events_published);
        keys->Set(static_cast<double>(s.window_keys));
      });
    }
  }
  return Status::Ok();
}

void QueryModule::ExportChunkCache(ServerContext* ctx) {
  if (MetricRegistry* m = ctx->metrics) {
    Gauge* bytes = m->GetGauge("vigia_query_chunk_cache_bytes",
                               "Memory held by decoded column chunks and bloom filters kept "
                               "between queries (bounded by query.cache_bytes).");
    Gauge* capacity = m->GetGauge("vigia_query_chunk_cache_capacity_bytes",
                                  "The chunk cache's bound (query.cache_bytes).");
    Gauge* entries = m->GetGauge("vigia_query_chunk_cache_entries", "Chunks in the chunk cache.");
    Counter* hits = m->GetCounter("vigia_query_chunk_cache_hits_total",
                                  "Chunk cache lookups that found their chunk.");
    Counter* misses = m->GetCounter("vigia_query_chunk_cache_misses_total",
                                    "Chunk cache lookups that did not (the chunk was read).");
    Counter* evictions = m->GetCounter("vigia_query_chunk_cache_evictions_total",
                                       "Chunks evicted to stay within the bound.");
    m->AddCollector([=] {
      const ChunkCacheStats s = LocalStoreBackend::ChunkCacheStatistics();
      bytes->Set(static_cast<double>(s.bytes));
      capacity->Set(static_cast<double>(s.capacity));
      entries->Set(static_cast<double>(s.entries));
      MirrorCounter(hits, s.hits);
      MirrorCounter(misses, s.misses);
      MirrorCounter(evictions, s.evictions);
    });
  }
  auto write = [](JsonWriter* w) {
    const ChunkCacheStats s = LocalStoreBackend::ChunkCacheStatistics();
    w->BeginObject();
    w->KV("bytes", s.bytes).KV("capacity_bytes", s.capacity).KV("entries", s.entries);
    w->KV("hits", s.hits).KV("misses", s.misses).KV("evictions", s.evictions);
    w->EndObject();
  };
  ctx->stats_sections.push_back({"query_cache", write});
}

Status QueryModule::Stop() {
  if (cluster_tail_) cluster_tail_->Stop();
  return Status::Ok();
}

void QueryModule::RegisterRoutes(Router* router) {
  // "now" of relative times (since=1h, _time:5m) is the server's clock, so a server on a
  // FakeClockEnv answers for its own time (the real Env's is the wall clock anyway).
  Env* env = ctx_->env;
  TailRouteOptions tail;
  tail.backend = scoped_.get();  // for `since` backfills
  tail.now_ns = [env] { return env->NowNanos(); };
  tail.cluster = cluster_tail_.get();
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
