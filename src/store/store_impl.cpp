// StoreImpl: WAL + memtable behind the Store facade (see store_impl.h), and Store::Open.
#include "store/store_impl.h"

#include <chrono>
#include <map>

#include "common/logger.h"
#include "store/batch_codec.h"
#include "store/file_names.h"
#include "store/wal_reader.h"

namespace vigia {
namespace {

// How long a write-probe result stays valid: Health() is polled by /health/ready and must
// not create a file per request.
constexpr int64_t kProbeIntervalNs = 1'000'000'000;

// How often the flush thread checks the memtable's age and size.
constexpr int kFlushCheckMs = 200;

std::string_view TenantOf(const EventBatch& b, const EventBatch::EventRef& e) {
  const Value* v = b.Find(e, "tenant");
  return v != nullptr && v->type == ValueType::kString ? v->s : std::string_view();
}

// `batch` without the events whose partition parts already cover up to `seq`; the same
// batch when none is covered, nullptr when all are.
template <typename Covered>
std::shared_ptr<const EventBatch> KeepUncoveredIf(std::shared_ptr<const EventBatch> batch,
                                                  const Covered& covered) {
  size_t n_covered = 0;
  for (const auto& e : batch->events()) n_covered += covered(*batch, e) ? 1 : 0;
  if (n_covered == 0) return batch;
  if (n_covered == batch->size()) return nullptr;
  auto out = std::make_shared<EventBatch>();
  for (const auto& e : batch->events()) {
    if (covered(*batch, e)) continue;
    out->BeginEvent(e.ts_ns);
    for (const Field& f : batch->fields(e)) {
      Value v = f.value;
      if (v.type == ValueType::kString) v.s = out->arena().Copy(v.s);
      out->AddField(out->arena().Copy(f.name), v);
    }
  }
  return out;
}

std::shared_ptr<const EventBatch> KeepUncovered(const PartitionSet& parts, uint64_t seq,
                                                std::shared_ptr<const EventBatch> batch) {
  return KeepUncoveredIf(std::move(batch), [&](const EventBatch& b, const EventBatch::EventRef& e) {
    return parts.IsCovered(e.ts_ns, TenantOf(b, e), seq);
  });
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  VIGIA_ASSIGN_OR_RETURN(auto impl, StoreImpl::OpenImpl(options));
  return std::unique_ptr<Store>(std::move(impl));
}

StoreImpl::StoreImpl(const StoreOptions& options, Env* env) : options_(options), env_(env) {}

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

  std::unique_ptr<StoreImpl> store(new StoreImpl(options, env));
  PartitionSetOptions po;
  po.data_dir = options.data_dir;
  po.env = env;
  VIGIA_ASSIGN_OR_RETURN(store->parts_, PartitionSet::Open(po));
  PartitionSet* parts = store->parts_.get();

  Memtable& mt = store->memtable_;
  uint64_t skipped = 0;
  VIGIA_ASSIGN_OR_RETURN(
      WalReplayResult replay,
      WalReader::Replay(env, wal_dir, [&](uint64_t seq, std::string_view payload) -> Status {
        auto batch = std::make_shared<EventBatch>();
        VIGIA_RETURN_IF_ERROR(batch_codec::Decode(payload, batch.get()));
        std::shared_ptr<const EventBatch> kept = KeepUncovered(*parts, seq, std::move(batch));
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
  if (mt.batches() > 0) store->oldest_unflushed_ns_ = env->MonotonicNanos();
  logger::Info("store: WAL replayed", {{"path", wal_dir},
                                       {"records", replay.records},
                                       {"covered_by_parts", skipped},
                                       {"events", mt.events()},
                                       {"corrupt_records", replay.corrupt_records},
                                       {"torn_tail_bytes", replay.torn_tail_bytes}});

  WalWriterOptions wo;
  wo.wal_dir = wal_dir;
  wo.fsync = options.fsync;
  wo.sync_interval_ms = options.sync_interval_ms;
  wo.segment_bytes = options.wal_segment_bytes;
  wo.env = env;
  const uint64_t next_seq = std::max(replay.last_seq, replay.max_segment_seq) + 1;
  VIGIA_ASSIGN_OR_RETURN(store->wal_, WalWriter::Open(wo, next_seq, std::move(replay.segments)));
  if (options.background_merges) parts->StartBackgroundMerges();
  if (options.memtable_flush_bytes > 0) {
    store->flush_thread_ = std::thread([p = store.get()] { p->FlushLoop(); });
  }
  return store;
}

Status StoreImpl::Append(std::shared_ptr<const EventBatch> batch) {
  if (closed_.load(std::memory_order_acquire)) return Status::Unavailable("store is closed");
  if (batch == nullptr || batch->empty()) return Status::Ok();
  // The scratch view stays valid until this thread encodes again, i.e. past Append.
  std::string_view encoded = batch_codec::EncodeToScratch(*batch);
  // Inserted by the WAL's commit hook, in sequence order (see store_impl.h).
  WalWriter::OnWritten insert = [this, &batch](uint64_t seq) {
    int64_t expected = 0;
    oldest_unflushed_ns_.compare_exchange_strong(expected, env_->MonotonicNanos());
    memtable_.Insert(seq, batch);
  };
  Result<uint64_t> seq = wal_->Append(encoded, &insert);
  if (!seq.ok()) return seq.status();
  if (options_.memtable_flush_bytes > 0 &&
      memtable_.memory_bytes() >= options_.memtable_flush_bytes) {
    flush_cv_.notify_one();
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
  if (flush_thread_.joinable()) flush_thread_.join();
  parts_->StopBackgroundMerges();
  Status st = wal_->Close();
  logger::Info("store: closed", {{"memtable_events", memtable_.events()}});
  return st;
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
      auto it = covered.find(PartitionKeyOf(ev.ts_ns, TenantOf(b, ev)));
      return it != covered.end() && it->second >= e.seq;
    });
    if (kept) snap.memtable.push_back(std::move(kept));
  }
  return snap;
}

void StoreImpl::ForEachBatch(const std::function<void(const EventBatch&)>& fn) const {
  StoreSnapshot snap = GetSnapshot();
  for (const auto& p : snap.parts->parts) {
    Result<EventBatch> events = p->reader->ReadAllEvents();
    if (!events.ok()) {
      logger::Error("store: unreadable part skipped",
                    {{"part", p->reader->dir()}, {"error", events.status().ToString()}});
      continue;
    }
    fn(*events);
  }
  for (const auto& b : snap.memtable) fn(*b);
}

bool StoreImpl::FlushDue() const {
  if (memtable_.batches() == 0) return false;
  if (memtable_.memory_bytes() >= options_.memtable_flush_bytes) return true;
  int64_t oldest = oldest_unflushed_ns_.load();
  return oldest != 0 &&
         env_->MonotonicNanos() - oldest >= int64_t{options_.memtable_flush_age_ms} * 1'000'000;
}

void StoreImpl::FlushLoop() {
  std::unique_lock<std::mutex> lock(flush_thread_mu_);
  while (!stop_flush_) {
    flush_cv_.wait_for(lock, std::chrono::milliseconds(kFlushCheckMs));
    if (stop_flush_) break;
    if (!FlushDue()) continue;
    lock.unlock();
    Status st = Flush();
    if (!st.ok()) logger::Error("store: memtable flush failed", {{"error", st.ToString()}});
    lock.lock();
  }
}

Status StoreImpl::Flush() {
  std::lock_guard<std::mutex> serial(flush_mu_);
  Memtable::Snapshot mem = memtable_.GetSnapshot();
  if (mem->empty()) return Status::Ok();
  // The memtable has no sequence gaps (commit hook), so everything <= max_seq that was
  // ever acknowledged is in this snapshot.
  const uint64_t max_seq = mem->back().seq;
  std::vector<const EventBatch*> batches;
  batches.reserve(mem->size());
  for (const Memtable::Entry& e : *mem) batches.push_back(e.batch.get());
  VIGIA_RETURN_IF_ERROR(parts_->AddEvents(batches, max_seq));
  {
    std::lock_guard<std::mutex> lock(view_mu_);
    memtable_.RemoveUpTo(max_seq);
    // Restart the age clock for whatever arrived during the flush.
    oldest_unflushed_ns_ = memtable_.batches() > 0 ? env_->MonotonicNanos() : 0;
  }
  flushes_.fetch_add(1);
  Status st = wal_->DeleteSegmentsUpTo(max_seq);
  if (!st.ok()) {
    // Harmless for correctness: replay skips covered records. Only disk space is at stake.
    logger::Warn("store: could not delete covered WAL segments", {{"error", st.ToString()}});
  }
  return Status::Ok();
}

StoreStats StoreImpl::Stats() const {
  StoreStats s;
  PartitionSetStats ps = parts_->Stats();
  s.memtable_events = memtable_.events();
  s.memtable_bytes = memtable_.memory_bytes();
  s.events = s.memtable_events + ps.rows;
  s.batches = memtable_.batches();
  s.parts = ps.parts;
  s.part_rows = ps.rows;
  s.part_disk_bytes = ps.disk_bytes;
  s.flushes = flushes_.load();
  s.wal_records_skipped_covered = skipped_covered_;
  WalWriterStats w = wal_->stats();
  s.wal_bytes = w.live_bytes;
  s.wal_segments = w.live_segments;
  s.wal_records_replayed = replayed_records_;
  s.wal_corrupt_records = corrupt_records_;
  s.wal_torn_tail_bytes = torn_tail_bytes_;
  s.wal_syncs = w.syncs;
  return s;
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
