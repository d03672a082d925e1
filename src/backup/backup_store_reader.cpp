#include "backup/backup_store_reader.h"

#include <map>

#include "query/local_store_backend.h"
#include "store/partition_key.h"
#include "vql/vql_parser.h"

namespace vigia {

Result<std::unique_ptr<Store>> OpenStoreForReading(const std::string& dir, Env* env) {
  StoreOptions so;
  so.data_dir = dir;
  so.env = env;
  so.memtable_flush_bytes = 0;
  so.background_merges = false;
  so.flush_on_close = false;
  so.retention = RetentionPolicy{};
  so.retention_interval_ms = 0;
  return Store::Open(so);
}

Result<std::vector<BackupEventCount>> CountStoreEvents(Store* store, uint64_t* total) {
  VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql("* | stats count() by (_time:1d, tenant, kind)"));
  LocalStoreBackend backend(store);
  QueryOptions opt;
  opt.max_groups = UINT64_MAX;
  VIGIA_ASSIGN_OR_RETURN(QueryResult r, backend.Run(q, opt));
  std::map<std::pair<std::string, std::string>, uint64_t> counts;
  *total = 0;
  for (const QueryRecord& row : r.rows) {
    const OwnedValue* t = row.Get("_time");
    const OwnedValue* tenant = row.Get("tenant");
    const OwnedValue* kind = row.Get("kind");
    const OwnedValue* n = row.Get("count()");
    if (t == nullptr || n == nullptr) return Status::Internal("count query: unexpected row");
    const std::string tenant_s = tenant && tenant->type == ValueType::kString ? tenant->s : "";
    const std::string kind_s = kind && kind->type == ValueType::kString ? kind->s : "";
    const auto events = static_cast<uint64_t>(n->i);
    counts[{PartitionDirName(PartitionKeyOf(t->i, tenant_s)), kind_s}] += events;
    *total += events;
  }
  std::vector<BackupEventCount> out;
  for (const auto& [k, v] : counts) out.push_back({k.first, k.second, v});
  return out;
}

Result<uint64_t> RunSampleQuery(Store* store, const std::string& vql) {
  VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql(vql));
  LocalStoreBackend backend(store);
  VIGIA_ASSIGN_OR_RETURN(QueryResult r, backend.Run(q, QueryOptions{}));
  return r.rows.size();
}

}  // namespace vigia
