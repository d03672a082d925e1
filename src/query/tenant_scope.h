// TenantScope: which tenants' events a query may read — every tenant (admin keys, open mode,
// the server's own work) or exactly one (the tenant of a read key). It rides in
// QueryOptions::scope, and the server's QueryBackend is a ScopedQueryBackend
// (scoped_query_backend.h) that refuses a query without one and ANDs `tenant:=T` into every
// other: query, trace, tail backfill, stats — so a route cannot forget the scope, and a
// feature module running its own queries must state it too.
//
// Thread-safety: plain values; the functions are pure.
#pragma once

#include <string>

#include "vql/vql_ast.h"

namespace vigia {

class TenantScope {
 public:
  static TenantScope All() { return TenantScope(true, {}); }
  // REQUIRES: `tenant` non-empty.
  static TenantScope Only(std::string tenant) { return TenantScope(false, std::move(tenant)); }

  bool all() const { return all_; }
  const std::string& tenant() const { return tenant_; }  // empty when all()

 private:
  TenantScope(bool all, std::string tenant) : all_(all), tenant_(std::move(tenant)) {}
  bool all_;
  std::string tenant_;
};

// A deep copy of `q` (filters, pipes, expressions; the text too).
Query CloneQuery(const Query& q);
// A deep copy of `f`.
std::unique_ptr<Filter> CloneFilter(const Filter& f);

// `q` narrowed to `scope`: for one tenant its filter becomes `tenant:=T AND (filter)` and its
// text is dropped (the AST is the query now); for all() a plain copy.
Query ScopeQuery(const Query& q, const TenantScope& scope);

// The filter `tenant:=T`.
std::unique_ptr<Filter> TenantFilter(const std::string& tenant);

}  // namespace vigia
