#include "alerting/alert_state.h"

#include <set>

#include "alerting/label_names.h"
#include "common/limits.h"

namespace vigia {

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kResolved:
      return "resolved";
  }
  return "inactive";
}

bool ParseAlertState(std::string_view s, AlertState* out) {
  for (AlertState st :
       {AlertState::kInactive, AlertState::kPending, AlertState::kFiring, AlertState::kResolved}) {
    if (AlertStateName(st) == s) {
      *out = st;
      return true;
    }
  }
  return false;
}

std::vector<AlertTransition> RuleStateMachine::Update(const std::string& group,
                                                      const AlertRule& rule,
                                                      const std::vector<AlertSample>& samples,
                                                      int64_t now_ns) {
  std::map<std::string, AlertTransition> out;  // by fingerprint, so the order is stable
  std::set<std::string> seen;
  for (const AlertSample& s : samples) {
    LabelSet labels = rule.labels;
    for (const auto& [k, v] : s.labels) labels[k] = v;
    labels[std::string(kAlertNameLabel)] = rule.name;
    std::string fp = LabelsFingerprint(labels);
    if (!seen.insert(fp).second) continue;  // two rows with the same labels: the first wins
    auto it = instances_.find(fp);
    if (it == instances_.end()) {
      if (instances_.size() >= limits::kMaxAlertInstancesPerRule) continue;
      AlertInstance inst;
      inst.group = group;
      inst.rule = rule.name;
      inst.labels = std::move(labels);
      inst.fingerprint = fp;
      it = instances_.emplace(fp, std::move(inst)).first;
    }
    AlertInstance& inst = it->second;
    inst.value = s.value;
    inst.query = rule.query_text;
    inst.last_active_ns = now_ns;
    inst.annotations.clear();
    for (const auto& [k, t] : rule.annotations)
      inst.annotations[k] = t.Render(inst.labels, s.value);
    const AlertState from = inst.state;
    switch (inst.state) {
      case AlertState::kInactive:
      case AlertState::kResolved:
        inst.active_at_ns = now_ns;
        inst.fired_at_ns = 0;
        inst.resolved_at_ns = 0;
        inst.state = AlertState::kPending;
        break;
      case AlertState::kPending:
      case AlertState::kFiring:
        break;
    }
    if (inst.state == AlertState::kPending && now_ns - inst.active_at_ns >= rule.for_ns) {
      inst.state = AlertState::kFiring;
      inst.fired_at_ns = now_ns;
    }
    if (inst.state != from) out[fp] = AlertTransition{from, inst};
  }
  for (auto it = instances_.begin(); it != instances_.end();) {
    AlertInstance& inst = it->second;
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    switch (inst.state) {
      case AlertState::kInactive:
        it = instances_.erase(it);
        continue;
      case AlertState::kPending: {
        AlertInstance gone = inst;
        gone.state = AlertState::kInactive;
        out[it->first] = AlertTransition{AlertState::kPending, std::move(gone)};
        it = instances_.erase(it);
        continue;
      }
      case AlertState::kFiring:
        if (now_ns - inst.last_active_ns >= rule.keep_firing_for_ns) {
          inst.state = AlertState::kResolved;
          inst.resolved_at_ns = now_ns;
          out[it->first] = AlertTransition{AlertState::kFiring, inst};
        }
        break;
      case AlertState::kResolved:
        if (now_ns - inst.resolved_at_ns >= limits::kResolvedAlertRetentionNs) {
          it = instances_.erase(it);
          continue;
        }
        break;
    }
    ++it;
  }
  std::vector<AlertTransition> result;
  result.reserve(out.size());
  for (auto& [fp, t] : out) result.push_back(std::move(t));
  return result;
}

void RuleStateMachine::Restore(AlertInstance instance) {
  std::string fp = instance.fingerprint;
  instances_[fp] = std::move(instance);
}

}  // namespace vigia
