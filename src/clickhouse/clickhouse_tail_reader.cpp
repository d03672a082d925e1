#include "clickhouse/clickhouse_tail_reader.h"

#include "clickhouse/clickhouse_row_codec.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/clickhouse_sql.h"
#include "query/filter_matcher.h"

namespace vigia::clickhouse {
ClickHouseTailReader::ClickHouseTailReader(ClickHouseBackendOptions options)
    : options_(std::move(options)), client_(options_.url, options_.user, options_.password) {}

Result<std::string> ClickHouseTailReader::Condition(const Filter& filter, int64_t now_ns) {
  // The matcher is what the tail runs on every row; compiling it here refuses what it refuses.
  VIGIA_ASSIGN_OR_RETURN(FilterMatcher matcher, FilterMatcher::Compile(filter, now_ns));
  const TimeRange range = matcher.time_range();
  std::string where = FilterToSql(filter, now_ns);
  if (range.from_ns) where = "ts >= " + std::to_string(*range.from_ns) + " AND " + where;
  if (range.to_ns) where = "ts < " + std::to_string(*range.to_ns) + " AND " + where;
  return "(" + where + ")";
}

std::string ClickHouseTailReader::Sql(const std::vector<std::string>& conditions,
                                      int64_t from_ns) const {
  std::string any;
  for (size_t i = 0; i < conditions.size(); ++i) any += (i ? " OR " : "") + conditions[i];
  // A tail sends whole events: every typed column.
  return "SELECT " + RowDecoder::SelectList(AllCanonicalColumnIndexes()) + " FROM " +
         options_.schema.QualifiedTable() + " WHERE ts >= " + std::to_string(from_ns) + " AND (" +
         any + ") ORDER BY ts, seq FORMAT RowBinary";
}

Result<TailReadResult> ClickHouseTailReader::Read(
    const std::vector<std::string>& conditions, int64_t from_ns,
    const std::function<bool(int64_t, uint64_t)>& keep,
    const std::function<Status(std::shared_ptr<EventBatch>)>& on_batch,
    std::chrono::steady_clock::time_point deadline, const std::atomic<bool>* cancel) const {
  TailReadResult result;
  const bool partial = options_.allow_partial && !options_.schema.cluster.empty();
  QueryStats shards;
  if (partial) VIGIA_RETURN_IF_ERROR(ProbeShards(client_, options_.schema.cluster, &shards));
  RowDecoder decoder(AllCanonicalColumnIndexes(), options_.events_per_batch, on_batch);
  decoder.set_row_filter(keep);
  ClickHouseRequest req;
  req.sql = Sql(conditions, from_ns);
  req.deadline = deadline;
  req.cancel = cancel;
  if (partial) req.settings.push_back({"skip_unavailable_shards", "1"});
  req.on_data = [&](std::string_view d) {
    result.bytes_read += d.size();
    return decoder.Feed(d);
  };
  VIGIA_RETURN_IF_ERROR(client_.Execute(req).status());
  VIGIA_RETURN_IF_ERROR(decoder.Finish());
  result.rows_read = decoder.rows();
  if (partial) {
    // A shard that died during the read: its rows may be missing too.
    VIGIA_RETURN_IF_ERROR(ProbeShards(client_, options_.schema.cluster, &shards));
    result.shards_total = shards.shards_total;
    result.shards_unavailable = shards.shards_unavailable;
  }
  return result;
}

}  // namespace vigia::clickhouse
