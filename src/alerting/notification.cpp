#include "alerting/notification.h"

#include <simdjson.h>
#include <sodium.h>

#include <algorithm>

#include "alerting/label_map_json.h"
#include "common/hex.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace vigia {
namespace {

// Labels (or annotations) every alert of the notification shares.
std::map<std::string, std::string> Common(const Notification& n, bool annotations) {
  std::map<std::string, std::string> common;
  for (size_t i = 0; i < n.alerts.size(); ++i) {
    const auto& m = annotations ? n.alerts[i].annotations : n.alerts[i].labels;
    if (i == 0) {
      common = m;
      continue;
    }
    std::erase_if(common, [&](const auto& kv) {
      auto it = m.find(kv.first);
      return it == m.end() || it->second != kv.second;
    });
  }
  return common;
}

std::string Time(int64_t ns) {
  // Alertmanager's zero time for "not set".
  return ns == 0 ? "0001-01-01T00:00:00Z" : FormatRfc3339(ns, 3);
}

}  // namespace

bool Notification::AllResolved() const {
  for (const NotifiedAlert& a : alerts) {
    if (!a.resolved) return false;
  }
  return true;
}

std::string EncodeNotification(const Notification& n) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("receiver", n.receiver).KV("group_key", n.group_key);
  w.KV("created", n.created_ns);
  w.Key("group_labels");
  WriteLabelMap(&w, n.group_labels);
  w.Key("alerts").BeginArray();
  for (const NotifiedAlert& a : n.alerts) {
    w.BeginObject().KV("resolved", a.resolved).KV("rule", a.rule).KV("fingerprint", a.fingerprint);
    w.KV("starts_at", a.starts_at_ns).KV("ends_at", a.ends_at_ns).KV("value", a.value);
    w.KV("query", a.query);
    w.Key("labels");
    WriteLabelMap(&w, a.labels);
    w.Key("annotations");
    WriteLabelMap(&w, a.annotations);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

Result<Notification> DecodeNotification(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  Notification n;
  std::string_view receiver, key;
  simdjson::dom::array alerts;
  if (parser.parse(json.data(), json.size()).get(root) ||
      root["receiver"].get_string().get(receiver) || root["group_key"].get_string().get(key) ||
      root["created"].get_int64().get(n.created_ns) ||
      !ReadLabelMap(root["group_labels"], &n.group_labels) ||
      root["alerts"].get_array().get(alerts)) {
    return Status::Corruption("notification: malformed");
  }
  n.receiver = std::string(receiver);
  n.group_key = std::string(key);
  for (simdjson::dom::element e : alerts) {
    NotifiedAlert a;
    std::string_view rule, fp, query;
    if (e["resolved"].get_bool().get(a.resolved) || e["rule"].get_string().get(rule) ||
        e["fingerprint"].get_string().get(fp) || e["starts_at"].get_int64().get(a.starts_at_ns) ||
        e["ends_at"].get_int64().get(a.ends_at_ns) || e["value"].get_double().get(a.value) ||
        e["query"].get_string().get(query) || !ReadLabelMap(e["labels"], &a.labels) ||
        !ReadLabelMap(e["annotations"], &a.annotations)) {
      return Status::Corruption("notification: malformed alert");
    }
    a.rule = std::string(rule);
    a.fingerprint = std::string(fp);
    a.query = std::string(query);
    n.alerts.push_back(std::move(a));
  }
  return n;
}

std::string WebhookPayload(const Notification& n) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("version", "4").KV("receiver", n.receiver);
  w.KV("status", n.AllResolved() ? "resolved" : "firing");
  w.KV("groupKey", n.group_key);
  w.Key("groupLabels");
  WriteLabelMap(&w, n.group_labels);
  w.Key("commonLabels");
  WriteLabelMap(&w, Common(n, false));
  w.Key("commonAnnotations");
  WriteLabelMap(&w, Common(n, true));
  w.KV("externalURL", "").KV("truncatedAlerts", 0);
  w.Key("alerts").BeginArray();
  for (const NotifiedAlert& a : n.alerts) {
    w.BeginObject().KV("status", a.resolved ? "resolved" : "firing");
    w.Key("labels");
    WriteLabelMap(&w, a.labels);
    w.Key("annotations");
    WriteLabelMap(&w, a.annotations);
    w.KV("startsAt", Time(a.starts_at_ns)).KV("endsAt", Time(a.ends_at_ns));
    w.KV("generatorURL", "").KV("fingerprint", a.fingerprint);
    w.KV("value", a.value).KV("query", a.query);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string SlackPayload(const Notification& n) {
  size_t firing = 0;
  for (const NotifiedAlert& a : n.alerts) firing += a.resolved ? 0 : 1;
  std::string title = firing > 0 ? "[FIRING:" + std::to_string(firing) + "]" : "[RESOLVED]";
  for (const auto& [k, v] : n.group_labels) title += " " + v;
  std::string lines;
  for (const NotifiedAlert& a : n.alerts) {
    std::string line =
        std::string(a.resolved ? ":white_check_mark: " : ":rotating_light: ") + "*" + a.rule + "*";
    auto s = a.annotations.find("summary");
    if (s != a.annotations.end()) line += " — " + s->second;
    std::string labels;
    for (const auto& [k, v] : a.labels) {
      if (k != "alertname") labels += (labels.empty() ? "" : ", ") + k + "=" + v;
    }
    if (!labels.empty()) line += " (" + labels + ")";
    lines += line + "\n";
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("text", title + "\n" + lines);
  w.Key("blocks").BeginArray();
  w.BeginObject().KV("type", "header").Key("text").BeginObject().KV("type", "plain_text");
  w.KV("text", title).EndObject().EndObject();
  w.BeginObject().KV("type", "section").Key("text").BeginObject().KV("type", "mrkdwn");
  w.KV("text", lines).EndObject().EndObject();
  w.EndArray().EndObject();
  return out;
}

std::string AlertmanagerPayload(const Notification& n, int64_t now_ns, int64_t firing_ttl_ns) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const NotifiedAlert& a : n.alerts) {
    w.BeginObject();
    w.Key("labels");
    WriteLabelMap(&w, a.labels);
    w.Key("annotations");
    WriteLabelMap(&w, a.annotations);
    w.KV("startsAt", FormatRfc3339(a.starts_at_ns, 3));
    w.KV("endsAt", FormatRfc3339(a.resolved ? a.ends_at_ns : now_ns + firing_ttl_ns, 3));
    w.KV("generatorURL", "");
    w.EndObject();
  }
  w.EndArray();
  return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view body) {
  static const int kInit = sodium_init();  // thread-safe, idempotent; HMAC needs no RNG
  (void)kInit;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return hex::Encode(std::span<const uint8_t>(mac));
}

}  // namespace vigia
