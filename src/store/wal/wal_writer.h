// WalWriter: appends records to the write-ahead log with group commit.
//
// Many threads call Append() at once. They queue; the caller at the head of the queue
// becomes the leader, takes every queued record (up to limits::kWalMaxGroupBytes), assigns
// their sequence numbers, writes them with ONE write call (and, for FsyncPolicy::kAlways,
// ONE fsync), then wakes the others with their results. Encoding happens in the callers,
// in parallel, before they queue; the leader only concatenates.
//
// Durability by policy:
//   kAlways   Append returns after the record is written and fdatasync'ed.
//   kInterval Append returns after write(2); a background thread fdatasyncs every
//             sync_interval_ms when something was written (one fsync for many appends).
//   kNever    Append returns after write(2); the OS decides.
//
// Segments: records go to <wal_dir>/<first seq>.wal; a segment is rolled (old one synced,
// unless kNever) when the next group would push it past segment_bytes. A new writer always
// starts a new segment (lazily, at its first record), so it never appends after bytes a
// crash may have torn.
//
// Failures: a failed write or sync fails the Append calls of that group (their data is not
// acknowledged), makes health() non-OK, and makes the next group start a new segment (the
// failed one is truncated back to its last good size when possible). health() returns to
// OK after a later write (+ sync for kAlways) succeeds.
//
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "store/wal/fsync_policy.h"
#include "store/wal/wal_reader.h"

namespace vigia {

struct WalWriterOptions {
  std::string wal_dir;
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  int sync_interval_ms = 20;
  uint64_t segment_bytes = 64u << 20;
  Env* env = nullptr;  // REQUIRES: non-null
  // Called with the duration of every successful fsync of a segment (the server's
  // vigia_store_wal_sync_duration_seconds histogram); from the thread that synced, so it
  // must be thread-safe and quick. Empty = none.
  std::function<void(int64_t ns)> on_sync;
};

struct WalWriterStats {
  uint64_t records = 0;  // written since open
  uint64_t groups = 0;   // write calls (records / groups = group-commit factor)
  uint64_t syncs = 0;
  uint64_t live_bytes = 0;  // in live segments, including those found at open
  uint64_t live_segments = 0;
  uint64_t last_seq = 0;    // highest sequence assigned to a written record
  uint64_t synced_seq = 0;  // every record <= this is durable
};

class WalWriter {
 public:
  // `next_seq`: the sequence of the first record this writer appends; must exceed every
  // sequence (and segment name) already in the WAL. `existing`: the segments found by
  // WalReader, kept for stats and DeleteSegmentsUpTo().
  static Result<std::unique_ptr<WalWriter>> Open(const WalWriterOptions& options, uint64_t next_seq,
                                                 std::vector<WalSegmentInfo> existing);
  ~WalWriter();

  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Called with a record's sequence once it is written (and synced, for kAlways), by the
  // thread that wrote it, before any later record's hook: hooks run in sequence order.
  using OnWritten = std::function<void(uint64_t seq)>;

  // Appends one record and returns its sequence number once it is written (and synced,
  // for kAlways). `on_written` (optional) runs before Append returns and before any later
  // record is acknowledged, which lets the Store insert into its memtable in WAL order.
  // REQUIRES: payload.size() <= limits::kMaxWalRecordBytes.
  Result<uint64_t> Append(std::string_view payload, const OnWritten* on_written = nullptr);

  // Makes every record written so far durable, whatever the policy.
  Status Sync();

  // Waits for in-flight appends, syncs, stops the sync thread and closes the segment.
  // Later Append() calls fail with Unavailable. Idempotent.
  Status Close();

  // Deletes whole segments whose records all have sequence <= seq (never the segment
  // being written; a sealed one is no longer being written). For the columnar store: "parts
  // cover the WAL up to seq".
  Status DeleteSegmentsUpTo(uint64_t seq);

  // Ends the segment being written: waits for in-flight appends, syncs and closes it; the
  // next record starts a new segment. Returns the highest sequence written so far, so that
  // DeleteSegmentsUpTo(that) can delete every record written until now once they are in
  // parts (erasure: a removed value must not stay in an old WAL segment).
  Result<uint64_t> SealSegment();

  // The live segments with their written sizes, and the highest sequence they hold, taken
  // together under the lock: the first `bytes` of each segment are whole records, all of
  // sequence <= last_seq (a checkpoint copies exactly these prefixes while appends go on).
  struct SegmentsView {
    std::vector<WalSegmentInfo> segments;
    uint64_t last_seq = 0;
  };
  SegmentsView LiveSegments() const;

  // OK, or the last write/sync error while it persists.
  Status health() const;
  WalWriterStats stats() const;

 private:
  struct Waiter;
  struct Segment {
    uint64_t first_seq;
    uint64_t bytes;
  };

  explicit WalWriter(const WalWriterOptions& options, uint64_t next_seq,
                     std::vector<WalSegmentInfo> existing);
  // Writes `group` (leader only, mu_ not held). Returns the status for all of them.
  Status WriteGroup(const std::vector<Waiter*>& group, uint64_t first_seq, size_t bytes,
                    bool new_segment);
  void SyncLoop();
  Status SyncOnce();
  // Reports a successful fsync begun at start_ns (monotonic) to options_.on_sync.
  void NoteSync(int64_t start_ns);
  std::string SegmentPath(uint64_t first_seq) const;

  const WalWriterOptions options_;
  Env* const env_;

  mutable std::mutex mu_;
  std::condition_variable sync_cv_;
  std::condition_variable idle_cv_;  // signalled when the queue drains
  std::deque<Waiter*> queue_;        // guarded by mu_
  uint64_t next_seq_;                // guarded by mu_
  bool closed_ = false;              // guarded by mu_
  bool stop_sync_thread_ = false;    // guarded by mu_
  Status write_error_;               // guarded by mu_; cleared by a good write
  Status sync_error_;                // guarded by mu_; cleared by a good sync
  bool need_new_segment_ = true;     // guarded by mu_
  WalWriterStats stats_;             // guarded by mu_
  std::vector<Segment> segments_;    // guarded by mu_; the last one may be file_'s
  // The open segment. Replaced only by the leader, under mu_; read by the leader without
  // the lock (it is the only writer) and by syncers under mu_ (they copy the shared_ptr).
  std::shared_ptr<WritableFile> file_;
  uint64_t file_first_seq_ = 0;  // leader-only: names file_
  std::string group_buf_;        // leader-only scratch
  std::mutex sync_mu_;           // serializes fdatasync calls
  std::thread sync_thread_;
};

}  // namespace vigia
