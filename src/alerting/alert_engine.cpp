#include "alerting/alert_engine.h"

#include <algorithm>

#include "alerting/rule_query.h"
#include "common/limits.h"
#include "common/logger.h"

namespace vigia {
namespace {

int64_t NextSlot(int64_t now_ns, int64_t interval_ns) {
  return (now_ns / interval_ns + 1) * interval_ns;
}

}  // namespace

AlertEngine::AlertEngine(AlertEngineOptions options) : options_(options) {
  rules_ = std::make_shared<const RuleSet>();
  if (options_.metrics != nullptr) {
    eval_seconds_ = options_.metrics->GetHistogram("vigia_alerts_rule_evaluation_seconds",
                                                   "Time one alert rule's evaluation took",
                                                   {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30});
    eval_failures_ =
        options_.metrics->GetCounter("vigia_alerts_rule_evaluation_failures_total",
                                     "Alert rule evaluations that failed (query error, deadline)");
  }
}

std::vector<AlertTransition> AlertEngine::SetRules(std::shared_ptr<const RuleSet> rules,
                                                   int64_t now_ns) {
  std::lock_guard eval_lock(eval_mu_);
  std::lock_guard lock(mu_);
  std::map<std::string, RuleSlot> slots;
  std::map<std::string, int64_t> next;
  for (const RuleGroup& g : rules->groups) {
    auto old_next = next_eval_ns_.find(g.name);
    next[g.name] =
        old_next != next_eval_ns_.end() ? old_next->second : NextSlot(now_ns, g.interval_ns);
    for (const AlertRule& r : g.rules) {
      std::string key = Key(g.name, r.name);
      auto it = slots_.find(key);
      if (it != slots_.end()) {
        slots[key] = std::move(it->second);
        slots_.erase(it);
      } else {
        slots[key].health.group = g.name;
        slots[key].health.rule = r.name;
      }
    }
  }
  std::vector<AlertTransition> out;
  for (auto& [key, slot] : slots_) {
    for (const auto& [fp, inst] : slot.machine.instances()) {
      if (inst.state != AlertState::kFiring) continue;
      AlertTransition t{AlertState::kFiring, inst};
      t.instance.state = AlertState::kResolved;
      t.instance.resolved_at_ns = now_ns;
      out.push_back(std::move(t));
    }
  }
  slots_ = std::move(slots);
  next_eval_ns_ = std::move(next);
  rules_ = std::move(rules);
  return out;
}

std::vector<AlertTransition> AlertEngine::Tick(int64_t now_ns) {
  std::lock_guard eval_lock(eval_mu_);
  std::shared_ptr<const RuleSet> rules = this->rules();
  std::vector<AlertTransition> out;
  for (const RuleGroup& g : rules->groups) {
    int64_t slot_ns = 0;
    {
      std::lock_guard lock(mu_);
      int64_t& next = next_eval_ns_[g.name];
      if (next == 0) next = NextSlot(now_ns, g.interval_ns);
      if (now_ns < next) continue;
      // The latest slot that has come; slots missed while the server was busy are skipped.
      slot_ns = now_ns / g.interval_ns * g.interval_ns;
      next = slot_ns + g.interval_ns;
    }
    const int64_t budget_ns = std::min(g.interval_ns, limits::kMaxRuleEvalNs);
    for (const AlertRule& r : g.rules) {
      const auto start = std::chrono::steady_clock::now();
      Result<RuleQueryResult> res = RunRuleQuery(options_.backend, options_.signals, r, slot_ns,
                                                 start + std::chrono::nanoseconds(budget_ns));
      const int64_t took_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count();
      if (eval_seconds_ != nullptr) eval_seconds_->Observe(static_cast<double>(took_ns) / 1e9);
      std::lock_guard lock(mu_);
      RuleSlot& slot = slots_[Key(g.name, r.name)];
      slot.health.group = g.name;
      slot.health.rule = r.name;
      slot.health.last_eval_ns = slot_ns;
      slot.health.last_duration_ns = took_ns;
      ++slot.health.evaluations;
      if (!res.ok()) {
        // A failed evaluation changes no state: an outage of the query path must neither
        // resolve every firing alert nor start absence alerts.
        ++slot.health.failures;
        slot.health.last_error = res.status().ToString();
        if (eval_failures_ != nullptr) eval_failures_->Inc();
        logger::Warn("alert rule evaluation failed",
                     {{"group", g.name}, {"rule", r.name}, {"error", slot.health.last_error}});
        continue;
      }
      slot.health.last_error.clear();
      slot.health.last_rows = res->rows;
      std::vector<AlertTransition> ts = slot.machine.Update(g.name, r, res->samples, slot_ns);
      for (AlertTransition& t : ts) out.push_back(std::move(t));
    }
  }
  return out;
}

void AlertEngine::Restore(std::vector<AlertInstance> instances) {
  std::lock_guard eval_lock(eval_mu_);
  std::lock_guard lock(mu_);
  for (AlertInstance& inst : instances) {
    auto it = slots_.find(Key(inst.group, inst.rule));
    if (it == slots_.end()) continue;
    it->second.machine.Restore(std::move(inst));
  }
}

void AlertEngine::ReplaceInstances(std::vector<AlertInstance> instances) {
  std::lock_guard eval_lock(eval_mu_);
  std::lock_guard lock(mu_);
  for (auto& [key, slot] : slots_) slot.machine.Clear();
  for (AlertInstance& inst : instances) {
    auto it = slots_.find(Key(inst.group, inst.rule));
    if (it == slots_.end()) continue;
    it->second.machine.Restore(std::move(inst));
  }
}

std::shared_ptr<const RuleSet> AlertEngine::rules() const {
  std::lock_guard lock(mu_);
  return rules_;
}

std::vector<AlertInstance> AlertEngine::Instances() const {
  std::lock_guard lock(mu_);
  std::vector<AlertInstance> out;
  for (const auto& [key, slot] : slots_) {
    for (const auto& [fp, inst] : slot.machine.instances()) out.push_back(inst);
  }
  return out;
}

std::vector<RuleHealth> AlertEngine::Health() const {
  std::lock_guard lock(mu_);
  std::vector<RuleHealth> out;
  for (const auto& [key, slot] : slots_) out.push_back(slot.health);
  return out;
}

int64_t AlertEngine::NextEvalNs(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto it = next_eval_ns_.find(group);
  return it == next_eval_ns_.end() ? 0 : it->second;
}

}  // namespace vigia
