#include "alerting/notify_outbox.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <random>

#include "alerting/alerting_names.h"
#include "alerting/checksummed_file.h"
#include "alerting/http_send.h"
#include "common/logger.h"

namespace vigia {
namespace {

// How long Alertmanager keeps a firing alert that is not re-sent (Prometheus uses 4 × its
// resend delay of 1 m): vigia re-sends every minute (notify_dispatcher.h).
constexpr int64_t kAlertmanagerFiringTtlNs = 4LL * 60 * 1'000'000'000;

}  // namespace

NotifyOutbox::NotifyOutbox(NotifyOutboxOptions options)
    : options_(std::move(options)), config_(options_.config) {
  BuildWorkers();
  if (options_.metrics != nullptr) {
    options_.metrics->AddCollector([this] {
      for (const ReceiverDeliveryStats& s : Stats()) {
        options_.metrics
            ->GetGauge("vigia_alerts_outbox_queued", "Notifications waiting in the outbox",
                       {"receiver"}, {s.receiver})
            ->Set(static_cast<double>(s.queued));
      }
    });
  }
}

void NotifyOutbox::BuildWorkers() {
  for (const ReceiverConfig& r : config_->receivers) {
    auto w = std::make_unique<Worker>();
    w->receiver = &r;
    w->stats.receiver = r.name;
    if (options_.metrics != nullptr) {
      const char* name = "vigia_alerts_notifications_total";
      const char* help =
          "Notification deliveries by receiver and result (delivered, failed "
          "attempt, dropped)";
      w->delivered =
          options_.metrics->GetCounter(name, help, {"receiver", "result"}, {r.name, "delivered"});
      w->failed =
          options_.metrics->GetCounter(name, help, {"receiver", "result"}, {r.name, "failed"});
      w->dropped =
          options_.metrics->GetCounter(name, help, {"receiver", "result"}, {r.name, "dropped"});
    }
    workers_[r.name] = std::move(w);
  }
}

NotifyOutbox::~NotifyOutbox() { Stop(); }

std::string NotifyOutbox::PathOf(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016" PRIx64, seq);
  return JoinPath(options_.dir, std::string(name) + std::string(alerting_names::kOutboxSuffix));
}

void NotifyOutbox::Remove(uint64_t seq) {
  Status st = options_.env->RemoveFile(PathOf(seq));
  if (!st.ok()) logger::Warn("outbox entry not removed", {{"error", st.ToString()}});
}

Status NotifyOutbox::Start() {
  VIGIA_RETURN_IF_ERROR(options_.env->CreateDir(options_.dir));
  VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> names, options_.env->ListDir(options_.dir));
  std::lock_guard lock(mu_);
  stop_ = false;
  for (const std::string& name : names) {
    if (!name.ends_with(alerting_names::kOutboxSuffix)) continue;  // temp files of a crash
    uint64_t seq = 0;
    if (std::sscanf(name.c_str(), "%" SCNx64, &seq) != 1) continue;
    next_seq_ = std::max(next_seq_, seq + 1);
    Result<std::string> body = ReadChecksummedFile(options_.env, PathOf(seq));
    Result<Notification> n =
        body.ok() ? DecodeNotification(*body) : Result<Notification>(body.status());
    if (!n.ok()) {
      logger::Error("outbox entry unreadable, dropped",
                    {{"file", name}, {"error", n.status().ToString()}});
      Remove(seq);
      continue;
    }
    auto w = workers_.find(n->receiver);
    if (w == workers_.end()) {
      logger::Warn("outbox entry for a receiver no longer configured, dropped",
                   {{"receiver", n->receiver}});
      Remove(seq);
      continue;
    }
    Entry e;
    e.seq = seq;
    e.n = std::move(*n);
    e.next_attempt = std::chrono::steady_clock::now();
    w->second->queue.push_back(std::move(e));
    ++total_queued_;
  }
  started_ = true;
  for (auto& [name, w] : workers_) {
    Worker* wp = w.get();
    w->thread = std::thread([this, wp] { Run(wp); });
  }
  return Status::Ok();
}

void NotifyOutbox::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    started_ = false;
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& [name, w] : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

Status NotifyOutbox::Reconfigure(const NotifyConfig* config) {
  Stop();
  {
    std::lock_guard lock(mu_);
    // Stop joined every worker: nothing else touches the workers now. Queues are rebuilt
    // from the files, which hold everything not yet delivered.
    workers_.clear();
    total_queued_ = 0;
    config_ = config;
    BuildWorkers();
  }
  return Start();
}

Status NotifyOutbox::Enqueue(const Notification& n) {
  std::unique_lock lock(mu_);
  auto w = workers_.find(n.receiver);
  if (w == workers_.end()) return Status::InvalidArgument("unknown receiver " + n.receiver);
  if (total_queued_ >= limits::kMaxOutboxEntries) {
    if (w->second->dropped != nullptr) w->second->dropped->Inc();
    ++w->second->stats.dropped;
    return Status::ResourceExhausted("notification outbox full");
  }
  const uint64_t seq = next_seq_++;
  lock.unlock();
  // Durable before it counts as accepted: a crash after this point still delivers it.
  VIGIA_RETURN_IF_ERROR(WriteChecksummedFile(options_.env, PathOf(seq), EncodeNotification(n)));
  lock.lock();
  Entry e;
  e.seq = seq;
  e.n = n;
  e.next_attempt = std::chrono::steady_clock::now();
  w->second->queue.push_back(std::move(e));
  ++total_queued_;
  cv_.notify_all();
  return Status::Ok();
}

std::vector<ReceiverDeliveryStats> NotifyOutbox::Stats() const {
  std::lock_guard lock(mu_);
  std::vector<ReceiverDeliveryStats> out;
  for (const auto& [name, w] : workers_) {
    ReceiverDeliveryStats s = w->stats;
    s.queued = w->queue.size();
    out.push_back(std::move(s));
  }
  return out;
}

void NotifyOutbox::Run(Worker* w) {
  std::mt19937_64 rng{std::random_device{}()};
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (w->queue.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (w->queue.front().next_attempt > now) {
      cv_.wait_until(lock, w->queue.front().next_attempt);
      continue;
    }
    Entry e = w->queue.front();  // a copy: Enqueue may grow the deque meanwhile
    lock.unlock();
    bool retry = false;
    const auto started = std::chrono::steady_clock::now();
    Status st = Deliver(*w->receiver, e.n, &retry);
    const double took_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    const bool too_old = options_.env->NowNanos() - e.n.created_ns > options_.max_age_ns;
    if (st.ok() || !retry || too_old) Remove(e.seq);
    lock.lock();
    Entry& head = w->queue.front();
    if (st.ok()) {
      ++w->stats.delivered;
      if (w->delivered != nullptr) w->delivered->Inc();
      logger::Debug("notification delivered", {{"receiver", w->receiver->name}, {"ms", took_ms}});
    } else {
      ++w->stats.failed_attempts;
      w->stats.last_error = st.ToString();
      if (w->failed != nullptr) w->failed->Inc();
      logger::Warn("notification delivery failed", {{"receiver", w->receiver->name},
                                                    {"attempt", head.attempts + 1},
                                                    {"error", w->stats.last_error},
                                                    {"ms", took_ms}});
    }
    if (st.ok() || !retry || too_old) {
      if (!st.ok()) {
        ++w->stats.dropped;
        if (w->dropped != nullptr) w->dropped->Inc();
      }
      w->queue.pop_front();
      --total_queued_;
      continue;
    }
    ++head.attempts;
    int64_t delay = options_.retry_base_ns;
    for (int i = 1; i < head.attempts && delay < options_.retry_max_ns; ++i) delay *= 2;
    delay = std::min(delay, options_.retry_max_ns);
    // ±50 % so receivers that come back are not hit by every sender at once.
    double jitter = 0.5 + std::uniform_real_distribution<double>(0, 1)(rng);
    head.next_attempt = std::chrono::steady_clock::now() +
                        std::chrono::nanoseconds(static_cast<int64_t>(delay * jitter));
  }
}

Status NotifyOutbox::Deliver(const ReceiverConfig& r, const Notification& n, bool* retry) {
  *retry = true;
  HttpSendRequest req;
  req.timeout_ms = r.timeout_ms > 0 ? r.timeout_ms : limits::kNotifyTimeoutMs;
  req.cancel = &stop_;
  req.headers.push_back({"Content-Type", "application/json"});
  switch (r.kind) {
    case ReceiverKind::kLog:
      if (options_.log_sink) options_.log_sink(n);
      return Status::Ok();
    case ReceiverKind::kWebhook:
      req.url = r.url;
      req.body = WebhookPayload(n);
      if (!r.secret.empty()) {
        req.headers.push_back({"X-Vigia-Signature", "sha256=" + HmacSha256Hex(r.secret, req.body)});
      }
      break;
    case ReceiverKind::kSlack:
      req.url = r.url;
      req.body = SlackPayload(n);
      break;
    case ReceiverKind::kAlertmanager: {
      std::string base = r.url;
      while (!base.empty() && base.back() == '/') base.pop_back();
      req.url = base + "/api/v2/alerts";
      req.body = AlertmanagerPayload(n, options_.env->NowNanos(), kAlertmanagerFiringTtlNs);
      break;
    }
  }
  Result<HttpSendResult> res = HttpSend(req);
  if (!res.ok()) return res.status();
  if (res->status >= 200 && res->status < 300) return Status::Ok();
  // A refusal of the request itself will not change on retry; throttling and server errors may.
  if (res->status >= 400 && res->status < 500 && res->status != 408 && res->status != 429) {
    *retry = false;
  }
  return Status::Unavailable(r.name + ": HTTP " + std::to_string(res->status) + ": " +
                             res->body.substr(0, 200));
}

}  // namespace vigia
