#include "server/module_monitor.h"

#include "common/json_writer.h"
#include "common/logger.h"
#include "monitor/kpi_evaluator.h"
#include "monitor/monitor_config.h"
#include "monitor/red_metrics.h"
#include "monitor/slo_evaluator.h"
#include "server/http_errors.h"
#include "server/route_query.h"
#include "vql/vql_parser.h"

namespace vigia {

// Feeds stored batches to the RED metrics (an IngestPipeline observer).
class MonitorModule::RedSink final : public BatchSink {
 public:
  explicit RedSink(RedMetrics* red) : red_(red) {}
  void Publish(std::shared_ptr<const EventBatch> batch) override { red_->Observe(*batch); }

 private:
  RedMetrics* const red_;
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
MonitorModule::~MonitorModule() = default;

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
  logger::Info("monitor definitions loaded",
               {{"kpis", std::to_string(shared->kpis.size())},
                {"slos", std::to_string(shared->slos.size())},
                {"file", options_.kpis_file.empty() ? "(defaults)" : options_.kpis_file}});
  kpis_ = std::make_unique<KpiEvaluator>(ctx->query_backend, shared, options_.query_timeout_ms);
  slos_ = std::make_unique<SloEvaluator>(ctx->query_backend, shared, options_.query_timeout_ms);
  ctx->kpis = kpis_.get();
  ctx->slos = slos_.get();
  if (options_.red_max_series > 0 && ctx->ingest != nullptr) {
    RedMetricsOptions red;
    red.max_series = options_.red_max_series;
    red_ = std::make_unique<RedMetrics>(ctx->metrics, red);
    red_sink_ = std::make_unique<RedSink>(red_.get());
    ctx->ingest->AddObserver(red_sink_.get());
  }
  return Status::Ok();
}

void MonitorModule::RegisterRoutes(Router* router) {
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
