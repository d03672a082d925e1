#include "monitor/monitor_config.h"

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
    if (k != "kpi" && k != "slo") {
      return Status::InvalidArgument(
          std::string(source) + ":" + std::to_string(node.source().begin.line) +
          ": unknown table \"" + std::string(k) + "\" (expected [[kpi]] or [[slo]])");
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
      } else {
        VIGIA_ASSIGN_OR_RETURN(SloDefinition slo, ParseSlo(*t, source));
        name = slo.name;
        config.slos.push_back(std::move(slo));
      }
      if (!names.insert(std::string(k) + ":" + name).second) {
        return Status::InvalidArgument(std::string(source) + ":" +
                                       std::to_string(t->source().begin.line) + ": " +
                                       std::string(k) + " \"" + name + "\" defined twice");
      }
    }
  }
  if (config.kpis.size() + config.slos.size() > limits::kMaxKpis) {
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
