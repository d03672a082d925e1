#include "alerting/alert_state_file.h"

#include <simdjson.h>

#include "alerting/checksummed_file.h"
#include "alerting/label_map_json.h"
#include "common/json_writer.h"

namespace vigia {
std::string EncodeAlertState(const AlertStateSnapshot& s) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("instances").BeginArray();
  for (const AlertInstance& a : s.instances) {
    w.BeginObject();
    w.KV("group", a.group).KV("rule", a.rule).KV("query", a.query);
    w.KV("fingerprint", a.fingerprint).KV("state", AlertStateName(a.state));
    w.KV("active_at", a.active_at_ns).KV("fired_at", a.fired_at_ns);
    w.KV("resolved_at", a.resolved_at_ns).KV("last_active", a.last_active_ns);
    w.KV("value", a.value);
    w.Key("labels");
    WriteLabelMap(&w, a.labels);
    w.Key("annotations");
    WriteLabelMap(&w, a.annotations);
    w.EndObject();
  }
  w.EndArray().Key("groups").BeginArray();
  for (const NotifiedGroup& g : s.groups) {
    w.BeginObject().KV("key", g.key).KV("receiver", g.receiver);
    w.KV("first_seen", g.first_seen_ns).KV("last_notify", g.last_notify_ns);
    w.Key("sent");
    WriteLabelMap(&w, g.sent);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

Result<AlertStateSnapshot> DecodeAlertState(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) {
    return Status::Corruption("alert state: invalid JSON");
  }
  AlertStateSnapshot s;
  auto bad = [](const char* what) {
    return Status::Corruption(std::string("alert state: ") + what);
  };
  simdjson::dom::array instances;
  if (root["instances"].get_array().get(instances)) return bad("no instances");
  for (simdjson::dom::element e : instances) {
    AlertInstance a;
    std::string_view group, rule, query, fp, state;
    double value = 0;
    if (e["group"].get_string().get(group) || e["rule"].get_string().get(rule) ||
        e["query"].get_string().get(query) || e["fingerprint"].get_string().get(fp) ||
        e["state"].get_string().get(state) || e["active_at"].get_int64().get(a.active_at_ns) ||
        e["fired_at"].get_int64().get(a.fired_at_ns) ||
        e["resolved_at"].get_int64().get(a.resolved_at_ns) ||
        e["last_active"].get_int64().get(a.last_active_ns) || e["value"].get_double().get(value) ||
        !ReadLabelMap(e["labels"], &a.labels) || !ReadLabelMap(e["annotations"], &a.annotations) ||
        !ParseAlertState(state, &a.state)) {
      return bad("malformed instance");
    }
    a.group = std::string(group);
    a.rule = std::string(rule);
    a.query = std::string(query);
    a.fingerprint = std::string(fp);
    a.value = value;
    s.instances.push_back(std::move(a));
  }
  simdjson::dom::array groups;
  if (root["groups"].get_array().get(groups)) return bad("no groups");
  for (simdjson::dom::element e : groups) {
    NotifiedGroup g;
    std::string_view key, receiver;
    if (e["key"].get_string().get(key) || e["receiver"].get_string().get(receiver) ||
        e["first_seen"].get_int64().get(g.first_seen_ns) ||
        e["last_notify"].get_int64().get(g.last_notify_ns) || !ReadLabelMap(e["sent"], &g.sent)) {
      return bad("malformed group");
    }
    g.key = std::string(key);
    g.receiver = std::string(receiver);
    s.groups.push_back(std::move(g));
  }
  return s;
}

Status SaveAlertState(Env* env, const std::string& path, const AlertStateSnapshot& s) {
  return WriteChecksummedFile(env, path, EncodeAlertState(s));
}

Result<AlertStateSnapshot> LoadAlertState(Env* env, const std::string& path) {
  Result<std::string> body = ReadChecksummedFile(env, path);
  if (!body.ok()) {
    if (body.status().code() == StatusCode::kNotFound) return AlertStateSnapshot{};
    return body.status();
  }
  return DecodeAlertState(*body);
}

}  // namespace vigia
