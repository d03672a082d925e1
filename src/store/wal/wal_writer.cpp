// WalWriter: group commit, segment roll, background sync (see wal_writer.h).
#include "store/wal/wal_writer.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/limits.h"
#include "common/logger.h"
#include "store/format/file_names.h"
#include "store/wal/wal_format.h"

namespace vigia {

struct WalWriter::Waiter {
  std::string_view payload;
  const OnWritten* on_written = nullptr;
  uint64_t seq = 0;
  Status status;
  bool done = false;
  std::condition_variable cv;
};

WalWriter::WalWriter(const WalWriterOptions& options, uint64_t next_seq,
                     std::vector<WalSegmentInfo> existing)
    : options_(options), env_(options.env), next_seq_(next_seq) {
  for (const WalSegmentInfo& s : existing) {
    segments_.push_back({s.first_seq, s.bytes});
    stats_.live_bytes += s.bytes;
  }
  stats_.live_segments = segments_.size();
  stats_.last_seq = next_seq > 0 ? next_seq - 1 : 0;
  // Records from before this writer were durable enough to be replayed.
  stats_.synced_seq = stats_.last_seq;
}

Result<std::unique_ptr<WalWriter>> WalWriter::Open(const WalWriterOptions& options,
                                                   uint64_t next_seq,
                                                   std::vector<WalSegmentInfo> existing) {
  if (options.env == nullptr) return Status::InvalidArgument("WalWriter: env is null");
  if (next_seq == 0) return Status::InvalidArgument("WalWriter: sequences start at 1");
  VIGIA_RETURN_IF_ERROR(options.env->CreateDir(options.wal_dir));
  std::unique_ptr<WalWriter> w(new WalWriter(options, next_seq, std::move(existing)));
  if (options.fsync == FsyncPolicy::kInterval) {
    w->sync_thread_ = std::thread([p = w.get()] { p->SyncLoop(); });
  }
  return w;
}

WalWriter::~WalWriter() {
  Status st = Close();
  if (!st.ok()) logger::Error("wal: close failed", {{"error", st.ToString()}});
}

std::string WalWriter::SegmentPath(uint64_t first_seq) const {
  return JoinPath(options_.wal_dir, file_names::WalSegmentName(first_seq));
}

Result<uint64_t> WalWriter::Append(std::string_view payload, const OnWritten* on_written) {
  if (payload.size() > limits::kMaxWalRecordBytes) {
    return Status::InvalidArgument("WAL record too large: " + std::to_string(payload.size()));
  }
  Waiter w;
  w.payload = payload;
  w.on_written = on_written;
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return Status::Unavailable("WAL is closed");
  queue_.push_back(&w);
  while (!w.done && queue_.front() != &w) w.cv.wait(lock);
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return w.seq;
  }

  // Leader: take a group from the head of the queue.
  std::vector<Waiter*> group;
  size_t bytes = 0;
  for (Waiter* x : queue_) {
    size_t rb = wal::kHeaderSize + x->payload.size();
    if (!group.empty() && bytes + rb > limits::kWalMaxGroupBytes) break;
    group.push_back(x);
    bytes += rb;
  }
  const uint64_t first_seq = next_seq_;
  for (Waiter* x : group) x->seq = next_seq_++;
  bool new_segment = need_new_segment_ || file_ == nullptr;
  need_new_segment_ = false;
  lock.unlock();

  Status st = WriteGroup(group, first_seq, bytes, new_segment);
  if (st.ok()) {
    // Still the leader: no later group is written or acknowledged until these ran.
    for (Waiter* x : group) {
      if (x->on_written) (*x->on_written)(x->seq);
    }
  }

  lock.lock();
  for (size_t i = 0; i < group.size(); ++i) queue_.pop_front();
  for (Waiter* x : group) {
    if (x == &w) continue;
    x->status = st;
    x->done = true;
    x->cv.notify_one();
  }
  if (!queue_.empty()) {
    queue_.front()->cv.notify_one();
  } else {
    idle_cv_.notify_all();
  }
  if (!st.ok()) return st;
  return w.seq;
}

Status WalWriter::WriteGroup(const std::vector<Waiter*>& group, uint64_t first_seq, size_t bytes,
                             bool new_segment) {
  // Roll when this group would overflow the segment (a group larger than a whole segment
  // still goes into one, alone).
  if (!new_segment && file_->Size() > 0 && file_->Size() + bytes > options_.segment_bytes) {
    new_segment = true;
  }
  if (new_segment) {
    if (file_) {
      // Sync the old segment first (whatever the policy: once per segment is cheap) so
      // that everything below synced_seq is durable and Close() need only sync the last.
      const int64_t t0 = env_->MonotonicNanos();
      Status st = file_->Sync();
      if (st.ok()) NoteSync(t0);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        sync_error_ = st;
        need_new_segment_ = true;
        return st;
      }
      std::lock_guard<std::mutex> lock(mu_);
      stats_.synced_seq = stats_.last_seq;
      ++stats_.syncs;
    }
    const std::string path = SegmentPath(first_seq);
    auto f = env_->NewWritableFile(path);
    Status st = f.ok() ? Status::Ok() : f.status();
    // The new file's directory entry must be durable before records in it are.
    if (st.ok()) st = env_->SyncDir(options_.wal_dir);
    std::lock_guard<std::mutex> lock(mu_);
    if (!st.ok()) {
      write_error_ = st;
      need_new_segment_ = true;
      return st;
    }
    file_ = std::shared_ptr<WritableFile>(std::move(*f));
    file_first_seq_ = first_seq;
    segments_.push_back({first_seq, 0});
    stats_.live_segments = segments_.size();
  }

  group_buf_.resize(bytes);
  char* p = group_buf_.data();
  for (const Waiter* x : group) {
    const auto len = static_cast<uint32_t>(x->payload.size());
    wal::EncodeHeader(p, x->payload.data(), len, x->seq, wal::kRecordBatch);
    std::memcpy(p + wal::kHeaderSize, x->payload.data(), len);
    p += wal::kHeaderSize + len;
  }

  const uint64_t size_before = file_->Size();
  Status write_st = file_->Append(group_buf_);
  Status sync_st;
  if (write_st.ok() && options_.fsync == FsyncPolicy::kAlways) {
    const int64_t t0 = env_->MonotonicNanos();
    sync_st = file_->Sync();
    if (sync_st.ok()) NoteSync(t0);
  }
  if (!write_st.ok()) {
    // Cut the torn group off so the segment ends on a record boundary; the next group
    // goes to a fresh segment either way, because the file's offset is now unknown.
    Status t = env_->TruncateFile(SegmentPath(file_first_seq_), size_before);
    if (!t.ok())
      logger::Warn("wal: could not truncate after failed write", {{"error", t.ToString()}});
  }
  if (group_buf_.capacity() > 2 * limits::kWalMaxGroupBytes) std::string().swap(group_buf_);

  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t last = first_seq + group.size() - 1;
  uint64_t new_size = write_st.ok() ? file_->Size() : size_before;
  stats_.live_bytes += new_size - segments_.back().bytes;
  segments_.back().bytes = new_size;
  if (!write_st.ok()) {
    write_error_ = write_st;
    need_new_segment_ = true;
    logger::Error("wal: write failed", {{"error", write_st.ToString()}});
    return write_st;
  }
  write_error_ = Status::Ok();
  stats_.records += group.size();
  ++stats_.groups;
  stats_.last_seq = last;
  if (options_.fsync == FsyncPolicy::kAlways) {
    if (!sync_st.ok()) {
      sync_error_ = sync_st;
      // After a failed fsync the kernel may have dropped the dirty pages: nothing more
      // goes into this file.
      need_new_segment_ = true;
      logger::Error("wal: sync failed", {{"error", sync_st.ToString()}});
      return sync_st;
    }
    sync_error_ = Status::Ok();
    ++stats_.syncs;
    stats_.synced_seq = last;
  }
  return Status::Ok();
}

Status WalWriter::SyncOnce() {
  std::lock_guard<std::mutex> serial(sync_mu_);
  std::shared_ptr<WritableFile> f;
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ == nullptr || stats_.last_seq <= stats_.synced_seq) return Status::Ok();
    f = file_;
    target = stats_.last_seq;
  }
  const int64_t t0 = env_->MonotonicNanos();
  Status st = f->Sync();
  if (st.ok()) NoteSync(t0);
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    sync_error_ = st;
    need_new_segment_ = true;
    logger::Error("wal: sync failed", {{"error", st.ToString()}});
    return st;
  }
  sync_error_ = Status::Ok();
  ++stats_.syncs;
  stats_.synced_seq = std::max(stats_.synced_seq, target);
  return Status::Ok();
}

Status WalWriter::Sync() { return SyncOnce(); }

void WalWriter::NoteSync(int64_t start_ns) {
  if (options_.on_sync) options_.on_sync(env_->MonotonicNanos() - start_ns);
}

void WalWriter::SyncLoop() {
  const auto interval = std::chrono::milliseconds(std::max(1, options_.sync_interval_ms));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_sync_thread_) {
    sync_cv_.wait_for(lock, interval, [this] { return stop_sync_thread_; });
    if (stop_sync_thread_) break;
    lock.unlock();
    (void)SyncOnce();  // failures are recorded in sync_error_ and logged
    lock.lock();
  }
}

Status WalWriter::Close() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_ && !sync_thread_.joinable() && file_ == nullptr) return Status::Ok();
    closed_ = true;
    idle_cv_.wait(lock, [this] { return queue_.empty(); });
    stop_sync_thread_ = true;
  }
  sync_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  Status st = SyncOnce();
  std::shared_ptr<WritableFile> f;
  {
    std::lock_guard<std::mutex> lock(mu_);
    f = std::move(file_);
    file_ = nullptr;
  }
  if (f) {
    Status c = f->Close();
    if (st.ok()) st = c;
  }
  return st;
}

Status WalWriter::DeleteSegmentsUpTo(uint64_t seq) {
  std::vector<uint64_t> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Segment i holds sequences [first_i, first_{i+1}); it is covered when first_{i+1} - 1
    // <= seq. The last segment has no upper bound yet and always stays.
    size_t n = 0;
    while (n + 1 < segments_.size() && segments_[n + 1].first_seq <= seq + 1) ++n;
    // The last segment too when nothing is being written to it (sealed, or found at open
    // before this writer's first record) and every sequence assigned so far is covered.
    if (n + 1 == segments_.size() && file_ == nullptr && queue_.empty() && next_seq_ - 1 <= seq) {
      ++n;
    }
    for (size_t i = 0; i < n; ++i) {
      doomed.push_back(segments_[i].first_seq);
      stats_.live_bytes -= segments_[i].bytes;
    }
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
    stats_.live_segments = segments_.size();
  }
  Status result;
  for (uint64_t first : doomed) {
    Status st = env_->RemoveFile(SegmentPath(first));
    if (!st.ok() && result.ok()) result = st;
  }
  return result;
}

Result<uint64_t> WalWriter::SealSegment() {
  std::shared_ptr<WritableFile> f;
  uint64_t last = 0;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) return Status::Unavailable("WAL is closed");
    // No leader is writing once the queue is empty, and none can start while mu_ is held.
    idle_cv_.wait(lock, [this] { return queue_.empty(); });
    f = std::move(file_);
    file_ = nullptr;
    need_new_segment_ = true;
    last = next_seq_ - 1;
  }
  if (f) {
    // Later appends go to a new file; syncers that copied `f` still hold it open.
    std::lock_guard<std::mutex> serial(sync_mu_);
    Status st = f->Sync();
    if (st.ok()) st = f->Close();
    if (!st.ok()) return st;
    std::lock_guard<std::mutex> lock(mu_);
    stats_.synced_seq = std::max(stats_.synced_seq, last);
  }
  return last;
}

WalWriter::SegmentsView WalWriter::LiveSegments() const {
  std::lock_guard<std::mutex> lock(mu_);
  SegmentsView v;
  v.last_seq = stats_.last_seq;
  for (const Segment& s : segments_) v.segments.push_back({s.first_seq, s.bytes});
  return v;
}

Status WalWriter::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!write_error_.ok()) return write_error_;
  return sync_error_;
}

WalWriterStats WalWriter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace vigia
