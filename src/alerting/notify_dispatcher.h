// NotifyDispatcher: turns the alert instances of each evaluation into notifications, with
// Alertmanager's grouping semantics. Every firing (not silenced) instance is routed
// (NotifyConfig::Match) to receivers and put in the group of its receiver and `group_by`
// label values. A group is notified
//   - first when it has existed for group_wait (so alerts firing together go together),
//   - then when it changed (an alert joined, fired again or resolved) and group_interval has
//     passed since its last notification,
//   - and again every repeat_interval while anything in it is firing.
// A notification carries every firing alert of the group and, once, each alert that resolved
// since it was notified as firing (resolved notifications). Silenced alerts are left out and
// are not reported as resolved either. Receivers of kind alertmanager get group_wait 0 and a
// repeat of at most 1 minute: Alertmanager groups by itself and expects firing alerts to be
// re-sent before their endsAt.
//
// What each group has sent is exported for the persisted state (alert_state_file.h), so a
// restart neither repeats notifications nor forgets the resolved ones it owes.
//
// Thread-safety: externally synchronized (the alerts module calls it from its evaluation task
// only).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alerting/alert_state.h"
#include "alerting/alert_state_file.h"
#include "alerting/notification.h"
#include "alerting/notify_config.h"

namespace vigia {

class NotifyDispatcher {
 public:
  // REQUIRES: config outlives the dispatcher.
  explicit NotifyDispatcher(const NotifyConfig* config) : config_(config) {}

  // `silenced` says whether an instance's labels are silenced at `now_ns`. Returns the
  // notifications due now.
  std::vector<Notification> Update(const std::vector<AlertInstance>& instances,
                                   const std::function<bool(const LabelSet&)>& silenced,
                                   int64_t now_ns);

  std::vector<NotifiedGroup> Export() const;
  void Restore(const std::vector<NotifiedGroup>& groups);

 private:
  struct Group {
    std::string receiver;
    const NotifyRoute* route = nullptr;
    LabelSet group_labels;
    int64_t first_seen_ns = 0;
    int64_t last_notify_ns = 0;
    std::map<std::string, std::string> sent;       // fingerprint → "firing" / "resolved"
    std::map<std::string, NotifiedAlert> current;  // this update's alerts
    std::map<std::string, NotifiedAlert> last;     // last seen form of each sent alert
  };
  struct Timing {
    int64_t group_wait_ns, group_interval_ns, repeat_interval_ns;
  };
  Timing TimingOf(const Group& g) const;

  const NotifyConfig* const config_;
  std::map<std::string, Group> groups_;  // by key
};

}  // namespace vigia
