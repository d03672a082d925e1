#include "server/module_stats.h"

#include "common/json_writer.h"
#include "common/query_priority.h"

namespace vigia {
namespace {

double PerRow(uint64_t bytes, uint64_t rows) {
  return rows == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(rows);
}

}  // namespace

std::string StatsJson(const StoreStats& s, const StoreUsage& usage,
                      const std::vector<DegradedPart>& degraded,
                      const std::vector<ScheduledTaskStats>& tasks, const IngestStats& ingest,
                      const std::vector<ProtocolIngestStats>& protocols,
                      const std::vector<StatsSection>& sections) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("events", s.events);
  // Records acknowledged and refused by ingest since start (every protocol; refusals include
  // events too old for the retention or too far in the future).
  w.Key("ingest").BeginObject();
  w.KV("accepted", ingest.accepted).KV("rejected", ingest.rejected);
  // Per protocol (the same counters as vigia_ingest_*_total in /metrics).
  w.Key("protocols").BeginObject();
  for (const ProtocolIngestStats& p : protocols) {
    w.Key(p.protocol).BeginObject();
    w.KV("accepted", p.accepted).KV("rejected", p.rejected).KV("bytes", p.bytes);
    w.Key("rejected_by").BeginObject();
    for (size_t r = 0; r < kRejectReasonCount; ++r) {
      w.KV(RejectReasonName(static_cast<RejectReason>(r)), p.rejected_by[r]);
    }
    w.EndObject();
    w.Key("requests").BeginObject();
    for (IngestOutcome o : kIngestOutcomes) {
      w.KV(IngestOutcomeName(o), p.requests[static_cast<size_t>(o)]);
    }
    w.EndObject().EndObject();
  }
  w.EndObject();
  w.EndObject();
  w.Key("wal").BeginObject();
  w.KV("bytes", s.wal_bytes).KV("segments", s.wal_segments).KV("syncs", s.wal_syncs);
  w.KV("records_replayed", s.wal_records_replayed)
      .KV("records_skipped_covered", s.wal_records_skipped_covered)
      .KV("corrupt_records", s.wal_corrupt_records)
      .KV("torn_tail_bytes", s.wal_torn_tail_bytes);
  w.EndObject();
  w.Key("memtable").BeginObject();
  w.KV("events", s.memtable_events).KV("batches", s.batches).KV("bytes", s.memtable_bytes);
  w.KV("peak_bytes", s.memtable_peak_bytes).KV("max_bytes", s.memtable_max_bytes);
  // Appends held while the memtable was at max_bytes, and those refused (503) after waiting.
  w.KV("stalls", s.memtable_stalls).KV("refusals", s.memtable_refusals);
  w.EndObject();
  // Queries first (common/query_priority.h): queries run since start, the pauses flushes and
  // merges made for them, and the ingest batches that waited while another one decoded.
  const QueryPriority::Stats qp = QueryPriority::Global().stats();
  w.Key("query_priority").BeginObject();
  w.KV("queries", qp.queries).KV("background_waits", qp.background_waits);
  w.KV("background_wait_ms", static_cast<double>(qp.background_wait_ns) / 1e6);
  w.KV("ingest_waits", qp.ingest_waits);
  w.KV("ingest_wait_ms", static_cast<double>(qp.ingest_wait_ns) / 1e6);
  w.EndObject();
  w.Key("parts").BeginObject();
  w.KV("partitions", s.partitions).KV("parts", s.parts).KV("rows", s.part_rows);
  w.KV("disk_bytes", s.part_disk_bytes).KV("bytes_per_row", PerRow(s.part_disk_bytes, s.part_rows));
  w.KV("flushes", s.flushes).KV("parts_written", s.parts_written);
  w.KV("merges", s.merges).KV("merged_rows", s.merged_rows);
  w.KV("merges_running", s.merges_running).KV("merges_failed", s.merges_failed);
  w.KV("merges_skipped_no_space", s.merges_skipped_no_space);
  w.KV("flush_merge_waits", s.flush_merge_waits).KV("flush_merge_wait_ms", s.flush_merge_wait_ms);
  w.KV("flushed_raw_bytes", s.flushed_raw_bytes)
      .KV("flushed_part_bytes", s.flushed_part_bytes)
      .KV("compression_ratio", s.compression_ratio());
  w.EndObject();
  w.Key("retention").BeginObject();
  w.KV("partitions_dropped", s.partitions_dropped)
      .KV("expired_events_dropped", s.expired_events_dropped)
      .KV("expired_rows_removed", s.expired_rows_removed);
  w.EndObject();
  w.Key("degraded_parts").BeginArray();
  for (const DegradedPart& d : degraded) {
    w.BeginObject().KV("part", d.part).KV("error", d.reason).EndObject();
  }
  w.EndArray();
  w.Key("partitions").BeginArray();
  for (const PartitionUsageRow& p : usage.partitions) {
    w.BeginObject().KV("partition", p.partition).KV("parts", p.parts).KV("rows", p.rows);
    w.KV("bytes", p.bytes).EndObject();
  }
  w.EndArray();
  w.Key("columns").BeginArray();
  for (const ColumnUsage& c : usage.columns) {
    w.BeginObject().KV("name", c.name).KV("stored_bytes", c.stored_bytes);
    w.KV("bloom_bytes", c.bloom_bytes).KV("values", c.values);
    w.KV("bytes_per_row", PerRow(c.stored_bytes + c.bloom_bytes, usage.rows)).EndObject();
  }
  w.EndArray();
  w.Key("tasks").BeginArray();
  for (const ScheduledTaskStats& t : tasks) {
    w.BeginObject().KV("name", t.name).KV("runs", t.runs).KV("failures", t.failures);
    w.KV("last_error", t.last_error);
    w.KV("last_duration_ms", static_cast<double>(t.last_duration_ns) / 1e6).EndObject();
  }
  w.EndArray();
  for (const StatsSection& section : sections) {
    w.Key(section.name);
    section.write(&w);
  }
  w.EndObject();
  return out;
}

Status StatsModule::Start(ServerContext* ctx) {
  if (ctx->store == nullptr)
    return Status::Internal("stats module: the store module must start first");
  ctx_ = ctx;
  return Status::Ok();
}

void StatsModule::RegisterRoutes(Router* router) {
  const Store* store = ctx_->store;
  const Scheduler* scheduler = ctx_->scheduler;
  const IngestPipeline* ingest = ctx_->ingest;  // null when the server runs no ingest module
  const IngestMetrics* metrics = ctx_->ingest_metrics;  // null likewise
  const std::vector<StatsSection>* sections = &ctx_->stats_sections;
  router->Add("GET", "/v1/stats", Access::kAdmin,
              [store, scheduler, ingest, metrics, sections](HttpRequest&, HttpResponse* resp) {
                resp->SetJson(
                    200,
                    StatsJson(store->Stats(), store->Usage(), store->Degraded(), scheduler->Stats(),
                              ingest ? ingest->stats() : IngestStats{},
                              metrics ? metrics->Snapshot() : std::vector<ProtocolIngestStats>{},
                              *sections));
              });
}

}  // namespace vigia
