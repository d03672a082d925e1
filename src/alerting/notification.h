// Notification: one message to one receiver about one group of alerts (notify_dispatcher.h
// builds them), its JSON form in the outbox, and the payloads each receiver kind sends:
//
//   webhook       the Alertmanager webhook format (version "4"), so consumers written for
//                 Alertmanager read it unchanged, plus "value"/"query"/"rule" per alert:
//                 {"version":"4","receiver","status":"firing"|"resolved","groupKey",
//                  "groupLabels","commonLabels","commonAnnotations","externalURL":"",
//                  "truncatedAlerts":0,"alerts":[{"status","labels","annotations",
//                  "startsAt","endsAt","fingerprint","generatorURL":"","value","query"}]}
//                 With a secret: header X-Vigia-Signature: sha256=<hex HMAC-SHA256 of the body>.
//   slack         {"text": "...", "blocks": [...]} (Slack, Mattermost, Rocket.Chat incoming
//                 webhooks)
//   alertmanager  Alertmanager's API v2 POST /api/v2/alerts body: [{"labels","annotations",
//                 "startsAt","endsAt","generatorURL"}]
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rule.h"
#include "common/status.h"

namespace vigia {

struct NotifiedAlert {
  bool resolved = false;
  std::string rule;
  std::string fingerprint;
  LabelSet labels;
  std::map<std::string, std::string> annotations;
  int64_t starts_at_ns = 0;
  int64_t ends_at_ns = 0;  // resolved: when; firing: 0
  double value = 0;
  std::string query;
};

struct Notification {
  std::string receiver;
  std::string group_key;
  LabelSet group_labels;
  std::vector<NotifiedAlert> alerts;
  int64_t created_ns = 0;

  bool AllResolved() const;
};

std::string EncodeNotification(const Notification& n);
Result<Notification> DecodeNotification(std::string_view json);

std::string WebhookPayload(const Notification& n);
std::string SlackPayload(const Notification& n);
// Firing alerts get endsAt = now + `firing_ttl_ns`, so Alertmanager resolves them by itself if
// vigia stops re-sending (as it does for Prometheus).
std::string AlertmanagerPayload(const Notification& n, int64_t now_ns, int64_t firing_ttl_ns);

// Lower-case hex of HMAC-SHA256(key, body).
std::string HmacSha256Hex(std::string_view key, std::string_view body);

}  // namespace vigia
