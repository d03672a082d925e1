#include "audit/audit_chainer.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "audit/audit_event.h"
#include "audit/audit_file_names.h"
#include "common/logger.h"

namespace vigia::audit {
namespace {

constexpr std::string_view kPositionMagic = "vigia-audit-chained-v1";

// The persist interval is real time, like the condition variable's waits (a test's fake
// clock must not stop the position from moving).
int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Position {
  uint64_t wal_seq = 0;
  std::map<std::string, uint64_t, std::less<>> chain_seq;  // per tenant
};

// chained.pos: "vigia-audit-chained-v1 <wal_seq>\n" then "<chain_seq> <tenant dir name>\n"
// per chain. Written whole by rename, so it parses or is missing.
Result<std::optional<Position>> ReadPosition(Env* env, const std::string& path) {
  if (!env->FileExists(path)) return std::optional<Position>();
  VIGIA_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
  Position p;
  size_t start = 0;
  bool first = true;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    if (eol == std::string::npos) break;
    std::string line = text.substr(start, eol - start);
    start = eol + 1;
    size_t sp = line.find(' ');
    if (sp == std::string::npos) return Status::Corruption(path + ": malformed line " + line);
    if (first) {
      if (line.substr(0, sp) != kPositionMagic) return Status::Corruption(path + ": bad header");
      p.wal_seq = std::strtoull(line.c_str() + sp + 1, nullptr, 10);
      first = false;
      continue;
    }
    std::optional<std::string> tenant = ParseTenantDirName(line.substr(sp + 1));
    if (!tenant) return Status::Corruption(path + ": bad tenant in " + line);
    p.chain_seq[*tenant] = std::strtoull(line.c_str(), nullptr, 10);
  }
  if (first) return Status::Corruption(path + ": empty");
  return std::optional<Position>(std::move(p));
}

}  // namespace

AuditChainer::AuditChainer(AuditChainerOptions options)
    : options_(std::move(options)), env_(options_.env ? options_.env : Env::Default()) {}

AuditChainer::~AuditChainer() {
  Status st = Stop();
  if (!st.ok()) logger::Error("audit chainer: stop failed", {{"error", st.ToString()}});
}

Result<std::unique_ptr<AuditChainer>> AuditChainer::Start(AuditChainerOptions options) {
  if (options.store == nullptr || options.ledger == nullptr) {
    return Status::InvalidArgument("audit chainer needs a store and a ledger");
  }
  std::unique_ptr<AuditChainer> c(new AuditChainer(std::move(options)));
  // Attached first: every record written from now on is queued; those before are read back.
  Result<uint64_t> last = c->options_.store->AttachWalObserver(c.get());
  if (!last.ok()) {
    std::lock_guard<std::mutex> lock(c->mu_);
    c->stopped_ = true;  // never attached: nothing to stop
    return last.status();
  }
  Status st = [&]() -> Status {
    std::lock_guard<std::mutex> chain_lock(c->chain_mu_);
    {
      std::lock_guard<std::mutex> lock(c->mu_);
      c->written_seq_ = std::max(c->written_seq_, *last);
    }
    VIGIA_RETURN_IF_ERROR(c->CatchUp(*last));
    return c->Persist();
  }();
  if (!st.ok()) {
    (void)c->options_.store->AttachWalObserver(nullptr);
    std::lock_guard<std::mutex> lock(c->mu_);
    c->stopped_ = true;
    return st;
  }
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  return c;
}

Status AuditChainer::CatchUp(uint64_t last) {
  const std::string pos_path = options_.ledger->dir() + "/" + std::string(kChainedPositionFile);
  VIGIA_ASSIGN_OR_RETURN(std::optional<Position> pos, ReadPosition(env_, pos_path));
  uint64_t from = last;
  if (!pos) {
    // A ledger of a version that chained on the acknowledgement path (every acknowledged
    // event is in it), or a new one: nothing written before now is left to chain.
    logger::Info("audit chainer: no chained position yet; starting at the WAL's end",
                 {{"wal_seq", last}});
  } else if (pos->wal_seq > last) {
    // The WAL restarted below the position (every segment and part gone): nothing to re-read.
    logger::Warn("audit chainer: chained position is past the WAL's end; starting at its end",
                 {{"position", pos->wal_seq}, {"wal_seq", last}});
  } else {
    from = pos->wal_seq;
    for (const ChainHead& h : options_.ledger->Heads()) {
      auto it = pos->chain_seq.find(h.tenant);
      uint64_t at = it == pos->chain_seq.end() ? 0 : it->second;
      if (h.seq > at) {
        skip_[h.tenant] = h.seq - at;
      } else if (h.seq < at) {
        logger::Error("audit chainer: a chain is shorter than its chained position says",
                      {{"tenant", h.tenant}, {"head", h.seq}, {"position", at}});
      }
    }
  }
  uint64_t records = 0, skipped = 0;
  uint64_t skip_before = 0;
  for (const auto& [t, n] : skip_) skip_before += n;
  const uint64_t appended_before = options_.ledger->records_appended();
  VIGIA_RETURN_IF_ERROR(options_.store->ReadWal(
      from, last, [&](uint64_t seq, std::shared_ptr<const EventBatch> batch) -> Status {
        VIGIA_RETURN_IF_ERROR(
            options_.ledger->AppendAuditEvents("", *batch, skip_.empty() ? nullptr : &skip_));
        ++records;
        std::lock_guard<std::mutex> lock(mu_);
        chained_seq_ = seq;
        return Status::Ok();
      }));
  uint64_t skip_after = 0;
  for (const auto& [t, n] : skip_) skip_after += n;
  skipped = skip_before - skip_after;
  if (skip_after > 0) {
    // Expected after restoring a backup whose audit/ was copied while the chainer was ahead
    // of the backup's WAL (those records stay chained; docs/backup.md); otherwise the WAL
    // lost records that were chained.
    logger::Warn(
        "audit chainer: chains hold records the WAL after the position does not (after a "
        "restore: chained after the backup's WAL was taken)",
        {{"records", skip_after}});
  }
  skip_.clear();
  {
    std::lock_guard<std::mutex> lock(mu_);
    chained_seq_ = last;
    caught_up_records_ = records;
    skipped_events_ = skipped;
    chained_events_ += options_.ledger->records_appended() - appended_before;
  }
  if (pos) {
    logger::Info("audit chainer: caught up from the WAL", {{"from_wal_seq", from},
                                                           {"to_wal_seq", last},
                                                           {"records", records},
                                                           {"already_chained", skipped}});
  }
  return Status::Ok();
}

Status AuditChainer::Persist() {
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = chained_seq_;
  }
  persisted_at_ns_ = SteadyNanos();
  const std::string dir = options_.ledger->dir();
  const std::string path = dir + "/" + std::string(kChainedPositionFile);
  if (seq == persisted_seq_ && env_->FileExists(path)) return Status::Ok();
  // The records first: the position never names a record that is not durable.
  VIGIA_RETURN_IF_ERROR(options_.ledger->Sync());
  std::string text = std::string(kPositionMagic) + " " + std::to_string(seq) + "\n";
  for (const ChainHead& h : options_.ledger->Heads()) {
    auto it = skip_.find(h.tenant);
    uint64_t n = h.seq - (it == skip_.end() ? 0 : std::min(it->second, h.seq));
    text += std::to_string(n) + " " + TenantDirName(h.tenant) + "\n";
  }
  const std::string tmp = path + ".tmp";
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->NewWritableFile(tmp));
  VIGIA_RETURN_IF_ERROR(f->Append(text));
  VIGIA_RETURN_IF_ERROR(f->Sync());
  VIGIA_RETURN_IF_ERROR(f->Close());
  VIGIA_RETURN_IF_ERROR(env_->RenameFile(tmp, path));
  VIGIA_RETURN_IF_ERROR(env_->SyncDir(dir));
  persisted_seq_ = seq;
  released_seq_.store(seq, std::memory_order_release);
  return Status::Ok();
}

void AuditChainer::Written(uint64_t seq, const std::shared_ptr<const EventBatch>& batch,
                           const batch_codec::EncodedEvents& encoded) {
  // The WAL's bytes are valid during this call only: the audit events' bytes are taken out
  // of them now (a batch of audit events only: copied as they are; a mixed batch: each audit
  // event's bytes cut out, the others' not read), so the chain encodes nothing again.
  AuditBytes audit;
  Result<bool> any = AuditBytes::FromWal(*batch, encoded, &audit);
  std::shared_ptr<const AuditBytes> copy;
  if (!any.ok()) {
    // Not expected (they are the WAL's bytes of this batch): the ledger encodes the events.
    logger::Error("audit chainer: bug: the WAL's bytes of a batch do not cut",
                  {{"seq", seq}, {"error", any.status().ToString()}});
  } else if (*any) {
    copy = std::make_shared<const AuditBytes>(std::move(audit));
  }
  const bool has_audit = !any.ok() || *any;
  const uint64_t bytes = batch->MemoryUsage() + (copy ? copy->MemoryUsage() : 0);
  int64_t now = env_->MonotonicNanos();
  std::lock_guard<std::mutex> lock(mu_);
  written_seq_ = seq;
  queue_.push_back({seq, batch, has_audit, std::move(copy), now, bytes});
  queued_events_ += batch->size();
  queued_bytes_ += bytes;
  if (queue_.size() == 1) work_cv_.notify_one();
}

uint64_t AuditChainer::ReleasedSeq() const { return released_seq_.load(std::memory_order_acquire); }

bool AuditChainer::Release(uint64_t seq, int timeout_ms) {
  auto released = [&] { return released_seq_.load(std::memory_order_acquire) >= seq; };
  std::unique_lock<std::mutex> lock(mu_);
  if (released()) return true;
  release_wanted_ = std::max(release_wanted_, seq);
  work_cv_.notify_one();
  return done_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return released() || stopped_;
  }) && released();
}

void AuditChainer::Run() {
  // Named for top -H, perf and audit_bench (which reads this thread's CPU time).
  pthread_setname_np(pthread_self(), "vigia-audit");
  const int64_t interval_ns = int64_t{options_.sync_interval_ms} * 1'000'000;
  for (;;) {
    std::vector<Entry> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A Release waits for chained records not persisted yet: persist them now.
      auto ready = [&] {
        const uint64_t released = released_seq_.load(std::memory_order_acquire);
        return stop_ || !queue_.empty() || (release_wanted_ > released && chained_seq_ > released);
      };
      if (chained_seq_ > persisted_seq_) {
        // Something to persist: wake for it when the interval is up.
        work_cv_.wait_for(lock, std::chrono::nanoseconds(interval_ns), ready);
      } else {
        work_cv_.wait(lock, ready);
      }
      if (queue_.empty() && stop_) break;
      for (const Entry& e : queue_) {
        group.push_back(e);
        if (group.size() >= 256) break;
      }
    }
    std::lock_guard<std::mutex> chain_lock(chain_mu_);
    Status failed = Status::Ok();
    for (const Entry& e : group) {
      uint64_t chained = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        chained = chained_seq_;
      }
      // Read back by the catch-up already when at or below chained_seq_.
      uint64_t appended = 0;
      if (e.seq > chained && e.audit) {
        // skip_ is empty unless this batch failed before for a later tenant: then it holds
        // the events of the tenants written already, passed over now.
        const uint64_t before = options_.ledger->records_appended();
        Status st = options_.ledger->AppendAuditEvents(
            "", *e.batch, &skip_,
            e.audit_bytes ? e.audit_bytes->view() : batch_codec::EncodedEvents{});
        appended = options_.ledger->records_appended() - before;
        if (!st.ok()) {
          failed = st;
          std::lock_guard<std::mutex> lock(mu_);
          chained_events_ += appended;  // the tenants written before the failing one
          break;
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      chained_events_ += appended;
      chained_seq_ = std::max(chained_seq_, e.seq);
      queue_.pop_front();
      queued_events_ -= e.batch->size();
      queued_bytes_ -= e.bytes;
      error_ = Status::Ok();
      done_cv_.notify_all();
    }
    if (!failed.ok()) {
      logger::Error(
          "audit chainer: ledger append failed; retrying in 1 s (the WAL keeps the "
          "events)",
          {{"error", failed.ToString()}});
      std::unique_lock<std::mutex> lock(mu_);
      RecordFailure(failed);
      if (stop_) break;  // Stop: the next start catches up from the WAL
      work_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
      continue;
    }
    bool wanted = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted = release_wanted_ > persisted_seq_ && chained_seq_ > persisted_seq_;
    }
    if (options_.sync_each_group || wanted || SteadyNanos() - persisted_at_ns_ >= interval_ns) {
      Status st = Persist();
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.notify_all();  // ReleasedSeq moved (Release waits for it)
      if (!st.ok()) {
        logger::Error("audit chainer: could not persist the chained position",
                      {{"error", st.ToString()}});
        RecordFailure(st);
        // Not at once again for a waiting Release: the next try in 1 s, like an append.
        if (!stop_) work_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
      }
    }
  }
}

Status AuditChainer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return Status::Ok();
    stopped_ = true;
    stop_ = true;
    done_cv_.notify_all();  // a waiting Release gives up
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Status st;
  {
    std::lock_guard<std::mutex> chain_lock(chain_mu_);
    st = Persist();
  }
  // The store keeps the WAL from the last persisted position on.
  (void)options_.store->AttachWalObserver(nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_cv_.notify_all();
  }
  return st;
}

bool AuditChainer::WaitChained(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = written_seq_;
  return done_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return chained_seq_ >= target || stopped_;
  }) && chained_seq_ >= target;
}

Status AuditChainer::Admit() {
  std::unique_lock<std::mutex> lock(mu_);
  if (queued_bytes_ <= options_.max_lag_bytes) return Status::Ok();
  bool ok = done_cv_.wait_for(lock, std::chrono::milliseconds(options_.stall_max_ms),
                              [&] { return queued_bytes_ <= options_.max_lag_bytes || stopped_; });
  if (ok && !stopped_) return Status::Ok();
  return Status::Unavailable("the audit chain is behind by " + std::to_string(queue_.size()) +
                             " batches (" + std::to_string(queued_bytes_) + " bytes); retry later");
}

void AuditChainer::RecordFailure(const Status& st) {
  error_ = st;
  last_error_ = st.ToString();
  ++failures_;
}

AuditChainLag AuditChainer::lag() const {
  const int64_t now = env_->MonotonicNanos();
  std::lock_guard<std::mutex> lock(mu_);
  AuditChainLag l;
  l.batches = queue_.size();
  l.events = queued_events_;
  l.bytes = queued_bytes_;
  l.written_seq = written_seq_;
  l.chained_seq = chained_seq_;
  l.durable_seq = released_seq_.load(std::memory_order_acquire);
  l.caught_up_records = caught_up_records_;
  l.skipped_events = skipped_events_;
  l.behind_ns = queue_.empty() ? 0 : std::max<int64_t>(0, now - queue_.front().written_ns);
  l.chained_events = chained_events_;
  l.failures = failures_;
  if (!error_.ok()) l.error = error_.ToString();
  l.last_error = last_error_;
  return l;
}

Status AuditChainer::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace vigia::audit
