#include "alerting/notify_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "alerting/label_names.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

struct Ctx {
  const std::string& path;
  std::string errors;
  void Add(const YAML::Mark& m, const std::string& msg) {
    if (!errors.empty()) errors += '\n';
    errors +=
        path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + msg;
  }
};

void CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
               std::string_view what, Ctx* c) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      c->Add(kv.first.Mark(), "unknown field \"" + key + "\" in " + std::string(what) +
                                  " (expected one of " + list + ")");
    }
  }
}

bool Duration(const YAML::Node& n, std::string_view what, Ctx* c, int64_t* out) {
  if (!n.IsScalar()) {
    c->Add(n.Mark(), std::string(what) + ": expected a duration");
    return false;
  }
  if (n.Scalar() == "0" || n.Scalar() == "0s") {
    *out = 0;
    return true;
  }
  std::optional<int64_t> ns = ParseDurationNs(n.Scalar());
  if (!ns) {
    c->Add(n.Mark(), std::string(what) + ": invalid duration \"" + n.Scalar() + "\"");
    return false;
  }
  *out = *ns;
  return true;
}

void ParseRoute(const YAML::Node& n, const NotifyRoute& parent, bool root, Ctx* c,
                NotifyRoute* out) {
  if (!n.IsMap()) {
    c->Add(n.Mark(), "a route must be a mapping");
    return;
  }
  CheckKeys(n,
            {"receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "matchers",
             "continue", "routes"},
            "route", c);
  out->receiver = parent.receiver;
  out->group_by = parent.group_by;
  out->group_by_all = parent.group_by_all;
  out->group_wait_ns = parent.group_wait_ns;
  out->group_interval_ns = parent.group_interval_ns;
  out->repeat_interval_ns = parent.repeat_interval_ns;
  if (YAML::Node r = n["receiver"]) out->receiver = r.Scalar();
  if (root && !n["receiver"]) c->Add(n.Mark(), "route: the root route needs a receiver");
  if (YAML::Node g = n["group_by"]) {
    if (!g.IsSequence()) {
      c->Add(g.Mark(), "group_by: expected a list of label names");
    } else {
      out->group_by.clear();
      out->group_by_all = false;
      for (const YAML::Node& l : g) {
        if (l.Scalar() == "...") {
          out->group_by_all = true;
        } else if (!IsValidLabelName(l.Scalar())) {
          c->Add(l.Mark(), "group_by: invalid label name \"" + l.Scalar() + "\"");
        } else {
          out->group_by.push_back(l.Scalar());
        }
      }
    }
  }
  if (YAML::Node d = n["group_wait"]) Duration(d, "group_wait", c, &out->group_wait_ns);
  if (YAML::Node d = n["group_interval"]) Duration(d, "group_interval", c, &out->group_interval_ns);
  if (YAML::Node d = n["repeat_interval"])
    Duration(d, "repeat_interval", c, &out->repeat_interval_ns);
  if (YAML::Node m = n["matchers"]) {
    if (root) c->Add(m.Mark(), "matchers: the root route matches every alert");
    if (!m.IsSequence()) {
      c->Add(m.Mark(), "matchers: expected a list like ['severity=page']");
    } else {
      for (const YAML::Node& t : m) {
        Result<LabelMatcher> lm = LabelMatcher::Parse(t.Scalar());
        if (!lm.ok()) {
          c->Add(t.Mark(), lm.status().message());
        } else {
          out->matchers.push_back(std::move(*lm));
        }
      }
    }
  }
  if (YAML::Node k = n["continue"]) out->continue_matching = k.Scalar() == "true";
  if (YAML::Node rs = n["routes"]) {
    if (!rs.IsSequence()) {
      c->Add(rs.Mark(), "routes: expected a list");
    } else {
      for (const YAML::Node& child : rs) {
        NotifyRoute r;
        ParseRoute(child, *out, false, c, &r);
        out->routes.push_back(std::move(r));
      }
    }
  }
}

void CheckReceivers(const NotifyRoute& r, const NotifyConfig& cfg, const YAML::Node& node, Ctx* c) {
  if (cfg.FindReceiver(r.receiver) == nullptr) {
    c->Add(node.Mark(), "route: unknown receiver \"" + r.receiver + "\"");
  }
  for (size_t i = 0; i < r.routes.size(); ++i) {
    CheckReceivers(r.routes[i], cfg, node["routes"][i], c);
  }
}

void MatchInto(const NotifyRoute& r, const LabelSet& labels, std::vector<const NotifyRoute*>* out) {
  for (const NotifyRoute& child : r.routes) {
    if (!MatchesAll(child.matchers, labels)) continue;
    size_t before = out->size();
    MatchInto(child, labels, out);
    if (out->size() == before) out->push_back(&child);
    if (!child.continue_matching) return;
  }
}

}  // namespace

std::string_view ReceiverKindName(ReceiverKind k) {
  switch (k) {
    case ReceiverKind::kWebhook:
      return "webhook";
    case ReceiverKind::kSlack:
      return "slack";
    case ReceiverKind::kAlertmanager:
      return "alertmanager";
    case ReceiverKind::kLog:
      return "log";
  }
  return "log";
}

const ReceiverConfig* NotifyConfig::FindReceiver(std::string_view name) const {
  for (const ReceiverConfig& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::vector<const NotifyRoute*> NotifyConfig::Match(const LabelSet& labels) const {
  std::vector<const NotifyRoute*> out;
  MatchInto(route, labels, &out);
  if (out.empty()) out.push_back(&route);
  return out;
}

NotifyConfig DefaultNotifyConfig() {
  NotifyConfig c;
  ReceiverConfig log;
  log.name = "log";
  log.kind = ReceiverKind::kLog;
  c.receivers.push_back(log);
  c.route.receiver = "log";
  c.route.group_by = {std::string(kAlertNameLabel)};
  return c;
}

Result<NotifyConfig> ParseNotifyConfig(const std::string& path, std::string_view text) {
  Ctx c{path, ""};
  NotifyConfig cfg;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
    if (!root.IsMap()) {
      c.Add(root.Mark(), "expected a mapping with receivers: and route:");
      return Status::InvalidArgument(c.errors);
    }
    CheckKeys(root, {"receivers", "route"}, "the file", &c);
    std::set<std::string> names;
    for (const YAML::Node& r : root["receivers"]) {
      ReceiverConfig rc;
      if (!r.IsMap() || !r["name"]) {
        c.Add(r.Mark(), "a receiver needs a name");
        continue;
      }
      CheckKeys(r, {"name", "webhook", "slack", "alertmanager", "log"}, "receiver", &c);
      rc.name = r["name"].Scalar();
      if (!names.insert(rc.name).second)
        c.Add(r["name"].Mark(), "receiver \"" + rc.name + "\" is defined twice");
      int kinds = 0;
      for (ReceiverKind k : {ReceiverKind::kWebhook, ReceiverKind::kSlack,
                             ReceiverKind::kAlertmanager, ReceiverKind::kLog}) {
        YAML::Node body = r[std::string(ReceiverKindName(k))];
        if (!body) continue;
        ++kinds;
        rc.kind = k;
        if (k == ReceiverKind::kLog) continue;
        if (!body.IsMap() || !body["url"]) {
          c.Add(body.Mark(), std::string(ReceiverKindName(k)) + ": needs a url");
          continue;
        }
        CheckKeys(body, {"url", "secret", "timeout"}, ReceiverKindName(k), &c);
        rc.url = body["url"].Scalar();
        if (rc.url.rfind("http://", 0) != 0 && rc.url.rfind("https://", 0) != 0) {
          c.Add(body["url"].Mark(), "url: expected http:// or https://");
        }
        if (YAML::Node s = body["secret"]) {
          if (k != ReceiverKind::kWebhook) c.Add(s.Mark(), "secret: only webhook receivers sign");
          rc.secret = s.Scalar();
        }
        if (YAML::Node t = body["timeout"]) {
          int64_t ns = 0;
          if (Duration(t, "timeout", &c, &ns)) rc.timeout_ms = static_cast<int>(ns / 1'000'000);
        }
      }
      if (kinds != 1)
        c.Add(r.Mark(), "receiver \"" + rc.name +
                            "\": give exactly one of webhook, slack, alertmanager, log");
      cfg.receivers.push_back(std::move(rc));
    }
    YAML::Node route = root["route"];
    if (!route) {
      c.Add(root.Mark(), "route: missing (the root route names the default receiver)");
    } else {
      NotifyRoute defaults;
      defaults.group_by = {std::string(kAlertNameLabel)};
      ParseRoute(route, defaults, true, &c, &cfg.route);
      if (c.errors.empty()) CheckReceivers(cfg.route, cfg, route, &c);
    }
  } catch (const YAML::Exception& e) {
    c.Add(e.mark, "YAML: " + e.msg);
  }
  if (!c.errors.empty()) return Status::InvalidArgument(c.errors);
  return cfg;
}

Result<NotifyConfig> LoadNotifyConfig(Env* env, const std::string& path) {
  Result<std::string> text = env->ReadFileToString(path);
  if (!text.ok()) return Status::InvalidArgument(path + ": " + text.status().message());
  return ParseNotifyConfig(path, *text);
}

}  // namespace vigia
