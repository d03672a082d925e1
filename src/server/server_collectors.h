// Scrape-time collectors for the server's own state, registered by the metrics module:
// they read the stats structs the subsystems already keep (Store::Stats and Usage,
// IngestPipeline::stats, Scheduler::Stats, LiveFeed::subscribers) into the MetricRegistry at
// every GET /metrics, so the hot paths gain no counters of their own.
//
//   vigia_store_events, vigia_store_memtable_{events,bytes}, vigia_store_wal_{bytes,segments},
//   vigia_store_wal_syncs_total, vigia_store_parts, vigia_store_part_{rows,disk_bytes},
//   vigia_store_partitions, vigia_store_{flushes,merges,merged_rows,partitions_dropped}_total,
//   vigia_store_degraded_parts, vigia_store_partition_{parts,rows,bytes}{partition},
//   vigia_ingest_events_total{result} (every protocol), vigia_tail_subscribers,
//   vigia_scheduler_task_{runs,failures}_total{task},
//   vigia_scheduler_task_last_duration_seconds{task}
//
// Thread-safety: collectors run on the scraping thread, one scrape at a time (the registry
// serializes them).
#pragma once

#include <cstdint>

#include "common/metric_registry.h"
#include "server/server_context.h"

namespace vigia {

// Sets counter `c` to `value`, a monotonic count kept elsewhere (a collector's mirror of a
// subsystem's stats). Collectors run one at a time.
void MirrorCounter(Counter* c, uint64_t value);

// REQUIRES: the store, ingest and query modules started (ctx->store set; ingest and live
// feed may be null).
void AddServerCollectors(ServerContext* ctx);

}  // namespace vigia
