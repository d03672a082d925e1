// ScopedQueryBackend: the tenant guard in front of the server's QueryBackend. Every query
// must carry QueryOptions::scope (tenant_scope.h); one without is refused with
// PermissionDenied (fail closed: a route or module that forgot it gets a 403, not another
// tenant's rows). A one-tenant scope ANDs `tenant:=T` into the query before the inner backend
// sees it — for Run, Trace and Backfill alike — so the stats, top and trace answers of a
// read key are computed over its tenant's events only.
//
// Thread-safety: as thread-safe as the inner backend (it holds no state of its own).
#pragma once

#include "query/query_backend.h"
#include "query/tenant_scope.h"

namespace vigia {

class ScopedQueryBackend final : public QueryBackend {
 public:
  // REQUIRES: `inner` outlives this.
  explicit ScopedQueryBackend(QueryBackend* inner) : inner_(inner) {}

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  using QueryBackend::Run;
  Result<QueryResult> Trace(const std::string& request_id, const QueryOptions& options) override;
  Result<QueryResult> Backfill(const Query& filter, int64_t since_ns, const QueryOptions& options,
                               const QueryObserver& observer) override;
  // The inner backend's plan of the scoped query (the tenant condition included).
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override;

 private:
  QueryBackend* const inner_;
};

}  // namespace vigia
