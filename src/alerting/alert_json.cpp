#include "alerting/alert_json.h"

#include <map>

#include "alerting/label_map_json.h"
#include "common/time_format.h"

namespace vigia {
namespace {

void WriteTime(JsonWriter* w, std::string_view key, int64_t ns) {
  w->Key(key);
  if (ns == 0) {
    w->Null();
  } else {
    w->String(FormatRfc3339(ns, 3));
  }
}

}  // namespace

void WriteAlertInstance(JsonWriter* w, const AlertInstance& a,
                        const std::vector<std::string>& silenced_by) {
  w->BeginObject();
  w->KV("fingerprint", a.fingerprint);
  w->KV("group", a.group).KV("rule", a.rule);
  w->KV("state", AlertStateName(a.state));
  w->Key("labels");
  WriteLabelMap(w, a.labels);
  w->Key("annotations");
  WriteLabelMap(w, a.annotations);
  w->KV("value", a.value);
  WriteTime(w, "activeAt", a.active_at_ns);
  WriteTime(w, "firedAt", a.fired_at_ns);
  WriteTime(w, "resolvedAt", a.resolved_at_ns);
  WriteTime(w, "lastActiveAt", a.last_active_ns);
  w->KV("query", a.query);
  if (!silenced_by.empty()) {
    w->Key("silenced_by").BeginArray();
    for (const std::string& id : silenced_by) w->String(id);
    w->EndArray();
  }
  w->EndObject();
}

void WriteRuleGroups(JsonWriter* wp, const RuleSet& rules, const std::vector<RuleHealth>& health,
                     const std::function<int64_t(const std::string&)>& next_eval_ns,
                     const std::vector<AlertInstance>& instances) {
  std::map<std::pair<std::string, std::string>, const RuleHealth*> by_rule;
  for (const RuleHealth& h : health) by_rule[{h.group, h.rule}] = &h;
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const AlertInstance& a : instances) {
    if (a.state == AlertState::kPending || a.state == AlertState::kFiring)
      ++counts[{a.group, a.rule}];
  }
  JsonWriter& w = *wp;
  w.Key("groups").BeginArray();
  for (const RuleGroup& g : rules.groups) {
    w.BeginObject().KV("name", g.name).KV("file", g.file);
    w.KV("interval_sec", static_cast<double>(g.interval_ns) / 1e9);
    WriteTime(&w, "next_evaluation", next_eval_ns(g.name));
    w.Key("rules").BeginArray();
    for (const AlertRule& r : g.rules) {
      w.BeginObject().KV("name", r.name).KV("query", r.query_text);
      w.Key("condition");
      if (r.condition) {
        w.String(r.condition->text);
      } else {
        w.Null();
      }
      w.KV("absent", r.absent);
      w.KV("for_sec", static_cast<double>(r.for_ns) / 1e9);
      w.KV("keep_firing_for_sec", static_cast<double>(r.keep_firing_for_ns) / 1e9);
      w.Key("labels");
      WriteLabelMap(&w, r.labels);
      w.Key("annotations").BeginObject();
      for (const auto& [k, t] : r.annotations) w.KV(k, t.text());
      w.EndObject();
      auto h = by_rule.find({g.name, r.name});
      const RuleHealth* rh = h == by_rule.end() ? nullptr : h->second;
      std::string state = "unknown";
      if (rh != nullptr && rh->evaluations > 0) state = rh->last_error.empty() ? "ok" : "err";
      w.KV("health", state);
      w.KV("lastError", rh ? rh->last_error : std::string());
      WriteTime(&w, "lastEvaluation", rh ? rh->last_eval_ns : 0);
      w.KV("evaluationTime", rh ? static_cast<double>(rh->last_duration_ns) / 1e9 : 0.0);
      w.KV("evaluations", rh ? rh->evaluations : uint64_t{0});
      w.KV("failures", rh ? rh->failures : uint64_t{0});
      w.KV("lastRows", rh ? rh->last_rows : uint64_t{0});
      w.KV("alerts", counts[{g.name, r.name}]);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
}

std::string AlertTransitionEvent(const AlertTransition& t, int64_t ts_ns) {
  const AlertInstance& a = t.instance;
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("ts", ts_ns).KV("kind", "alert");
  w.KV("level", a.state == AlertState::kFiring ? "warn" : "info");
  w.KV("service", "vigia");
  w.KV("msg", "alert " + a.rule + " " + std::string(AlertStateName(a.state)) + " " +
                  FormatLabels(a.labels));
  w.Key("alert").BeginObject();
  w.KV("name", a.rule).KV("group", a.group);
  w.KV("state", AlertStateName(a.state)).KV("previous", AlertStateName(t.from));
  w.KV("fingerprint", a.fingerprint).KV("value", a.value).KV("query", a.query);
  w.Key("labels");
  WriteLabelMap(&w, a.labels);
  w.Key("annotations");
  WriteLabelMap(&w, a.annotations);
  w.EndObject();
  w.EndObject();
  out += '\n';
  return out;
}

}  // namespace vigia
