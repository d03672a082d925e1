// StoreImpl: WAL + memtable behind the Store facade (see store_impl.h), and Store::Open.
#include "store/store_impl.h"

#include "common/logger.h"
#include "store/batch_codec.h"
#include "store/file_names.h"
#include "store/wal_reader.h"

namespace vigia {
namespace {

// How long a write-probe result stays valid: Health() is polled by /health/ready and must
// not create a file per request.
constexpr int64_t kProbeIntervalNs = 1'000'000'000;

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
  Memtable& mt = store->memtable_;
  VIGIA_ASSIGN_OR_RETURN(
      WalReplayResult replay,
      WalReader::Replay(env, wal_dir, [&mt](uint64_t seq, std::string_view payload) -> Status {
        auto batch = std::make_shared<EventBatch>();
        VIGIA_RETURN_IF_ERROR(batch_codec::Decode(payload, batch.get()));
        mt.Insert(seq, std::move(batch));
        return Status::Ok();
      }));
  store->replayed_records_ = replay.records;
  store->corrupt_records_ = replay.corrupt_records;
  store->torn_tail_bytes_ = replay.torn_tail_bytes;
  logger::Info("store: WAL replayed", {{"path", wal_dir},
                                       {"records", replay.records},
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
  return store;
}

Status StoreImpl::Append(std::shared_ptr<const EventBatch> batch) {
  if (closed_.load(std::memory_order_acquire)) return Status::Unavailable("store is closed");
  if (batch == nullptr || batch->empty()) return Status::Ok();
  // The scratch view stays valid until this thread encodes again, i.e. past Append.
  std::string_view encoded = batch_codec::EncodeToScratch(*batch);
  Result<uint64_t> seq = wal_->Append(encoded);
  if (!seq.ok()) return seq.status();
  memtable_.Insert(*seq, std::move(batch));
  return Status::Ok();
}

Status StoreImpl::Sync() {
  if (closed_.load(std::memory_order_acquire)) return Status::Ok();  // Close synced
  return wal_->Sync();
}

Status StoreImpl::Close() {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return Status::Ok();
  Status st = wal_->Close();
  logger::Info("store: closed", {{"events", memtable_.events()}});
  return st;
}

void StoreImpl::ForEachBatch(const std::function<void(const EventBatch&)>& fn) const {
  Memtable::Snapshot snap = memtable_.GetSnapshot();
  for (const Memtable::Entry& e : *snap) fn(*e.batch);
}

StoreStats StoreImpl::Stats() const {
  StoreStats s;
  s.events = memtable_.events();
  s.batches = memtable_.batches();
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
