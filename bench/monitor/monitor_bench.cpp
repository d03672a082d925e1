// monitor_bench: the numbers issue 13 asks for (bench/README.md, "Monitoring"):
//   - /v1/kpis for the shipped default set (current and previous window of every KPI) over a
//     store of N request events, all inside the KPIs' 1 h window (target <= 100 ms at 10M);
//   - /v1/slos, and the `vigia check` report over the same store;
//   - live traffic statistics: the ingest-side cost per event, an answer for 15 m and 1 h,
//     and the start-up refill from the store;
//   - a /metrics scrape (exposition time and size) with 1,000 route x status RED series;
//   - probe scheduling jitter: how late probe runs start on the monitor's scheduler, with a
//     hanging target among them.
// The store is built directly through the Store API (no HTTP) in a temporary directory and
// flushed to parts, as a settled server holds it.
//
//   monitor_bench [--events N] [--reps R] [--span-hours H] [--keep DIR [--reuse]]
//                 [--kpis-only]
// --keep DIR keeps the store (and its "now") in DIR; with --reuse a store kept there before
// is opened instead of built again. --kpis-only stops after the KPI numbers (for profiling:
// `valgrind --tool=callgrind build/monitor_bench --keep /tmp/mb --reuse --kpis-only`).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/env.h"
#include "common/metric_registry.h"
#include "common/scheduler.h"
#include "monitor/check_report.h"
#include "monitor/default_kpis.h"
#include "monitor/kpi_evaluator.h"
#include "monitor/monitor_config.h"
#include "monitor/red_metrics.h"
#include "monitor/slo_evaluator.h"
#include "monitor/traffic_refill.h"
#include "monitor/traffic_stats.h"
#include "query/local_store_backend.h"
#include "store/store.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of the whole process (every thread: a query scans on two), in ms.
double ProcessCpuMs() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// A deterministic stream of request events over [now - 59 min, now): 250 routes, 5 services,
// 100k client IPs, statuses mostly 200 with 4xx/5xx/429 and denied logins, browsers and
// devices as the UA deriver names them; 1 in 1000 a log event carrying the redaction marker.
class Generator {
 public:
  Generator(int64_t now, int64_t span) : now_(now), span_(span) {
    for (int i = 0; i < 250; ++i) routes_.push_back("/api/r" + std::to_string(i) + "/{id}");
    routes_[0] = "/auth/login";
  }

  std::shared_ptr<EventBatch> Batch(uint64_t first, uint64_t n, uint64_t total) {
    static constexpr const char* kServices[] = {"sales-api", "reports", "auth", "web", "stock"};
    static constexpr const char* kMethods[] = {"GET", "GET", "GET", "POST", "PUT"};
    static constexpr const char* kBrowsers[] = {"Chrome", "Firefox", "Safari", "Edge", "Googlebot"};
    static constexpr const char* kOs[] = {"Windows", "Mac OS X", "Linux", "Android", "iOS"};
    static constexpr const char* kDevices[] = {"desktop", "desktop", "mobile", "tablet", "bot"};
    static constexpr const char* kPerf[] = {"excellent", "good", "slow", "very_slow"};
    auto b = std::make_shared<EventBatch>();
    b->Reserve(n, n * 13);
    for (uint64_t i = first; i < first + n; ++i) {
      const uint64_t h = Mix(i);
      const int64_t ts = now_ - span_ +
                         static_cast<int64_t>(static_cast<double>(i) / static_cast<double>(total) *
                                              static_cast<double>(span_));
      b->BeginEvent(ts);
      if (h % 1000 == 999) {
        b->AddField("kind", Value::String("log"));
        b->AddField("level", Value::String("warn"));
        b->AddField("msg", Value::String("password=[REDACTED]"));
        b->AddField("redacted", Value::String("password"));
        continue;
      }
      const size_t route = (h >> 8) % routes_.size();
      int64_t status = 200;
      const uint64_t s = (h >> 20) % 1000;
      if (route == 0 && s < 100) {
        status = 401;
      } else if (s < 3) {
        status = 500;
      } else if (s < 5) {
        status = 429;
      } else if (s < 30) {
        status = 404;
      } else if (s < 60) {
        status = 302;
      }
      const double duration = static_cast<double>((h >> 32) % 900) + 0.5;
      b->AddField("kind", Value::String("request"));
      b->AddField("level", Value::String(status >= 500 ? "error" : "info"));
      b->AddField("service", Value::String(kServices[route % 5]));
      b->AddField("method", Value::String(route == 0 ? "POST" : kMethods[(h >> 12) % 5]));
      b->AddField("route", Value::String(routes_[route]));
      b->AddField("status", Value::Int(status));
      b->AddField("duration_ms", Value::Float(duration));
      const uint64_t ip = (h >> 40) % 100'000;
      if (ts / kMin > now_ / kMin - 60) ips_seen_.insert(ip);  // in the traffic ring's minutes
      b->AddField("ip", Value::String(b->arena().Copy(Ip(ip))));
      b->AddField("browser", Value::String(kBrowsers[(h >> 16) % 5]));
      b->AddField("os", Value::String(kOs[(h >> 24) % 5]));
      b->AddField("device", Value::String(kDevices[(h >> 16) % 5]));
      b->AddField("perf_class", Value::String(kPerf[duration < 50     ? 0
                                                    : duration < 200  ? 1
                                                    : duration < 1000 ? 2
                                                                      : 3]));
    }
    return b;
  }

 private:
  static uint64_t Mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  static std::string Ip(uint64_t i) {
    return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
           std::to_string(i & 255);
  }

  const int64_t now_;
  const int64_t span_;
  std::vector<std::string> routes_;

 public:
  std::unordered_set<uint64_t> ips_seen_;  // exact unique IPs of the last 59 minutes
};

void Report(const char* what, double value, const char* unit) {
  std::printf("%-58s %12.3f %s\n", what, value, unit);
}

// /metrics: 250 routes x 4 status classes of http_requests_total (+ the duration histograms
// of the 250 routes) in a registry, exposition rendered as a scrape does.
void MetricsScrape(int reps) {
  MetricRegistry registry;
  RedMetricsOptions o;
  RedMetrics red(&registry, o);
  EventBatch b;
  static constexpr int64_t kStatuses[] = {200, 302, 404, 500};
  std::vector<std::string> routes;
  for (int r = 0; r < 250; ++r) routes.push_back("/api/r" + std::to_string(r) + "/{id}");
  for (int r = 0; r < 250; ++r) {
    for (int64_t s : kStatuses) {
      b.BeginEvent(0);
      b.AddField("kind", Value::String("request"));
      b.AddField("service", Value::String("sales-api"));
      b.AddField("method", Value::String("GET"));
      b.AddField("route", Value::String(routes[r]));
      b.AddField("status", Value::Int(s));
      b.AddField("duration_ms", Value::Float(12.5));
    }
  }
  red.Observe(b);
  std::vector<double> ms;
  size_t bytes = 0, lines = 0;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    std::string text = registry.Exposition();
    ms.push_back(MsSince(t0));
    bytes = text.size();
    lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  Report("/metrics exposition, 1000 route x status series (median)", Median(ms), "ms");
  Report("/metrics exposition size", static_cast<double>(bytes) / 1024.0, "KiB");
  Report("/metrics exposition lines", static_cast<double>(lines), "lines");
}

// Probe scheduling: 50 targets every 200 ms on 4 threads (probe_concurrency), each run
// taking 5 ms, plus one target that hangs 1 s on every run; lateness of each run's start
// behind its slot (jitter 0, so all of it is the scheduler's).
void ProbeJitter() {
  SchedulerOptions so;
  so.env = Env::Default();
  so.threads = 4;
  Scheduler sched(so);
  constexpr int kTargets = 50;
  constexpr int64_t kInterval = 200'000'000;
  std::mutex mu;
  std::vector<std::vector<int64_t>> starts(kTargets);
  for (int i = 0; i < kTargets; ++i) {
    ScheduledTask t;
    t.name = "probe." + std::to_string(i);
    t.interval_ns = kInterval;
    t.first_delay_ns = 0;
    t.run = [&, i] {
      const int64_t now = Env::Default()->MonotonicNanos();
      {
        std::lock_guard<std::mutex> l(mu);
        starts[i].push_back(now);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return Status::Ok();
    };
    sched.AddTask(std::move(t));
  }
  ScheduledTask hang;
  hang.name = "probe.hanging";
  hang.interval_ns = kInterval;
  hang.first_delay_ns = 0;
  hang.run = [] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return Status::Internal("timeout");
  };
  sched.AddTask(std::move(hang));
  sched.Start();
  std::this_thread::sleep_for(std::chrono::seconds(4));
  sched.Stop();
  std::vector<double> late_ms;
  for (const auto& s : starts) {
    if (s.empty()) continue;
    for (size_t k = 1; k < s.size(); ++k) {
      const int64_t slots = (s[k] - s[0] + kInterval / 2) / kInterval;
      late_ms.push_back(static_cast<double>(s[k] - s[0] - slots * kInterval) / 1e6);
    }
  }
  Report("probe runs measured (50 targets x 4 s + a hanging one)",
         static_cast<double>(late_ms.size()), "runs");
  Report("probe start lateness p50", Percentile(late_ms, 0.5), "ms");
  Report("probe start lateness p99", Percentile(late_ms, 0.99), "ms");
  Report("probe start lateness max", Percentile(late_ms, 1.0), "ms");
}

int Main(int argc, char** argv) {
  uint64_t events = 10'000'000;
  int reps = 5;
  // Over the last 59 minutes by default: every event inside the KPIs' 1 h window and the
  // traffic ring (the worst case); --span-hours 168 spreads them over a week.
  double span_hours = 59.0 / 60;
  std::string keep;
  bool reuse = false, kpis_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--reps" && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (a == "--span-hours" && i + 1 < argc) {
      span_hours = std::atof(argv[++i]);
    } else if (a == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else if (a == "--reuse") {
      reuse = true;
    } else if (a == "--kpis-only") {
      kpis_only = true;
    } else {
      std::fprintf(stderr,
                   "usage: monitor_bench [--events N] [--reps R] [--span-hours H] "
                   "[--keep DIR [--reuse]] [--kpis-only]\n");
      return 2;
    }
  }
  const std::string dir = keep.empty() ? std::filesystem::temp_directory_path().string() +
                                             "/monitor_bench." + std::to_string(::getpid())
                                       : keep;
  // A kept store remembers its "now" (its events are relative to it).
  const std::string now_file = dir + "/monitor_bench.now";
  int64_t now = Env::Default()->NowNanos();
  bool reused = false;
  if (reuse && !keep.empty() && std::filesystem::exists(now_file)) {
    Result<std::string> text = Env::Default()->ReadFileToString(now_file);
    if (text.ok()) {
      now = std::strtoll(text->c_str(), nullptr, 10);
      reused = true;
    }
  }
  if (!reused) std::filesystem::remove_all(dir);
  const int64_t span = static_cast<int64_t>(span_hours * static_cast<double>(kHour));
  std::printf("monitor_bench: %llu events over the last %.2f hours, %d reps, %s\n",
              static_cast<unsigned long long>(events), span_hours, reps, dir.c_str());

  StoreOptions so;
  so.data_dir = dir;
  so.fsync = FsyncPolicy::kNever;
  Result<std::unique_ptr<Store>> opened = Store::Open(so);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Store> store = std::move(*opened);
  Generator gen(now, span);
  TrafficStats traffic(Env::Default());
  double observe_ms = 0;
  auto t0 = Clock::now();
  constexpr uint64_t kBatch = 10'000;
  for (uint64_t first = 0; !reused && first < events; first += kBatch) {
    std::shared_ptr<EventBatch> b = gen.Batch(first, std::min(kBatch, events - first), events);
    Status st = store->Append(b);
    if (!st.ok()) {
      std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
      return 1;
    }
    const auto o0 = Clock::now();
    traffic.Observe(*b);
    observe_ms += MsSince(o0);
  }
  Status st = store->Flush();
  if (!st.ok()) {
    std::fprintf(stderr, "flush: %s\n", st.ToString().c_str());
    return 1;
  }
  if (!reused && !keep.empty()) {
    Status saved = WriteFileAtomic(Env::Default(), now_file, std::to_string(now));
    if (!saved.ok()) std::fprintf(stderr, "%s\n", saved.ToString().c_str());
  }
  Report(reused ? "store reused" : "store built (append + flush)", MsSince(t0) / 1000.0, "s");
  Report("traffic statistics at ingest, per event", observe_ms * 1e6 / events, "ns");

  LocalStoreBackend backend(store.get());
  auto config = std::make_shared<const MonitorConfig>(
      ParseMonitorConfig(DefaultKpisToml(), "defaults").value());
  KpiEvaluator kpis(&backend, config, 60'000);
  SloEvaluator slos(&backend, config, 60'000);

  std::vector<double> kpi_ms, kpi_cpu_ms, slo_ms, check_ms;
  std::string colors;
  for (int i = 0; i < reps; ++i) {
    auto k0 = Clock::now();
    const double c0 = ProcessCpuMs();
    std::vector<KpiStatus> all = kpis.StatusOfAll(0, now, TenantScope::All());
    kpi_ms.push_back(MsSince(k0));
    kpi_cpu_ms.push_back(ProcessCpuMs() - c0);
    if (i == 0) {
      for (const KpiStatus& s : all) {
        if (!s.status.ok())
          std::fprintf(stderr, "kpi %s: %s\n", s.kpi->name.c_str(), s.status.ToString().c_str());
        colors += s.kpi->name + "=" + std::string(KpiColorName(s.current.color)) + " ";
      }
    }
    auto s0 = Clock::now();
    slos.StatusOfAll(now, TenantScope::All());
    slo_ms.push_back(MsSince(s0));
  }
  std::printf("KPIs: %s\n", colors.c_str());
  for (const KpiDefinition& k : config->kpis) {
    std::vector<double> one;
    for (int i = 0; i < reps; ++i) {
      auto k0 = Clock::now();
      kpis.StatusOf(k, 0, now, TenantScope::All());
      one.push_back(MsSince(k0));
    }
    std::printf("  %-56s %12.3f ms\n", ("kpi " + k.name + " alone, median").c_str(), Median(one));
  }
  Report("/v1/kpis, default set (7 KPIs x 2 windows), median", Median(kpi_ms), "ms");
  Report("/v1/kpis, default set, max", Percentile(kpi_ms, 1.0), "ms");
  Report("/v1/kpis, default set, CPU (all threads), median", Median(kpi_cpu_ms), "ms");
  if (kpis_only) return 0;
  Report("/v1/slos, default set (2 SLOs x 5 windows), median", Median(slo_ms), "ms");
  for (int i = 0; i < std::max(1, reps / 2); ++i) {
    CheckInputs in;
    in.backend = &backend;
    in.kpis = &kpis;
    in.slos = &slos;
    in.now_ns = now;
    in.query_timeout_ms = 60'000;
    in.facts.source = "bench";
    auto c0 = Clock::now();
    std::string report = BuildCheckReport(in);
    check_ms.push_back(MsSince(c0));
  }
  Report("vigia check report (GET /v1/check), median", Median(check_ms), "ms");

  std::vector<double> t15, t60;
  for (int i = 0; i < reps; ++i) {
    auto a0 = Clock::now();
    TrafficSummary s = traffic.Summarize(15 * kMin, now, TenantScope::All(), 10);
    t15.push_back(MsSince(a0));
    auto b0 = Clock::now();
    TrafficSummary h = traffic.Summarize(60 * kMin, now, TenantScope::All(), 10);
    t60.push_back(MsSince(b0));
    if (i == 0) {
      std::printf("traffic 15m: %llu requests, %llu unique IPs\n",
                  static_cast<unsigned long long>(s.requests),
                  static_cast<unsigned long long>(s.unique_ips));
      const double exact = static_cast<double>(gen.ips_seen_.size());
      std::printf("traffic 1h: %llu requests, %llu unique IPs (exact %.0f, error %.2f %%)\n",
                  static_cast<unsigned long long>(h.requests),
                  static_cast<unsigned long long>(h.unique_ips), exact,
                  (static_cast<double>(h.unique_ips) - exact) / exact * 100);
    }
  }
  Report("/v1/stats/traffic?window=15m, median", Median(t15), "ms");
  Report("/v1/stats/traffic?window=1h, median", Median(t60), "ms");
  {
    // The server's start-up refill (monitor/traffic_refill.h): the counts before the listener
    // opens, then the unique IPs in the background.
    TrafficStats refill(Env::Default());
    const QueryOptions o = TrafficRefillOptions(now);
    auto r0 = Clock::now();
    Result<TrafficRefillCounts> counts = RefillTrafficCounts(&backend, &refill, o);
    const double counts_s = MsSince(r0) / 1000.0;
    auto r1 = Clock::now();
    Result<TrafficRefillCounts> ips = RefillTrafficIps(&backend, &refill, o);
    const double ips_s = MsSince(r1) / 1000.0;
    if (!counts.ok() || !ips.ok()) {
      std::fprintf(stderr, "traffic refill failed: %s\n",
                   (!counts.ok() ? counts.status() : ips.status()).ToString().c_str());
      return 1;
    }
    const TrafficSummary got = refill.Summarize(60 * kMin, now, TenantScope::All(), 10);
    const TrafficSummary want = traffic.Summarize(60 * kMin, now, TenantScope::All(), 10);
    std::printf("traffic refill: %llu requests (observed %llu), %llu unique IPs (observed %llu)\n",
                static_cast<unsigned long long>(got.requests),
                static_cast<unsigned long long>(want.requests),
                static_cast<unsigned long long>(got.unique_ips),
                static_cast<unsigned long long>(want.unique_ips));
    Report("traffic refill at start: counts, before ready", counts_s, "s");
    Report("traffic refill at start: unique IPs, in the background", ips_s, "s");
  }
  store.reset();
  if (keep.empty()) std::filesystem::remove_all(dir);

  MetricsScrape(std::max(reps, 5));
  ProbeJitter();
  return 0;
}

}  // namespace
}  // namespace vigia

int main(int argc, char** argv) { return vigia::Main(argc, argv); }
