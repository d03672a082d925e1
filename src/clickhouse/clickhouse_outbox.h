// ClickHouseOutbox: the write side of storage.backend = "clickhouse" (docs/clickhouse.md). It
// is the `Store` the ingest pipeline appends to, so every protocol, the normalizer, the
// derivers, redaction and tenants work unchanged upstream of it:
//
//   Append → a record in the outbox WAL under <data>/clickhouse/wal (the store's WAL writer,
//            group commit, the wal.fsync policy) — the acknowledgement point, as for the
//            embedded store — and the record queued in memory for the shipper;
//   shipper threads (insert_concurrency of them) → each takes the next batch of records in
//            WAL order (up to kClickHouseShipBatchBytes, after waiting up to
//            kClickHouseShipDelayMs for a batch to fill; a batch that is not full goes only
//            while no INSERT is in flight) and sends it as one INSERT ... FORMAT RowBinary
//            into the events table, so under load up to insert_concurrency full INSERTs are
//            in flight at once and the next batch is encoded while earlier ones are inserted.
//            INSERTs complete in any order; the outbox releases only up to the watermark
//            (clickhouse_ship_window.h: the last record of the longest acknowledged prefix):
//            the state file records it and the WAL segments it covers are deleted.
//
// Exactly once (with any number of INSERTs in flight). Every row gets `seq = seq_base + (record <<
// 24) + index in the record`: its position in this node's WAL, plus a base drawn at random when the
// node's outbox is created (kept in outbox.state), so rows of different nodes practically never
// share a seq (two nodes' ranges overlap with probability ~2^-22 per pair). After a failed INSERT,
// and at start when the WAL holds unshipped records, the shipper first waits until no INSERT that
// may hold rows of the batch is running in ClickHouse (system.processes, by query_id: at start any
// of this node, prefix "vigia-outbox-<seq_base>-", before a batch is sent — an INSERT sent
// before a crash can still land after the restart; after a failure, the earlier attempts of
// the same batch, "vigia-outbox-<seq_base>-<first record>-": a failed batch keeps its records
// and is retried by its own thread while the others go on), then asks which seqs of the batch
// the table already has and leaves those rows out. A Distributed INSERT is not atomic across
// shards, so this is decided row by row.
//
// Back-pressure: past `max_backlog_bytes` of unshipped records, Append refuses with
// Unavailable (the ingest route answers 503 with Retry-After); nothing refused was
// acknowledged. While ClickHouse is down the shipper retries with backoff
// (kClickHouseRetryBaseMs doubling to kClickHouseRetryMaxMs).
//
// Not supported with this store (their methods say so): erasure, checkpoints (backups of the
// events), retention (ClickHouse's own), usage by partition. The unshipped records are also
// held in memory (their encoded size: at most max_backlog_bytes).
//
// Thread-safety: thread-safe (the Store contract); insert_concurrency shipper threads of its
// own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/clickhouse_ship_window.h"
#include "common/env.h"
#include "common/limits.h"
#include "store/data_dir_lock.h"
#include "store/store.h"
#include "store/wal/fsync_policy.h"

namespace vigia {
class WalWriter;
}

namespace vigia::clickhouse {

struct ClickHouseOutboxOptions {
  std::string data_dir = "./data";  // the outbox lives in <data_dir>/clickhouse
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  int sync_interval_ms = 20;
  uint64_t segment_bytes = 64u << 20;
  Env* env = nullptr;  // nullptr = Env::Default()
  // Where the events go.
  std::string url = "http://127.0.0.1:8123";
  std::string user;
  std::string password;
  SchemaOptions schema;
  uint64_t max_backlog_bytes = limits::kClickHouseMaxBacklogBytes;
  uint64_t ship_batch_bytes = limits::kClickHouseShipBatchBytes;
  int ship_delay_ms = limits::kClickHouseShipDelayMs;
  int insert_timeout_ms = limits::kClickHouseInsertTimeoutMs;
  // INSERTs in flight at once (clickhouse.insert_concurrency), one shipper thread each.
  int insert_concurrency = limits::kClickHouseInsertConcurrency;
  // ClickHouse's insert_quorum for every INSERT (0: not sent, the server's default applies).
  int insert_quorum = 0;
  // false: the data directory is not locked (the caller holds the lock).
  bool lock_data_dir = true;
  // Tests only: replaces the HTTP client (every statement the outbox sends goes to it).
  std::function<Result<std::string>(const ClickHouseRequest&)> transport;
};

struct ClickHouseOutboxStats {
  uint64_t backlog_bytes = 0;  // unshipped records (encoded)
  uint64_t backlog_rows = 0;
  uint64_t shipped_rows = 0;       // inserted since start
  uint64_t skipped_rows = 0;       // left out since start: ClickHouse already had them
  uint64_t failures = 0;           // failed INSERTs (or checks before one) since start
  uint64_t replayed_rows = 0;      // unshipped rows found in the WAL at start
  uint64_t shipped_seq = 0;        // the watermark: records up to it are released
  uint64_t inserts_in_flight = 0;  // batches taken and not yet released
  std::string last_error;          // of the last failure while it persists; "" once shipping works
};

class ClickHouseOutbox final : public Store {
 public:
  // Opens (creating) the outbox, replays its WAL and starts the shipper. Fails only on local
  // I/O errors: ClickHouse may be down (the shipper waits for it).
  static Result<std::unique_ptr<ClickHouseOutbox>> Open(const ClickHouseOutboxOptions& options);
  ~ClickHouseOutbox() override;

  // The row seq of event `index` of outbox record `record` (see above).
  static uint64_t RowSeq(uint64_t seq_base, uint64_t record, uint64_t index) {
    return seq_base + (record << 24) + index;
  }

  Status Append(std::shared_ptr<const EventBatch> batch) override;
  Status Sync() override;
  // Stops the shipper (an INSERT in flight is abandoned: the next start checks it), closes
  // the WAL. Unshipped records stay in the WAL for the next start.
  Status Close() override;
  // Wakes the shipper: ships what is queued now, without waiting for a batch to fill.
  Status Flush() override;
  Status RunRetention() override { return Status::Ok(); }
  Result<uint64_t> DropOldestPartitions(uint64_t) override { return uint64_t{0}; }
  Result<EraseResult> Erase(const EraseRequest&) override;
  Result<StoreCheckpoint> Checkpoint(const std::string&) override;
  StoreStats Stats() const override;
  uint64_t WalBytes() const override;
  StoreUsage Usage() const override { return {}; }
  Status Health() const override;
  std::vector<DegradedPart> Degraded() const override { return {}; }

  ClickHouseOutboxStats outbox_stats() const;
  uint64_t seq_base() const { return seq_base_; }

 private:
  struct Record {
    uint64_t seq = 0;                            // WAL record sequence
    std::shared_ptr<const std::string> payload;  // batch_codec encoding
    uint64_t events = 0;
  };

  explicit ClickHouseOutbox(const ClickHouseOutboxOptions& options);
  // One shipper thread: takes batches in WAL order and ships each until ClickHouse has it.
  // Thread 0 first waits for the INSERTs of a previous run (when the WAL had unshipped
  // records) and lets the others start.
  void ShipLoop(int thread);
  Status Recover();
  // Takes the next batch (WAL order) into the window; false when the outbox is closing.
  bool TakeBatch(std::vector<Record>* batch);
  // Ships `batch` with retries and backoff until ClickHouse has every row; false when the
  // outbox closed first.
  bool ShipUntilDone(const std::vector<Record>& batch);
  // Ships `records` once; OK once ClickHouse has every row of them. `maybe_sent`: rows of
  // them may already be there (checked first).
  Status Ship(const std::vector<Record>& records, bool maybe_sent);
  // Marks the batch starting at `first` acknowledged; releases up to the new watermark.
  void Complete(uint64_t first);
  // Waits until no INSERT whose query id starts with `prefix` runs in ClickHouse.
  Status WaitForRunningInserts(const std::string& prefix);
  Result<std::string> Execute(const ClickHouseRequest& req);
  Status WriteState(uint64_t shipped);
  // Sleeps up to `ms` unless the outbox is closing; false when it is.
  bool SleepUnlessClosing(int ms);

  const ClickHouseOutboxOptions options_;
  Env* const env_;
  std::string dir_;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<WalWriter> wal_;
  ClickHouseClient client_;
  uint64_t seq_base_ = 0;
  std::atomic<uint64_t> insert_counter_{0};  // makes query ids unique
  // Records up to this one may have reached ClickHouse before the restart: a batch holding
  // any of them is checked before it is sent. Set at Open.
  uint64_t replayed_upto_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Record> queue_;    // guarded by mu_; unshipped records in WAL order
  size_t taken_ = 0;            // guarded by mu_; queue_'s first records taken by a shipper
  uint64_t untaken_bytes_ = 0;  // guarded by mu_; payload bytes of the rest
  ShipWindow window_;           // guarded by mu_; the batches taken and not yet released
  bool started_ = false;        // guarded by mu_; Recover is done: shippers may send
  uint64_t backlog_bytes_ = 0;  // guarded by mu_
  uint64_t backlog_rows_ = 0;   // guarded by mu_
  uint64_t shipped_seq_ = 0;    // guarded by mu_; the watermark (records released)
  bool closing_ = false;        // guarded by mu_
  bool flush_now_ = false;      // guarded by mu_
  std::string last_error_;      // guarded by mu_
  uint64_t replayed_records_ = 0;
  uint64_t replayed_rows_ = 0;
  std::atomic<bool> cancel_{false};  // aborts an INSERT in flight at Close
  std::atomic<uint64_t> shipped_rows_{0};
  std::atomic<uint64_t> skipped_rows_{0};
  std::atomic<uint64_t> failures_{0};
  std::mutex release_mu_;       // serializes the state file and the segment deletion
  uint64_t state_written_ = 0;  // guarded by release_mu_; the watermark in outbox.state
  std::vector<std::thread> shippers_;
};

}  // namespace vigia::clickhouse
