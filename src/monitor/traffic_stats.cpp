#include "monitor/traffic_stats.h"

#include <algorithm>
#include <unordered_map>

#include "common/limits.h"
#include "event/event_fields.h"
#include "event/field_picker.h"

namespace vigia {
namespace {

constexpr int64_t kMinuteNs = int64_t{60} * 1'000'000'000;
constexpr int64_t kRingMinutes = static_cast<int64_t>(limits::kTrafficMaxWindowMinutes);
constexpr std::string_view kOther = "other";
constexpr std::string_view kNone = "none";

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using CountMap = std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>>;

// +n for `key`, or for "other" once the map holds limits::kTrafficMaxKeys keys.
void Bump(CountMap* m, std::string_view key, uint64_t n) {
  if (key.empty()) key = kNone;
  if (auto it = m->find(key); it != m->end()) {
    it->second += n;
  } else if (m->size() < limits::kTrafficMaxKeys) {
    m->emplace(std::string(key), n);
  } else {
    (*m)[std::string(kOther)] += n;
  }
}

size_t StatusClass(int64_t status) {
  const int64_t cls = status / 100;
  return cls >= 1 && cls <= 5 ? static_cast<size_t>(cls - 1) : 5;
}

std::string_view StringOf(const Value* v) {
  if (v == nullptr || v->type != ValueType::kString) return {};
  return v->s;
}

std::vector<TrafficCount> Top(const CountMap& m, size_t n) {
  std::vector<TrafficCount> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) out.push_back({k, v});
  std::sort(out.begin(), out.end(), [](const TrafficCount& a, const TrafficCount& b) {
    return a.requests != b.requests ? a.requests > b.requests : a.name < b.name;
  });
  if (n > 0 && out.size() > n) out.resize(n);
  return out;
}

}  // namespace

struct TrafficStats::Bucket {
  int64_t minute = -1;  // ts / 1 min; -1 = empty
  uint64_t requests = 0;
  HyperLogLog ips;
  CountMap endpoints, browsers, os, devices, perf;
  uint64_t status[6] = {};
  uint64_t bots = 0;

  void Reset(int64_t m) { *this = Bucket(), minute = m; }
};

struct TrafficStats::Tenant {
  std::vector<Bucket> ring = std::vector<Bucket>(kRingMinutes);
};

TrafficStats::TrafficStats(Env* env) : env_(env) {}
TrafficStats::~TrafficStats() = default;

TrafficStats::Bucket* TrafficStats::BucketFor(std::string_view tenant, int64_t ts_ns,
                                              int64_t now_ns) {
  clock_ns_ = std::max(clock_ns_, now_ns);
  const int64_t now_minute = clock_ns_ / kMinuteNs;
  const int64_t minute = ts_ns / kMinuteNs;
  // The ring holds the last kRingMinutes minutes; one minute ahead is tolerated (clients'
  // clocks drift), further is not live traffic.
  if (minute <= now_minute - kRingMinutes || minute > now_minute + 1) return nullptr;
  auto it = tenants_.find(tenant);
  if (it == tenants_.end()) {
    if (tenants_.size() >= limits::kTrafficMaxTenants) return nullptr;
    it = tenants_.emplace(std::string(tenant), std::make_unique<Tenant>()).first;
  }
  Bucket& b = it->second->ring[static_cast<size_t>(minute % kRingMinutes)];
  if (b.minute != minute) {
    if (b.minute > minute) return nullptr;  // the slot already holds a later minute
    b.Reset(minute);
  }
  return &b;
}

void TrafficStats::Add(const TrafficRequest& r, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(r, now_ns);
}

void TrafficStats::CountEndpoint(Bucket* b, std::string_view method, std::string_view target,
                                 uint64_t n) {
  // Reused: a route template is longer than the short-string buffer, and a fresh string per
  // request was a malloc and a free per event.
  thread_local std::string endpoint;
  endpoint.clear();
  endpoint.append(method.empty() ? kNone : method).append(" ");
  endpoint.append(target.empty() ? kNone : target);
  Bump(&b->endpoints, endpoint, n);
}

void TrafficStats::CountClients(Bucket* b, const TrafficRequest& ua, uint64_t n) {
  Bump(&b->browsers, ua.browser, n);
  Bump(&b->os, ua.os, n);
  Bump(&b->devices, ua.device, n);
  Bump(&b->perf, ua.perf_class, n);
  if (ua.device == "bot") b->bots += n;
}

void TrafficStats::AddLocked(const TrafficRequest& r, int64_t now_ns) {
  Bucket* b = BucketFor(r.tenant, r.ts_ns, now_ns);
  if (b == nullptr) return;
  ++b->requests;
  if (!r.ip.empty()) b->ips.Add(r.ip);
  CountEndpoint(b, r.method, r.route, 1);
  ++b->status[StatusClass(r.status)];
  CountClients(b, r, 1);
}

void TrafficStats::AddRequests(int64_t ts_ns, std::string_view tenant, uint64_t n, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Bucket* b = BucketFor(tenant, ts_ns, now_ns)) b->requests += n;
}

void TrafficStats::AddEndpoint(int64_t ts_ns, std::string_view tenant, std::string_view method,
                               std::string_view target, uint64_t n, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Bucket* b = BucketFor(tenant, ts_ns, now_ns)) CountEndpoint(b, method, target, n);
}

void TrafficStats::AddStatus(int64_t ts_ns, std::string_view tenant, int64_t status, uint64_t n,
                             int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Bucket* b = BucketFor(tenant, ts_ns, now_ns)) b->status[StatusClass(status)] += n;
}

void TrafficStats::AddClients(int64_t ts_ns, std::string_view tenant, const TrafficRequest& ua,
                              uint64_t n, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Bucket* b = BucketFor(tenant, ts_ns, now_ns)) CountClients(b, ua, n);
}

void TrafficStats::AddIp(int64_t ts_ns, std::string_view tenant, std::string_view ip,
                         int64_t now_ns) {
  if (ip.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (Bucket* b = BucketFor(tenant, ts_ns, now_ns)) b->ips.Add(ip);
}

void TrafficStats::Observe(const EventBatch& batch) {
  const int64_t now = env_->NowNanos();
  std::lock_guard<std::mutex> lock(mu_);
  for (const EventBatch::EventRef& e : batch.events()) {
    TrafficRequest r;
    if (!RequestOf(batch, e, &r)) continue;
    AddLocked(r, now);
  }
}

bool RequestOf(const EventBatch& batch, const EventBatch::EventRef& e, TrafficRequest* r) {
  // One pass over the event's fields (eleven EventBatch::Find scans per request event were
  // most of Observe's time).
  enum { kKind, kTenant, kIp, kMethod, kRoute, kPath, kStatus, kBrowser, kOs, kDevice, kPerf };
  static constexpr FieldPicker<11> kPicker(
      {fields::kKind, fields::kTenant, fields::kIp, fields::kMethod, fields::kRoute, fields::kPath,
       fields::kStatus, fields::kBrowser, fields::kOs, fields::kDevice, fields::kPerfClass});
  FieldPicker<11>::Values v;
  kPicker.Pick(batch, e, &v);
  if (StringOf(v[kKind]) != "request") return false;
  r->ts_ns = e.ts_ns;
  r->tenant = StringOf(v[kTenant]);
  r->ip = StringOf(v[kIp]);
  r->method = StringOf(v[kMethod]);
  r->route = StringOf(v[kRoute]);
  if (r->route.empty()) r->route = StringOf(v[kPath]);
  if (const Value* st = v[kStatus]) {
    r->status =
        TrafficStatusOf(st->type, st->i, st->f, st->type == ValueType::kString ? st->s : "");
  }
  r->browser = StringOf(v[kBrowser]);
  r->os = StringOf(v[kOs]);
  r->device = StringOf(v[kDevice]);
  r->perf_class = StringOf(v[kPerf]);
  return true;
}

TrafficSummary TrafficStats::Summarize(int64_t window_ns, int64_t now_ns, const TenantScope& scope,
                                       size_t top_n) const {
  const int64_t minutes =
      std::clamp<int64_t>((window_ns + kMinuteNs - 1) / kMinuteNs, 1, kRingMinutes);
  const int64_t last = now_ns / kMinuteNs;
  const int64_t first = last - minutes + 1;
  TrafficSummary s;
  s.from_ns = first * kMinuteNs;
  s.to_ns = (last + 1) * kMinuteNs;
  HyperLogLog ips;
  CountMap endpoints, browsers, os, devices, perf;
  auto merge = [](CountMap* into, const CountMap& from) {
    for (const auto& [k, v] : from) (*into)[k] += v;
  };
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [tenant, t] : tenants_) {
    if (!scope.all() && tenant != scope.tenant()) continue;
    for (const Bucket& b : t->ring) {
      if (b.minute < first || b.minute > last) continue;
      s.requests += b.requests;
      ips.Merge(b.ips);
      merge(&endpoints, b.endpoints);
      merge(&browsers, b.browsers);
      merge(&os, b.os);
      merge(&devices, b.devices);
      merge(&perf, b.perf);
      for (int i = 0; i < 6; ++i) s.status_classes[i] += b.status[i];
      s.bots += b.bots;
    }
  }
  s.unique_ips = ips.Estimate();
  s.endpoints = Top(endpoints, top_n);
  s.browsers = Top(browsers, top_n);
  s.os = Top(os, top_n);
  s.devices = Top(devices, top_n);
  s.perf_classes = Top(perf, 0);
  return s;
}

int64_t TrafficStatusOf(ValueType type, int64_t i, double f, std::string_view s) {
  switch (type) {
    case ValueType::kInt:
      return i;
    case ValueType::kFloat:
      return static_cast<int64_t>(f);
    case ValueType::kString: {
      int64_t n = 0;
      for (char c : s) {
        if (c < '0' || c > '9' || n > 1000) return 0;
        n = n * 10 + (c - '0');
      }
      return n;
    }
    case ValueType::kNull:
    case ValueType::kBool:
      return 0;
  }
  return 0;
}

void WriteTrafficJson(JsonWriter* w, const TrafficSummary& s, int64_t window_ns, bool refilling) {
  const double total = static_cast<double>(s.requests);
  auto share = [&](uint64_t n) { return total == 0 ? 0.0 : static_cast<double>(n) / total; };
  auto list = [&](std::string_view key, std::string_view name_key,
                  const std::vector<TrafficCount>& items) {
    w->Key(key).BeginArray();
    for (const TrafficCount& c : items) {
      w->BeginObject().KV(name_key, c.name).KV("requests", c.requests);
      w->KV("share", share(c.requests)).EndObject();
    }
    w->EndArray();
  };
  w->BeginObject();
  w->KV("window_seconds", window_ns / 1'000'000'000);
  w->KV("from", s.from_ns).KV("to", s.to_ns);
  w->KV("requests", s.requests);
  const double seconds = static_cast<double>(s.to_ns - s.from_ns) / 1e9;
  w->KV("requests_per_second", seconds > 0 ? total / seconds : 0.0);
  w->KV("unique_ips", s.unique_ips).KV("unique_ips_error", HyperLogLog::kStandardError);
  list("top_endpoints", "endpoint", s.endpoints);
  w->Key("status_classes").BeginObject();
  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  for (int i = 0; i < 6; ++i) w->KV(kClasses[i], s.status_classes[i]);
  w->EndObject();
  list("browsers", "name", s.browsers);
  list("os", "name", s.os);
  list("devices", "name", s.devices);
  w->Key("bots").BeginObject().KV("requests", s.bots).KV("share", share(s.bots)).EndObject();
  list("performance", "name", s.perf_classes);
  w->KV("refilling", refilling);
  w->EndObject();
}

}  // namespace vigia
