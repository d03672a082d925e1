// PartitionSet: the on-disk columnar side of the store — every partition (UTC day x tenant)
// and its parts — with atomic part-list changes, ref-counted snapshots for readers,
// size-tiered merges (on demand or on two background threads) and retention.
//
// Layout: <data_dir>/parts/<partition>/part-<seq>/ (file_names.h, partition_key.h).
//
// Snapshots: Snapshot() returns an immutable list of open parts. It stays valid and readable
// while flushes, merges and retention change the set, because each part keeps its files open
// (PartReader) and deleting a directory does not invalidate open files. Taking a snapshot
// costs a mutex and a shared_ptr copy: readers never block writers.
//
// Crash safety: a part becomes visible only by the rename of its finished directory; tmp-
// directories, partitions renamed to *.dropped, and parts listed in a newer part's
// `replaces` (an interrupted merge) are deleted at Open, so a crash at any step neither loses
// nor duplicates rows.
//
// WAL coordination (for the Store): AddEvents(batches, wal_seq) records wal_seq in each part
// it writes. After a restart, a WAL record with sequence S must be replayed for an event
// exactly when !IsCovered(event ts, tenant, S): coverage is per partition, so a flush that
// crashed after writing some partitions' parts but not others is neither lost nor
// duplicated. WAL segments may be deleted once AddEvents returned OK for all their records.
//
// Integrity: a part that fails to open at Load is not served and is listed (with the reason)
// in degraded(); a served part whose read later fails a check is listed there too (its
// reader reports it) and is no longer chosen for merges, so a bad block is not retried
// forever nor copied into a new part. Entries leave the list with their partition.
//
// Thread-safety: thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/limits.h"
#include "common/query_priority.h"
#include "common/status.h"
#include "event/event.h"
#include "store/format/degraded_parts.h"
#include "store/format/merge.h"
#include "store/format/part_reader.h"
#include "store/format/part_writer.h"
#include "store/partition_key.h"
#include "store/retention.h"
#include "store/store.h"

namespace vigia {

struct PartitionSetOptions {
  std::string data_dir;
  Env* env = nullptr;  // nullptr = Env::Default()
  uint32_t block_rows = limits::kPartBlockRows;
  size_t merge_min_parts = limits::kMergeMinParts;
  size_t max_parts_per_merge = limits::kMaxPartsPerMerge;
  uint64_t max_merged_part_rows = limits::kMaxMergedPartRows;
  // Background merges of at most this many input rows also run on a second thread, the small
  // lane (limits::kSmallMergeMaxRows). 0 = one merge thread.
  uint64_t small_merge_max_rows = limits::kSmallMergeMaxRows;
  // A flush waits (at most flush_merge_wait_max_ms in all) while a partition it writes to
  // holds this many mergeable parts and the background merges could lower the count
  // (limits::kPartsToDelayFlush). 0 = never.
  size_t parts_to_delay_flush = limits::kPartsToDelayFlush;
  int flush_merge_wait_max_ms = limits::kFlushMergeWaitMaxMs;
  // Threads that encode a flush's blocks (PartWriterOptions::encode_threads): appends wait
  // for a flush under full ingest, and one flush thread left the second core idle meanwhile
  // (docs/ingest-performance.md, round eight). Merges encode on their one thread: nothing
  // waits for them, and they must leave the cores to queries and ingest.
  int flush_encode_threads = 2;
  // The queries that flushes (AddEvents) and merges give way to, pausing before each block
  // in all at most limits::kFlushQueryYieldBudgetMs per flush, kMergeQueryYieldBudgetMs per merge.
  // nullptr = QueryPriority::Global().
  QueryPriority* priority = nullptr;
  // Told of each part a flush or a merge writes (before it is published) and of the parts a
  // merge replaces (StoreOptions::fresh_data). nullptr = nobody.
  std::shared_ptr<FreshDataListener> fresh_data;
};

// One part as the set tracks it.
struct PartHandle {
  PartitionKey partition;
  std::string name;  // "part-<seq>"
  uint64_t seq = 0;
  std::shared_ptr<PartReader> reader;
};

// A part that could not be opened at Load (missing or truncated file, bad metadata). Its
// rows are unknown, but its partition (from the directory name) bounds their time.
struct BrokenPart {
  PartitionKey partition;
  std::string dir;
  Status status;  // why it could not be opened (kCorruption names the part)
};

// An immutable view of all parts, ordered by (partition, seq).
struct PartSnapshot {
  std::vector<std::shared_ptr<const PartHandle>> parts;
  // Not served, but a read of their partition's day must not silently miss their rows.
  std::shared_ptr<const std::vector<BrokenPart>> broken =  // never null
      std::make_shared<const std::vector<BrokenPart>>();
  // The status of the first broken part whose day overlaps [min_ts, max_ts), else OK. Scans
  // (ScanSnapshot, the query engine) call it first, so a query over a day with an unreadable
  // part fails naming the part instead of returning partial results.
  Status CheckBroken(int64_t min_ts, int64_t max_ts) const {
    for (const BrokenPart& b : *broken) {
      const int64_t day_start = int64_t{b.partition.day} * kNanosPerDay;
      if (day_start < max_ts && min_ts < day_start + kNanosPerDay) return b.status;
    }
    return Status::Ok();
  }
  uint64_t rows() const {
    uint64_t n = 0;
    for (const auto& p : parts) n += p->reader->meta().rows;
    return n;
  }
};

struct PartitionSetStats {
  uint64_t partitions = 0;
  uint64_t parts = 0;
  uint64_t rows = 0;
  uint64_t disk_bytes = 0;
  uint64_t parts_written = 0;  // by AddEvents since Open
  uint64_t merges = 0;
  uint64_t merged_rows = 0;
  // Merges writing their output now (0, 1 or 2: one per merge lane). A merge takes disk space
  // until it publishes and removes its inputs; with merges_failed it tells an operator whether
  // the store is settled.
  uint64_t merges_running = 0;
  uint64_t merges_failed = 0;  // since Open; a failed merge keeps its inputs and is retried
  // Merges not started since Open because the disk had less than kMergeDiskSpaceFactor x
  // their inputs' bytes free (counted once per tick that wanted to merge).
  uint64_t merges_skipped_no_space = 0;
  // Flushes that waited for merges (parts_to_delay_flush) since Open, and their waits in all.
  uint64_t flush_merge_waits = 0;
  uint64_t flush_merge_wait_ms = 0;
  uint64_t partitions_dropped = 0;
  // Merges since Open per partition directory name ("20261122.acme"); a partition's entry
  // goes when retention drops it.
  std::map<std::string, uint64_t> merges_by_partition;
  std::vector<std::string> corrupt_parts;  // found at Open and not served
  uint64_t degraded_parts = 0;             // degraded().size(): at Open or found by a read
};

// The partition an event belongs to: its UTC day and its "tenant" field (a string; absent or
// of another type = the default tenant).
PartitionKey PartitionKeyOfEvent(const EventBatch& batch, const EventBatch::EventRef& event);

class PartitionSet {
 public:
  static Result<std::unique_ptr<PartitionSet>> Open(PartitionSetOptions options);
  ~PartitionSet();  // stops the background merger

  // Writes the events of `batches` as one part per partition they touch and publishes all of
  // them at once; adds the parts' disk bytes to *bytes_written if given. While the background
  // merges run and are behind in one of those partitions (parts_to_delay_flush), it first
  // waits for them, at most flush_merge_wait_max_ms. REQUIRES: batches are normalized
  // (event.h); not all empty.
  Status AddEvents(std::span<const EventBatch* const> batches, uint64_t wal_seq,
                   uint64_t* bytes_written = nullptr);

  std::shared_ptr<const PartSnapshot> Snapshot() const;

  // Highest wal_seq of the parts of `key`'s partition (0 if none).
  uint64_t CoveredWalSeq(const PartitionKey& key) const;
  bool IsCovered(int64_t ts_ns, std::string_view tenant, uint64_t wal_seq) const {
    return CoveredWalSeq(PartitionKeyOf(ts_ns, tenant)) >= wal_seq && wal_seq > 0;
  }

  // Which merges a caller of MergeOnce takes: any, or only those of at most
  // small_merge_max_rows input rows. One merge at a time per lane; the two lanes' merges run
  // together on disjoint parts.
  enum class MergeLane { kAny, kSmall };
  // Merges the smallest parts of the partition that needs it most, among the parts no other
  // merge is taking. False when no partition has merge_min_parts such parts (for kSmall: no
  // such merge of at most small_merge_max_rows rows).
  Result<bool> MergeOnce(MergeLane lane = MergeLane::kAny);
  // Threads that run MergeOnce whenever parts are added (and every second): one per lane
  // (kSmall only when small_merge_max_rows > 0).
  void StartBackgroundMerges();
  void StopBackgroundMerges();

  // Drops whole partitions (removed from the set at once; files deleted after).
  Status DropPartitions(const std::vector<PartitionKey>& keys);
  // PlanRetention over the current partitions, then DropPartitions. Returns what was dropped.
  Result<std::vector<PartitionKey>> ApplyRetention(const RetentionPolicy& policy, int64_t now_ns);

  // Removes the rows `doomed` selects from every part of the partitions `in_scope` selects
  // (erasure, retention by kind or level), with merges held off meanwhile: a part holding
  // such rows is rewritten without them as a one-input merge (RewritePartWithout: the new
  // part replaces the old one atomically, crash-safe like a merge), and a part left with no
  // row is renamed to a tmp- directory (deleted at Open after a crash) and deleted. Parts
  // whose directory is in `skip` are not read (known clean). Returns what was done; the
  // directories of the parts found clean or written are in `clean_parts`.
  struct RowDeletionStats {
    uint64_t parts_scanned = 0;
    uint64_t parts_rewritten = 0;
    uint64_t parts_removed = 0;
    uint64_t rows_deleted = 0;
    std::vector<std::string> clean_parts;
  };
  Result<RowDeletionStats> DeleteRows(const std::function<bool(const PartitionKey&)>& in_scope,
                                      const RowPredicate& doomed,
                                      const std::set<std::string>* skip = nullptr);

  // Links (or copies, see store_checkpoint.h) every file of every part served now into
  // `dest_parts_dir`/<partition>/part-<seq>/, with merges and retention held off meanwhile so
  // no part of the list is deleted before it is linked. Appends the paths relative to
  // `dest_parts_dir` to *files; returns the parts' bytes.
  Result<uint64_t> LinkPartsInto(const std::string& dest_parts_dir,
                                 std::vector<std::string>* files);

  std::vector<PartitionUsage> Partitions() const;
  PartitionSetStats Stats() const;
  const DegradedParts& degraded() const { return *degraded_; }
  const std::string& parts_dir() const { return parts_dir_; }

 private:
  explicit PartitionSet(PartitionSetOptions options);
  Status Load();
  std::string PartitionDir(const PartitionKey& key) const;
  // REQUIRES: mu_ held. Publishes `parts` as the new snapshot.
  void PublishLocked(std::vector<std::shared_ptr<const PartHandle>> parts);
  void MergeLoop(MergeLane lane);
  static size_t LaneIndex(MergeLane lane);
  // A part a merge may take: under the size-tier ceiling and read cleanly so far (a corrupt
  // part would fail every merge that includes it).
  bool MergeCandidate(const PartHandle& p) const;
  // SelectMergeInputs (the size-tier policy) with this set's options.
  std::vector<size_t> SelectInputs(std::span<const uint64_t> rows) const;
  // The flush's wait for merges (AddEvents) over the partitions it writes to.
  void WaitForMerges(const std::vector<PartitionKey>& keys);
  // REQUIRES: mu_ held. `key` has parts_to_delay_flush mergeable parts and a merge there.
  bool MergesBehindLocked(const PartitionKey& key) const;

  PartitionSetOptions opt_;
  Env* env_;
  QueryPriority* priority_;  // opt_.priority or the global one
  std::string parts_dir_;
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<uint64_t> merges_running_{0};

  mutable std::mutex mu_;
  std::shared_ptr<const PartSnapshot> current_;  // guarded by mu_
  // Signalled (with mu_) when a merge publishes and when the background merges stop: the
  // flush waiting for merges re-checks its partitions.
  std::condition_variable parts_cv_;
  std::atomic<bool> merging_{false};  // the background merge threads run
  // Parts a merge is rewriting now (not offered to the other lane); guarded by mu_.
  std::set<const PartHandle*> merge_inputs_;
  uint64_t merge_input_bytes_ = 0;  // their disk bytes; guarded by mu_
  // Parts that failed to open at Load, minus dropped partitions; guarded by mu_.
  std::shared_ptr<const std::vector<BrokenPart>> broken_ =
      std::make_shared<std::vector<BrokenPart>>();
  PartitionSetStats stats_;  // guarded by mu_ (counters)
  // Shared with every reader this set opens (they report to it, and may outlive the set).
  const std::shared_ptr<DegradedParts> degraded_ = std::make_shared<DegradedParts>();

  // One merge at a time per lane (MergeLane). Row deletion and LinkPartsInto hold both, so
  // no merge replaces a part under them.
  std::array<std::mutex, 2> lane_mu_;
  // Held by AddEvents while it writes into partition directories and by DropPartitions while
  // it renames them away, so that a flush never writes into a partition being dropped.
  std::mutex dir_mu_;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;
  std::array<bool, 2> bg_kick_{};  // per lane
  std::vector<std::thread> bg_;
};

// Scans every part of `snapshot` (skipping parts outside the time range without touching
// them) and forwards batches to `sink`; stops at the first error. Fails first with the
// status of a broken part whose day overlaps the range (PartSnapshot::CheckBroken).
Status ScanSnapshot(const PartSnapshot& snapshot, const ScanSpec& spec,
                    const std::function<Status(ColumnBatch&)>& sink, ScanStats* stats);

}  // namespace vigia
