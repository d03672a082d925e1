#include "server/server_collectors.h"

#include <memory>
#include <set>
#include <string>

#include "common/metric_registry.h"
#include "server/live_feed.h"

namespace vigia {

void MirrorCounter(Counter* c, uint64_t value) {
  const uint64_t cur = c->value();
  if (value > cur) c->Inc(value - cur);
}

namespace {

struct StoreSeries {
  Gauge* events;
  Gauge* memtable_events;
  Gauge* memtable_bytes;
  Counter* memtable_stalls;
  Counter* memtable_refusals;
  Gauge* wal_bytes;
  Gauge* wal_segments;
  Counter* wal_syncs;
  Gauge* parts;
  Gauge* part_rows;
  Gauge* part_disk_bytes;
  Gauge* partitions;
  Counter* flushes;
  Counter* merges;
  Counter* merged_rows;
  Gauge* merges_running;
  Counter* merges_failed;
  Counter* merges_skipped_no_space;
  Counter* flush_merge_waits;
  Counter* partitions_dropped;
  Gauge* degraded_parts;

  explicit StoreSeries(MetricRegistry* m)
      : events(m->GetGauge("vigia_store_events", "Events readable in the store.")),
        memtable_events(
            m->GetGauge("vigia_store_memtable_events", "Events in the memtable (not in parts).")),
        memtable_bytes(m->GetGauge("vigia_store_memtable_bytes", "Memory held by the memtable.")),
        memtable_stalls(m->GetCounter(
            "vigia_store_memtable_stalls_total",
            "Appends that waited for a flush because the memtable was at its limit.")),
        memtable_refusals(
            m->GetCounter("vigia_store_memtable_refusals_total",
                          "Appends refused (503) after waiting for room in the memtable.")),
        wal_bytes(m->GetGauge("vigia_store_wal_bytes", "Bytes in live WAL segments.")),
        wal_segments(m->GetGauge("vigia_store_wal_segments", "Live WAL segments.")),
        wal_syncs(m->GetCounter("vigia_store_wal_syncs_total", "WAL fsyncs since start.")),
        parts(m->GetGauge("vigia_store_parts", "Columnar parts served.")),
        part_rows(m->GetGauge("vigia_store_part_rows", "Rows in columnar parts.")),
        part_disk_bytes(m->GetGauge("vigia_store_part_disk_bytes", "Disk bytes of the parts.")),
        partitions(m->GetGauge("vigia_store_partitions", "Partitions with at least one part.")),
        flushes(m->GetCounter("vigia_store_flushes_total", "Memtable flushes since start.")),
        merges(m->GetCounter("vigia_store_merges_total", "Part merges since start.")),
        merged_rows(m->GetCounter("vigia_store_merged_rows_total",
                                  "Rows rewritten by merges since start.")),
        merges_running(m->GetGauge("vigia_store_merges_running",
                                   "Merges writing their output now (they hold disk space).")),
        merges_failed(m->GetCounter("vigia_store_merges_failed_total",
                                    "Merges that failed since start (inputs kept, retried).")),
        merges_skipped_no_space(m->GetCounter(
            "vigia_store_merges_skipped_no_space_total",
            "Merges not started since start: less than 1.1x their inputs' bytes free on disk.")),
        flush_merge_waits(m->GetCounter(
            "vigia_store_flush_merge_waits_total",
            "Flushes that waited for merges to catch up (too many parts in a partition).")),
        partitions_dropped(m->GetCounter("vigia_store_partitions_dropped_total",
                                         "Partitions dropped by retention since start.")),
        degraded_parts(m->GetGauge("vigia_store_degraded_parts",
                                   "Parts found corrupt (queries touching them fail).")) {}
};

}  // namespace

void AddServerCollectors(ServerContext* ctx) {
  MetricRegistry* m = ctx->metrics;
  Store* store = ctx->store;
  auto series = std::make_shared<StoreSeries>(m);
  // Partitions seen at the previous scrape: a dropped one is set to 0 (gauges cannot be
  // removed from the registry).
  auto seen = std::make_shared<std::set<std::string>>();
  m->AddCollector([m, store, series, seen] {
    const StoreStats s = store->Stats();
    series->events->Set(static_cast<double>(s.events));
    series->memtable_events->Set(static_cast<double>(s.memtable_events));
    series->memtable_bytes->Set(static_cast<double>(s.memtable_bytes));
    MirrorCounter(series->memtable_stalls, s.memtable_stalls);
    MirrorCounter(series->memtable_refusals, s.memtable_refusals);
    series->wal_bytes->Set(static_cast<double>(s.wal_bytes));
    series->wal_segments->Set(static_cast<double>(s.wal_segments));
    MirrorCounter(series->wal_syncs, s.wal_syncs);
    series->parts->Set(static_cast<double>(s.parts));
    series->part_rows->Set(static_cast<double>(s.part_rows));
    series->part_disk_bytes->Set(static_cast<double>(s.part_disk_bytes));
    series->partitions->Set(static_cast<double>(s.partitions));
    MirrorCounter(series->flushes, s.flushes);
    MirrorCounter(series->merges, s.merges);
    MirrorCounter(series->merged_rows, s.merged_rows);
    series->merges_running->Set(static_cast<double>(s.merges_running));
    MirrorCounter(series->merges_failed, s.merges_failed);
    MirrorCounter(series->merges_skipped_no_space, s.merges_skipped_no_space);
    MirrorCounter(series->flush_merge_waits, s.flush_merge_waits);
    MirrorCounter(series->partitions_dropped, s.partitions_dropped);
    series->degraded_parts->Set(static_cast<double>(s.degraded_parts));

    const StoreUsage usage = store->Usage();
    std::set<std::string> now;
    auto set = [m](const std::string& partition, double parts, double rows, double bytes) {
      m->GetGauge("vigia_store_partition_parts", "Parts of one partition (UTC day x tenant).",
                  {"partition"}, {partition})
          ->Set(parts);
      m->GetGauge("vigia_store_partition_rows", "Rows in the parts of one partition.",
                  {"partition"}, {partition})
          ->Set(rows);
      m->GetGauge("vigia_store_partition_bytes", "Disk bytes of the parts of one partition.",
                  {"partition"}, {partition})
          ->Set(bytes);
    };
    for (const PartitionUsageRow& p : usage.partitions) {
      now.insert(p.partition);
      set(p.partition, static_cast<double>(p.parts), static_cast<double>(p.rows),
          static_cast<double>(p.bytes));
    }
    for (const std::string& gone : *seen) {
      if (!now.count(gone)) set(gone, 0, 0, 0);
    }
    for (const auto& [partition, merges] : s.merges_by_partition) {
      MirrorCounter(
          m->GetCounter("vigia_store_partition_merges_total",
                        "Part merges of one partition since start.", {"partition"}, {partition}),
          merges);
    }
    seen->insert(now.begin(), now.end());
  });

  if (const IngestPipeline* ingest = ctx->ingest) {
    const char* help = "Events through the ingest pipeline (every protocol): accepted = stored.";
    Counter* accepted = m->GetCounter("vigia_ingest_events_total", help, {"result"}, {"accepted"});
    Counter* rejected = m->GetCounter("vigia_ingest_events_total", help, {"result"}, {"rejected"});
    m->AddCollector([ingest, accepted, rejected] {
      const IngestStats s = ingest->stats();
      MirrorCounter(accepted, s.accepted);
      MirrorCounter(rejected, s.rejected);
    });
  }
  if (const LiveFeed* feed = ctx->tail_feed ? ctx->tail_feed : ctx->live_feed) {
    Gauge* subscribers = m->GetGauge("vigia_tail_subscribers", "Open /v1/tail streams.");
    m->AddCollector(
        [feed, subscribers] { subscribers->Set(static_cast<double>(feed->subscribers())); });
  }
  const Scheduler* scheduler = ctx->scheduler;
  m->AddCollector([m, scheduler] {
    for (const ScheduledTaskStats& t : scheduler->Stats()) {
      MirrorCounter(
          m->GetCounter("vigia_scheduler_task_runs_total",
                        "Finished runs of a periodic task, failed or not.", {"task"}, {t.name}),
          t.runs);
      MirrorCounter(
          m->GetCounter("vigia_scheduler_task_failures_total",
                        "Runs of a periodic task that returned an error.", {"task"}, {t.name}),
          t.failures);
      m->GetGauge("vigia_scheduler_task_last_duration_seconds",
                  "Duration of the latest run of a periodic task.", {"task"}, {t.name})
          ->Set(static_cast<double>(t.last_duration_ns) / 1e9);
    }
  });
}

}  // namespace vigia
