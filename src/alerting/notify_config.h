// NotifyConfig: where alert notifications go — receivers and the routing tree, in the shape
// of Alertmanager's configuration (users know it), read from the YAML file alerts.notify_file:
//
//   receivers:
//     - name: ops
//       webhook: {url: 'http://hooks.internal/vigia', secret: 's3cret'}   # HMAC-SHA256
//     - name: am
//       alertmanager: {url: 'http://127.0.0.1:9093'}      # POST <url>/api/v2/alerts
//     - name: chat
//       slack: {url: 'https://hooks.slack.com/services/…'}  # Mattermost, Rocket.Chat too
//     - name: events
//       log: {}                                              # a vigia event (the default)
//   route:                        # the root: every alert enters here
//     receiver: events
//     group_by: [alertname]       # `[...]` = every label (one group per alert)
//     group_wait: 30s             # first notification of a new group waits this long
//     group_interval: 5m          # a changed group is notified at most this often
//     repeat_interval: 4h         # an unchanged firing group is re-sent this often
//     routes:                     # children, first match wins (unless continue: true)
//       - matchers: ['severity=page', 'team=~db|infra']
//         receiver: ops
//         continue: false
//
// Children inherit the settings they do not give. Without a file every alert goes to one
// `log` receiver. Errors name "file:line:col" like rule files.
//
// Thread-safety: immutable once parsed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/silences.h"
#include "common/status.h"

namespace vigia {

enum class ReceiverKind { kWebhook, kSlack, kAlertmanager, kLog };
std::string_view ReceiverKindName(ReceiverKind k);

struct ReceiverConfig {
  std::string name;
  ReceiverKind kind = ReceiverKind::kLog;
  std::string url;     // webhook, slack: the URL; alertmanager: its base URL
  std::string secret;  // webhook: HMAC-SHA256 key of the X-Vigia-Signature header; empty = none
  int timeout_ms = 0;  // 0 = limits::kNotifyTimeoutMs
};

struct NotifyRoute {
  std::vector<LabelMatcher> matchers;  // all must match
  std::string receiver;
  std::vector<std::string> group_by;
  bool group_by_all = false;  // group_by: ['...']
  int64_t group_wait_ns = 30'000'000'000;
  int64_t group_interval_ns = 300'000'000'000;
  int64_t repeat_interval_ns = 4LL * 3600 * 1'000'000'000;
  bool continue_matching = false;
  std::vector<NotifyRoute> routes;
};

struct NotifyConfig {
  std::vector<ReceiverConfig> receivers;
  NotifyRoute route;

  const ReceiverConfig* FindReceiver(std::string_view name) const;
  // The routes an alert with `labels` is delivered through (at least the root).
  std::vector<const NotifyRoute*> Match(const LabelSet& labels) const;
};

// One `log` receiver named "log" that gets everything.
NotifyConfig DefaultNotifyConfig();

Result<NotifyConfig> ParseNotifyConfig(const std::string& path, std::string_view text);
Result<NotifyConfig> LoadNotifyConfig(Env* env, const std::string& path);

}  // namespace vigia
