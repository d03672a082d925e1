#include "clickhouse/clickhouse_outbox.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <sstream>
#include <unordered_set>

#include "clickhouse/clickhouse_file_names.h"
#include "clickhouse/clickhouse_row_codec.h"
#include "common/logger.h"
#include "store/wal/batch_codec.h"
#include "store/wal/wal_reader.h"
#include "store/wal/wal_writer.h"

namespace vigia::clickhouse {
namespace {

constexpr std::string_view kStateMagic = "vigia-outbox";
constexpr int kStateVersion = 1;
constexpr int kRunningInsertPollMs = 100;

std::string Join(const std::string& a, std::string_view b) { return a + "/" + std::string(b); }

bool ParseU64(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

ClickHouseOutbox::ClickHouseOutbox(const ClickHouseOutboxOptions& options)
    : options_(options),
      env_(options.env != nullptr ? options.env : Env::Default()),
      dir_(Join(options.data_dir, file_names::kOutboxDir)),
      client_(options.url, options.user, options.password) {}

Result<std::unique_ptr<ClickHouseOutbox>> ClickHouseOutbox::Open(
    const ClickHouseOutboxOptions& options) {
  std::unique_ptr<ClickHouseOutbox> o(new ClickHouseOutbox(options));
  Env* env = o->env_;
  if (options.lock_data_dir) {
    VIGIA_ASSIGN_OR_RETURN(o->lock_, DataDirLock::Acquire(env, options.data_dir, "vigia serve"));
  }
  const std::string wal_dir = Join(o->dir_, file_names::kOutboxWalDir);
  VIGIA_RETURN_IF_ERROR(env->CreateDir(wal_dir));

  // The state: this node's seq base and the last record ClickHouse has.
  uint64_t shipped = 0;
  const std::string state_path = Join(o->dir_, file_names::kOutboxState);
  if (env->FileExists(state_path)) {
    VIGIA_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(state_path));
    std::istringstream in(text);
    std::string magic, version, base, last;
    in >> magic >> version >> base >> last;
    if (magic != kStateMagic || version != std::to_string(kStateVersion) ||
        !ParseU64(base, &o->seq_base_) || !ParseU64(last, &shipped)) {
      return Status::Corruption(state_path + ": not an outbox state (\"" + text + "\")");
    }
  } else {
    // Random in [2^40, 2^62): rows of one node stay below 2^63 for 2^38 records.
    std::random_device rd;
    std::mt19937_64 gen((uint64_t{rd()} << 32) ^ rd() ^ static_cast<uint64_t>(env->NowNanos()));
    o->seq_base_ = (uint64_t{1} << 40) + gen() % ((uint64_t{1} << 62) - (uint64_t{1} << 40));
    VIGIA_RETURN_IF_ERROR(o->WriteState(0));
  }
  o->shipped_seq_ = shipped;
  o->state_written_ = shipped;
  o->window_ = ShipWindow(shipped);

  // Unshipped records go back into the queue; the shipper checks ClickHouse before sending
  // them (an INSERT before the restart may have stored some).
  VIGIA_ASSIGN_OR_RETURN(
      WalReplayResult replay,
      WalReader::Replay(env, wal_dir, [&](uint64_t seq, std::string_view payload) -> Status {
        if (seq <= shipped) return Status::Ok();
        EventBatch b;
        VIGIA_RETURN_IF_ERROR(batch_codec::Decode(payload, &b));
        Record r;
        r.seq = seq;
        r.payload = std::make_shared<const std::string>(payload);
        r.events = b.size();
        o->backlog_bytes_ += payload.size();
        o->untaken_bytes_ += payload.size();
        o->backlog_rows_ += r.events;
        o->replayed_rows_ += r.events;
        ++o->replayed_records_;
        o->queue_.push_back(std::move(r));
        return Status::Ok();
      }));
  if (replay.corrupt_records > 0) {
    logger::Warn("clickhouse outbox: corrupt WAL records skipped",
                 {{"dir", wal_dir}, {"records", replay.corrupt_records}});
  }
  uint64_t next_seq = std::max({replay.last_seq, replay.max_segment_seq, shipped}) + 1;
  WalWriterOptions wo;
  wo.wal_dir = wal_dir;
  wo.fsync = options.fsync;
  wo.sync_interval_ms = options.sync_interval_ms;
  wo.segment_bytes = options.segment_bytes;
  wo.env = env;
  VIGIA_ASSIGN_OR_RETURN(o->wal_, WalWriter::Open(wo, next_seq, replay.segments));
  if (shipped > 0) VIGIA_RETURN_IF_ERROR(o->wal_->DeleteSegmentsUpTo(shipped));
  if (!o->queue_.empty()) o->replayed_upto_ = o->queue_.back().seq;
  o->started_ = o->queue_.empty();
  logger::Info("clickhouse outbox opened", {{"dir", o->dir_},
                                            {"url", options.url},
                                            {"seq_base", o->seq_base_},
                                            {"unshipped_records", o->replayed_records_},
                                            {"unshipped_events", o->replayed_rows_},
                                            {"insert_concurrency", options.insert_concurrency}});
  const int threads = std::max(1, options.insert_concurrency);
  for (int i = 0; i < threads; ++i) {
    o->shippers_.emplace_back([p = o.get(), i] { p->ShipLoop(i); });
  }
  return o;
}

ClickHouseOutbox::~ClickHouseOutbox() { (void)Close(); }

Status ClickHouseOutbox::Append(std::shared_ptr<const EventBatch> batch) {
  if (batch == nullptr || batch->empty()) return Status::Ok();
  if (batch->size() > limits::kClickHouseMaxEventsPerRecord) {
    return Status::InvalidArgument("a batch of " + std::to_string(batch->size()) +
                                   " events is more than the ClickHouse outbox takes at once (" +
                                   std::to_string(limits::kClickHouseMaxEventsPerRecord) + ")");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return Status::Unavailable("clickhouse outbox is closed");
    if (backlog_bytes_ >= options_.max_backlog_bytes) {
      return Status::Unavailable(
          "ClickHouse backlog full: " + std::to_string(backlog_bytes_) + " bytes (" +
          std::to_string(backlog_rows_) + " events) not yet in ClickHouse at " + options_.url +
          " reach clickhouse.max_backlog_bytes (" + std::to_string(options_.max_backlog_bytes) +
          "); ClickHouse is down or slower than ingest" +
          (last_error_.empty() ? std::string() : " (last error: " + last_error_ + ")") +
          "; retry later");
    }
  }
  auto payload = std::make_shared<std::string>();
  batch_codec::Encode(*batch, payload.get());
  const uint64_t events = batch->size();
  WalWriter::OnWritten queued = [this, payload, events](uint64_t seq) {
    std::lock_guard<std::mutex> lock(mu_);
    backlog_bytes_ += payload->size();
    untaken_bytes_ += payload->size();
    backlog_rows_ += events;
    queue_.push_back(Record{seq, payload, events});
    cv_.notify_all();
  };
  return wal_->Append(*payload, &queued).status();
}

Status ClickHouseOutbox::Sync() { return wal_->Sync(); }

Status ClickHouseOutbox::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  flush_now_ = true;
  cv_.notify_all();
  return Status::Ok();
}

Status ClickHouseOutbox::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_ && shippers_.empty()) return Status::Ok();
    closing_ = true;
    cv_.notify_all();
  }
  cancel_ = true;
  for (std::thread& t : shippers_) t.join();
  shippers_.clear();
  return wal_ != nullptr ? wal_->Close() : Status::Ok();
}

Result<EraseResult> ClickHouseOutbox::Erase(const EraseRequest&) {
  return Status::InvalidArgument(
      "erasure is not available with storage.backend = \"clickhouse\": delete in ClickHouse "
      "(ALTER TABLE ... DELETE WHERE ...)");
}

Result<StoreCheckpoint> ClickHouseOutbox::Checkpoint(const std::string&) {
  return Status::InvalidArgument(
      "backups of events are not available with storage.backend = \"clickhouse\": back up "
      "ClickHouse itself");
}

StoreStats ClickHouseOutbox::Stats() const {
  StoreStats s;
  WalWriterStats w = wal_->stats();
  s.wal_bytes = w.live_bytes;
  s.wal_segments = w.live_segments;
  s.wal_syncs = w.syncs;
  s.wal_records_replayed = replayed_records_;
  return s;
}

uint64_t ClickHouseOutbox::WalBytes() const { return wal_->stats().live_bytes; }

Status ClickHouseOutbox::Health() const { return wal_->health(); }

ClickHouseOutboxStats ClickHouseOutbox::outbox_stats() const {
  ClickHouseOutboxStats s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.backlog_bytes = backlog_bytes_;
    s.backlog_rows = backlog_rows_;
    s.last_error = last_error_;
    s.shipped_seq = shipped_seq_;
    s.inserts_in_flight = window_.in_flight();
  }
  s.shipped_rows = shipped_rows_.load();
  s.skipped_rows = skipped_rows_.load();
  s.failures = failures_.load();
  s.replayed_rows = replayed_rows_;
  return s;
}

bool ClickHouseOutbox::SleepUnlessClosing(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return closing_; });
  return !closing_;
}

Result<std::string> ClickHouseOutbox::Execute(const ClickHouseRequest& req) {
  if (options_.transport) return options_.transport(req);
  return client_.Execute(req);
}

void ClickHouseOutbox::ShipLoop(int thread) {
  if (thread == 0) {
    bool started = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      started = started_;
    }
    if (!started) {
      if (!Recover().ok()) return;  // closing
      std::lock_guard<std::mutex> lock(mu_);
      started_ = true;
      cv_.notify_all();
    }
  }
  std::vector<Record> batch;
  for (;;) {
    if (!TakeBatch(&batch)) return;
    if (!ShipUntilDone(batch)) return;
    Complete(batch.front().seq);
  }
}

Status ClickHouseOutbox::Recover() {
  // An INSERT sent before the restart may still be running: none may land after the check
  // of the batch it carried.
  int backoff_ms = limits::kClickHouseRetryBaseMs;
  for (;;) {
    Status st = WaitForRunningInserts("vigia-outbox-" + std::to_string(seq_base_) + "-");
    if (st.ok()) return st;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return Status::Unavailable("cancelled");
      if (last_error_ != st.ToString()) {
        logger::Warn("clickhouse outbox: cannot check ClickHouse for running inserts; retrying",
                     {{"url", options_.url}, {"error", st.ToString()}});
      }
      last_error_ = st.ToString();
    }
    ++failures_;
    if (!SleepUnlessClosing(backoff_ms)) return Status::Unavailable("cancelled");
    backoff_ms = std::min(backoff_ms * 2, limits::kClickHouseRetryMaxMs);
  }
}

bool ClickHouseOutbox::TakeBatch(std::vector<Record>* batch) {
  batch->clear();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return closing_ || (started_ && taken_ < queue_.size()); });
    if (closing_) return false;
    if (!flush_now_ && untaken_bytes_ < options_.ship_batch_bytes) {
      cv_.wait_for(lock, std::chrono::milliseconds(options_.ship_delay_ms), [this] {
        return closing_ || flush_now_ || untaken_bytes_ >= options_.ship_batch_bytes;
      });
      if (closing_) return false;
      if (taken_ == queue_.size()) continue;  // another shipper took them
      // A partial batch goes only when no INSERT is in flight (a quiet node: the delay bounds
      // the time to queryable). Under load the records wait for a full batch or for the
      // INSERTs in flight: small INSERTs make small parts, and ClickHouse's merges of them
      // cost more CPU than the parallel INSERTs save (measured: 22 → 33 CPU-µs/event).
      cv_.wait(lock, [this] {
        return closing_ || flush_now_ || untaken_bytes_ >= options_.ship_batch_bytes ||
               window_.in_flight() == 0;
      });
      if (closing_) return false;
      if (taken_ == queue_.size()) continue;
    }
    flush_now_ = false;
    uint64_t bytes = 0;
    for (size_t i = taken_; i < queue_.size(); ++i) {
      const Record& r = queue_[i];
      if (!batch->empty() && bytes + r.payload->size() > options_.ship_batch_bytes) break;
      bytes += r.payload->size();
      batch->push_back(r);
    }
    taken_ += batch->size();
    untaken_bytes_ -= bytes;
    window_.Begin(batch->front().seq, batch->back().seq);
    return true;
  }
}

bool ClickHouseOutbox::ShipUntilDone(const std::vector<Record>& batch) {
  int backoff_ms = limits::kClickHouseRetryBaseMs;
  // Rows of a batch holding records of the previous run may be in ClickHouse already.
  bool maybe_sent = batch.front().seq <= replayed_upto_;
  for (;;) {
    Status st = Ship(batch, maybe_sent);
    if (st.ok()) return true;
    std::string previous;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return false;
      previous = last_error_;
      last_error_ = st.ToString();
    }
    ++failures_;
    // Anything of this batch may have reached ClickHouse: check before sending it again.
    maybe_sent = true;
    if (previous != st.ToString()) {
      logger::Warn("clickhouse outbox: insert failed; retrying with backoff",
                   {{"url", options_.url}, {"error", st.ToString()}});
    }
    if (!SleepUnlessClosing(backoff_ms)) return false;
    backoff_ms = std::min(backoff_ms * 2, limits::kClickHouseRetryMaxMs);
  }
}

void ClickHouseOutbox::Complete(uint64_t first) {
  bool recovered = false;
  uint64_t released = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    released = window_.Complete(first);
    while (!queue_.empty() && queue_.front().seq <= released) {
      backlog_bytes_ -= queue_.front().payload->size();
      backlog_rows_ -= queue_.front().events;
      queue_.pop_front();
      --taken_;
    }
    shipped_seq_ = released;
    recovered = !last_error_.empty();
    last_error_.clear();
    cv_.notify_all();  // fewer INSERTs in flight: a partial batch may go (TakeBatch)
  }
  if (recovered) logger::Info("clickhouse outbox: shipping again", {{"url", options_.url}});
  // The state first, then the segments: a restart never reuses a shipped record's number.
  // Completions racing here write the newest watermark once.
  std::lock_guard<std::mutex> release(release_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    released = shipped_seq_;
  }
  if (released <= state_written_) return;
  Status state = WriteState(released);
  if (!state.ok()) {
    logger::Error("clickhouse outbox: cannot write the state file; WAL segments kept",
                  {{"error", state.ToString()}});
    return;
  }
  state_written_ = released;
  Status del = wal_->DeleteSegmentsUpTo(released);
  if (!del.ok()) {
    logger::Warn("clickhouse outbox: cannot delete shipped WAL segments",
                 {{"error", del.ToString()}});
  }
}

Status ClickHouseOutbox::WaitForRunningInserts(const std::string& prefix) {
  const std::string sql =
      "SELECT count() FROM system.processes WHERE query_id LIKE " + SqlString(prefix + "%");
  for (;;) {
    ClickHouseRequest req;
    req.sql = sql;
    req.cancel = &cancel_;
    req.deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.insert_timeout_ms);
    VIGIA_ASSIGN_OR_RETURN(std::string out, Execute(req));
    uint64_t running = 0;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (!ParseU64(out, &running)) {
      return Status::Corruption("clickhouse system.processes count: \"" + out + "\"");
    }
    if (running == 0) return Status::Ok();
    if (!SleepUnlessClosing(kRunningInsertPollMs)) return Status::Unavailable("cancelled");
  }
}

Status ClickHouseOutbox::Ship(const std::vector<Record>& records, bool maybe_sent) {
  std::vector<std::unique_ptr<EventBatch>> batches(records.size());
  int64_t min_ts = INT64_MAX;
  int64_t max_ts = INT64_MIN;
  for (size_t i = 0; i < records.size(); ++i) {
    batches[i] = std::make_unique<EventBatch>();
    Status st = batch_codec::Decode(*records[i].payload, batches[i].get());
    if (!st.ok()) {
      // Our own encoding, checked by the WAL's CRC: a bug, not a reason to stop shipping.
      logger::Error("clickhouse outbox: undecodable record skipped",
                    {{"record", records[i].seq}, {"error", st.ToString()}});
      batches[i] = std::make_unique<EventBatch>();
      continue;
    }
    for (const EventBatch::EventRef& e : batches[i]->events()) {
      min_ts = std::min(min_ts, e.ts_ns);
      max_ts = std::max(max_ts, e.ts_ns);
    }
  }
  std::unordered_set<uint64_t> present;
  const std::string query_id_prefix =
      "vigia-outbox-" + std::to_string(seq_base_) + "-" + std::to_string(records.front().seq) + "-";
  if (maybe_sent && min_ts <= max_ts) {
    VIGIA_RETURN_IF_ERROR(WaitForRunningInserts(query_id_prefix));
    const uint64_t lo = RowSeq(seq_base_, records.front().seq, 0);
    const uint64_t hi =
        RowSeq(seq_base_, records.back().seq, limits::kClickHouseMaxEventsPerRecord - 1);
    ClickHouseRequest req;
    req.sql = "SELECT seq FROM " + options_.schema.QualifiedTable() + " WHERE seq BETWEEN " +
              std::to_string(lo) + " AND " + std::to_string(hi) + " AND ts BETWEEN " +
              std::to_string(min_ts) + " AND " + std::to_string(max_ts) + " FORMAT TabSeparated";
    req.cancel = &cancel_;
    req.deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.insert_timeout_ms);
    VIGIA_ASSIGN_OR_RETURN(std::string out, Execute(req));
    size_t pos = 0;
    while (pos < out.size()) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) nl = out.size();
      uint64_t seq = 0;
      if (nl > pos && ParseU64(std::string_view(out).substr(pos, nl - pos), &seq)) {
        present.insert(seq);
      }
      pos = nl + 1;
    }
  }
  std::string body;
  uint64_t rows = 0;
  uint64_t skipped = 0;
  std::vector<uint64_t> seqs;
  for (size_t i = 0; i < records.size(); ++i) {
    seqs.assign(batches[i]->size(), 0);
    for (size_t j = 0; j < seqs.size(); ++j) {
      seqs[j] = RowSeq(seq_base_, records[i].seq, j);
      if (present.count(seqs[j]) != 0) {
        seqs[j] = kSkipRow;
        ++skipped;
      } else {
        ++rows;
      }
    }
    EncodeRows(*batches[i], seqs, &body);
  }
  if (rows > 0) {
    ClickHouseRequest req;
    req.sql = "INSERT INTO " + options_.schema.QualifiedTable() + " " + InsertColumnList() +
              " FORMAT RowBinary";
    req.body = std::move(body);
    // A Distributed table answers once every shard has its rows, not when they are queued.
    req.settings.emplace_back("insert_distributed_sync", "1");
    if (options_.insert_quorum > 0) {
      req.settings.emplace_back("insert_quorum", std::to_string(options_.insert_quorum));
    }
    req.settings.emplace_back("query_id", query_id_prefix + std::to_string(++insert_counter_));
    req.cancel = &cancel_;
    req.deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.insert_timeout_ms);
    VIGIA_RETURN_IF_ERROR(Execute(req).status());
  }
  shipped_rows_ += rows;
  skipped_rows_ += skipped;
  return Status::Ok();
}

Status ClickHouseOutbox::WriteState(uint64_t shipped) {
  const std::string tmp = Join(dir_, file_names::kOutboxStateTmp);
  const std::string path = Join(dir_, file_names::kOutboxState);
  std::string text = std::string(kStateMagic) + " " + std::to_string(kStateVersion) + " " +
                     std::to_string(seq_base_) + " " + std::to_string(shipped) + "\n";
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->NewWritableFile(tmp));
  VIGIA_RETURN_IF_ERROR(f->Append(text));
  VIGIA_RETURN_IF_ERROR(f->Sync());
  VIGIA_RETURN_IF_ERROR(f->Close());
  VIGIA_RETURN_IF_ERROR(env_->RenameFile(tmp, path));
  return env_->SyncDir(dir_);
}

}  // namespace vigia::clickhouse
