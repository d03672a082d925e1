#include "clickhouse/clickhouse_query_backend.h"

#include <algorithm>
#include <cstdio>

#include "clickhouse/clickhouse_row_codec.h"
#include "clickhouse/clickhouse_sql.h"
#include "clickhouse/clickhouse_stats_pushdown.h"
#include "query/filter_matcher.h"
#include "query/row_evaluator.h"

namespace vigia::clickhouse {
namespace {

// The smallest row count a streamable query keeps (its limit pipes and the caller's
// row_limit); 0 = all rows.
uint64_t RowsWanted(const Query& q, const QueryOptions& options) {
  uint64_t want = options.row_limit;
  for (const Pipe& p : q.pipes) {
    if (p.kind == PipeKind::kLimit && p.limit > 0)
      want = want == 0 ? p.limit : std::min(want, p.limit);
  }
  return want;
}

}  // namespace

ClickHouseQueryBackend::ClickHouseQueryBackend(ClickHouseBackendOptions options)
    : options_(std::move(options)), client_(options_.url, options_.user, options_.password) {}

Result<std::string> ClickHouseQueryBackend::BuildSql(const Query& q, const QueryOptions& options,
                                                     std::vector<int>* columns,
                                                     std::string* where_out) const {
  VIGIA_ASSIGN_OR_RETURN(FilterMatcher matcher, FilterMatcher::Compile(*q.filter, options.now_ns));
  TimeRange range = matcher.time_range();
  range.Intersect(options.range);
  columns->clear();
  auto read = FieldsRead(q);
  auto all = CanonicalColumns();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!read || read->count(std::string(all[i].field)) > 0)
      columns->push_back(static_cast<int>(i));
  }
  std::string where = FilterToSql(*q.filter, options.now_ns);
  if (range.from_ns) where = "ts >= " + std::to_string(*range.from_ns) + " AND " + where;
  if (range.to_ns) where = "ts < " + std::to_string(*range.to_ns) + " AND " + where;
  if (where_out != nullptr) *where_out = where;
  return "SELECT " + RowDecoder::SelectList(*columns) + " FROM " +
         options_.schema.QualifiedTable() + " WHERE " + where +
         " ORDER BY ts, seq FORMAT RowBinary";
}

Result<std::string> ClickHouseQueryBackend::Explain(const Query& q, const QueryOptions& options) {
  std::vector<int> columns;
  std::string where;
  VIGIA_ASSIGN_OR_RETURN(std::string sql, BuildSql(q, options, &columns, &where));
  std::string out =
      "engine: ClickHouse " + options_.url + ", table " + options_.schema.QualifiedTable() + "\n";
  if (!q.pipes.empty() &&
      (q.pipes[0].kind == PipeKind::kStats || q.pipes[0].kind == PipeKind::kTop)) {
    StatsPushdownPlan plan =
        PlanStatsPushdown(q, options.now_ns, where, options_.schema.QualifiedTable());
    if (plan.pushed) {
      out += "-- stats pushed down: ClickHouse " + options_.url + " aggregates (GROUP BY)\n";
      out += plan.sql + "\n";
      out +=
          "-- the answer is refused, and the candidate rows below are aggregated in vigia, when a"
          " candidate row holds one of (";
      for (size_t i = 0; i < plan.checked_fields.size(); ++i) {
        out += (i ? ", " : "") + plan.checked_fields[i];
      }
      out +=
          ") with another type, an integer sum might overflow, or zeros of both signs meet "
          "in a float min/max\n";
      if (q.pipes.size() > 1) out += "-- then in vigia: the later pipes (row evaluator)\n";
    } else {
      out += "-- stats not pushed down: " + plan.reason + "\n";
    }
  }
  out += "-- ClickHouse " + options_.url + " (candidate rows: a superset of the filter)\n";
  out += sql + "\n";
  out += "-- then in vigia: the exact VQL filter";
  if (!q.pipes.empty()) out += " and every pipe (row evaluator)";
  if (StreamableQuery(q) && RowsWanted(q, options) > 0) {
    out += "; reading stops after " + std::to_string(RowsWanted(q, options)) + " matching rows";
  }
  out += "\n";
  return out;
}

Status ProbeShards(ClickHouseClient& client, const std::string& cluster, QueryStats* stats) {
  const std::string name = SqlString(cluster);
  ClickHouseRequest req;
  req.sql = "SELECT (SELECT uniqExact(shard_num) FROM system.clusters WHERE cluster = " + name +
            "), (SELECT count() FROM cluster(" + name + ", system.one)) FORMAT TabSeparated";
  req.settings.push_back({"skip_unavailable_shards", "1"});
  VIGIA_ASSIGN_OR_RETURN(std::string out, client.Execute(req));
  unsigned long total = 0, live = 0;
  if (std::sscanf(out.c_str(), "%lu\t%lu", &total, &live) != 2 || total == 0) {
    return Status::InvalidArgument("clickhouse.cluster \"" + cluster + "\" is not a cluster of " +
                                   client.url());
  }
  stats->shards_total = static_cast<uint32_t>(total);
  stats->shards_unavailable = std::max<uint32_t>(
      stats->shards_unavailable, static_cast<uint32_t>(live < total ? total - live : 0));
  return Status::Ok();
}

Result<QueryResult> ClickHouseQueryBackend::Run(const Query& q, const QueryOptions& options,
                                                const QueryObserver& observer) {
  if (!options_.allow_partial || options_.schema.cluster.empty()) {
    return RunOnce(q, options, observer);
  }
  // A shard that dies between the first probe and the query's own read is caught by the
  // second.
  QueryStats shards;
  VIGIA_RETURN_IF_ERROR(ProbeShards(client_, options_.schema.cluster, &shards));
  VIGIA_ASSIGN_OR_RETURN(QueryResult result, RunOnce(q, options, observer));
  VIGIA_RETURN_IF_ERROR(ProbeShards(client_, options_.schema.cluster, &shards));
  result.stats.shards_total = shards.shards_total;
  result.stats.shards_unavailable = shards.shards_unavailable;
  return result;
}

Result<std::optional<QueryResult>> ClickHouseQueryBackend::RunPushdown(
    const Query& q, const QueryOptions& options, const QueryObserver& observer,
    const std::string& sql) {
  ClickHouseRequest req;
  req.sql = sql;
  req.deadline = options.deadline;
  req.cancel = observer.cancel;
  if (options_.allow_partial && !options_.schema.cluster.empty()) {
    req.settings.push_back({"skip_unavailable_shards", "1"});
  }
  // The groups are held as text: an answer past the memory limit is left to the row path
  // (which streams its rows and applies its own limits).
  std::string answer;
  bool too_big = false;
  req.on_data = [&](std::string_view d) -> Status {
    if (answer.size() + d.size() > options.max_memory_bytes) {
      too_big = true;
      return Status::ResourceExhausted("stats answer too large");
    }
    answer.append(d);
    return Status::Ok();
  };
  auto r = client_.Execute(req);
  if (too_big) return std::optional<QueryResult>();
  VIGIA_RETURN_IF_ERROR(r.status());
  VIGIA_ASSIGN_OR_RETURN(StatsPushdownAnswer ans,
                         DecodeStatsPushdown(q, answer, options.max_groups));
  if (ans.refused) return std::optional<QueryResult>();
  VIGIA_ASSIGN_OR_RETURN(FilterMatcher matcher, FilterMatcher::Compile(*q.filter, options.now_ns));
  TimeRange range = matcher.time_range();
  range.Intersect(options.range);
  QueryResult result;
  result.stats.rows_scanned = ans.rows_scanned;
  result.stats.rows_matched = ans.rows_matched;
  result.stats.bytes_read = answer.size();
  VIGIA_ASSIGN_OR_RETURN(result.rows, ApplyPipes(q, 1, std::move(ans.rows), options, range));
  return std::optional<QueryResult>(std::move(result));
}

Result<QueryResult> ClickHouseQueryBackend::RunOnce(const Query& q, const QueryOptions& options,
                                                    const QueryObserver& observer) {
  std::vector<int> columns;
  std::string where;
  VIGIA_ASSIGN_OR_RETURN(std::string sql, BuildSql(q, options, &columns, &where));
  if (options_.pushdown && !q.pipes.empty() &&
      (q.pipes[0].kind == PipeKind::kStats || q.pipes[0].kind == PipeKind::kTop)) {
    StatsPushdownPlan plan =
        PlanStatsPushdown(q, options.now_ns, where, options_.schema.QualifiedTable());
    if (!plan.pushed) {
      ++not_pushable_;
    } else {
      VIGIA_ASSIGN_OR_RETURN(auto pushed, RunPushdown(q, options, observer, plan.sql));
      if (pushed) {
        ++pushed_;
        return std::move(*pushed);
      }
      ++refused_;
    }
  }
  ClickHouseRequest req;
  req.sql = std::move(sql);
  req.deadline = options.deadline;
  req.cancel = observer.cancel;
  if (options_.allow_partial && !options_.schema.cluster.empty()) {
    req.settings.push_back({"skip_unavailable_shards", "1"});
  }

  if (StreamableQuery(q)) {
    // A plain filter: rows come in (ts, seq) order, each matching one final at once.
    VIGIA_ASSIGN_OR_RETURN(FilterMatcher matcher,
                           FilterMatcher::Compile(*q.filter, options.now_ns));
    TimeRange range = matcher.time_range();
    range.Intersect(options.range);
    const uint64_t want = RowsWanted(q, options);
    std::vector<QueryRecord> rows;
    uint64_t memory = 0;
    bool enough = false;
    Status limit_hit = Status::Ok();
    RowDecoder decoder(
        columns, options_.events_per_batch, [&](std::shared_ptr<EventBatch> b) -> Status {
          for (const auto& e : b->events()) {
            if (!range.Contains(e.ts_ns)) continue;
            if (!matcher.Matches(EventRowAccessor(*b, e))) continue;
            rows.push_back(EventToRecord(*b, e));
            memory += rows.back().MemoryUsage();
            if (memory > options.max_memory_bytes) {
              limit_hit = Status::ResourceExhausted("query memory limit (" +
                                                    std::to_string(options.max_memory_bytes) +
                                                    " bytes) exceeded");
              return limit_hit;
            }
            if (want > 0 && rows.size() >= want) {
              enough = true;
              return Status::Unavailable("enough rows");
            }
          }
          return Status::Ok();
        });
    uint64_t bytes = 0;
    req.on_data = [&](std::string_view d) {
      bytes += d.size();
      return decoder.Feed(d);
    };
    auto r = client_.Execute(req);
    if (!limit_hit.ok()) return limit_hit;
    if (!enough) {
      VIGIA_RETURN_IF_ERROR(r.status());
      // The last batch may hold the row that makes enough: its stop is no error.
      Status fin = decoder.Finish();
      if (!limit_hit.ok()) return limit_hit;
      if (!enough) VIGIA_RETURN_IF_ERROR(fin);
    }
    QueryResult result;
    result.stats.rows_scanned = decoder.rows();
    result.stats.bytes_read = bytes;
    result.stats.rows_matched = rows.size();
    VIGIA_ASSIGN_OR_RETURN(result.rows, ApplyPipes(q, 0, std::move(rows), options, range));
    return result;
  }

  VIGIA_ASSIGN_OR_RETURN(auto evaluator, RowEvaluator::Create(q, options));
  Status eval_error = Status::Ok();
  RowDecoder decoder(columns, options_.events_per_batch,
                     [&](std::shared_ptr<EventBatch> b) -> Status {
                       eval_error = evaluator->Add(*b);
                       return eval_error;
                     });
  uint64_t bytes = 0;
  req.on_data = [&](std::string_view d) {
    bytes += d.size();
    return decoder.Feed(d);
  };
  auto r = client_.Execute(req);
  if (!eval_error.ok()) return eval_error;
  VIGIA_RETURN_IF_ERROR(r.status());
  VIGIA_RETURN_IF_ERROR(decoder.Finish());
  VIGIA_RETURN_IF_ERROR(eval_error);
  VIGIA_ASSIGN_OR_RETURN(QueryResult result, evaluator->Finish());
  result.stats.rows_scanned = decoder.rows();
  result.stats.bytes_read = bytes;
  return result;
}

}  // namespace vigia::clickhouse
