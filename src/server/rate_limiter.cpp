#include "server/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace vigia {

TokenBuckets::TokenBuckets(int per_sec, int burst, size_t max_buckets)
    : per_sec_(per_sec),
      burst_(std::max(burst, 1)),
      max_buckets_(std::max<size_t>(max_buckets, 1)) {}

int TokenBuckets::TakeFrom(Bucket* b, int64_t now_ns) const {
  double elapsed_sec = static_cast<double>(std::max<int64_t>(now_ns - b->last_ns, 0)) / 1e9;
  b->tokens = std::min(burst_, b->tokens + elapsed_sec * per_sec_);
  b->last_ns = now_ns;
  if (b->tokens >= 1.0) {
    b->tokens -= 1.0;
    return 0;
  }
  // Whole seconds until the next token; at least 1 (Retry-After has second resolution).
  return std::max(1, static_cast<int>(std::ceil((1.0 - b->tokens) / per_sec_)));
}

bool TokenBuckets::Evict(int64_t now_ns) {
  // A bucket that has refilled completely is indistinguishable from a new one.
  const double full_after_sec = burst_ / per_sec_;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double idle_sec = static_cast<double>(now_ns - it->second.last_ns) / 1e9;
    if (idle_sec >= full_after_sec) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  return buckets_.size() < max_buckets_;
}

int TokenBuckets::Take(std::string_view client, int64_t now_ns) {
  if (per_sec_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(client));
  if (it == buckets_.end()) {
    bool room = buckets_.size() < max_buckets_;
    if (!room && (!evicted_once_ || now_ns - last_evict_ns_ >= 1'000'000'000)) {
      evicted_once_ = true;
      last_evict_ns_ = now_ns;
      room = Evict(now_ns);
    }
    if (!room) {
      // Every bucket is busy: new clients share one, so memory stays bounded.
      if (!overflow_started_) {
        overflow_ = Bucket{burst_, now_ns};
        overflow_started_ = true;
      }
      return TakeFrom(&overflow_, now_ns);
    }
    it = buckets_.emplace(std::string(client), Bucket{burst_, now_ns}).first;
  }
  return TakeFrom(&it->second, now_ns);
}

size_t TokenBuckets::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

RateLimiter::RateLimiter(const RateLimitOptions& o, MetricRegistry* metrics,
                         std::function<int64_t()> now_ns)
    : now_ns_(std::move(now_ns)),
      ip_(o.ip_per_sec, o.ip_burst, o.max_buckets),
      key_ingest_(o.key_ingest_per_sec, o.key_ingest_burst, o.max_buckets),
      key_query_(o.key_query_per_sec, o.key_query_burst, o.max_buckets) {
  if (metrics == nullptr) return;
  const char* help = "Requests refused with 429 by a rate limit ([rate_limit], [query])";
  ip_limited_ = metrics->GetCounter("vigia_rate_limited_total", help, {"limit"}, {"ip"});
  key_ingest_limited_ =
      metrics->GetCounter("vigia_rate_limited_total", help, {"limit"}, {"key_ingest"});
  key_query_limited_ =
      metrics->GetCounter("vigia_rate_limited_total", help, {"limit"}, {"key_query"});
}

int64_t RateLimiter::Now() const {
  if (now_ns_) return now_ns_();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int RateLimiter::AdmitIp(std::string_view ip) {
  int wait = ip_.Take(ip, Now());
  if (wait > 0 && ip_limited_ != nullptr) ip_limited_->Inc();
  return wait;
}

int RateLimiter::AdmitKey(std::string_view key_id, Access access) {
  TokenBuckets* buckets = nullptr;
  Counter* counter = nullptr;
  switch (access) {
    case Access::kPublic:
      return 0;
    case Access::kIngest:
      buckets = &key_ingest_;
      counter = key_ingest_limited_;
      break;
    case Access::kRead:
    case Access::kAdmin:
      buckets = &key_query_;
      counter = key_query_limited_;
      break;
  }
  int wait = buckets->Take(key_id, Now());
  if (wait > 0 && counter != nullptr) counter->Inc();
  return wait;
}

}  // namespace vigia
