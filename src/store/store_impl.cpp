// StoreImpl: WAL + memtable behind the Store facade (see store_impl.h), and Store::Open.
#include "store/store_impl.h"

#include <chrono>
#include <map>

#include "common/heap_tuning.h"
#include "common/limits.h"
#include "common/logger.h"
#include "common/thread_priority.h"
#include "event/event_batch_pool.h"
#include "store/format/file_names.h"
#include "store/format/part_writer.h"
#include "store/store_checkpoint.h"
#include "store/wal/batch_codec.h"
#include "store/wal/wal_format.h"
#include "store/wal/wal_reader.h"

namespace vigia {
namespace {

// How long a write-probe result stays valid: Health() is polled by /health/ready and must
// not create a file per request.
constexpr int64_t kProbeIntervalNs = 1'000'000'000;

// `batch` without the events for which `covered` is true (already in parts, or expired); the
// same batch when there is none, nullptr when all are.
template <typename Covered>
std::shared_ptr<const EventBatch> KeepUncoveredIf(std::shared_ptr<const EventBatch> batch,
                                                  const Covered& covered) {
  // `covered` is called once per event (callers count what it rejects).
  std::vector<uint8_t> drop(batch->size());
  size_t n_covered = 0;
  for (size_t i = 0; i < drop.size(); ++i) {
    drop[i] = covered(*batch, batch->events()[i]) ? 1 : 0;
    n_covered += drop[i];
  }
  if (n_covered == 0) return batch;
  if (n_covered == batch->size()) return nullptr;
  auto out = std::make_shared<EventBatch>();
  for (size_t i = 0; i < drop.size(); ++i) {
    if (drop[i]) continue;
    const auto& e = batch->events()[i];
    out->BeginEvent(e.ts_ns);
    for (const Field& f : batch->fields(e)) {
      Value v = f.value;
      if (v.type == ValueType::kString) v.s = out->arena().Copy(v.s);
      out->AddField(out->arena().Copy(f.name), v);
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  VIGIA_ASSIGN_OR_RETURN(auto impl, StoreImpl::OpenImpl(options));
  return std::unique_ptr<Store>(std::move(impl));
}

StoreImpl::StoreImpl(const StoreOptions& options, Env* env)
    : options_(options),
      env_(env),
      // Without flushes nothing would make room: no limit then.
      admission_(options.memtable_flush_bytes == 0 ? 0 : options.memtable_max_bytes,
                 int64_t{options.memtable_stall_max_ms} * 1'000'000, env) {}

StoreImpl::~StoreImpl() {
  Status st = Close();
  if (!st.ok()) logger::Error("store: close failed", {{"error", st.ToString()}});
}

Result<std::unique_ptr<StoreImpl>> StoreImpl::OpenImpl(const StoreOptions& options) {
  Env* env = options.env ? options.env : Env::Default();
  if (options.wal_segment_bytes == 0) {
    return Status::InvalidArgument("wal_segment_bytes must be positive");
  }
  VIGIA_RETURN_IF_ERROR(env->CreateDir(options.data_dir));
  const std::string wal_dir = file_names::WalDir(options.data_dir);
  VIGIA_RETURN_IF_ERROR(env->CreateDir(wal_dir));

  // Checkpoints a crash interrupted (Store::Checkpoint): their files are links or copies.
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> top, env->ListDir(options.data_dir));
  for (const std::string& name : top) {
    if (name.starts_with(file_names::kCheckpointDirPrefix)) {
      VIGIA_RETURN_IF_ERROR(env->RemoveDirRecursive(JoinPath(options.data_dir, name)));
    }
  }

  std::unique_ptr<StoreImpl> store(new StoreImpl(options, env));
  if (options.hold_wal_for_observer) store->wal_hold_ = 0;
  PartitionSetOptions po;
  po.data_dir = options.data_dir;
  po.env = env;
  po.fresh_data = options.fresh_data;
  VIGIA_ASSIGN_OR_RETURN(store->parts_, PartitionSet::Open(po));
  PartitionSet* parts = store->parts_.get();

  Memtable& mt = store->memtable_;
  uint64_t skipped = 0;
  uint64_t expired = 0;
  const int64_t now_ns = env->NowNanos();
  // Covered (already in parts) or expired by age: not replayed. Coverage is checked before
  // retention runs (below), while the parts that cover a record are still listed.
  auto not_needed = [&](uint64_t seq) {
    return [&, seq](const EventBatch& b, const EventBatch::EventRef& e) {
      if (store->ExpiredByAge(b.fields(e), e.ts_ns, now_ns)) {
        ++expired;
        return true;
      }
      return seq > 0 && parts->CoveredWalSeq(PartitionKeyOfEvent(b, e)) >= seq;
    };
  };
  VIGIA_ASSIGN_OR_RETURN(
      WalReplayResult replay,
      WalReader::Replay(env, wal_dir, [&](uint64_t seq, std::string_view payload) -> Status {
        auto batch = std::make_shared<EventBatch>();
        VIGIA_RETURN_IF_ERROR(batch_codec::Decode(payload, batch.get()));
        std::shared_ptr<const EventBatch> kept = KeepUncoveredIf(std::move(batch), not_needed(seq));
        if (kept == nullptr) {
          ++skipped;
        } else {
          mt.Insert(seq, std::move(kept));
        }
        return Status::Ok();
      }));
  store->replayed_records_ = replay.records;
  store->corrupt_records_ = replay.corrupt_records;
  store->torn_tail_bytes_ = replay.torn_tail_bytes;
  store->skipped_covered_ = skipped;
  store->admission_.AdmitUnchecked(mt.memory_bytes());
  if (mt.batches() > 0) store->oldest_unflushed_ns_ = env->MonotonicNanos();
  logger::Info("store: WAL replayed", {{"path", wal_dir},
                                       {"records", replay.records},
                                       {"covered_by_parts", skipped},
                                       {"events", mt.events()},
                                       {"corrupt_records", replay.corrupt_records},
                                       {"torn_tail_bytes", replay.torn_tail_bytes},
                                       {"expired_events", expired}});

  WalWriterOptions wo;
  wo.wal_dir = wal_dir;
  wo.fsync = options.fsync;
  wo.sync_interval_ms = options.sync_interval_ms;
  wo.segment_bytes = options.wal_segment_bytes;
  wo.on_sync = options.on_wal_sync;
  wo.env = env;
  // Above every sequence a part covers too: a clean Close() deletes a fully covered WAL, and
  // a reused sequence would make replay think new records are already in parts.
  uint64_t max_covered = 0;
  const std::shared_ptr<const PartSnapshot> opened = parts->Snapshot();
  for (const auto& p : opened->parts) {
    max_covered = std::max(max_covered, p->reader->meta().wal_seq);
  }
  const uint64_t next_seq = std::max({replay.last_seq, replay.max_segment_seq, max_covered}) + 1;
  VIGIA_ASSIGN_OR_RETURN(store->wal_, WalWriter::Open(wo, next_seq, std::move(replay.segments)));
  // A failed drop (e.g. a permission problem) must not keep the store from starting: it is
  // logged and retried at the next interval.
  if (auto r = store->ApplyRetention(); !r.ok()) {
    logger::Error("store: retention failed", {{"error", r.status().ToString()}});
  }
  if (options.background_merges) parts->StartBackgroundMerges();
  if (options.memtable_flush_bytes > 0 || store->RetentionEnabled() ||
      options.stats_log_interval_ms > 0) {
    store->flush_thread_ = std::thread([p = store.get()] { p->MaintenanceLoop(); });
  }
  return store;
}

Status StoreImpl::Append(std::shared_ptr<const EventBatch> batch) {
  if (closed_.load(std::memory_order_acquire)) return Status::Unavailable("store is closed");
  if (batch == nullptr || batch->empty()) return Status::Ok();
  // Counted from here until a flush removes the batch from the memtable (store_impl.h).
  const uint64_t bytes = batch->MemoryUsage();
  VIGIA_RETURN_IF_ERROR(admission_.Admit(bytes, [this] { flush_cv_.notify_one(); }));
  // On this thread, in parallel with the other appenders, before the batch is readable: the
  // query engine builds the columns its recent queries read (FreshDataListener).
  if (options_.fresh_data) options_.fresh_data->BatchAppending(batch);
  // The scratch view stays valid until this thread encodes again, i.e. past Append.
  const batch_codec::EncodedEvents encoded = batch_codec::EncodeToScratchWithOffsets(*batch);
  // Inserted by the WAL's commit hook, in sequence order (see store_impl.h).
  WalWriter::OnWritten insert = [this, &batch, &encoded](uint64_t seq) {
    int64_t expected = 0;
    oldest_unflushed_ns_.compare_exchange_strong(expected, env_->MonotonicNanos());
    memtable_.Insert(seq, batch);
    std::lock_guard<std::mutex> lock(observer_mu_);
    if (observer_ != nullptr) observer_->Written(seq, batch, encoded);
  };
  Result<uint64_t> seq = wal_->Append(encoded.bytes, &insert);
  if (!seq.ok()) {
    admission_.Release(bytes);  // the commit hook did not run: not in the memtable
    return seq.status();
  }
  if (options_.memtable_flush_bytes > 0 &&
      memtable_.memory_bytes() >= options_.memtable_flush_bytes) {
    flush_cv_.notify_one();
  }
  return Status::Ok();
}

uint64_t StoreImpl::WalDeletableUpTo(uint64_t seq) const {
  std::lock_guard<std::mutex> lock(observer_mu_);
  return std::min(seq, observer_ != nullptr ? observer_->ReleasedSeq() : wal_hold_);
}

bool StoreImpl::ReleaseWal(uint64_t seq, int timeout_ms) {
  std::lock_guard<std::mutex> release(release_mu_);
  WalObserver* observer = nullptr;
  {
    std::lock_guard<std::mutex> lock(observer_mu_);
    if (observer_ == nullptr) return wal_hold_ >= seq;
    observer = observer_;
  }
  return observer->Release(seq, timeout_ms);
}

Result<uint64_t> StoreImpl::AttachWalObserver(WalObserver* observer) {
  {
    std::lock_guard<std::mutex> release(release_mu_);  // no Release call in flight
    std::lock_guard<std::mutex> lock(observer_mu_);
    if (observer == nullptr && observer_ != nullptr) wal_hold_ = observer_->ReleasedSeq();
    observer_ = observer;
  }
  // Read after the attach: every record above it is written later, so handed over.
  return wal_->stats().last_seq;
}

Status StoreImpl::ReadWal(uint64_t after, uint64_t upto, const WalRecordFn& fn) {
  if (upto <= after) return Status::Ok();
  // The written prefix of each live segment is whole records (WalWriter::LiveSegments).
  WalWriter::SegmentsView view = wal_->LiveSegments();
  const std::string wal_dir = file_names::WalDir(options_.data_dir);
  for (size_t i = 0; i < view.segments.size(); ++i) {
    const WalSegmentInfo& seg = view.segments[i];
    if (seg.first_seq > upto) break;
    if (i + 1 < view.segments.size() && view.segments[i + 1].first_seq <= after + 1) continue;
    if (seg.bytes == 0) continue;
    const std::string path = JoinPath(wal_dir, file_names::WalSegmentName(seg.first_seq));
    VIGIA_ASSIGN_OR_RETURN(std::string data, env_->ReadFileToString(path));
    std::string_view d(data.data(), std::min<size_t>(data.size(), seg.bytes));
    size_t pos = 0;
    while (d.size() - pos >= wal::kHeaderSize) {
      wal::RecordHeader h;
      if (!wal::DecodeHeader(d.data() + pos, &h) || d.size() - pos - wal::kHeaderSize < h.length) {
        // Damage the replay at Open skipped too (it resyncs; a reader of the rest of this
        // segment is not worth it here): the segment's remaining records are passed over.
        logger::Warn("store: WAL read-back skips the rest of a damaged segment",
                     {{"path", path}, {"offset", static_cast<uint64_t>(pos)}});
        break;
      }
      if (h.seq > upto) return Status::Ok();
      std::string_view payload = d.substr(pos + wal::kHeaderSize, h.length);
      pos += wal::kHeaderSize + h.length;
      if (h.seq <= after || h.type != wal::kRecordBatch) continue;
      auto batch = std::make_shared<EventBatch>();
      if (crc32c::Value(payload.data(), payload.size()) != h.payload_crc ||
          !batch_codec::Decode(payload, batch.get()).ok()) {
        logger::Warn("store: WAL read-back skips a corrupt record",
                     {{"path", path}, {"seq", h.seq}});
        continue;
      }
      VIGIA_RETURN_IF_ERROR(fn(h.seq, std::move(batch)));
    }
  }
  return Status::Ok();
}

Status StoreImpl::Sync() {
  if (closed_.load(std::memory_order_acquire)) return Status::Ok();  // Close synced
  return wal_->Sync();
}

Status StoreImpl::Close() {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return Status::Ok();
  {
    std::lock_guard<std::mutex> lock(flush_thread_mu_);
    stop_flush_ = true;
  }
  flush_cv_.notify_all();
  admission_.Close();
  if (flush_thread_.joinable()) flush_thread_.join();
  parts_->StopBackgroundMerges();
  bool flushed_all = false;
  if (options_.flush_on_close && options_.memtable_flush_bytes > 0) {
    // Appends that passed the closed_ check before it flipped may still land after this
    // snapshot; they stay in the WAL and are replayed at the next Open.
    Status f = Flush();
    if (!f.ok()) {
      logger::Warn("store: flush at close failed; the WAL keeps the events",
                   {{"error", f.ToString()}});
    }
    flushed_all = f.ok();
  }
  const uint64_t last_written = wal_->stats().last_seq;
  Status st = wal_->Close();
  // The WAL's commit hook put every written record in the memtable before Close returned.
  // A WAL observer that has not released every record keeps the segments.
  if (st.ok() && flushed_all && memtable_.batches() == 0 &&
      WalDeletableUpTo(last_written) >= last_written) {
    // Every record is in parts: the WAL (a whole segment, up to 64 MiB) goes, so a clean
    // shutdown leaves only compressed data. If this fails, replay skips covered records.
    const std::string wal_dir = file_names::WalDir(options_.data_dir);
    auto names = env_->ListDir(wal_dir);
    for (const std::string& name : names.ok() ? *names : std::vector<std::string>()) {
      if (file_names::ParseWalSegmentName(name)) (void)env_->RemoveFile(JoinPath(wal_dir, name));
    }
  }
  logger::Info("store: closed", {{"memtable_events", memtable_.events()}});
  return st;
}

Result<StoreCheckpoint> StoreImpl::Checkpoint(const std::string& dir) {
  if (closed_.load(std::memory_order_acquire)) return Status::Unavailable("store is closed");
  if (env_->FileExists(dir)) return Status::AlreadyExists("checkpoint directory exists: " + dir);
  // No flush while the checkpoint is taken: a flush deletes the WAL segments its new parts
  // cover, and those parts are not in the linked list.
  std::lock_guard<std::mutex> serial(flush_mu_);
  StoreCheckpoint cp;
  cp.dir = dir;
  const std::string parts_dir(file_names::kPartsDir);
  VIGIA_RETURN_IF_ERROR(env_->CreateDir(JoinPath(dir, parts_dir)));
  std::vector<std::string> part_files;
  VIGIA_ASSIGN_OR_RETURN(cp.part_bytes,
                         parts_->LinkPartsInto(JoinPath(dir, parts_dir), &part_files));
  cp.parts = part_files.size() / 3;
  for (std::string& f : part_files) cp.files.push_back(JoinPath(parts_dir, f));
  // Sync first, so the copy holds what a crash now would keep as well (and more).
  VIGIA_RETURN_IF_ERROR(wal_->Sync());
  WalWriter::SegmentsView wal = wal_->LiveSegments();
  cp.wal_seq = wal.last_seq;
  const std::string wal_dir = file_names::WalDir(options_.data_dir);
  const std::string dest_wal = JoinPath(dir, file_names::kWalDir);
  VIGIA_RETURN_IF_ERROR(env_->CreateDir(dest_wal));
  for (const WalSegmentInfo& seg : wal.segments) {
    const std::string name = file_names::WalSegmentName(seg.first_seq);
    VIGIA_RETURN_IF_ERROR(
        CopyFilePrefix(env_, JoinPath(wal_dir, name), JoinPath(dest_wal, name), seg.bytes));
    cp.wal_bytes += seg.bytes;
    cp.files.push_back(JoinPath(file_names::kWalDir, name));
  }
  VIGIA_RETURN_IF_ERROR(env_->SyncDir(dest_wal));
  return cp;
}

StoreSnapshot StoreImpl::GetSnapshot() const {
  StoreSnapshot snap;
  Memtable::Snapshot mem;
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    snap.parts = parts_->Snapshot();
    mem = memtable_.GetSnapshot();
  }
  // Coverage as of this parts snapshot (not the live set): partition -> highest wal_seq.
  std::map<PartitionKey, uint64_t> covered;
  uint64_t max_covered = 0;
  for (const auto& p : snap.parts->parts) {
    uint64_t& c = covered[p->partition];
    c = std::max(c, p->reader->meta().wal_seq);
    max_covered = std::max(max_covered, c);
  }
  snap.memtable.reserve(mem->size());
  for (const Memtable::Entry& e : *mem) {
    if (e.seq > max_covered) {
      snap.memtable.push_back(e.batch);
      continue;
    }
    // Only in the window between a flush publishing its parts and dropping its entries.
    auto kept = KeepUncoveredIf(e.batch, [&](const EventBatch& b, const EventBatch::EventRef& ev) {
      auto it = covered.find(PartitionKeyOfEvent(b, ev));
      return it != covered.end() && it->second >= e.seq;
    });
    if (kept) snap.memtable.push_back(std::move(kept));
  }
  return snap;
}

bool StoreImpl::FlushDue() const {
  if (memtable_.batches() == 0) return false;
  if (memtable_.memory_bytes() >= options_.memtable_flush_bytes) return true;
  // An append waits for room (memtable_max_bytes may be below the flush size).
  if (admission_.has_waiters()) return true;
  int64_t oldest = oldest_unflushed_ns_.load();
  return oldest != 0 &&
         env_->MonotonicNanos() - oldest >= int64_t{options_.memtable_flush_age_ms} * 1'000'000;
}

void StoreImpl::MaintenanceLoop() {
  SetThreadRole(ThreadRole::kFlush);
  const int64_t retention_every = int64_t{options_.retention_interval_ms} * 1'000'000;
  const int64_t stats_every = int64_t{options_.stats_log_interval_ms} * 1'000'000;
  // Retention already ran at Open.
  int64_t next_retention = env_->MonotonicNanos() + retention_every;
  int64_t next_stats = env_->MonotonicNanos() + stats_every;
  const auto check_every = std::chrono::milliseconds(std::max(1, options_.maintenance_check_ms));
  // Set when a flush succeeded and the memtable is due again (it filled meanwhile, as it does
  // under full ingest): the next flush starts without waiting. An append's wake-up sent
  // while the flush ran found nobody waiting and was lost; waiting for the next one (or the
  // check interval) left the flush thread idle 130-220 ms after each flush while appends
  // stalled at memtable_max_bytes (docs/ingest-performance.md, round seven). Not after a
  // failed flush: that is retried at the next wake-up or check, not in a loop.
  bool due_again = false;
  std::unique_lock<std::mutex> lock(flush_thread_mu_);
  while (!stop_flush_) {
    if (!due_again) flush_cv_.wait_for(lock, check_every);
    due_again = false;
    if (stop_flush_) break;
    lock.unlock();
    if (options_.memtable_flush_bytes > 0 && FlushDue()) {
      Status st = Flush();
      if (!st.ok()) logger::Error("store: memtable flush failed", {{"error", st.ToString()}});
      due_again = st.ok() && FlushDue();
    }
    const int64_t now = env_->MonotonicNanos();
    if (RetentionEnabled() && retention_every > 0 && now >= next_retention) {
      next_retention = now + retention_every;
      if (auto r = ApplyRetention(); !r.ok()) {
        logger::Error("store: retention failed", {{"error", r.status().ToString()}});
      }
    }
    if (stats_every > 0 && now >= next_stats) {
      next_stats = now + stats_every;
      LogStats();
    }
    // Once ingest has stopped: the pooled batch arrays and the flush's block buffers (their
    // string arenas are heap blocks, trimmed like a flush's).
    const bool released_arrays = ReleaseIdleBatchBuffers() > 0;
    if (PartWriter::ReleaseIdleBlockBuffers() || released_arrays) {
      ReleaseFreeHeap(/*force=*/true);
    } else {
      ReleaseFreeHeapIfDue();  // heap kept for reuse, once idle; or resident memory over budget
    }
    lock.lock();
  }
}

bool StoreImpl::RetentionEnabled() const {
  return options_.retention.ByAge() || options_.retention.max_disk_bytes > 0;
}

bool StoreImpl::ExpiredByAge(std::span<const Field> fields, int64_t ts_ns, int64_t now_ns) const {
  const int days = RetentionDaysOf(options_.retention, fields);
  return days > 0 && DayOf(ts_ns) <= DayOf(now_ns) - days;
}

Status StoreImpl::ApplyRowRetention(int64_t now_ns) {
  const RetentionPolicy& policy = options_.retention;
  if (policy.rules.empty()) return Status::Ok();  // whole partitions only: done
  const int32_t today = DayOf(now_ns);
  // A partition is looked at when some event of its tenant may have expired by its day.
  auto in_scope = [&](const PartitionKey& k) {
    int shortest = policy.days;
    for (const RetentionRule& r : policy.rules) {
      if (r.tenant && *r.tenant != k.tenant) continue;
      if (r.days > 0 && (shortest == 0 || r.days < shortest)) shortest = r.days;
    }
    return shortest > 0 && k.day <= today - shortest;
  };
  RowPredicate expired = [&](int64_t ts, std::span<const Field> fields) {
    const int days = RetentionDaysOf(policy, fields);
    return days > 0 && DayOf(ts) <= today - days;
  };
  std::lock_guard<std::mutex> lock(row_retention_mu_);
  if (row_retention_day_ != today) {
    // A new day expires more rows of the parts seen yesterday.
    row_retention_clean_.clear();
    row_retention_day_ = today;
  }
  VIGIA_ASSIGN_OR_RETURN(PartitionSet::RowDeletionStats st,
                         parts_->DeleteRows(in_scope, expired, &row_retention_clean_));
  for (std::string& dir : st.clean_parts) row_retention_clean_.insert(std::move(dir));
  if (st.rows_deleted > 0) {
    logger::Info("store: retention removed expired events",
                 {{"events", st.rows_deleted},
                  {"parts_rewritten", st.parts_rewritten},
                  {"parts_removed", st.parts_removed}});
  }
  row_retention_rows_.fetch_add(st.rows_deleted);
  return Status::Ok();
}

Result<std::vector<PartitionKey>> StoreImpl::ApplyRetention() {
  if (!RetentionEnabled()) return std::vector<PartitionKey>();
  std::map<PartitionKey, uint64_t> bytes;
  for (const PartitionUsage& p : parts_->Partitions()) bytes[p.key] = p.bytes;
  std::vector<PartitionKey> dropped;
  {
    // Serialized with flushes: a flush that read the clock before a day expired must not
    // publish that day's part after this pass looked (the part would outlive its retention
    // until the next pass, forever under a clock that stops, as in tests). The partition drop
    // is quick; the row rules below, which rewrite parts, run without the lock.
    std::lock_guard<std::mutex> serial(flush_mu_);
    VIGIA_ASSIGN_OR_RETURN(dropped, parts_->ApplyRetention(options_.retention, env_->NowNanos()));
  }
  for (const PartitionKey& k : dropped) {
    logger::Info("store: retention dropped partition",
                 {{"partition", PartitionDirName(k)},
                  {"bytes", bytes[k]},
                  {"retention_days", options_.retention.MaxDaysFor(k.tenant)},
                  {"retention_max_disk_bytes", options_.retention.max_disk_bytes}});
  }
  VIGIA_RETURN_IF_ERROR(ApplyRowRetention(env_->NowNanos()));
  return dropped;
}

Result<uint64_t> StoreImpl::DropOldestPartitions(uint64_t bytes) {
  std::map<PartitionKey, uint64_t> sizes;
  uint64_t total = 0;
  for (const PartitionUsage& p : parts_->Partitions()) {
    sizes[p.key] = p.bytes;
    total += p.bytes;
  }
  if (bytes == 0 || total == 0) return uint64_t{0};
  RetentionPolicy early;  // by size only; 1, not 0 (= no limit), when everything may go
  early.max_disk_bytes = total > bytes ? total - bytes : 1;
  VIGIA_ASSIGN_OR_RETURN(auto dropped, parts_->ApplyRetention(early, env_->NowNanos()));
  uint64_t freed = 0;
  for (const PartitionKey& k : dropped) {
    freed += sizes[k];
    logger::Warn("store: low disk, dropped the oldest partition",
                 {{"partition", PartitionDirName(k)}, {"bytes", sizes[k]}});
  }
  return freed;
}

Status StoreImpl::Flush() {
  std::lock_guard<std::mutex> serial(flush_mu_);
  return FlushLocked();
}

Status StoreImpl::FlushLocked() {
  Memtable::Snapshot mem = memtable_.GetSnapshot();
  if (mem->empty()) return Status::Ok();
  // The memtable has no sequence gaps (commit hook), so everything <= max_seq that was
  // ever acknowledged is in this snapshot.
  const uint64_t max_seq = mem->back().seq;
  // Events of days retention has expired are dropped here rather than written to a part that
  // the next retention pass would delete (and whose partition it might have just deleted).
  const int64_t now_ns = env_->NowNanos();
  uint64_t expired = 0;
  std::vector<std::shared_ptr<const EventBatch>> kept;
  kept.reserve(mem->size());
  for (const Memtable::Entry& e : *mem) {
    auto k =
        !options_.retention.ByAge()
            ? e.batch
            : KeepUncoveredIf(e.batch, [&](const EventBatch& b, const EventBatch::EventRef& ev) {
                const bool old = ExpiredByAge(b.fields(ev), ev.ts_ns, now_ns);
                expired += old ? 1 : 0;
                return old;
              });
    if (k != nullptr) kept.push_back(std::move(k));
  }
  std::vector<const EventBatch*> batches;
  batches.reserve(kept.size());
  uint64_t raw = 0;
  for (const auto& b : kept) {
    batches.push_back(b.get());
    raw += RawEventBytes(*b);
  }
  if (!batches.empty()) {
    uint64_t written = 0;
    VIGIA_RETURN_IF_ERROR(parts_->AddEvents(batches, max_seq, &written));
    flushed_raw_bytes_.fetch_add(raw);
    flushed_part_bytes_.fetch_add(written);
  }
  flush_expired_.fetch_add(expired);
  if (expired > 0) {
    // Whole days retention expired after these events were acknowledged (ingest refuses
    // events of expired days): the partition-level drop, applied before they reach a part.
    logger::Info("store: retention dropped expired events at flush",
                 {{"events", expired}, {"retention_days", options_.retention.days}});
  }
  uint64_t released = 0;
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    released = memtable_.RemoveUpTo(max_seq);
    // Restart the age clock for whatever arrived during the flush.
    oldest_unflushed_ns_ = memtable_.batches() > 0 ? env_->MonotonicNanos() : 0;
  }
  flushes_.fetch_add(1);
  admission_.Release(released);  // wakes the appends waiting for room
  // The flushed batches (a memtable's worth) and the flush's sort and part buffers are free
  // now, unless a query's snapshot still holds some: give the pages back.
  ReleaseFreeHeap();
  Status st = wal_->DeleteSegmentsUpTo(WalDeletableUpTo(max_seq));
  if (!st.ok()) {
    // Harmless for correctness: replay skips covered records. Only disk space is at stake.
    logger::Warn("store: could not delete covered WAL segments", {{"error", st.ToString()}});
  }
  return Status::Ok();
}

Result<EraseResult> StoreImpl::Erase(const EraseRequest& request) {
  if (closed_.load(std::memory_order_acquire)) return Status::Unavailable("store is closed");
  if (options_.memtable_flush_bytes == 0) {
    return Status::InvalidArgument("erase needs memtable flushing (memtable_flush_bytes > 0)");
  }
  if (request.field.empty()) return Status::InvalidArgument("erase: no field");
  EraseResult result;
  uint64_t sealed = 0;
  {
    // No other flush or checkpoint meanwhile: after the seal every record written so far is
    // in the memtable or in parts, and this flush puts the memtable's into parts.
    std::lock_guard<std::mutex> serial(flush_mu_);
    result.wal_segments_before = wal_->stats().live_segments;
    VIGIA_ASSIGN_OR_RETURN(sealed, wal_->SealSegment());
    VIGIA_RETURN_IF_ERROR(FlushLocked());
  }
  // The audit chainer holds the records it has not durably passed — those just acknowledged,
  // for up to its sync interval — and the value must not stay in them: it is asked to
  // release them now (without flush_mu_ held: flushes go on meanwhile).
  if (!ReleaseWal(sealed, limits::kEraseWalReleaseWaitMs)) {
    return Status::Unavailable(
        "erase: the audit chainer has not released the WAL records written before the erase "
        "(is the audit ledger writable?); nothing was erased, retry");
  }
  {
    std::lock_guard<std::mutex> serial(flush_mu_);
    VIGIA_RETURN_IF_ERROR(wal_->DeleteSegmentsUpTo(WalDeletableUpTo(sealed)));
  }
  const std::string& field = request.field;
  const std::string& want = request.value;
  RowPredicate doomed = [&field, &want](int64_t, std::span<const Field> fields) {
    for (const Field& f : fields) {
      if (f.name != field) continue;
      switch (f.value.type) {
        case ValueType::kString:
          return f.value.s == want;
        case ValueType::kInt:
          return std::to_string(f.value.i) == want;
        case ValueType::kBool:
          return (f.value.b ? "true" : "false") == want;
        case ValueType::kFloat:
        case ValueType::kNull:
          return false;
      }
    }
    return false;
  };
  VIGIA_ASSIGN_OR_RETURN(
      PartitionSet::RowDeletionStats st,
      parts_->DeleteRows([&](const PartitionKey& k) { return k.tenant == request.tenant; },
                         doomed));
  result.events = st.rows_deleted;
  result.parts_scanned = st.parts_scanned;
  result.parts_rewritten = st.parts_rewritten;
  result.parts_removed = st.parts_removed;
  logger::Info("store: erased events", {{"tenant", request.tenant},
                                        {"field", request.field},
                                        {"events", result.events},
                                        {"parts_rewritten", result.parts_rewritten},
                                        {"parts_removed", result.parts_removed}});
  return result;
}

StoreStats StoreImpl::Stats() const {
  StoreStats s;
  PartitionSetStats ps = parts_->Stats();
  s.memtable_events = memtable_.events();
  s.memtable_bytes = memtable_.memory_bytes();
  s.memtable_peak_bytes = memtable_.peak_memory_bytes();
  s.memtable_max_bytes = admission_.max_bytes();
  const MemtableAdmission::Stats adm = admission_.stats();
  s.memtable_stalls = adm.stalls;
  s.memtable_refusals = adm.refusals;
  s.events = s.memtable_events + ps.rows;
  s.batches = memtable_.batches();
  s.parts = ps.parts;
  s.part_rows = ps.rows;
  s.part_disk_bytes = ps.disk_bytes;
  s.flushes = flushes_.load();
  s.wal_records_skipped_covered = skipped_covered_;
  s.partitions = ps.partitions;
  s.parts_written = ps.parts_written;
  s.merges = ps.merges;
  s.merged_rows = ps.merged_rows;
  s.merges_running = ps.merges_running;
  s.merges_failed = ps.merges_failed;
  s.merges_skipped_no_space = ps.merges_skipped_no_space;
  s.flush_merge_waits = ps.flush_merge_waits;
  s.flush_merge_wait_ms = ps.flush_merge_wait_ms;
  s.merges_by_partition = std::move(ps.merges_by_partition);
  s.partitions_dropped = ps.partitions_dropped;
  s.expired_events_dropped = flush_expired_.load();
  s.expired_rows_removed = row_retention_rows_.load();
  s.degraded_parts = ps.degraded_parts;
  s.flushed_raw_bytes = flushed_raw_bytes_.load();
  s.flushed_part_bytes = flushed_part_bytes_.load();
  WalWriterStats w = wal_->stats();
  s.wal_bytes = w.live_bytes;
  s.wal_segments = w.live_segments;
  s.wal_records_replayed = replayed_records_;
  s.wal_corrupt_records = corrupt_records_;
  s.wal_torn_tail_bytes = torn_tail_bytes_;
  s.wal_syncs = w.syncs;
  return s;
}

uint64_t StoreImpl::WalBytes() const { return wal_->stats().live_bytes; }

StoreUsage StoreImpl::Usage() const { return UsageOfSnapshot(*parts_->Snapshot()); }

std::vector<DegradedPart> StoreImpl::Degraded() const { return parts_->degraded().List(); }

void StoreImpl::LogStats() const {
  StoreStats s = Stats();
  logger::Info("store: stats",
               {{"events", s.events},
                {"memtable_events", s.memtable_events},
                {"wal_bytes", s.wal_bytes},
                {"partitions", s.partitions},
                {"parts", s.parts},
                {"part_rows", s.part_rows},
                {"part_disk_bytes", s.part_disk_bytes},
                {"bytes_per_row", s.part_rows == 0 ? 0.0
                                                   : static_cast<double>(s.part_disk_bytes) /
                                                         static_cast<double>(s.part_rows)},
                {"compression_ratio", s.compression_ratio()},
                {"flushes", s.flushes},
                {"merges", s.merges},
                {"merged_rows", s.merged_rows},
                {"merges_running", s.merges_running},
                {"merges_failed", s.merges_failed},
                {"merges_skipped_no_space", s.merges_skipped_no_space},
                {"flush_merge_waits", s.flush_merge_waits},
                {"partitions_dropped", s.partitions_dropped},
                {"degraded_parts", s.degraded_parts}});
}

Status StoreImpl::ProbeWritable() const {
  std::lock_guard<std::mutex> lock(probe_mu_);
  const int64_t now = env_->MonotonicNanos();
  if (probe_at_ns_ != 0 && now - probe_at_ns_ < kProbeIntervalNs) return probe_status_;
  const std::string path = file_names::WriteProbePath(options_.data_dir);
  Status st;
  auto f = env_->NewWritableFile(path);
  if (!f.ok()) {
    st = f.status();
  } else {
    st = (*f)->Append("probe");
    Status c = (*f)->Close();
    if (st.ok()) st = c;
    Status r = env_->RemoveFile(path);
    if (st.ok()) st = r;
  }
  if (!st.ok()) st = Status::Unavailable("data directory not writable: " + st.message());
  probe_at_ns_ = now;
  probe_status_ = st;
  return st;
}

Status StoreImpl::Health() const {
  if (closed_.load(std::memory_order_acquire)) return Status::Unavailable("store is closed");
  Status wal = wal_->health();
  if (!wal.ok()) return Status::Unavailable("WAL failing: " + wal.message());
  return ProbeWritable();
}

}  // namespace vigia
