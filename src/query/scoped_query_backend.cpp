#include "query/scoped_query_backend.h"

namespace vigia {
namespace {

Status MissingScope() {
  return Status::PermissionDenied("query without a tenant scope (QueryOptions::scope)");
}

}  // namespace

Result<QueryResult> ScopedQueryBackend::Run(const Query& q, const QueryOptions& options,
                                            const QueryObserver& observer) {
  if (!options.scope) return MissingScope();
  if (options.scope->all()) return inner_->Run(q, options, observer);
  return inner_->Run(ScopeQuery(q, *options.scope), options, observer);
}

Result<QueryResult> ScopedQueryBackend::Trace(const std::string& request_id,
                                              const QueryOptions& options) {
  if (!options.scope) return MissingScope();
  if (options.scope->all()) return inner_->Trace(request_id, options);
  VIGIA_ASSIGN_OR_RETURN(QueryResult res,
                         inner_->Run(ScopeQuery(TraceQuery(request_id), *options.scope), options));
  OrderTrace(&res.rows);
  return res;
}

Result<QueryResult> ScopedQueryBackend::Backfill(const Query& filter, int64_t since_ns,
                                                 const QueryOptions& options,
                                                 const QueryObserver& observer) {
  if (!options.scope) return MissingScope();
  if (options.scope->all()) return inner_->Backfill(filter, since_ns, options, observer);
  return inner_->Backfill(ScopeQuery(filter, *options.scope), since_ns, options, observer);
}

Result<std::string> ScopedQueryBackend::Explain(const Query& q, const QueryOptions& options) {
  if (!options.scope) return MissingScope();
  if (options.scope->all()) return inner_->Explain(q, options);
  return inner_->Explain(ScopeQuery(q, *options.scope), options);
}

}  // namespace vigia
