#include "monitor/monitor_config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/limits.h"
#include "monitor/default_kpis.h"
#include "vql/vql_parser.h"

namespace vigia {

namespace {

// Errors carry "<source>:<line>: <kind> \"<name>\": ".
struct Where {
  std::string prefix;
  Status Error(const std::string& what) const { return Status::InvalidArgument(prefix + what); }
};

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> RequiredString(const toml::table& t, const char* key, const Where& w) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return w.Error(std::string(key) + ": missing");
  const auto* s = n->as_string();
  if (s == nullptr) return w.Error(std::string(key) + ": expected a string");
  return s->get();
}

Result<std::string> OptionalString(const toml::table& t, const char* key, const Where& w) {
  if (t.get(key) == nullptr) return std::string();
  return RequiredString(t, key, w);
}

Result<double> RequiredNumber(const toml::table& t, const char* key, const Where& w) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return w.Error(std::string(key) + ": missing");
  if (const auto* i = n->as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n->as_floating_point()) {
    if (!std::isfinite(f->get())) return w.Error(std::string(key) + ": must be finite");
    return f->get();
  }
  return w.Error(std::string(key) + ": expected a number");
}

Result<int64_t> RequiredDuration(const toml::table& t, const char* key, const Where& w) {
  VIGIA_ASSIGN_OR_RETURN(std::string text, RequiredString(t, key, w));
  std::optional<int64_t> ns = ParseDurationNs(text);
  if (!ns)
    return w.Error(std::string(key) + ": expected a duration such as 1h, got \"" + text + "\"");
  return *ns;
}

Result<std::shared_ptr<const Query>> ParseQuery(const std::string& text, const char* key,
                                                const Where& w) {
  Result<Query> q = ParseVql(text);
  if (!q.ok()) return w.Error(std::string(key) + ": " + q.status().message());
  return std::make_shared<const Query>(std::move(*q));
}

Status CheckFilterOnly(const std::string& text, const char* key, const Where& w) {
  VIGIA_ASSIGN_OR_RETURN(std::shared_ptr<const Query> q, ParseQuery(text, key, w));
  if (!q->pipes.empty()) return w.Error(std::string(key) + ": must be a filter, without pipes");
  return Status::Ok();
}

Where WhereOf(const toml::table& t, std::string_view source, std::string_view kind) {
  std::string prefix(source);
  prefix += ":" + std::to_string(t.source().begin.line) + ": " + std::string(kind);
  if (const auto* n = t.get("name"); n != nullptr && n->as_string() != nullptr) {
    prefix += " \"" + n->as_string()->get() + "\"";
  }
  prefix += ": ";
  return Where{std::move(prefix)};
}

Result<KpiDefinition> ParseKpi(const toml::table& t, std::string_view source) {
  const Where w = WhereOf(t, source, "kpi");
  KpiDefinition k;
  VIGIA_ASSIGN_OR_RETURN(k.name, RequiredString(t, "name", w));
  if (!ValidName(k.name)) return w.Error("name: use 1-64 of [a-z0-9_-]");
  VIGIA_ASSIGN_OR_RETURN(k.title, OptionalString(t, "title", w));
  VIGIA_ASSIGN_OR_RETURN(k.query_text, RequiredString(t, "query", w));
  VIGIA_ASSIGN_OR_RETURN(k.query, ParseQuery(k.query_text, "query", w));
  VIGIA_ASSIGN_OR_RETURN(k.unit, OptionalString(t, "unit", w));
  VIGIA_ASSIGN_OR_RETURN(k.window_ns, RequiredDuration(t, "window", w));
  VIGIA_ASSIGN_OR_RETURN(std::string direction, RequiredString(t, "direction", w));
  if (direction == "lower") {
    k.direction = KpiDirection::kLowerIsBetter;
  } else if (direction == "higher") {
    k.direction = KpiDirection::kHigherIsBetter;
  } else {
    return w.Error("direction: expected \"lower\" or \"higher\", got \"" + direction + "\"");
  }
  VIGIA_ASSIGN_OR_RETURN(k.green, RequiredNumber(t, "green", w));
  VIGIA_ASSIGN_OR_RETURN(k.yellow, RequiredNumber(t, "yellow", w));
  const bool ordered =
      k.direction == KpiDirection::kLowerIsBetter ? k.green <= k.yellow : k.green >= k.yellow;
  if (!ordered) {
    return w.Error(k.direction == KpiDirection::kLowerIsBetter
                       ? "green must be <= yellow when lower is better"
                       : "green must be >= yellow when higher is better");
  }
  for (const auto& [key, value] : t) {
    static const std::set<std::string_view> known = {"name",   "title",     "query", "unit",
                                                     "window", "direction", "green", "yellow"};
    if (!known.count(key.str())) return w.Error("unknown key \"" + std::string(key.str()) + "\"");
  }
  return k;
}

Result<SloDefinition> ParseSlo(const toml::table& t, std::string_view source) {
  const Where w = WhereOf(t, source, "slo");
  SloDefinition s;
  VIGIA_ASSIGN_OR_RETURN(s.name, RequiredString(t, "name", w));
  if (!ValidName(s.name)) return w.Error("name: use 1-64 of [a-z0-9_-]");
  VIGIA_ASSIGN_OR_RETURN(s.title, OptionalString(t, "title", w));
  VIGIA_ASSIGN_OR_RETURN(s.total_filter, RequiredString(t, "total", w));
  VIGIA_ASSIGN_OR_RETURN(s.good_filter, RequiredString(t, "good", w));
  VIGIA_RETURN_IF_ERROR(CheckFilterOnly(s.total_filter, "total", w));
  VIGIA_RETURN_IF_ERROR(CheckFilterOnly(s.good_filter, "good", w));
  VIGIA_ASSIGN_OR_RETURN(s.target_percent, RequiredNumber(t, "target", w));
  if (!(s.target_percent > 0 && s.target_percent < 100)) {
    return w.Error("target: a percentage strictly between 0 and 100");
  }
  VIGIA_ASSIGN_OR_RETURN(s.period_ns, RequiredDuration(t, "period", w));
  VIGIA_ASSIGN_OR_RETURN(
      s.query, ParseQuery("(" + s.total_filter + ") | stats count() as total, count() if (" +
                              s.good_filter + ") as good",
                          "good", w));
  for (const auto& [key, value] : t) {
    static const std::set<std::string_view> known = {"name", "title",  "total",
                                                     "good", "target", "period"};
    if (!known.count(key.str())) return w.Error("unknown key \"" + std::string(key.str()) + "\"");
  }
  return s;
}

Result<int64_t> OptionalInt(const toml::table& t, const char* key, int64_t def, int64_t min,
                            int64_t max, const Where& w) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return def;
  const auto* i = n->as_integer();
  if (i == nullptr) return w.Error(std::string(key) + ": expected an integer");
  if (i->get() < min || i->get() > max) {
    return w.Error(std::string(key) + ": must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
  }
  return i->get();
}

Result<ProbeTarget> ParseProbe(const toml::table& t, std::string_view source) {
  const Where w = WhereOf(t, source, "probe");
  ProbeTarget p;
  VIGIA_ASSIGN_OR_RETURN(p.name, RequiredString(t, "name", w));
  if (!ValidName(p.name)) return w.Error("name: use 1-64 of [a-z0-9_-]");
  VIGIA_ASSIGN_OR_RETURN(p.url, OptionalString(t, "url", w));
  VIGIA_ASSIGN_OR_RETURN(p.address, OptionalString(t, "tcp", w));
  if (p.url.empty() == p.address.empty()) return w.Error("give exactly one of url and tcp");
  if (!p.url.empty()) {
    if (p.url.rfind("http://", 0) != 0 && p.url.rfind("https://", 0) != 0) {
      return w.Error("url: must start with http:// or https://");
    }
    p.kind = ProbeKind::kHttp;
  } else {
    if (p.address.find(':') == std::string::npos) return w.Error("tcp: expected host:port");
    p.kind = ProbeKind::kTcp;
  }
  p.interval_ns = int64_t{60} * 1'000'000'000;
  if (t.get("interval") != nullptr) {
    VIGIA_ASSIGN_OR_RETURN(p.interval_ns, RequiredDuration(t, "interval", w));
  }
  if (p.interval_ns < 1'000'000'000) return w.Error("interval: at least 1s");
  if (t.get("timeout") != nullptr) {
    VIGIA_ASSIGN_OR_RETURN(int64_t timeout_ns, RequiredDuration(t, "timeout", w));
    p.timeout_ms = std::max<int64_t>(1, timeout_ns / 1'000'000);
  }
  if (p.timeout_ms > 60'000) return w.Error("timeout: at most 60s");
  VIGIA_ASSIGN_OR_RETURN(int64_t status, OptionalInt(t, "expect_status", 0, 0, 599, w));
  p.expect_status = static_cast<int>(status);
  VIGIA_ASSIGN_OR_RETURN(p.expect_body, OptionalString(t, "expect_body", w));
  VIGIA_ASSIGN_OR_RETURN(p.expect_json_field, OptionalString(t, "expect_json_field", w));
  VIGIA_ASSIGN_OR_RETURN(p.expect_json_value, OptionalString(t, "expect_json_value", w));
  if (p.expect_json_field.empty() != (t.get("expect_json_value") == nullptr)) {
    return w.Error("expect_json_field and expect_json_value go together");
  }
  if (const toml::node* h = t.get("headers")) {
    const toml::table* ht = h->as_table();
    if (ht == nullptr) return w.Error("headers: expected a table of name = \"value\"");
    for (const auto& [name, value] : *ht) {
      if (value.as_string() == nullptr) return w.Error("headers: values must be strings");
      p.headers.emplace_back(std::string(name.str()), value.as_string()->get());
    }
  }
  VIGIA_ASSIGN_OR_RETURN(int64_t warn, OptionalInt(t, "tls_warning_days", 21, 0, 3650, w));
  VIGIA_ASSIGN_OR_RETURN(int64_t crit, OptionalInt(t, "tls_critical_days", 7, 0, 3650, w));
  if (crit > warn) return w.Error("tls_critical_days must be <= tls_warning_days");
  p.tls_warning_days = static_cast<int>(warn);
  p.tls_critical_days = static_cast<int>(crit);
  for (const auto& [key, value] : t) {
    static const std::set<std::string_view> known = {"name",
                                                     "url",
                                                     "tcp",
                                                     "interval",
                                                     "timeout",
                                                     "expect_status",
                                                     "expect_body",
                                                     "expect_json_field",
                                                     "expect_json_value",
                                                     "headers",
                                                     "tls_warning_days",
                                                     "tls_critical_days"};
    if (!known.count(key.str())) return w.Error("unknown key \"" + std::string(key.str()) + "\"");
  }
  return p;
}

}  // namespace

const KpiDefinition* MonitorConfig::FindKpi(std::string_view name) const {
  for (const KpiDefinition& k : kpis) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const SloDefinition* MonitorConfig::FindSlo(std::string_view name) const {
  for (const SloDefinition& s : slos) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string_view KpiDirectionName(KpiDirection d) {
  switch (d) {
    case KpiDirection::kLowerIsBetter:
      return "lower";
    case KpiDirection::kHigherIsBetter:
      return "higher";
  }
  return "lower";
}

Result<MonitorConfig> ParseMonitorConfig(std::string_view toml_text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" +
                                   std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  MonitorConfig config;
  std::set<std::string> names;
  for (const auto& [key, node] : root) {
    const std::string_view k = key.str();
    if (k != "kpi" && k != "slo" && k != "probe") {
      return Status::InvalidArgument(
          std::string(source) + ":" + std::to_string(node.source().begin.line) +
          ": unknown table \"" + std::string(k) + "\" (expected [[kpi]], [[slo]] or [[probe]])");
    }
    const toml::array* arr = node.as_array();
    if (arr == nullptr) {
      return Status::InvalidArgument(std::string(source) + ": " + std::string(k) +
                                     " must be an array of tables ([[" + std::string(k) + "]])");
    }
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr) {
        return Status::InvalidArgument(std::string(source) + ": " + std::string(k) +
                                       " entries must be tables");
      }
      std::string name;
      if (k == "kpi") {
        VIGIA_ASSIGN_OR_RETURN(KpiDefinition kpi, ParseKpi(*t, source));
        name = kpi.name;
        config.kpis.push_back(std::move(kpi));
      } else if (k == "slo") {
        VIGIA_ASSIGN_OR_RETURN(SloDefinition slo, ParseSlo(*t, source));
        name = slo.name;
        config.slos.push_back(std::move(slo));
      } else {
        VIGIA_ASSIGN_OR_RETURN(ProbeTarget probe, ParseProbe(*t, source));
        name = probe.name;
        config.probes.push_back(std::move(probe));
      }
      if (!names.insert(std::string(k) + ":" + name).second) {
        return Status::InvalidArgument(std::string(source) + ":" +
                                       std::to_string(t->source().begin.line) + ": " +
                                       std::string(k) + " \"" + name + "\" defined twice");
      }
    }
  }
  if (config.kpis.size() + config.slos.size() + config.probes.size() > limits::kMaxKpis) {
    return Status::InvalidArgument(std::string(source) + ": more than " +
                                   std::to_string(limits::kMaxKpis) + " KPIs and SLOs");
  }
  return config;
}

Result<MonitorConfig> LoadMonitorConfig(const std::string& path) {
  if (path.empty()) return ParseMonitorConfig(DefaultKpisToml(), "default KPIs");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseMonitorConfig(text.str(), path);
}

}  // namespace vigia
