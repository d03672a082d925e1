#include "monitor/kpi_evaluator.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>

#include "common/limits.h"
#include "query/row_evaluator.h"

namespace vigia {

namespace {

std::optional<double> NumberOf(const OwnedValue& v) {
  switch (v.type) {
    case ValueType::kInt:
      return static_cast<double>(v.i);
    case ValueType::kFloat:
      if (v.f != v.f) return std::nullopt;  // NaN: no value
      return v.f;
    case ValueType::kBool:
      return v.b ? 1.0 : 0.0;
    case ValueType::kNull:
    case ValueType::kString:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string TextOf(const OwnedValue& v) {
  switch (v.type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return v.b ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v.i);
    case ValueType::kFloat:
      return std::to_string(v.f);
    case ValueType::kString:
      return v.s;
  }
  return "";
}

// True when a is worse than b for this KPI.
bool Worse(const KpiDefinition& kpi, double a, double b) {
  switch (kpi.direction) {
    case KpiDirection::kLowerIsBetter:
      return a > b;
    case KpiDirection::kHigherIsBetter:
      return a < b;
  }
  return false;
}

int Rank(KpiColor c) {
  switch (c) {
    case KpiColor::kNone:
      return 0;
    case KpiColor::kGreen:
      return 1;
    case KpiColor::kYellow:
      return 2;
    case KpiColor::kRed:
      return 3;
  }
  return 0;
}

void WriteOptionalDouble(JsonWriter* w, const std::optional<double>& v) {
  if (v) {
    w->Double(*v);
  } else {
    w->Null();
  }
}

// The KPI's value from its query's rows (one per group, or one).
Result<KpiValue> ValueOfRows(const KpiDefinition& kpi, const std::vector<QueryRecord>& rows) {
  // Group keys: the `by` fields of the query's stats/top pipes (the other columns, such as
  // a share's bad and total, are intermediate values).
  std::vector<std::string> keys;
  for (const Pipe& p : kpi.query->pipes) {
    for (const GroupKey& g : p.by) keys.push_back(g.field);
  }
  KpiValue out;
  for (const QueryRecord& row : rows) {
    const OwnedValue* v = row.Get("value");
    if (v == nullptr) {
      return Status::InvalidArgument("kpi \"" + kpi.name +
                                     "\": the query's rows have no column \"value\"");
    }
    std::optional<double> number = NumberOf(*v);
    if (!number) continue;
    KpiGroup g;
    g.value = *number;
    g.color = ColorOf(kpi, *number);
    for (const std::string& key : keys) {
      const OwnedValue* col = row.Get(key);
      if (col == nullptr) continue;
      if (!g.labels.empty()) g.labels += ",";
      g.labels += key + "=" + TextOf(*col);
    }
    out.groups.push_back(std::move(g));
  }
  std::stable_sort(out.groups.begin(), out.groups.end(), [&](const KpiGroup& a, const KpiGroup& b) {
    return Worse(kpi, a.value, b.value);
  });
  if (out.groups.size() > limits::kMaxKpiGroups) out.groups.resize(limits::kMaxKpiGroups);
  if (!out.groups.empty()) {
    out.value = out.groups.front().value;
    out.color = out.groups.front().color;
  }
  // An ungrouped KPI has one unlabelled group: nothing to list.
  if (out.groups.size() == 1 && out.groups.front().labels.empty()) out.groups.clear();
  return out;
}

// The filter text of a KPI whose query can share a scan with others (a filter, one stats
// pipe without `by`, then only math pipes), or nullopt.
std::optional<std::string> FusionKey(const KpiDefinition& kpi) {
  const Query& q = *kpi.query;
  if (q.pipes.empty() || q.pipes.front().kind != PipeKind::kStats || !q.pipes.front().by.empty())
    return std::nullopt;
  for (size_t i = 1; i < q.pipes.size(); ++i) {
    if (q.pipes[i].kind != PipeKind::kMath) return std::nullopt;
  }
  // The text before the first pipe (the parser's position; one-line queries only).
  const VqlPos pos = q.pipes.front().pos;
  if (pos.line != 1 || pos.col < 1 || static_cast<size_t>(pos.col) > kpi.query_text.size() + 1)
    return std::nullopt;
  std::string filter = kpi.query_text.substr(0, static_cast<size_t>(pos.col) - 1);
  while (!filter.empty() && (filter.back() == ' ' || filter.back() == '|')) filter.pop_back();
  return filter;
}

}  // namespace

std::string_view KpiColorName(KpiColor c) {
  switch (c) {
    case KpiColor::kNone:
      return "none";
    case KpiColor::kGreen:
      return "green";
    case KpiColor::kYellow:
      return "yellow";
    case KpiColor::kRed:
      return "red";
  }
  return "none";
}

KpiColor WorseColor(KpiColor a, KpiColor b) { return Rank(a) >= Rank(b) ? a : b; }

KpiColor ColorOf(const KpiDefinition& kpi, double value) {
  switch (kpi.direction) {
    case KpiDirection::kLowerIsBetter:
      if (value <= kpi.green) return KpiColor::kGreen;
      if (value <= kpi.yellow) return KpiColor::kYellow;
      return KpiColor::kRed;
    case KpiDirection::kHigherIsBetter:
      if (value >= kpi.green) return KpiColor::kGreen;
      if (value >= kpi.yellow) return KpiColor::kYellow;
      return KpiColor::kRed;
  }
  return KpiColor::kNone;
}

KpiEvaluator::KpiEvaluator(QueryBackend* backend, std::shared_ptr<const MonitorConfig> config,
                           int64_t query_timeout_ms)
    : backend_(backend), config_(std::move(config)), query_timeout_ms_(query_timeout_ms) {}

QueryOptions KpiEvaluator::Options(int64_t from_ns, int64_t to_ns, const TenantScope& scope) const {
  QueryOptions options;
  options.scope = scope;
  options.now_ns = to_ns;
  options.range.from_ns = from_ns;
  options.range.to_ns = to_ns;
  options.deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(query_timeout_ms_);
  return options;
}

Result<KpiValue> KpiEvaluator::Evaluate(const KpiDefinition& kpi, int64_t from_ns, int64_t to_ns,
                                        const TenantScope& scope) const {
  VIGIA_ASSIGN_OR_RETURN(QueryResult result,
                         backend_->Run(*kpi.query, Options(from_ns, to_ns, scope)));
  return ValueOfRows(kpi, result.rows);
}

Result<std::vector<KpiValue>> KpiEvaluator::EvaluateFused(
    const std::vector<const KpiDefinition*>& kpis, int64_t from_ns, int64_t to_ns,
    const TenantScope& scope) const {
  // One scan: the shared filter and every KPI's aggregates, renamed "<i>.<name>"; an
  // aggregate without a condition that an earlier KPI computes already (every share's
  // `count() as total`) is computed once and read under the first one's name.
  Query fused;
  fused.filter = CloneFilter(*kpis.front()->query->filter);
  Pipe stats;
  stats.kind = PipeKind::kStats;
  std::map<std::string, std::string> column_of;  // "<i>.<name>" → the fused column
  std::map<std::tuple<AggFunc, std::string, double>, std::string> plain;
  for (size_t i = 0; i < kpis.size(); ++i) {
    for (const Aggregate& a : kpis[i]->query->pipes.front().aggregates) {
      const std::string name = std::to_string(i) + "." + a.name;
      if (!a.cond) {
        auto [it, fresh] = plain.try_emplace(std::make_tuple(a.func, a.field, a.q), name);
        column_of[name] = it->second;
        if (!fresh) continue;
      } else {
        column_of[name] = name;
      }
      Aggregate c;
      c.func = a.func;
      c.field = a.field;
      c.q = a.q;
      if (a.cond) c.cond = CloneFilter(*a.cond);
      c.name = name;
      stats.aggregates.push_back(std::move(c));
    }
  }
  fused.pipes.push_back(std::move(stats));
  const QueryOptions options = Options(from_ns, to_ns, scope);
  VIGIA_ASSIGN_OR_RETURN(QueryResult result, backend_->Run(fused, options));
  std::vector<KpiValue> out;
  out.reserve(kpis.size());
  for (size_t i = 0; i < kpis.size(); ++i) {
    // The row KPI i's own stats pipe would have given, then its math pipes.
    std::vector<QueryRecord> rows;
    for (const QueryRecord& fused_row : result.rows) {
      QueryRecord r;
      for (const Aggregate& a : kpis[i]->query->pipes.front().aggregates) {
        const OwnedValue* v = fused_row.Get(column_of[std::to_string(i) + "." + a.name]);
        r.cols.emplace_back(a.name, v ? *v : OwnedValue());
      }
      rows.push_back(std::move(r));
    }
    VIGIA_ASSIGN_OR_RETURN(rows,
                           ApplyPipes(*kpis[i]->query, 1, std::move(rows), options, options.range));
    VIGIA_ASSIGN_OR_RETURN(KpiValue v, ValueOfRows(*kpis[i], rows));
    out.push_back(std::move(v));
  }
  return out;
}

KpiStatus KpiEvaluator::StatusOf(const KpiDefinition& kpi, int64_t window_ns, int64_t now_ns,
                                 const TenantScope& scope) const {
  KpiStatus s;
  s.kpi = &kpi;
  s.window_ns = window_ns > 0 ? window_ns : kpi.window_ns;
  Result<KpiValue> current = Evaluate(kpi, now_ns - s.window_ns, now_ns, scope);
  if (!current.ok()) {
    s.status = current.status();
    return s;
  }
  s.current = std::move(*current);
  Result<KpiValue> previous = Evaluate(kpi, now_ns - 2 * s.window_ns, now_ns - s.window_ns, scope);
  if (!previous.ok()) {
    s.status = previous.status();
    return s;
  }
  s.previous = std::move(*previous);
  return s;
}

std::vector<KpiStatus> KpiEvaluator::StatusOfAll(int64_t window_ns, int64_t now_ns,
                                                 const TenantScope& scope) const {
  const std::vector<KpiDefinition>& all = config_->kpis;
  std::vector<KpiStatus> out(all.size());
  // KPIs over the same filter and window share one scan per window (the default set's five
  // request shares and p95: one pass over the hour instead of five).
  std::map<std::pair<std::string, int64_t>, std::vector<size_t>> groups;
  for (size_t i = 0; i < all.size(); ++i) {
    const int64_t w = window_ns > 0 ? window_ns : all[i].window_ns;
    if (std::optional<std::string> key = FusionKey(all[i])) {
      groups[{*key, w}].push_back(i);
    } else {
      out[i] = StatusOf(all[i], window_ns, now_ns, scope);
    }
  }
  for (const auto& [key, members] : groups) {
    if (members.size() == 1) {
      out[members[0]] = StatusOf(all[members[0]], window_ns, now_ns, scope);
      continue;
    }
    const int64_t w = key.second;
    std::vector<const KpiDefinition*> kpis;
    for (size_t i : members) kpis.push_back(&all[i]);
    Result<std::vector<KpiValue>> current = EvaluateFused(kpis, now_ns - w, now_ns, scope);
    Result<std::vector<KpiValue>> previous =
        current.ok() ? EvaluateFused(kpis, now_ns - 2 * w, now_ns - w, scope) : current;
    for (size_t j = 0; j < members.size(); ++j) {
      KpiStatus& s = out[members[j]];
      s.kpi = kpis[j];
      s.window_ns = w;
      if (!current.ok() || !previous.ok()) {
        s.status = current.ok() ? previous.status() : current.status();
        continue;
      }
      s.current = std::move((*current)[j]);
      s.previous = std::move((*previous)[j]);
    }
  }
  return out;
}

Result<KpiStatus> KpiEvaluator::StatusByName(std::string_view name, int64_t now_ns,
                                             const TenantScope& scope) const {
  const KpiDefinition* k = config_->FindKpi(name);
  if (k == nullptr) return Status::NotFound("no KPI named \"" + std::string(name) + "\"");
  return StatusOf(*k, 0, now_ns, scope);
}

Result<std::vector<KpiPoint>> KpiEvaluator::Series(const KpiDefinition& kpi, int64_t span_ns,
                                                   int64_t step_ns, int64_t to_ns,
                                                   const TenantScope& scope) const {
  std::vector<KpiPoint> points;
  // Steps aligned to multiples of step (like a _time bucket), the last one holding the
  // instant before `to`.
  const int64_t last = (to_ns - 1) - ((to_ns - 1) % step_ns);
  const int64_t n = std::max<int64_t>(1, (span_ns + step_ns - 1) / step_ns);
  for (int64_t i = n - 1; i >= 0; --i) {
    KpiPoint p;
    p.from_ns = last - i * step_ns;
    VIGIA_ASSIGN_OR_RETURN(KpiValue v, Evaluate(kpi, p.from_ns, p.from_ns + step_ns, scope));
    p.value = v.value;
    p.color = v.color;
    points.push_back(p);
  }
  return points;
}

std::string_view KpiTrend(const KpiStatus& s) {
  if (!s.current.value || !s.previous.value) return {};
  const double cur = *s.current.value, prev = *s.previous.value;
  if (cur == prev) return "same";
  return Worse(*s.kpi, cur, prev) ? "worse" : "better";
}

std::string FormatDurationShort(int64_t ns) {
  struct Unit {
    int64_t ns;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{int64_t{86400} * 1'000'000'000, "d"},
                                    {int64_t{3600} * 1'000'000'000, "h"},
                                    {int64_t{60} * 1'000'000'000, "m"},
                                    {1'000'000'000, "s"},
                                    {1'000'000, "ms"}};
  for (const Unit& u : kUnits) {
    if (ns >= u.ns && ns % u.ns == 0) return std::to_string(ns / u.ns) + u.suffix;
  }
  return std::to_string(ns) + "ns";
}

void WriteKpiStatusJson(JsonWriter* w, const KpiStatus& s) {
  const KpiDefinition& k = *s.kpi;
  w->BeginObject();
  w->KV("name", k.name).KV("title", k.title).KV("unit", k.unit);
  w->KV("window", FormatDurationShort(s.window_ns));
  w->KV("direction", KpiDirectionName(k.direction));
  w->Key("value");
  WriteOptionalDouble(w, s.current.value);
  w->KV("color", KpiColorName(s.current.color));
  w->Key("thresholds").BeginObject().KV("green", k.green).KV("yellow", k.yellow).EndObject();
  w->Key("previous").BeginObject().Key("value");
  WriteOptionalDouble(w, s.previous.value);
  w->KV("color", KpiColorName(s.previous.color)).EndObject();
  w->Key("trend");
  if (std::string_view t = KpiTrend(s); t.empty()) {
    w->Null();
  } else {
    w->String(t);
  }
  if (!s.current.groups.empty()) {
    w->Key("groups").BeginArray();
    for (size_t i = 0; i < s.current.groups.size() && i < 10; ++i) {
      const KpiGroup& g = s.current.groups[i];
      w->BeginObject().KV("group", g.labels).KV("value", g.value);
      w->KV("color", KpiColorName(g.color)).EndObject();
    }
    w->EndArray();
  }
  if (!s.status.ok()) w->KV("error", s.status.ToString());
  w->EndObject();
}

}  // namespace vigia
