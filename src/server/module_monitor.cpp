#include "server/module_monitor.h"

#include <mutex>

#include "common/json_writer.h"
#include "common/logger.h"
#include "common/thread_priority.h"
#include "monitor/check_report.h"
#include "monitor/kpi_evaluator.h"
#include "monitor/monitor_config.h"
#include "monitor/red_metrics.h"
#include "monitor/slo_evaluator.h"
#include "monitor/traffic_refill.h"
#include "monitor/traffic_stats.h"
#include "server/http_errors.h"
#include "server/module_health.h"
#include "server/own_events.h"
#include "server/route_query.h"
#include "vql/vql_parser.h"

namespace vigia {

// Feeds stored batches to the RED metrics (an IngestPipeline observer).
class MonitorModule::RedSink final : public BatchSink {
 public:
  RedSink(RedMetrics* red, TrafficStats* traffic) : red_(red), traffic_(traffic) {}
  void Publish(std::shared_ptr<const EventBatch> batch) override {
    if (red_ != nullptr) red_->Observe(*batch);
    traffic_->Observe(*batch);
  }

 private:
  RedMetrics* const red_;  // null when red_max_series = 0
  TrafficStats* const traffic_;
};

namespace {

// `name` as a duration parameter, or `fallback` when absent. False (and a 400 set) when
// malformed.
bool DurationParam(HttpRequest& req, std::string_view name, int64_t fallback, int64_t* out,
                   HttpResponse* resp) {
  std::string_view text = req.QueryParam(name);
  if (text.empty()) {
    *out = fallback;
    return true;
  }
  std::optional<int64_t> ns = ParseDurationNs(text);
  if (!ns) {
    SetError(
        resp, error_code::kBadRequest,
        std::string(name) + ": expected a duration such as 1h, got \"" + std::string(text) + "\"");
    return false;
  }
  *out = *ns;
  return true;
}

// The worst colour of the KPIs that have a value.
KpiColor Overall(const std::vector<KpiStatus>& all) {
  KpiColor c = KpiColor::kNone;
  for (const KpiStatus& s : all) c = WorseColor(c, s.current.color);
  return c;
}

}  // namespace

MonitorModule::MonitorModule(MonitorModuleOptions options) : options_(std::move(options)) {}
MonitorModule::~MonitorModule() {
  // A server whose start failed after this module started may not call Stop.
  refill_cancel_.store(true);
  if (refill_thread_.joinable()) refill_thread_.join();
}

Status MonitorModule::Start(ServerContext* ctx) {
  if (ctx->query_backend == nullptr) {
    return Status::Internal("monitor module: the query module must start first");
  }
  ctx_ = ctx;
  Result<MonitorConfig> config = LoadMonitorConfig(options_.kpis_file);
  if (!config.ok()) {
    return Status::InvalidArgument("monitor.kpis_file: " + config.status().message());
  }
  auto shared = std::make_shared<const MonitorConfig>(std::move(*config));
  config_ = shared;
  logger::Info("monitor definitions loaded",
               {{"kpis", std::to_string(shared->kpis.size())},
                {"slos", std::to_string(shared->slos.size())},
                {"probes", std::to_string(shared->probes.size())},
                {"file", options_.kpis_file.empty() ? "(defaults)" : options_.kpis_file}});
  kpis_ = std::make_unique<KpiEvaluator>(ctx->query_backend, shared, options_.query_timeout_ms);
  slos_ = std::make_unique<SloEvaluator>(ctx->query_backend, shared, options_.query_timeout_ms);
  ctx->kpis = kpis_.get();
  ctx->slos = slos_.get();
  traffic_ = std::make_unique<TrafficStats>(ctx->env);
  if (ctx->ingest != nullptr) {
    if (options_.red_max_series > 0) {
      RedMetricsOptions red;
      red.max_series = options_.red_max_series;
      red_ = std::make_unique<RedMetrics>(ctx->metrics, red);
    }
    red_sink_ = std::make_unique<RedSink>(red_.get(), traffic_.get());
    ctx->ingest->AddObserver(red_sink_.get());
  }
  BackfillTraffic();
  if (!shared->probes.empty() && ctx->ingest != nullptr) {
    SchedulerOptions so;
    so.env = ctx->env;
    so.threads = std::max(1, options_.probe_concurrency);
    probe_scheduler_ = std::make_unique<Scheduler>(so);
    for (const ProbeTarget& t : shared->probes) {
      ScheduledTask task;
      task.name = "probe." + t.name;
      task.interval_ns = t.interval_ns;
      task.first_delay_ns = 0;
      // Up to a tenth of the interval (at most 5 s), so targets do not fire in step.
      task.jitter_ns = std::min<int64_t>(t.interval_ns / 10, int64_t{5} * 1'000'000'000);
      const ProbeTarget* target = &t;  // owned by config_, which outlives the scheduler
      task.run = [this, target] { return RunProbeTask(*target); };
      probe_scheduler_->AddTask(std::move(task));
    }
    probe_scheduler_->Start();
  }
  return Status::Ok();
}

void MonitorModule::BackfillTraffic() {
  // The last hour's requests from the store, so live statistics survive a restart
  // (monitor/traffic_refill.h). The counts are asked here, before the listener opens, so no
  // request is both in their answers and seen by the observer; the unique IPs (a HyperLogLog,
  // where seeing an IP twice changes nothing) in the background, below the user's queries.
  const int64_t now = ctx_->env->NowNanos();
  const int64_t t0 = ctx_->env->MonotonicNanos();
  const QueryOptions o = TrafficRefillOptions(now);
  Result<TrafficRefillCounts> counts = RefillTrafficCounts(ctx_->query_backend, traffic_.get(), o);
  if (!counts.ok()) {
    logger::Warn("live traffic statistics not refilled", {{"error", counts.status().ToString()}});
    return;
  }
  const int64_t counted_ns = ctx_->env->MonotonicNanos() - t0;
  traffic_refilling_.store(true);
  refill_thread_ = std::thread([this, o, requests = counts->requests, counted_ns] {
    // Below the queries: a restarted server's first dashboard queries arrive during it.
    SetThreadRole(ThreadRole::kRefill);
    QueryObserver obs;
    obs.cancel = &refill_cancel_;
    const int64_t t1 = ctx_->env->MonotonicNanos();
    Result<TrafficRefillCounts> ips =
        RefillTrafficIps(ctx_->query_backend, traffic_.get(), o, obs);
    if (ips.ok()) {
      logger::Info("live traffic statistics refilled",
                   {{"requests", std::to_string(requests)},
                    {"counts_ms", std::to_string(counted_ns / 1'000'000)},
                    {"ips_read", std::to_string(ips->requests)},
                    {"ips_ms", std::to_string((ctx_->env->MonotonicNanos() - t1) / 1'000'000)}});
    } else {
      logger::Warn("live traffic statistics: unique IPs not refilled",
                   {{"error", ips.status().ToString()}});
    }
    traffic_refilling_.store(false);
  });
}

Status MonitorModule::Stop() {
  refill_cancel_.store(true);
  if (refill_thread_.joinable()) refill_thread_.join();
  if (probe_scheduler_) probe_scheduler_->Stop();
  return Status::Ok();
}

Status MonitorModule::RunProbeTask(const ProbeTarget& t) {
  // In a cluster only the holder of the rules lease probes (module_cluster.h).
  if (!ctx_->HoldsRulesLease()) return Status::Ok();
  ProbeResult r = RunProbe(t, ctx_->env->NowNanos());
  MetricRegistry* m = ctx_->metrics;
  m->GetCounter("vigia_probe_runs_total", "Probe runs by target and result.", {"target", "result"},
                {t.name, r.ok ? "ok" : "failed"})
      ->Inc();
  m->GetGauge("vigia_probe_up", "1 when the target's last probe succeeded.", {"target"}, {t.name})
      ->Set(r.ok ? 1 : 0);
  m->GetGauge("vigia_probe_latency_seconds", "Latency of the target's last probe.", {"target"},
              {t.name})
      ->Set(r.latency_ms / 1000.0);
  if (r.cert_expiry_days) {
    m->GetGauge("vigia_probe_cert_expiry_days",
                "Days until the target's TLS certificate expires (negative: expired).", {"target"},
                {t.name})
        ->Set(*r.cert_expiry_days);
  }
  const std::string line = ProbeEventLine(r);
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_[t.name] = std::move(r);
  }
  Result<DecodeResult> stored = IngestOwnEvents(*ctx_, line);
  if (!stored.ok()) return stored.status();
  if (stored->rejected > 0) {
    return Status::Internal("probe event rejected: " +
                            (stored->errors.empty() ? std::string() : stored->errors[0].error));
  }
  return Status::Ok();
}

void MonitorModule::WriteProbesJson(JsonWriter* w, const TenantScope& scope) const {
  // Uptime over the last 24 h from the stored probe events (right after a restart too).
  std::map<std::string, std::pair<int64_t, int64_t>> uptime;  // target → (up, total)
  Result<Query> q =
      ParseVql("kind:probe | stats count() if (ok:true) as up, count() as total by (target)");
  if (q.ok()) {
    QueryOptions o;
    o.scope = scope;
    const int64_t now = ctx_->env->NowNanos();
    o.now_ns = now;
    o.range.from_ns = now - int64_t{86400} * 1'000'000'000;
    o.range.to_ns = now + 1;
    Result<QueryResult> r = ctx_->query_backend->Run(*q, o);
    if (r.ok()) {
      for (const QueryRecord& row : r->rows) {
        const OwnedValue* target = row.Get("target");
        const OwnedValue* up = row.Get("up");
        const OwnedValue* total = row.Get("total");
        if (target == nullptr || up == nullptr || total == nullptr) continue;
        uptime[target->s] = {up->i, total->i};
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  w->BeginObject().Key("probes").BeginArray();
  for (const ProbeTarget& t : config_->probes) {
    w->BeginObject().KV("name", t.name).KV("kind", ProbeKindName(t.kind));
    w->KV(t.kind == ProbeKind::kHttp ? "url" : "address",
          t.kind == ProbeKind::kHttp ? t.url : t.address);
    w->KV("interval", FormatDurationShort(t.interval_ns));
    w->Key("uptime_24h");
    if (auto it = uptime.find(t.name); it != uptime.end() && it->second.second > 0) {
      w->Double(static_cast<double>(it->second.first) / static_cast<double>(it->second.second));
      w->KV("runs_24h", it->second.second);
    } else {
      w->Null();
      w->KV("runs_24h", int64_t{0});
    }
    w->Key("last");
    auto it = last_.find(t.name);
    if (it == last_.end()) {
      w->Null();
    } else {
      const ProbeResult& r = it->second;
      w->BeginObject().KV("ts", r.ts_ns).KV("ok", r.ok).KV("latency_ms", r.latency_ms);
      if (r.status != 0) w->KV("status", static_cast<int64_t>(r.status));
      if (!r.error.empty()) w->KV("error", r.error);
      if (r.cert_expiry_days) w->KV("cert_expiry_days", *r.cert_expiry_days);
      if (!r.cert_issuer.empty()) w->KV("cert_issuer", r.cert_issuer);
      if (r.cert_hostname_ok) w->KV("cert_hostname_ok", *r.cert_hostname_ok);
      if (!r.cert_state.empty()) w->KV("cert_state", r.cert_state);
      w->EndObject();
    }
    w->EndObject();
  }
  w->EndArray().EndObject();
}

std::string MonitorModule::CheckReportJson(const TenantScope& scope) const {
  CheckInputs in;
  in.backend = ctx_->query_backend;
  in.kpis = kpis_.get();
  in.slos = slos_.get();
  in.scope = scope;
  in.now_ns = ctx_->env->NowNanos();
  in.query_timeout_ms = options_.query_timeout_ms;
  CheckFacts& f = in.facts;
  f.source = "server";
  const std::string ready = ReadyJson(ctx_->modules, ctx_->UptimeSec()).body;
  if (size_t p = ready.find("\"status\":\""); p != std::string::npos) {
    p += 10;
    f.server_status = ready.substr(p, ready.find('"', p) - p);
  }
  if (ctx_->store != nullptr) {
    const StoreStats st = ctx_->store->Stats();
    f.store_events = st.events;
    f.data_bytes = st.part_disk_bytes + st.wal_bytes;
    if (Result<DiskSpace> d = DiskSpaceOf(ctx_->data_dir); d.ok()) {
      f.has_disk = true;
      f.fs_free_bytes = d->free_bytes;
      f.fs_total_bytes = d->total_bytes;
    }
    f.disk_free_yellow_percent = options_.disk_free_yellow_percent;
    f.disk_free_red_percent = options_.disk_free_red_percent;
    for (const DegradedPart& d : ctx_->store->Degraded()) {
      f.degraded_parts.push_back(d.part + ": " + d.reason);
    }
  }
  // The backup module's health details ({"backup": {...}} when backups are configured).
  for (const ServerModule* m : ctx_->modules) {
    if (m->name() != "backup") continue;
    std::string details;
    JsonWriter w(&details);
    w.BeginObject();
    m->Health(&w);
    w.EndObject();
    constexpr std::string_view kPrefix = "{\"backup\":";
    if (details.size() > kPrefix.size() + 1 && details.compare(0, kPrefix.size(), kPrefix) == 0) {
      f.backup_json = details.substr(kPrefix.size(), details.size() - kPrefix.size() - 1);
    }
  }
  for (const ProbeTarget& t : config_->probes) f.probe_targets.push_back(t.name);
  return BuildCheckReport(in);
}

void MonitorModule::RegisterRoutes(Router* router) {
  router->Add("GET", "/v1/probes", Access::kRead, [this](HttpRequest& req, HttpResponse* resp) {
    std::string out;
    JsonWriter w(&out);
    WriteProbesJson(&w, ScopeOf(req.principal));
    resp->SetJson(200, std::move(out));
  });

  // Live traffic statistics (monitor/traffic_stats.h). Role: read.
  const TrafficStats* traffic = traffic_.get();
  router->Add(
      "GET", "/v1/stats/traffic", Access::kRead,
      [this, traffic, env = ctx_->env](HttpRequest& req, HttpResponse* resp) {
        int64_t window = 0;
        if (!DurationParam(req, "window", int64_t{15} * 60 * 1'000'000'000, &window, resp)) {
          return;
        }
        const int64_t max =
            static_cast<int64_t>(limits::kTrafficMaxWindowMinutes) * 60 * 1'000'000'000;
        if (window <= 0 || window > max) {
          SetError(resp, error_code::kBadRequest,
                   "window: at most " + FormatDurationShort(max) +
                       " (live statistics; older traffic is a VQL query)");
          return;
        }
        TrafficSummary s = traffic->Summarize(window, env->NowNanos(), ScopeOf(req.principal),
                                              limits::kTrafficTopItems);
        std::string out;
        JsonWriter w(&out);
        WriteTrafficJson(&w, s, window, traffic_refilling_.load());
        resp->SetJson(200, std::move(out));
      });

  // The daily check report (monitor/check_report.h) — `vigia check --server`. Role: read.
  router->Add("GET", "/v1/check", Access::kRead, [this](HttpRequest& req, HttpResponse* resp) {
    resp->SetJson(200, CheckReportJson(ScopeOf(req.principal)));
  });

  const KpiEvaluator* kpis = kpis_.get();
  const SloEvaluator* slos = slos_.get();
  Env* env = ctx_->env;

  router->Add("GET", "/v1/kpis", Access::kRead, [kpis, env](HttpRequest& req, HttpResponse* resp) {
    int64_t window = 0;
    if (!DurationParam(req, "window", 0, &window, resp)) return;
    const int64_t now = env->NowNanos();
    const std::vector<KpiStatus> all = kpis->StatusOfAll(window, now, ScopeOf(req.principal));
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().KV("now", now).Key("window");
    if (window > 0) {
      w.String(FormatDurationShort(window));
    } else {
      w.Null();  // each KPI's own
    }
    w.KV("color", KpiColorName(Overall(all)));
    w.Key("kpis").BeginArray();
    for (const KpiStatus& s : all) WriteKpiStatusJson(&w, s);
    w.EndArray().EndObject();
    resp->SetJson(200, std::move(out));
  });

  router->Add("GET", "/v1/kpis/{name}", Access::kRead,
              [kpis, env](HttpRequest& req, HttpResponse* resp) {
                const KpiDefinition* k = kpis->config().FindKpi(req.PathParam("name"));
                if (k == nullptr) {
                  SetError(resp, error_code::kNotFound,
                           "no KPI named \"" + std::string(req.PathParam("name")) + "\"");
                  return;
                }
                int64_t window = 0;
                if (!DurationParam(req, "window", 0, &window, resp)) return;
                KpiStatus s = kpis->StatusOf(*k, window, env->NowNanos(), ScopeOf(req.principal));
                if (!s.status.ok()) {
                  SetStatusError(resp, s.status);
                  return;
                }
                std::string out;
                JsonWriter w(&out);
                WriteKpiStatusJson(&w, s);
                resp->SetJson(200, std::move(out));
              });

  // One query per point: span/step <= limits::kMaxKpiSeriesPoints.
  router->Add(
      "GET", "/v1/kpis/{name}/series", Access::kRead,
      [kpis, env](HttpRequest& req, HttpResponse* resp) {
        const KpiDefinition* k = kpis->config().FindKpi(req.PathParam("name"));
        if (k == nullptr) {
          SetError(resp, error_code::kNotFound,
                   "no KPI named \"" + std::string(req.PathParam("name")) + "\"");
          return;
        }
        int64_t step = 0, span = 0;
        if (!DurationParam(req, "step", int64_t{300} * 1'000'000'000, &step, resp)) return;
        if (!DurationParam(req, "window", int64_t{6} * 3600 * 1'000'000'000, &span, resp)) return;
        if (span / step > static_cast<int64_t>(limits::kMaxKpiSeriesPoints)) {
          SetError(resp, error_code::kBadRequest,
                   "window/step gives more than " + std::to_string(limits::kMaxKpiSeriesPoints) +
                       " points; use a larger step");
          return;
        }
        Result<std::vector<KpiPoint>> points =
            kpis->Series(*k, span, step, env->NowNanos(), ScopeOf(req.principal));
        if (!points.ok()) {
          SetStatusError(resp, points.status());
          return;
        }
        std::string out;
        JsonWriter w(&out);
        w.BeginObject().KV("name", k->name).KV("unit", k->unit);
        w.KV("step", FormatDurationShort(step)).KV("window", FormatDurationShort(span));
        w.Key("thresholds").BeginObject().KV("green", k->green).KV("yellow", k->yellow).EndObject();
        w.Key("points").BeginArray();
        for (const KpiPoint& p : *points) {
          w.BeginObject().KV("ts", p.from_ns).Key("value");
          if (p.value) {
            w.Double(*p.value);
          } else {
            w.Null();
          }
          w.KV("color", KpiColorName(p.color)).EndObject();
        }
        w.EndArray().EndObject();
        resp->SetJson(200, std::move(out));
      });

  router->Add("GET", "/v1/slos", Access::kRead, [slos, env](HttpRequest& req, HttpResponse* resp) {
    const std::vector<SloStatus> all = slos->StatusOfAll(env->NowNanos(), ScopeOf(req.principal));
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("slos").BeginArray();
    for (const SloStatus& s : all) WriteSloStatusJson(&w, s);
    w.EndArray().EndObject();
    resp->SetJson(200, std::move(out));
  });

  router->Add(
      "GET", "/v1/slos/{name}", Access::kRead, [slos, env](HttpRequest& req, HttpResponse* resp) {
        Result<SloStatus> s =
            slos->StatusByName(req.PathParam("name"), env->NowNanos(), ScopeOf(req.principal));
        if (!s.ok()) {
          SetError(resp, error_code::kNotFound, s.status().message());
          return;
        }
        if (!s->status.ok()) {
          SetStatusError(resp, s->status);
          return;
        }
        std::string out;
        JsonWriter w(&out);
        WriteSloStatusJson(&w, *s);
        resp->SetJson(200, std::move(out));
      });
}

}  // namespace vigia
