#include "query/local_store_backend.h"

#include <optional>

#include "common/logger.h"
#include "common/query_priority.h"
#include "query/chunk_cache.h"
#include "query/fresh_data_warmer.h"
#include "query/query_engine.h"
#include "query/query_plan.h"
#include "query/query_plan_explain.h"
#include "store/store_snapshot.h"

namespace vigia {

LocalStoreBackend::LocalStoreBackend(Store* store) : store_(store) {}

LocalStoreBackend::~LocalStoreBackend() {
  if (!owned_) return;
  // Read-only: nothing is flushed, so a failed close loses nothing; it is still worth a line.
  Status st = owned_->Close();
  if (!st.ok()) logger::Warn("closing the data directory failed", {{"error", st.ToString()}});
}

void LocalStoreBackend::SetChunkCacheCapacity(size_t bytes) {
  ChunkCache::Default().SetCapacity(bytes);
}

ChunkCacheStats LocalStoreBackend::ChunkCacheStatistics() { return ChunkCache::Default().stats(); }

std::shared_ptr<FreshDataListener> LocalStoreBackend::FreshDataWarmer() {
  const vigia::FreshDataWarmer::Options o = vigia::FreshDataWarmer::FromEnvironment();
  if (!o.memtable && !o.parts) return nullptr;
  return std::make_shared<vigia::FreshDataWarmer>(o);
}

Result<std::unique_ptr<LocalStoreBackend>> LocalStoreBackend::OpenReadOnly(
    const std::string& data_dir) {
  StoreOptions so;
  so.data_dir = data_dir;
  so.retention.days = 0;
  so.retention.max_disk_bytes = 0;
  so.flush_on_close = false;
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(so));
  auto backend = std::make_unique<LocalStoreBackend>(store.get());
  backend->owned_ = std::move(store);
  return backend;
}

Result<QueryResult> LocalStoreBackend::Run(const Query& q, const QueryOptions& options,
                                           const QueryObserver& observer) {
  // While it runs, merges and flushes pause and ingest decodes one batch at a time; a
  // background query is not counted: it is one of those that give way.
  std::optional<QueryPriority::Scope> running;
  if (!options.background) running.emplace(&QueryPriority::Global());
  return RunQuery(GetSnapshot(*store_), q, options, observer);
}

Result<std::string> LocalStoreBackend::Explain(const Query& q, const QueryOptions& options) {
  VIGIA_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(q, options));
  return ExplainColumnarPlan(q, plan);
}

}  // namespace vigia
