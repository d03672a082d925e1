// RateLimiter: per-API-key and per-client-IP request rate limits (token buckets), enforced by
// the Router before every non-public route (router.h), so no route can forget them:
//
//   per IP   every request to a non-public route, before its key is checked (so it also
//            bounds key guessing): ip_per_sec / ip_burst
//   per key  after authentication, by the route's Access: ingest routes draw on the key's
//            ingest bucket, read and admin routes on its query bucket
//
// A bucket holds up to `burst` tokens and refills at `per_sec`; a request takes one. An empty
// bucket means 429 `rate_limited` with Retry-After (whole seconds until a token is back),
// counted in vigia_rate_limited_total{limit="ip"|"key_ingest"|"key_query"}. A limit of 0 is
// off. Buckets are kept per key id / address up to max_buckets each; idle (full) ones are
// dropped first, then new clients share an overflow bucket.
//
// Thread-safety: thread-safe (one mutex per limit; a request holds it for a map lookup).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.h"
#include "common/limits.h"
#include "common/metric_registry.h"

namespace vigia {

// [rate_limit]
struct RateLimitOptions {
  int key_ingest_per_sec = limits::kKeyIngestRequestsPerSec;
  int key_ingest_burst = limits::kKeyIngestBurst;
  int key_query_per_sec = limits::kKeyQueryRequestsPerSec;
  int key_query_burst = limits::kKeyQueryBurst;
  int ip_per_sec = limits::kIpRequestsPerSec;
  int ip_burst = limits::kIpBurst;
  size_t max_buckets = limits::kMaxRateLimitBuckets;
};

// One limit: a token bucket per client name.
class TokenBuckets {
 public:
  // `per_sec` 0: every request passes. REQUIRES: burst >= 1 when per_sec > 0.
  TokenBuckets(int per_sec, int burst, size_t max_buckets);

  // 0 when `client` may send a request now (one token taken), else the seconds (>= 1) until
  // it may: the Retry-After.
  int Take(std::string_view client, int64_t now_ns);
  size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_ns = 0;
  };
  // Makes room for one more bucket; false when none could be dropped.
  bool Evict(int64_t now_ns);
  int TakeFrom(Bucket* b, int64_t now_ns) const;

  const double per_sec_;
  const double burst_;
  const size_t max_buckets_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  Bucket overflow_;
  bool overflow_started_ = false;
  // Eviction scans every bucket: at most once a second, so a flood of new addresses cannot
  // make each request pay for a scan.
  int64_t last_evict_ns_ = 0;
  bool evicted_once_ = false;
};

class RateLimiter {
 public:
  // `metrics` may be null (no counters). `now_ns`: a monotonic clock; empty = steady_clock.
  RateLimiter(const RateLimitOptions& options, MetricRegistry* metrics,
              std::function<int64_t()> now_ns = {});

  // 0 when a request from address `ip` may proceed, else its Retry-After (and counted).
  int AdmitIp(std::string_view ip);
  // 0 when key `key_id` may run a route requiring `access`, else its Retry-After (and
  // counted). kPublic routes always pass.
  int AdmitKey(std::string_view key_id, Access access);

 private:
  int64_t Now() const;

  std::function<int64_t()> now_ns_;
  TokenBuckets ip_;
  TokenBuckets key_ingest_;
  TokenBuckets key_query_;
  Counter* ip_limited_ = nullptr;
  Counter* key_ingest_limited_ = nullptr;
  Counter* key_query_limited_ = nullptr;
};

}  // namespace vigia
