// StoreImpl: the Store — WAL (durability) + Memtable (recent events) + PartitionSet
// (columnar parts).
//
// Append: the batch is encoded on the caller's thread (in parallel with other callers),
// group-committed to the WAL, and inserted in the memtable by the WAL's commit hook, so the
// memtable always holds every written record up to its highest sequence (no gaps).
// Backpressure: every Append is first admitted against memtable_max_bytes (MemtableAdmission:
// bytes in the memtable plus those admitted and not yet inserted). When flushing falls behind
// and the batch does not fit, Append wakes the flush and waits for it (at most
// memtable_stall_max_ms on the Env's clock, then Unavailable, which ingest turns into 503 +
// Retry-After), so memory stays bounded under any load and any number of appenders.
//
// Flush (background thread, or Flush()): the memtable snapshot up to sequence M goes to
// PartitionSet::AddEvents(batches, M) — one part per partition, each recording M — then
// the entries <= M leave the memtable and the WAL segments wholly <= M are deleted. A crash
// anywhere in between is safe: at Open, a WAL record S is replayed only for the events
// whose partition is not covered up to S (PartitionSet::IsCovered), so nothing is lost or
// duplicated.
//
// Readers: GetSnapshot takes the parts snapshot and the memtable snapshot under view_mu_,
// which the flush also holds while it drops flushed entries; a memtable entry that a
// just-published part already covers is filtered out, so a view never shows an event
// twice or misses one.
//
// Maintenance (one background thread): flushes when the memtable is big or old enough,
// applies retention every retention_interval_ms (also once at Open, after the WAL replay,
// so covered records are recognised before their parts go), and logs the stats line.
// Close() stops it, then flushes the memtable one last time (flush_on_close).
//
// WAL observer (AttachWalObserver: the audit chainer): the WAL's commit hook hands it every
// record after the memtable insert, in sequence order; every WAL deletion (flush, Close,
// Erase) stops at what it has released (hold_wal_for_observer: nothing is deleted until it
// attaches); Erase asks it to release the records written before it at once.
//
// Health combines the WAL's last error with a periodic probe that the data directory
// accepts new files. Corrupt parts do not make the store unhealthy: they are listed by
// Degraded() (the PartitionSet's DegradedParts) and everything else is served.
//
// Thread-safety: thread-safe (the Store contract).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>

#include "store/memtable.h"
#include "store/memtable_admission.h"
#include "store/partition_set.h"
#include "store/store.h"
#include "store/store_snapshot.h"
#include "store/wal/wal_writer.h"

namespace vigia {

class StoreImpl final : public Store, public StoreReader {
 public:
  static Result<std::unique_ptr<StoreImpl>> OpenImpl(const StoreOptions& options);
  ~StoreImpl() override;

  Status Append(std::shared_ptr<const EventBatch> batch) override;
  Result<uint64_t> AttachWalObserver(WalObserver* observer) override;
  Status ReadWal(uint64_t after, uint64_t upto, const WalRecordFn& fn) override;
  Status Sync() override;
  Status Close() override;
  Status Flush() override;
  Status RunRetention() override { return ApplyRetention().status(); }
  Result<EraseResult> Erase(const EraseRequest& request) override;
  Result<uint64_t> DropOldestPartitions(uint64_t bytes) override;
  Result<StoreCheckpoint> Checkpoint(const std::string& dir) override;
  StoreSnapshot GetSnapshot() const override;
  StoreStats Stats() const override;
  uint64_t WalBytes() const override;
  StoreUsage Usage() const override;
  Status Health() const override;
  std::vector<DegradedPart> Degraded() const override;

  PartitionSet* partitions() { return parts_.get(); }
  // Applies the retention policy now (what the background thread does periodically) and logs
  // every dropped partition. Returns the partitions dropped.
  Result<std::vector<PartitionKey>> ApplyRetention();

 private:
  explicit StoreImpl(const StoreOptions& options, Env* env);
  Status ProbeWritable() const;
  // Flush() with flush_mu_ held.
  Status FlushLocked();
  void MaintenanceLoop();
  bool FlushDue() const;
  bool RetentionEnabled() const;
  // Is an event (at ts_ns, with `fields`) expired by age (its retention rule, else
  // retention.days) at wall-clock time now_ns?
  bool ExpiredByAge(std::span<const Field> fields, int64_t ts_ns, int64_t now_ns) const;
  // The row rules of retention (kind, level, tenant) inside the partitions kept: rewrites the
  // parts holding expired rows. A part is read at most once per UTC day.
  Status ApplyRowRetention(int64_t now_ns);
  void LogStats() const;

  const StoreOptions options_;
  Env* const env_;
  std::unique_ptr<PartitionSet> parts_;
  std::unique_ptr<WalWriter> wal_;
  Memtable memtable_;
  std::atomic<bool> closed_{false};

  // Replay outcome of Open, reported by Stats().
  uint64_t replayed_records_ = 0;
  uint64_t corrupt_records_ = 0;
  uint64_t torn_tail_bytes_ = 0;
  uint64_t skipped_covered_ = 0;

  mutable std::mutex view_mu_;  // see "Readers" above
  std::mutex flush_mu_;         // one flush at a time
  std::atomic<uint64_t> flushes_{0};
  std::atomic<uint64_t> flushed_raw_bytes_{0};
  std::atomic<uint64_t> flushed_part_bytes_{0};
  std::atomic<uint64_t> flush_expired_{0};       // events dropped by flushes: expired by age
  std::atomic<uint64_t> row_retention_rows_{0};  // rows removed from parts by retention rules
  std::atomic<int64_t> oldest_unflushed_ns_{0};  // monotonic; 0 = memtable empty

  // The WAL's consumer (AttachWalObserver) and what it holds: segments are deleted only up to
  // WalDeletableUpTo().
  uint64_t WalDeletableUpTo(uint64_t seq) const;
  // Whether every record <= seq may be deleted: asks the observer to release them (Erase),
  // waiting at most timeout_ms.
  bool ReleaseWal(uint64_t seq, int timeout_ms);
  // Held across an observer's Release call and by AttachWalObserver, so an observer being
  // detached is not called after its detach (order: release_mu_, then observer_mu_). Not
  // taken by Append: appends never wait for a Release.
  std::mutex release_mu_;
  mutable std::mutex observer_mu_;
  WalObserver* observer_ = nullptr;  // guarded by observer_mu_
  uint64_t wal_hold_ = UINT64_MAX;   // guarded by observer_mu_; without an observer

  // Backpressure (Append): bytes admitted into the memtable; a flush releases what it
  // removed, Close wakes the waiters.
  MemtableAdmission admission_;

  std::mutex flush_thread_mu_;
  std::condition_variable flush_cv_;
  bool stop_flush_ = false;   // guarded by flush_thread_mu_
  std::thread flush_thread_;  // runs MaintenanceLoop

  // ApplyRowRetention: the parts already without expired rows today (their directories).
  std::mutex row_retention_mu_;
  std::set<std::string> row_retention_clean_;  // guarded by row_retention_mu_
  int32_t row_retention_day_ = 0;              // guarded by row_retention_mu_

  // Cached result of the write probe (it creates a file; at most once a second).
  mutable std::mutex probe_mu_;
  mutable int64_t probe_at_ns_ = 0;  // guarded by probe_mu_; 0 = never probed
  mutable Status probe_status_;      // guarded by probe_mu_
};

}  // namespace vigia
