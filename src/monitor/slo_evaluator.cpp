#include "monitor/slo_evaluator.h"

#include <chrono>

#include "monitor/kpi_evaluator.h"

namespace vigia {

namespace {

constexpr int64_t kMinute = int64_t{60} * 1'000'000'000;
constexpr int64_t kHour = 60 * kMinute;

uint64_t CountOf(const QueryRecord& row, std::string_view name) {
  const OwnedValue* v = row.Get(name);
  if (v == nullptr) return 0;
  if (v->type == ValueType::kInt && v->i > 0) return static_cast<uint64_t>(v->i);
  if (v->type == ValueType::kFloat && v->f > 0) return static_cast<uint64_t>(v->f);
  return 0;
}

void WriteBurn(JsonWriter* w, const BurnRate& b) {
  w->BeginObject().KV("window", FormatDurationShort(b.window_ns)).KV("total", b.total);
  w->KV("good", b.good).Key("burn_rate");
  if (b.rate) {
    w->Double(*b.rate);
  } else {
    w->Null();
  }
  w->EndObject();
}

void WriteAlert(JsonWriter* w, const BurnAlert& a) {
  w->BeginObject().KV("threshold", a.threshold).KV("firing", a.firing);
  w->Key("long");
  WriteBurn(w, a.long_window);
  w->Key("short");
  WriteBurn(w, a.short_window);
  w->EndObject();
}

}  // namespace

SloEvaluator::SloEvaluator(QueryBackend* backend, std::shared_ptr<const MonitorConfig> config,
                           int64_t query_timeout_ms)
    : backend_(backend), config_(std::move(config)), query_timeout_ms_(query_timeout_ms) {}

Result<BurnRate> SloEvaluator::Window(const SloDefinition& slo, int64_t window_ns, int64_t now_ns,
                                      const TenantScope& scope) const {
  QueryOptions options;
  options.scope = scope;
  options.now_ns = now_ns;
  options.range.from_ns = now_ns - window_ns;
  options.range.to_ns = now_ns;
  options.deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(query_timeout_ms_);
  VIGIA_ASSIGN_OR_RETURN(QueryResult result, backend_->Run(*slo.query, options));
  BurnRate b;
  b.window_ns = window_ns;
  if (!result.rows.empty()) {
    b.total = CountOf(result.rows.front(), "total");
    b.good = CountOf(result.rows.front(), "good");
  }
  if (b.total > 0) {
    const double error_ratio =
        static_cast<double>(b.total - std::min(b.good, b.total)) / static_cast<double>(b.total);
    b.rate = error_ratio / (1.0 - slo.target_percent / 100.0);
  }
  return b;
}

SloStatus SloEvaluator::StatusOf(const SloDefinition& slo, int64_t now_ns,
                                 const TenantScope& scope) const {
  SloStatus s;
  s.slo = &slo;
  const double budget = 1.0 - slo.target_percent / 100.0;
  const double period_minutes = static_cast<double>(slo.period_ns) / static_cast<double>(kMinute);
  s.budget_minutes = budget * period_minutes;
  s.budget_remaining_minutes = s.budget_minutes;
  const double period_hours = static_cast<double>(slo.period_ns) / static_cast<double>(kHour);
  s.fast.name = "fast";
  s.fast.threshold = 0.02 * period_hours / 1.0;
  s.slow.name = "slow";
  s.slow.threshold = 0.05 * period_hours / 6.0;

  Result<BurnRate> period = Window(slo, slo.period_ns, now_ns, scope);
  if (!period.ok()) {
    s.status = period.status();
    return s;
  }
  s.total = period->total;
  s.good = period->good;
  if (period->rate) {
    s.attainment_percent = 100.0 * static_cast<double>(s.good) / static_cast<double>(s.total);
    s.budget_remaining_fraction = 1.0 - *period->rate;
    s.budget_remaining_minutes = s.budget_remaining_fraction * s.budget_minutes;
  }
  struct Pair {
    BurnAlert* alert;
    int64_t long_ns;
    int64_t short_ns;
  };
  for (const Pair& p :
       {Pair{&s.fast, kHour, 5 * kMinute}, Pair{&s.slow, 6 * kHour, 30 * kMinute}}) {
    Result<BurnRate> l = Window(slo, p.long_ns, now_ns, scope);
    Result<BurnRate> sh = l.ok() ? Window(slo, p.short_ns, now_ns, scope) : l;
    if (!sh.ok()) {
      s.status = sh.status();
      return s;
    }
    p.alert->long_window = *l;
    p.alert->short_window = *sh;
    p.alert->firing =
        l->rate && sh->rate && *l->rate > p.alert->threshold && *sh->rate > p.alert->threshold;
  }
  return s;
}

std::vector<SloStatus> SloEvaluator::StatusOfAll(int64_t now_ns, const TenantScope& scope) const {
  std::vector<SloStatus> out;
  for (const SloDefinition& s : config_->slos) out.push_back(StatusOf(s, now_ns, scope));
  return out;
}

Result<SloStatus> SloEvaluator::StatusByName(std::string_view name, int64_t now_ns,
                                             const TenantScope& scope) const {
  const SloDefinition* s = config_->FindSlo(name);
  if (s == nullptr) return Status::NotFound("no SLO named \"" + std::string(name) + "\"");
  return StatusOf(*s, now_ns, scope);
}

void WriteSloStatusJson(JsonWriter* w, const SloStatus& s) {
  const SloDefinition& d = *s.slo;
  w->BeginObject().KV("name", d.name).KV("title", d.title);
  w->KV("total_filter", d.total_filter).KV("good_filter", d.good_filter);
  w->KV("target", d.target_percent).KV("period", FormatDurationShort(d.period_ns));
  w->KV("total", s.total).KV("good", s.good).Key("attainment");
  if (s.attainment_percent) {
    w->Double(*s.attainment_percent);
  } else {
    w->Null();
  }
  w->Key("error_budget").BeginObject();
  w->KV("remaining_fraction", s.budget_remaining_fraction);
  w->KV("minutes", s.budget_minutes).KV("remaining_minutes", s.budget_remaining_minutes);
  w->EndObject();
  w->Key("burn_alerts").BeginObject();
  w->Key("fast");
  WriteAlert(w, s.fast);
  w->Key("slow");
  WriteAlert(w, s.slow);
  w->EndObject();
  w->KV("firing", s.fast.firing || s.slow.firing);
  if (!s.status.ok()) w->KV("error", s.status.ToString());
  w->EndObject();
}

}  // namespace vigia
