#include "server/syslog_batcher.h"

#include "common/logger.h"
#include "ingest/ingest_pipeline.h"
#include "server/ingest_metrics.h"

namespace vigia {
namespace {

constexpr std::string_view kSyslogProtocol = "syslog";

}  // namespace

SyslogBatcher::SyslogBatcher(const SyslogOptions& o, ServerContext* ctx)
    : options_(o), ctx_(ctx), protocol_(FindIngestProtocol(kSyslogProtocol)) {}

void SyslogBatcher::Add(std::string_view msg, size_t wire_bytes) {
  std::lock_guard lock(mu_);
  AddLocked(msg, wire_bytes);
}

bool SyslogBatcher::TryAdd(std::string_view msg, size_t wire_bytes) {
  std::lock_guard lock(mu_);
  if (pending_.size() >= options_.max_pending_bytes) return false;
  AddLocked(msg, wire_bytes);
  return true;
}

void SyslogBatcher::CountTooLong(size_t wire_bytes) {
  std::lock_guard lock(mu_);
  ++too_long_;
  wire_ += wire_bytes;
  if (count_ == 0 && too_long_ == 1) first_ = std::chrono::steady_clock::now();
  cv_.notify_one();
}

bool SyslogBatcher::ParkIfFull(std::function<void()> resume) {
  std::lock_guard lock(mu_);
  if (pending_.size() < options_.max_pending_bytes) return false;
  parked_.push_back(std::move(resume));
  return true;
}

void SyslogBatcher::Run() {
  std::unique_lock lock(mu_);
  std::string body;
  while (true) {
    if (count_ == 0 && too_long_ == 0) {
      if (stopping_) break;
      cv_.wait(lock);
      continue;
    }
    if (!BatchReady()) {
      const auto deadline = first_ + std::chrono::milliseconds(options_.batch_delay_ms);
      cv_.wait_until(lock, deadline, [&] { return BatchReady(); });
      if (!BatchReady() && std::chrono::steady_clock::now() < deadline) continue;
    }
    body.clear();
    body.swap(pending_);
    const uint64_t wire = wire_;
    const uint64_t too_long = too_long_;
    count_ = too_long_ = wire_ = 0;
    std::vector<std::function<void()>> resume;
    resume.swap(parked_);
    lock.unlock();
    Flush(body, wire, too_long);
    for (auto& r : resume) r();
    lock.lock();
  }
}

void SyslogBatcher::Stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_one();
}

bool SyslogBatcher::BatchReady() const {
  return stopping_ || count_ >= options_.batch_messages ||
         pending_.size() >= options_.max_pending_bytes;
}

void SyslogBatcher::AddLocked(std::string_view msg, size_t wire_bytes) {
  const bool first = count_ == 0 && too_long_ == 0;
  if (first) first_ = std::chrono::steady_clock::now();
  pending_.append(std::to_string(msg.size())).append(" ").append(msg);
  wire_ += wire_bytes;
  ++count_;
  // The first message starts the flusher's deadline; a full batch ends it early.
  if (first || count_ == options_.batch_messages || pending_.size() >= options_.max_pending_bytes) {
    cv_.notify_one();
  }
}

void SyslogBatcher::Flush(const std::string& body, uint64_t wire, uint64_t too_long) {
  IngestRequest req;
  req.body = body;
  req.content_type = "application/x-syslog";
  // Syslog carries no key: each event's own `tenant` field (JSON messages) or the default.
  req.tenant = TenantBinding::FromEvents();
  req.receive_ts_ns = ctx_->env->NowNanos();
  Result<DecodeResult> r =
      body.empty() ? Result<DecodeResult>(DecodeResult{}) : ctx_->ingest->Ingest(*protocol_, req);
  if (!r.ok()) {
    ctx_->ingest_metrics->RecordFailure(kSyslogProtocol, wire, IngestOutcome::kUnavailable);
    logger::Warn("syslog batch not stored", {{"error", r.status().ToString()}});
    return;
  }
  DecodeResult result = std::move(*r);
  result.rejected += too_long;
  ctx_->ingest_metrics->Record(kSyslogProtocol, wire, result);
  if (!result.errors.empty()) {
    logger::Debug("syslog messages refused", {{"rejected", static_cast<int64_t>(result.rejected)},
                                              {"first", result.errors[0].error}});
  }
}

}  // namespace vigia
