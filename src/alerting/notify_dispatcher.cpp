#include "alerting/notify_dispatcher.h"

#include <algorithm>
#include <set>

#include "common/limits.h"

namespace vigia {
namespace {

constexpr int64_t kAlertmanagerRepeatNs = 60'000'000'000;

NotifiedAlert FromInstance(const AlertInstance& a) {
  NotifiedAlert n;
  n.resolved = a.state == AlertState::kResolved;
  n.rule = a.rule;
  n.fingerprint = a.fingerprint;
  n.labels = a.labels;
  n.annotations = a.annotations;
  n.starts_at_ns = a.active_at_ns;
  n.ends_at_ns = n.resolved ? a.resolved_at_ns : 0;
  n.value = a.value;
  n.query = a.query;
  return n;
}

}  // namespace

NotifyDispatcher::Timing NotifyDispatcher::TimingOf(const Group& g) const {
  Timing t{g.route->group_wait_ns, g.route->group_interval_ns, g.route->repeat_interval_ns};
  const ReceiverConfig* r = config_->FindReceiver(g.receiver);
  if (r != nullptr && r->kind == ReceiverKind::kAlertmanager) {
    t.group_wait_ns = 0;
    t.group_interval_ns = 0;
    t.repeat_interval_ns = std::min(t.repeat_interval_ns, kAlertmanagerRepeatNs);
  }
  return t;
}

std::vector<Notification> NotifyDispatcher::Update(
    const std::vector<AlertInstance>& instances,
    const std::function<bool(const LabelSet&)>& silenced, int64_t now_ns) {
  for (auto& [key, g] : groups_) g.current.clear();
  std::set<std::string> muted;  // silenced fingerprints
  for (const AlertInstance& a : instances) {
    if (a.state != AlertState::kFiring && a.state != AlertState::kResolved) continue;
    if (a.state == AlertState::kFiring && silenced && silenced(a.labels)) {
      muted.insert(a.fingerprint);
      continue;
    }
    for (const NotifyRoute* route : config_->Match(a.labels)) {
      LabelSet group_labels;
      if (route->group_by_all) {
        group_labels = a.labels;
      } else {
        for (const std::string& l : route->group_by) {
          auto it = a.labels.find(l);
          if (it != a.labels.end()) group_labels[l] = it->second;
        }
      }
      std::string key = route->receiver + ":" + FormatLabels(group_labels);
      auto it = groups_.find(key);
      if (it == groups_.end()) {
        // A group starts with a firing alert; a resolved one alone owes nothing.
        if (a.state != AlertState::kFiring) continue;
        it = groups_.emplace(key, Group{}).first;
        it->second.first_seen_ns = now_ns;
      }
      Group& g = it->second;
      g.receiver = route->receiver;
      g.route = route;
      g.group_labels = group_labels;
      if (a.state == AlertState::kResolved) {
        auto s = g.sent.find(a.fingerprint);
        if (s == g.sent.end() || s->second != "firing") continue;
      }
      g.current[a.fingerprint] = FromInstance(a);
    }
  }
  std::vector<Notification> out;
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& g = it->second;
    // Sent as firing, now neither listed nor silenced (its rule went away): owed as resolved.
    for (const auto& [fp, state] : g.sent) {
      if (state != "firing" || g.current.count(fp) || muted.count(fp)) continue;
      auto last = g.last.find(fp);
      if (last == g.last.end()) continue;
      NotifiedAlert r = last->second;
      r.resolved = true;
      r.ends_at_ns = now_ns;
      g.current[fp] = std::move(r);
    }
    if (g.route == nullptr) {
      // Restored from disk and not seen since: nothing to say about it.
      if (now_ns - g.last_notify_ns > limits::kResolvedAlertRetentionNs) {
        it = groups_.erase(it);
      } else {
        ++it;
      }
      continue;
    }
    bool firing = false;
    std::map<std::string, std::string> desired;
    for (const auto& [fp, a] : g.current) {
      firing |= !a.resolved;
      desired[fp] = a.resolved ? "resolved" : "firing";
    }
    std::map<std::string, std::string> sent_now;  // compared without silenced alerts
    for (const auto& [fp, s] : g.sent) {
      if (!muted.count(fp)) sent_now[fp] = s;
    }
    const Timing t = TimingOf(g);
    bool due = false;
    if (g.last_notify_ns == 0) {
      due = firing && now_ns - g.first_seen_ns >= t.group_wait_ns;
    } else {
      due = (desired != sent_now && now_ns - g.last_notify_ns >= t.group_interval_ns) ||
            (firing && now_ns - g.last_notify_ns >= t.repeat_interval_ns);
    }
    if (due && !g.current.empty()) {
      Notification n;
      n.receiver = g.receiver;
      n.group_key = it->first;
      n.group_labels = g.group_labels;
      n.created_ns = now_ns;
      std::map<std::string, std::string> sent;
      for (const auto& [fp, s] : g.sent) {
        if (muted.count(fp)) sent[fp] = s;
      }
      for (auto& [fp, a] : g.current) {
        n.alerts.push_back(a);
        if (!a.resolved) {
          sent[fp] = "firing";
          g.last[fp] = a;
        } else {
          g.last.erase(fp);
        }
      }
      g.sent = std::move(sent);
      g.last_notify_ns = now_ns;
      out.push_back(std::move(n));
    }
    if (g.current.empty() && g.sent.empty()) {
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<NotifiedGroup> NotifyDispatcher::Export() const {
  std::vector<NotifiedGroup> out;
  for (const auto& [key, g] : groups_) {
    out.push_back(NotifiedGroup{key, g.receiver, g.first_seen_ns, g.last_notify_ns, g.sent});
  }
  return out;
}

void NotifyDispatcher::Restore(const std::vector<NotifiedGroup>& groups) {
  for (const NotifiedGroup& n : groups) {
    Group& g = groups_[n.key];
    g.receiver = n.receiver;
    g.first_seen_ns = n.first_seen_ns;
    g.last_notify_ns = n.last_notify_ns;
    g.sent = n.sent;
  }
}

}  // namespace vigia
