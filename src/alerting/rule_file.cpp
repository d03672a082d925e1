#include "alerting/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "alerting/error_group_alerts.h"
#include "alerting/label_names.h"
#include "alerting/rule_signals.h"
#include "common/ascii.h"
#include "common/limits.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

// Collects "path:line:col: message" lines.
class Errors {
 public:
  explicit Errors(const std::string& path) : path_(path) {}
  void Add(const YAML::Mark& mark, const std::string& message) {
    Add(mark.line + 1, mark.column + 1, message);
  }
  void Add(int line, int col, const std::string& message) {
    if (count_ < limits::kMaxReportedRuleErrors) {
      if (!text_.empty()) text_ += '\n';
      text_ += path_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
    }
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  Status ToStatus() const {
    std::string t = text_;
    if (count_ > limits::kMaxReportedRuleErrors) {
      t += "\n" + path_ + ": " + std::to_string(count_ - limits::kMaxReportedRuleErrors) +
           " more errors";
    }
    return Status::InvalidArgument(t);
  }

 private:
  const std::string& path_;
  std::string text_;
  size_t count_ = 0;
};

bool CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
               std::string_view what, Errors* errors) {
  bool ok = true;
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      errors->Add(kv.first.Mark(), "unknown field \"" + key + "\" in " + std::string(what) +
                                       " (expected one of " + list + ")");
      ok = false;
    }
  }
  return ok;
}

bool GetString(const YAML::Node& node, std::string_view what, Errors* errors, std::string* out) {
  if (!node.IsScalar()) {
    errors->Add(node.Mark(), std::string(what) + ": expected a string");
    return false;
  }
  *out = node.Scalar();
  return true;
}

// "5m", "30s", "0", "0s" → ns.
bool GetDuration(const YAML::Node& node, std::string_view what, Errors* errors, int64_t* out) {
  std::string s;
  if (!GetString(node, what, errors, &s)) return false;
  std::string_view t = ascii::TrimSpaces(s);
  if (t == "0" || t == "0s" || t == "0m") {
    *out = 0;
    return true;
  }
  std::optional<int64_t> ns = ParseDurationNs(t);
  if (!ns) {
    errors->Add(node.Mark(),
                std::string(what) + ": invalid duration \"" + s + "\" (expected e.g. 30s, 5m, 1h)");
    return false;
  }
  *out = *ns;
  return true;
}

// `column op number`: the operator and number are read from the right, so the column may
// hold spaces and parentheses (`p95(duration_ms)`).
std::optional<AlertCondition> ParseCondition(std::string_view text, std::string* error) {
  std::string_view t = ascii::TrimSpaces(text);
  size_t op_end = std::string_view::npos;
  size_t num_start = t.size();
  while (num_start > 0 && !std::isspace(static_cast<unsigned char>(t[num_start - 1])) &&
         std::string_view("<>=!").find(t[num_start - 1]) == std::string_view::npos) {
    --num_start;
  }
  std::string_view number = t.substr(num_start);
  op_end = num_start;
  while (op_end > 0 && std::isspace(static_cast<unsigned char>(t[op_end - 1]))) --op_end;
  size_t op_start = op_end;
  while (op_start > 0 && std::string_view("<>=!").find(t[op_start - 1]) != std::string_view::npos) {
    --op_start;
  }
  std::string_view op = t.substr(op_start, op_end - op_start);
  std::string_view column = ascii::TrimSpaces(t.substr(0, op_start));
  AlertCondition c;
  if (op == ">") {
    c.op = CmpOp::kGt;
  } else if (op == ">=") {
    c.op = CmpOp::kGe;
  } else if (op == "<") {
    c.op = CmpOp::kLt;
  } else if (op == "<=") {
    c.op = CmpOp::kLe;
  } else if (op == "==") {
    c.op = CmpOp::kEq;
  } else if (op == "!=") {
    c.op = CmpOp::kNe;
  } else {
    *error = "expected `column op number` with op one of > >= < <= == !=";
    return std::nullopt;
  }
  if (column.empty()) {
    *error = "condition has no column before \"" + std::string(op) + "\"";
    return std::nullopt;
  }
  double v = 0;
  // A KPI's colour compares by name: none < green < yellow < red.
  static const std::pair<std::string_view, double> kColors[] = {{"none", kSignalColorNone},
                                                                {"green", kSignalColorGreen},
                                                                {"yellow", kSignalColorYellow},
                                                                {"red", kSignalColorRed}};
  bool is_color = false;
  for (const auto& [color_name, color_value] : kColors) {
    if (number == color_name) {
      v = color_value;
      is_color = true;
    }
  }
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  if (is_color) {
    if (ascii::TrimSpaces(t.substr(0, op_start)) != "color") {
      *error = "a colour (" + std::string(number) + ") compares only with the column color";
      return std::nullopt;
    }
  } else if (number.empty() || ec != std::errc() || p != number.data() + number.size()) {
    *error = "condition threshold \"" + std::string(number) + "\" is not a number";
    return std::nullopt;
  }
  c.column = std::string(column);
  c.threshold = v;
  c.text = std::string(t);
  return c;
}

// The columns the query's result rows carry, when its pipes fix them (nullopt otherwise,
// e.g. after `top`).
std::optional<std::set<std::string>> OutputColumns(const Query& q) {
  std::optional<std::set<std::string>> cols;
  for (const Pipe& p : q.pipes) {
    switch (p.kind) {
      case PipeKind::kStats:
        cols.emplace();
        for (const GroupKey& k : p.by) cols->insert(k.field);
        for (const Aggregate& a : p.aggregates) cols->insert(a.name);
        break;
      case PipeKind::kTop:
        cols.reset();
        return cols;
      case PipeKind::kMath:
        if (cols) {
          for (const MathAssign& m : p.math) cols->insert(m.name);
        }
        break;
      case PipeKind::kFields:
        if (cols) cols = std::set<std::string>(p.fields.begin(), p.fields.end());
        break;
      case PipeKind::kWhere:
      case PipeKind::kSort:
      case PipeKind::kLimit:
        break;
    }
  }
  return cols;
}

// The YAML position of column `col` (1-based) of line `line` of a scalar's text.
std::pair<int, int> ScalarPosition(const YAML::Node& node, int line, int col) {
  const YAML::Mark m = node.Mark();
  // Quoted scalars start one column after their quote; block scalars on the next line at an
  // indentation yaml-cpp does not report, so only the line is exact there.
  if (line == 1) return {m.line + 1, m.column + 1 + (node.Tag() == "!" ? 1 : 0) + col - 1};
  return {m.line + line, 1};
}

void ParseRule(const YAML::Node& node, const std::string& path, std::set<std::string>* names,
               Errors* errors, std::vector<AlertRule>* out) {
  if (!node.IsMap()) {
    errors->Add(node.Mark(), "a rule must be a mapping");
    return;
  }
  CheckKeys(node,
            {"name", "alert", "query", "kpi", "slo", "condition", "absent", "for",
             "keep_firing_for", "labels", "annotations"},
            "rule", errors);
  AlertRule r;
  r.file = path;
  r.line = node.Mark().line + 1;
  r.column = node.Mark().column + 1;
  YAML::Node name = node["name"] ? node["name"] : node["alert"];
  if (node["name"] && node["alert"])
    errors->Add(node["alert"].Mark(), "give name or alert, not both");
  if (!name) {
    errors->Add(node.Mark(), "rule has no name");
  } else if (GetString(name, "name", errors, &r.name)) {
    if (!IsValidLabelValue(r.name) || r.name.empty()) {
      errors->Add(name.Mark(), "name must be non-empty text");
    } else if (!names->insert(r.name).second) {
      errors->Add(name.Mark(), "rule \"" + r.name + "\" is defined twice in this group");
    }
  }
  YAML::Node query = node["query"];
  YAML::Node kpi = node["kpi"];
  YAML::Node slo = node["slo"];
  if ((query ? 1 : 0) + (kpi ? 1 : 0) + (slo ? 1 : 0) > 1) {
    errors->Add(node.Mark(), "rule \"" + r.name + "\": give one of query, kpi and slo");
  } else if (kpi || slo) {
    // A KPI or SLO of the monitor by name (rule_signals.h); the server checks that it exists.
    r.source = kpi ? SignalKind::kKpi : SignalKind::kSlo;
    const YAML::Node& n = kpi ? kpi : slo;
    if (GetString(n, kpi ? "kpi" : "slo", errors, &r.signal_name)) {
      if (r.signal_name.empty()) errors->Add(n.Mark(), "kpi/slo: the name is empty");
      r.query_text = std::string(kpi ? "kpi:" : "slo:") + r.signal_name;
    }
  } else if (!query) {
    errors->Add(node.Mark(), "rule \"" + r.name + "\" has no query (or kpi, slo)");
  } else if (GetString(query, "query", errors, &r.query_text)) {
    Result<Query> q = ParseVql(r.query_text);
    if (!q.ok()) {
      // The parser reports "line:col: message" within the query text.
      const std::string& m = q.status().message();
      int qline = 1, qcol = 1;
      std::string msg = m;
      if (std::sscanf(m.c_str(), "%d:%d:", &qline, &qcol) == 2) {
        msg = std::string(ascii::TrimSpaces(m.substr(m.find(':', m.find(':') + 1) + 1)));
      }
      auto [line, col] = ScalarPosition(query, qline, qcol);
      errors->Add(line, col, "query: " + msg);
    } else {
      const Pipe* agg = nullptr;
      for (const Pipe& p : q->pipes) {
        if (p.kind == PipeKind::kStats || p.kind == PipeKind::kTop) agg = &p;
      }
      if (agg == nullptr) {
        errors->Add(query.Mark(),
                    "query: must aggregate (`| stats …`): a rule tests result rows, not events");
      } else {
        for (const GroupKey& k : agg->by) {
          if (k.bucket_ns == 0) r.label_columns.push_back(k.field);
        }
      }
      r.query = std::make_shared<const Query>(std::move(*q));
    }
  }
  if (YAML::Node c = node["condition"]) {
    std::string text;
    if (GetString(c, "condition", errors, &text)) {
      std::string error;
      r.condition = ParseCondition(text, &error);
      if (!r.condition) {
        errors->Add(c.Mark(), "condition: " + error);
      } else if (r.source != SignalKind::kQuery) {
        const std::vector<std::string>& cols = SignalColumns(r.source);
        if (std::find(cols.begin(), cols.end(), r.condition->column) == cols.end()) {
          std::string list;
          for (const std::string& col : cols) list += (list.empty() ? "" : ", ") + col;
          errors->Add(c.Mark(), std::string("condition: a ") +
                                    (r.source == SignalKind::kKpi ? "kpi" : "slo") +
                                    " rule has no column \"" + r.condition->column +
                                    "\" (its columns: " + list + ")");
        }
      } else if (r.query) {
        std::optional<std::set<std::string>> cols = OutputColumns(*r.query);
        if (cols && !cols->count(r.condition->column)) {
          std::string list;
          for (const std::string& s : *cols) list += (list.empty() ? "" : ", ") + s;
          errors->Add(c.Mark(), "condition: the query has no column \"" + r.condition->column +
                                    "\" (its columns: " + list + ")");
        }
      }
    }
  }
  if (!node["condition"] && r.source != SignalKind::kQuery) {
    // Without a condition: a KPI alerts when red, an SLO on its fast burn (the page).
    std::string error;
    r.condition =
        ParseCondition(r.source == SignalKind::kKpi ? "color >= red" : "fast_burn > 0", &error);
  }
  if (YAML::Node a = node["absent"]) {
    if (!a.IsScalar() || (a.Scalar() != "true" && a.Scalar() != "false")) {
      errors->Add(a.Mark(), "absent: expected true or false");
    } else {
      r.absent = a.Scalar() == "true";
    }
  }
  if (YAML::Node f = node["for"]) GetDuration(f, "for", errors, &r.for_ns);
  if (YAML::Node k = node["keep_firing_for"]) {
    GetDuration(k, "keep_firing_for", errors, &r.keep_firing_for_ns);
  }
  if (YAML::Node labels = node["labels"]) {
    if (!labels.IsMap()) {
      errors->Add(labels.Mark(), "labels: expected a mapping");
    } else {
      for (const auto& kv : labels) {
        std::string key = kv.first.Scalar();
        std::string value;
        if (!IsValidLabelName(key)) {
          errors->Add(kv.first.Mark(), "labels: invalid label name \"" + key +
                                           "\" (letters, digits and _, not first a digit)");
        } else if (key == kAlertNameLabel) {
          errors->Add(kv.first.Mark(), "labels: alertname is the rule's name");
        } else if (GetString(kv.second, "labels." + key, errors, &value)) {
          r.labels[key] = value;
        }
      }
    }
  }
  if (YAML::Node ann = node["annotations"]) {
    if (!ann.IsMap()) {
      errors->Add(ann.Mark(), "annotations: expected a mapping");
    } else {
      for (const auto& kv : ann) {
        std::string key = kv.first.Scalar();
        std::string text;
        if (!GetString(kv.second, "annotations." + key, errors, &text)) continue;
        Result<AlertTemplate> t = AlertTemplate::Parse(text);
        if (!t.ok()) {
          int tcol = 1;
          std::sscanf(t.status().message().c_str(), "column %d:", &tcol);
          std::string m = t.status().message();
          auto [line, col] = ScalarPosition(kv.second, 1, tcol);
          if (text.find('\n') != std::string::npos)
            std::tie(line, col) = ScalarPosition(kv.second, 2, 1);
          errors->Add(line, col,
                      "annotations." + key + ": template error: " +
                          std::string(ascii::TrimSpaces(m.substr(m.find(':') + 1))));
        } else {
          r.annotations[key] = std::move(*t);
        }
      }
    }
  }
  out->push_back(std::move(r));
}

}  // namespace

Result<std::vector<RuleGroup>> ParseRuleFile(const std::string& path, std::string_view text) {
  Errors errors(path);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    errors.Add(e.mark, "YAML syntax error: " + e.msg);
    return errors.ToStatus();
  }
  std::vector<RuleGroup> groups;
  if (!root || root.IsNull()) return groups;  // an empty file has no rules
  try {
    if (!root.IsMap()) {
      errors.Add(root.Mark(), "expected a mapping with `groups:`");
      return errors.ToStatus();
    }
    CheckKeys(root, {"groups"}, "the file", &errors);
    YAML::Node gs = root["groups"];
    if (gs && !gs.IsSequence() && !gs.IsNull()) {
      errors.Add(gs.Mark(), "groups: expected a list");
      return errors.ToStatus();
    }
    std::set<std::string> group_names;
    for (const YAML::Node& g : gs) {
      if (!g.IsMap()) {
        errors.Add(g.Mark(), "a group must be a mapping");
        continue;
      }
      CheckKeys(g, {"name", "interval", "rules"}, "group", &errors);
      RuleGroup group;
      group.file = path;
      group.interval_ns = limits::kDefaultRuleIntervalNs;
      if (!g["name"]) {
        errors.Add(g.Mark(), "group has no name");
      } else if (GetString(g["name"], "name", &errors, &group.name)) {
        if (group.name.empty()) errors.Add(g["name"].Mark(), "group name is empty");
        if (group.name == kErrorGroupRulesGroup) {
          errors.Add(g["name"].Mark(), "group name \"" + group.name +
                                           "\" is reserved (the built-in error-group alerts)");
        }
        if (!group_names.insert(group.name).second) {
          errors.Add(g["name"].Mark(), "group \"" + group.name + "\" is defined twice");
        }
      }
      if (YAML::Node i = g["interval"]) {
        if (GetDuration(i, "interval", &errors, &group.interval_ns) &&
            group.interval_ns < limits::kMinRuleIntervalNs) {
          errors.Add(i.Mark(), "interval: must be at least 1s");
        }
      }
      YAML::Node rules = g["rules"];
      if (rules && !rules.IsSequence()) {
        errors.Add(rules.Mark(), "rules: expected a list");
        continue;
      }
      std::set<std::string> rule_names;
      for (const YAML::Node& r : rules) ParseRule(r, path, &rule_names, &errors, &group.rules);
      groups.push_back(std::move(group));
    }
  } catch (const YAML::Exception& e) {
    errors.Add(e.mark, e.msg);
  }
  if (!errors.empty()) return errors.ToStatus();
  return groups;
}

Result<RuleSet> LoadRuleFiles(Env* env, const std::vector<std::string>& paths) {
  RuleSet set;
  std::string all_errors;
  std::map<std::string, std::string> group_file;
  for (const std::string& path : paths) {
    Result<std::string> text = env->ReadFileToString(path);
    if (!text.ok()) {
      all_errors += (all_errors.empty() ? "" : "\n") + path + ": " + text.status().message();
      continue;
    }
    Result<std::vector<RuleGroup>> groups = ParseRuleFile(path, *text);
    if (!groups.ok()) {
      all_errors += (all_errors.empty() ? "" : "\n") + groups.status().message();
      continue;
    }
    for (RuleGroup& g : *groups) {
      auto [it, fresh] = group_file.emplace(g.name, path);
      if (!fresh) {
        all_errors += (all_errors.empty() ? "" : "\n") + path + ": group \"" + g.name +
                      "\" is already defined in " + it->second;
        continue;
      }
      set.groups.push_back(std::move(g));
    }
    set.files.push_back(path);
  }
  if (!all_errors.empty()) return Status::InvalidArgument(all_errors);
  if (set.RuleCount() > limits::kMaxAlertRules) {
    return Status::InvalidArgument("too many rules: " + std::to_string(set.RuleCount()) +
                                   " (at most " + std::to_string(limits::kMaxAlertRules) + ")");
  }
  return set;
}

Result<RuleSet> LoadRulesDir(Env* env, const std::string& dir) {
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok())
    return Status::InvalidArgument("rules directory " + dir + ": " + names.status().message());
  std::vector<std::string> paths;
  for (const std::string& n : *names) {
    auto ends = [&](std::string_view s) {
      return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    if (ends(".yml") || ends(".yaml")) paths.push_back(JoinPath(dir, n));
  }
  return LoadRuleFiles(env, paths);
}

}  // namespace vigia
