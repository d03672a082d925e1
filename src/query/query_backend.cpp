#include "query/query_backend.h"

#include <algorithm>
#include <memory>

namespace vigia {

Result<QueryResult> QueryBackend::Trace(const std::string& request_id,
                                        const QueryOptions& options) {
  Query q = TraceQuery(request_id);
  VIGIA_ASSIGN_OR_RETURN(QueryResult res, Run(q, options));
  OrderTrace(&res.rows);
  return res;
}

Result<QueryResult> QueryBackend::Backfill(const Query& filter, int64_t since_ns,
                                           const QueryOptions& options,
                                           const QueryObserver& observer) {
  // A backfill's rows are events, which pipes would change.
  if (!filter.pipes.empty()) {
    return Status::InvalidArgument("a backfill takes a filter only (no pipes)");
  }
  QueryOptions opt = options;
  opt.range.Intersect(TimeRange{since_ns, std::nullopt});
  opt.row_limit = 0;
  return Run(filter, opt, observer);
}

Result<std::string> QueryBackend::Explain(const Query&, const QueryOptions&) {
  return Status::InvalidArgument("explain: this query backend has no plan to show");
}

Query TraceQuery(const std::string& request_id) {
  Query q;
  q.filter = std::make_unique<Filter>();
  q.filter->kind = FilterKind::kExact;
  q.filter->field = "request_id";
  q.filter->value = request_id;
  return q;
}

void OrderTrace(std::vector<QueryRecord>* rows) {
  std::stable_partition(rows->begin(), rows->end(), [](const QueryRecord& r) {
    const OwnedValue* k = r.Get("kind");
    return k && k->type == ValueType::kString && k->s == "request";
  });
}

}  // namespace vigia
