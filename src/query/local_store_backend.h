// LocalStoreBackend: the QueryBackend of the embedded store — the columnar engine
// (query_engine.h) over the store's snapshots (store_snapshot.h), parts plus memtable. The server
// runs every query through one; `vigia query --data DIR` opens one read-only. This is the one place
// above the store that sees its snapshots.
//
// Each call reads one snapshot, taken when it starts: every batch Store::Append acknowledged
// before that is in the answer.
//
// Thread-safety: thread-safe (each call reads its own immutable snapshot).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "query/chunk_cache_stats.h"
#include "query/query_backend.h"

namespace vigia {

class FreshDataListener;
class Store;

class LocalStoreBackend final : public QueryBackend {
 public:
  // REQUIRES: `store` outlives the backend.
  explicit LocalStoreBackend(Store* store);
  ~LocalStoreBackend() override;

  // Opens the store in `data_dir` for reading only: no retention runs and nothing is
  // flushed at close, so a query never changes the data (the server's retention may keep
  // more days than the default). The backend owns and closes it.
  static Result<std::unique_ptr<LocalStoreBackend>> OpenReadOnly(const std::string& data_dir);

  // Bytes of decoded column chunks the engine keeps between queries, process-wide (the
  // server's query.cache_bytes; limits::kQueryChunkCacheBytes until set).
  static void SetChunkCacheCapacity(size_t bytes);
  // That cache now (chunk_cache.h), for /v1/stats and /metrics.
  static ChunkCacheStats ChunkCacheStatistics();

  // The listener a server gives the Store it queries (StoreOptions::fresh_data): builds
  // appended batches' columns and decodes fresh parts' chunks that recent queries read, off
  // the queries' path (fresh_data_warmer.h). nullptr when VIGIA_FRESH_DATA_WARM=off.
  static std::shared_ptr<FreshDataListener> FreshDataWarmer();

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  using QueryBackend::Run;
  // The columnar engine's plan (query_plan_explain.h).
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override;

  // The store it reads (its counters and degraded parts, for `vigia check --data`).
  const Store& store() const { return *store_; }

 private:
  Store* store_;
  std::unique_ptr<Store> owned_;  // OpenReadOnly only
};

}  // namespace vigia
