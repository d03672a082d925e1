// Store: the embedded event store behind the server — WAL for durability, an in-memory table
// of acknowledged events and immutable columnar parts.
//
// Append() returns only once the batch is in the WAL (and, per FsyncPolicy, durable); the
// batch is then visible to readers. Concurrent Append() calls are group-committed: one
// write + one fsync serve many callers.
//
// This is the narrow facade the server holds: writes, lifecycle, stats and health. Reading
// events (snapshots of parts + memtable) is the query engine's business: store_snapshot.h.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"
#include "store/format/degraded_parts.h"
#include "store/retention.h"
#include "store/store_usage.h"
#include "store/wal/batch_codec.h"
#include "store/wal/fsync_policy.h"

namespace vigia {

class PartReader;  // store/format/part_reader.h (the store's internals)

// Told of data as it becomes readable, so a reader can prepare for it off its own path: the
// query engine builds a batch's columns when it is appended and decodes a fresh part's chunks
// into its cache before the part is published (query/fresh_data_warmer.h), so the first
// query after an append, a flush or a merge does not do that work while it is timed.
// Thread-safety: called from any appending thread and from the flush and merge threads, at
// once: implementations must be thread-safe. They must not call back into the store.
class FreshDataListener {
 public:
  virtual ~FreshDataListener() = default;
  // `batch` was admitted and is about to be written to the WAL and inserted in the memtable.
  // Called on the appending thread (Store::Append), before the batch is readable.
  virtual void BatchAppending(const std::shared_ptr<const EventBatch>& batch) = 0;
  // A flush or a merge wrote `part` (complete and renamed into place) and will publish it
  // once this returns: no query reads it yet. Called on the flush or merge thread.
  virtual void PartWritten(const PartReader& part) = 0;
  // The part in directory `part_dir` was replaced (by a merge) or removed: no new snapshot
  // reads it (open ones still may).
  virtual void PartRetired(const std::string& part_dir) = 0;
};

struct StoreOptions {
  std::string data_dir = "./data";
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  int sync_interval_ms = 20;
  uint64_t wal_segment_bytes = 64u << 20;
  // Called with the duration of every WAL fsync (WalWriterOptions::on_sync). Empty = none.
  std::function<void(int64_t ns)> on_wal_sync;
  Env* env = nullptr;  // nullptr = Env::Default()
  // Columnar parts: the memtable is flushed to parts when it holds this many
  // bytes or its oldest batch is this old; then the WAL segments the parts cover are
  // deleted. memtable_flush_bytes = 0 disables flushing (WAL + memtable only).
  uint64_t memtable_flush_bytes = limits::kMemtableFlushBytes;
  int memtable_flush_age_ms = limits::kMemtableFlushAgeMs;
  // Hard memory limit of the memtable, counting the batches admitted and not yet inserted
  // (store/memtable_admission.h): an Append that would go past it wakes the flush and waits
  // for it, at most memtable_stall_max_ms, then fails with Unavailable. A batch larger than
  // the limit goes into an empty memtable. 0 = no limit; no limit either when flushing is
  // disabled (memtable_flush_bytes = 0: nothing would make room).
  uint64_t memtable_max_bytes = limits::kMemtableMaxBytes;
  int memtable_stall_max_ms = limits::kMemtableStallMaxMs;
  // How often the maintenance thread looks at the memtable's age and size (and at whether
  // retention or the stats line is due) when nothing wakes it. An append that fills the
  // memtable wakes it at once, and a flush that ends with the memtable due again is followed
  // by the next one without waiting.
  int maintenance_check_ms = limits::kMaintenanceCheckMs;
  bool background_merges = true;
  // Close() writes the memtable to parts (when flushing is enabled), so a clean shutdown
  // leaves compressed parts and a nearly empty WAL. If that flush fails the WAL still has
  // every event: nothing is lost, the next Open replays it.
  bool flush_on_close = true;
  // Retention: whole partitions older than `retention.days` UTC days (today included) or
  // beyond `retention.max_disk_bytes` (oldest first) are dropped, after the WAL replay at
  // Open and then every retention_interval_ms (0 = only when RunRetention() is called: the
  // server's scheduler does), by wall-clock time from `env` (see retention.h). Retention
  // works on whole UTC days: ingest refuses events of a day that is already expired
  // (IngestPipeline's admission window), so an acknowledged event only goes when its whole
  // day does. Events of a day that expired while they were still in the memtable stay
  // readable until the next flush, which drops them (logged, counted in
  // expired_events_dropped) instead of writing a part retention would delete; the WAL replay
  // skips them too. days = 0 and max_disk_bytes = 0 keep everything. retention.rules (per
  // tenant, kind, level) keep some events longer or shorter than `days`: a partition goes
  // whole once the longest its tenant keeps anything has passed, and rows whose own rule
  // expired them earlier are removed from their parts by rewriting them (retention.h).
  RetentionPolicy retention;
  int retention_interval_ms = limits::kRetentionIntervalMs;
  // A one-line summary of Stats() at level info every stats_log_interval_ms; 0 = never.
  int stats_log_interval_ms = 0;
  // Keep every WAL segment from Open until a WalObserver attaches (AttachWalObserver) and
  // then as long as it has not released them: set when a consumer of the WAL will attach
  // (the server's audit chainer), so no flush deletes records it has not passed yet, not
  // even between Open and the attach.
  bool hold_wal_for_observer = false;
  // Told of appended batches and of parts written and retired (FreshDataListener above);
  // nullptr = nobody. The server gives its query engine's (LocalStoreBackend::FreshDataWarmer).
  std::shared_ptr<FreshDataListener> fresh_data;
};

// A consumer of the WAL (the audit chainer, audit/audit_chainer.h): sees every record the
// store writes, in sequence order, and holds the WAL segments it has not passed yet.
// Thread-safety: Written runs on the thread that wrote the record (the WAL's group-commit
// leader), before any later record is acknowledged: it must be thread-safe and must not
// block (queue and return). ReleasedSeq is called from any thread.
class WalObserver {
 public:
  virtual ~WalObserver() = default;
  // Record `seq` holding `batch` is written (and synced, for wal.fsync = always). `encoded`:
  // the record's payload, the batch's batch codec bytes (store/wal/batch_codec.h), and where
  // each event starts in them, valid during the call only (copy what is needed later).
  virtual void Written(uint64_t seq, const std::shared_ptr<const EventBatch>& batch,
                       const batch_codec::EncodedEvents& encoded) = 0;
  // Every record <= this is consumed for good (durably): the store may delete the WAL
  // segments wholly at or below it, and none holding a later record.
  virtual uint64_t ReleasedSeq() const = 0;
  // Releases every record <= `seq` now rather than at the observer's own pace (Store::Erase:
  // the segments holding an erased value must go at once) and waits until ReleasedSeq() >=
  // seq, at most timeout_ms; true when it is. REQUIRES: every record <= seq was written.
  virtual bool Release(uint64_t seq, int timeout_ms) = 0;
};

struct StoreStats {
  uint64_t events = 0;  // events readable now
  uint64_t batches = 0;
  uint64_t wal_bytes = 0;  // bytes in live WAL segments
  uint64_t wal_segments = 0;
  uint64_t wal_records_replayed = 0;  // at the last Open
  uint64_t wal_corrupt_records = 0;   // skipped at replay (and reported in the log)
  uint64_t wal_torn_tail_bytes = 0;   // truncated at replay
  uint64_t wal_syncs = 0;
  uint64_t memtable_events = 0;
  uint64_t memtable_bytes = 0;
  uint64_t memtable_peak_bytes = 0;  // highest memtable_bytes since Open
  uint64_t memtable_max_bytes = 0;   // StoreOptions::memtable_max_bytes in force (0 = none)
  uint64_t memtable_stalls = 0;      // appends that waited for a flush (memtable full)
  uint64_t memtable_refusals = 0;    // appends refused after waiting (Unavailable: 503)
  uint64_t parts = 0;
  uint64_t part_rows = 0;
  uint64_t part_disk_bytes = 0;
  uint64_t flushes = 0;                      // memtable flushes since Open
  uint64_t wal_records_skipped_covered = 0;  // at the last Open: already in parts
  uint64_t partitions = 0;                   // partitions with at least one part
  uint64_t parts_written = 0;                // by flushes since Open
  uint64_t merges = 0;                       // since Open
  uint64_t merged_rows = 0;                  // rows rewritten by merges since Open
  uint64_t merges_running = 0;               // merges writing their output now (0-2: lanes)
  uint64_t merges_failed = 0;                // since Open (inputs kept, retried)
  uint64_t merges_skipped_no_space = 0;      // since Open (disk too full to start one)
  // Flushes that waited for merges to catch up (too many parts in a partition,
  // limits::kPartsToDelayFlush) since Open, and how long they waited in all.
  uint64_t flush_merge_waits = 0;
  uint64_t flush_merge_wait_ms = 0;
  uint64_t partitions_dropped = 0;           // by retention since Open
  uint64_t expired_events_dropped = 0;       // by flushes since Open (retention by age)
  uint64_t expired_rows_removed = 0;  // from parts by retention rules (kind, level) since Open
  uint64_t degraded_parts = 0;        // corrupt parts (see Degraded())
  // Merges since Open per partition directory name (PartitionUsageRow::partition); a
  // partition retention dropped is no longer listed.
  std::map<std::string, uint64_t> merges_by_partition;
  // Compression of the flushes since Open: raw = the events' decoded column size (8 bytes
  // per timestamp, int and float, 1 per bool, the bytes of each string), compressed = the
  // disk bytes of the parts written. Merges shrink parts further; part_disk_bytes/part_rows
  // is the on-disk cost per event now.
  uint64_t flushed_raw_bytes = 0;
  uint64_t flushed_part_bytes = 0;
  double compression_ratio() const {
    return flushed_part_bytes == 0
               ? 0.0
               : static_cast<double>(flushed_raw_bytes) / static_cast<double>(flushed_part_bytes);
  }
};

// What Store::Checkpoint wrote.
struct StoreCheckpoint {
  std::string dir;
  // Every WAL record with a sequence <= wal_seq is in the checkpoint (in a part or in the
  // copied WAL); opening the checkpoint as a store replays exactly those not in parts.
  uint64_t wal_seq = 0;
  uint64_t parts = 0;
  uint64_t part_bytes = 0;
  uint64_t wal_bytes = 0;
  std::vector<std::string> files;  // relative to dir
};

// Store::Erase: every event of `tenant` ("" = the default tenant) whose field `field` equals
// `value` (a string exactly; an integer or a boolean by its text).
struct EraseRequest {
  std::string tenant;
  std::string field;
  std::string value;
};

struct EraseResult {
  uint64_t events = 0;  // removed
  uint64_t parts_scanned = 0;
  uint64_t parts_rewritten = 0;
  uint64_t parts_removed = 0;        // every row of the part was erased
  uint64_t wal_segments_before = 0;  // live WAL segments when the erase began (all deleted)
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating when missing) the store in options.data_dir and replays the WAL.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);

  // REQUIRES: batch is normalized (see event.h invariants).
  virtual Status Append(std::shared_ptr<const EventBatch> batch) = 0;
  // Makes everything appended so far durable (fsync), whatever the policy.
  virtual Status Sync() = 0;
  // Stops background work, flushes the memtable to parts (StoreOptions::flush_on_close; a
  // failure is logged, the WAL keeps the events), syncs and closes the WAL. Further Append()
  // calls fail with Unavailable.
  virtual Status Close() = 0;
  // Writes the memtable to columnar parts now and deletes the WAL segments they cover.
  virtual Status Flush() = 0;
  // Drops the partitions the retention policy expires now (logging each); what the
  // periodic retention does. OK and nothing dropped when retention is off.
  virtual Status RunRetention() = 0;
  // Drops whole partitions, oldest first, until at least `bytes` of parts are gone — never a
  // partition of the newest day present, as retention by size (retention.h) — logging each;
  // returns the bytes freed (fewer when only the newest day is left). Size retention applied
  // early: the server's disk module calls it below its low-disk watermark.
  virtual Result<uint64_t> DropOldestPartitions(uint64_t bytes) = 0;

  // Right to erasure (docs/security.md): removes the events `request` selects from disk.
  // Every event acknowledged before the call is first flushed into parts, the WAL segments
  // holding them are sealed and deleted (so no old WAL record keeps the value), then each part
  // of the tenant holding such an event is rewritten without it, atomically like a merge (a
  // crash leaves the old part or the new one, never a broken store). Events appended while
  // the erase runs are new data and not erased. A WAL observer (the audit chainer) is asked
  // to release those segments at once (WalObserver::Release); Unavailable, nothing erased,
  // when it has not within limits::kEraseWalReleaseWaitMs. InvalidArgument when the store
  // does not flush (memtable_flush_bytes = 0). The audit ledger (src/audit) is not touched.
  virtual Result<EraseResult> Erase(const EraseRequest& request) = 0;

  // Writes a consistent, openable copy of the store into `dir` (created; REQUIRES: it does
  // not exist, and it is on the data directory's file system for the parts to be
  // hard-linked rather than copied — a name from file_names::kCheckpointDirPrefix inside the
  // data directory is, and is cleaned up by the next Open if left behind): every part served
  // now plus the WAL segments up to the last written record. Appends and queries go on
  // meanwhile; flushes wait until the WAL is copied, merges and retention until the parts
  // are linked. The caller deletes `dir` when done.
  virtual Result<StoreCheckpoint> Checkpoint(const std::string& dir) = 0;

  // Attaches `observer` (not owned; REQUIRES: it stays valid until detached with nullptr):
  // every record written after this call is handed to it, and WAL segments are deleted
  // (flush, close, erase) only up to its ReleasedSeq(); after a detach, up to the last value
  // it returned. Returns the highest sequence written before the call: records up to it
  // are not (all) handed over, ReadWal reads them (some may be handed over too). A backend
  // without a WAL of its own (the default) returns an error: the audit module then chains on
  // the acknowledgement path (its commit hook) instead.
  virtual Result<uint64_t> AttachWalObserver(WalObserver* observer) {
    (void)observer;
    return Status::Unavailable("this store backend has no WAL to observe");
  }
  // Calls fn for every WAL record still on disk with after < seq <= upto, in order (read
  // only: the WAL was repaired at Open). For a WalObserver catching up after a restart.
  using WalRecordFn = std::function<Status(uint64_t seq, std::shared_ptr<const EventBatch> batch)>;
  virtual Status ReadWal(uint64_t after, uint64_t upto, const WalRecordFn& fn) {
    (void)after, (void)upto, (void)fn;
    return Status::Unavailable("this store backend has no WAL to read");
  }

  virtual StoreStats Stats() const = 0;
  // Bytes in live WAL segments (StoreStats::wal_bytes without the rest of Stats(), which
  // walks the parts): the disk gate reads it on the ingest path.
  virtual uint64_t WalBytes() const = 0;
  // Bytes per partition and per column of the parts served now (from part metadata).
  virtual StoreUsage Usage() const = 0;
  // OK when the store can take writes; otherwise why not (WAL failing, dir not writable).
  virtual Status Health() const = 0;
  // Parts found corrupt (at Open, or by a query or a merge reading them): a scan touching
  // one fails with StatusCode::kCorruption naming the part; everything else is served.
  virtual std::vector<DegradedPart> Degraded() const = 0;
};

}  // namespace vigia
