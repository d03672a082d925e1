// TrafficStats: live statistics of the watched applications' traffic (seed 003) —
// GET /v1/stats/traffic?window=15m: requests, unique client IPs (HyperLogLog, ~1.6 %
// error), top endpoints, status classes, browser / OS / device shares, the bot share and
// performance classes over the last minutes.
//
// Kept as one-minute buckets per tenant of the last limits::kTrafficMaxWindowMinutes
// minutes, updated from every stored kind=request event (an IngestPipeline observer, like
// the RED metrics), so an answer merges at most 60 small buckets and takes microseconds
// whatever the store holds; at start the server refills the buckets from the store
// (Backfill over the same window), so the numbers survive a restart. Label values are
// bounded per bucket (limits::kTrafficMaxKeys each for endpoints, browsers, OS, devices);
// later ones count as "other". Events older than the ring (or from the future by more than a
// minute) are not counted: they are history, a VQL query's job.
//
// Thread-safety: thread-safe (one mutex; Observe holds it once per batch).

#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/json_writer.h"
#include "event/event.h"
#include "monitor/hyper_log_log.h"
#include "query/tenant_scope.h"

namespace vigia {

// One request as the statistics see it.
struct TrafficRequest {
  int64_t ts_ns = 0;
  std::string_view tenant;
  std::string_view ip;
  std::string_view method;
  std::string_view route;  // the template; the concrete path when there is none
  int64_t status = 0;
  std::string_view browser;
  std::string_view os;
  std::string_view device;
  std::string_view perf_class;
};

// The request `e` of `batch` as the statistics see it, each field at its first occurrence;
// false when `e` is not a kind=request event.
bool RequestOf(const EventBatch& batch, const EventBatch::EventRef& e, TrafficRequest* r);

struct TrafficCount {
  std::string name;
  uint64_t requests = 0;
};

struct TrafficSummary {
  int64_t from_ns = 0;  // first minute counted
  int64_t to_ns = 0;    // end of the last minute counted
  uint64_t requests = 0;
  uint64_t unique_ips = 0;              // estimate
  std::vector<TrafficCount> endpoints;  // "POST /sales/{id}/pay", most requests first
  uint64_t status_classes[6] = {};      // 1xx..5xx, then other (none or out of range)
  std::vector<TrafficCount> browsers, os, devices, perf_classes;  // most first
  uint64_t bots = 0;                                              // device "bot"
};

class TrafficStats {
 public:
  // REQUIRES: env outlives the statistics (its clock places the ring).
  explicit TrafficStats(Env* env);
  ~TrafficStats();

  // Counts the kind=request events of a stored batch.
  void Observe(const EventBatch& batch);
  // Counts one request; `now_ns` decides which minutes the ring holds.
  void Add(const TrafficRequest& r, int64_t now_ns);
  // The start-up refill's aggregated rows (monitor/traffic_refill.h): `n` requests of the
  // minute holding `ts_ns`, one dimension at a time. Together they count exactly what Add
  // counts for each of those requests: AddRequests the requests, AddEndpoint their endpoint
  // (`target`: the route, or the path when there is none), AddStatus their status class,
  // AddClients their user-agent fields and performance class, AddIp one client IP (unique IPs
  // are a HyperLogLog: adding an IP again changes nothing).
  void AddRequests(int64_t ts_ns, std::string_view tenant, uint64_t n, int64_t now_ns);
  void AddEndpoint(int64_t ts_ns, std::string_view tenant, std::string_view method,
                   std::string_view target, uint64_t n, int64_t now_ns);
  void AddStatus(int64_t ts_ns, std::string_view tenant, int64_t status, uint64_t n,
                 int64_t now_ns);
  void AddClients(int64_t ts_ns, std::string_view tenant, const TrafficRequest& ua, uint64_t n,
                  int64_t now_ns);
  void AddIp(int64_t ts_ns, std::string_view tenant, std::string_view ip, int64_t now_ns);

  // The last `window_ns` (rounded up to whole minutes, at most the ring) before now.
  TrafficSummary Summarize(int64_t window_ns, int64_t now_ns, const TenantScope& scope,
                           size_t top_n) const;

 private:
  struct Bucket;
  struct Tenant;

  Bucket* BucketFor(std::string_view tenant, int64_t ts_ns, int64_t now_ns);  // mu_ held
  void AddLocked(const TrafficRequest& r, int64_t now_ns);                    // mu_ held
  // Each counts one dimension of `n` requests in *b (mu_ held).
  static void CountEndpoint(Bucket* b, std::string_view method, std::string_view target,
                            uint64_t n);
  static void CountClients(Bucket* b, const TrafficRequest& ua, uint64_t n);

  Env* const env_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Tenant>, std::less<>> tenants_;  // guarded by mu_
  int64_t clock_ns_ = 0;  // the latest now seen (events never move the ring back)
};

// A status field's value as a number: an int as is, a float truncated, a text of digits
// ("503") parsed; anything else 0 (counted as "other").
int64_t TrafficStatusOf(ValueType type, int64_t i, double f, std::string_view s);

// {"window", "from", "to", "requests", "requests_per_second", "unique_ips",
// "unique_ips_error", "top_endpoints": [{"endpoint", "requests", "share"}], "status_classes":
// {"1xx"...,"5xx","other"}, "browsers"/"os"/"devices": [{"name","requests","share"}],
// "bots": {"requests","share"}, "performance": [{"name","requests","share"}], "refilling"}.
// `refilling`: the start-up refill from the store is still running (the numbers may be low).
void WriteTrafficJson(JsonWriter* w, const TrafficSummary& s, int64_t window_ns,
                      bool refilling = false);

}  // namespace vigia
