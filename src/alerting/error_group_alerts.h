// Error-group alerts: the built-in rules that fire on the error-group table's events (the
// errors module's hooks, docs/errors.md "Alerting hooks") — a new error group, a regression
// (a resolved group occurs again), a group's rate reaching errors.rate_threshold_per_min —
// so an operator hears of a new bug without writing a rule (docs/alerting.md, "Error
// groups").
//
// The alerting library does not know the errors library: the server's alerts module turns
// each errors::GroupEvent into an ErrorGroupEvent and Push()es it from the ingest thread
// (quick: a bounded queue under a mutex; a flood past limits::kMaxQueuedErrorGroupEvents is
// dropped and counted, ingest never waits). The events wait for the next evaluation of the
// group ErrorGroupRules() builds (one second): each rule reads its kind's events through
// the RuleSignals seam (source SignalKind::kErrorGroup), one row per event, labelled
// fingerprint, service, title (and tenant when set); the rule fires at once (`for` 0) and
// resolves `keep_firing_for` after its group's last event, so routing, grouping, silences,
// persistence and the outbox apply as to any rule.
//
//   rule                  signal        value          labels added
//   ErrorGroupNew         new           group's count  severity=warning
//   ErrorGroupRegression  regression    group's count  severity=warning
//   ErrorGroupRateAbove   rate          events/minute  severity=critical
//
// ErrorGroupFeed is also the RuleSignals the engine is given: KPI and SLO rules go through
// to the monitor's signals it wraps.
//
// Thread-safety: ErrorGroupFeed is thread-safe (Push from ingest threads, Rows from the
// evaluation thread); ErrorGroupRules is a pure function.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rule.h"
#include "alerting/rule_signals.h"

namespace vigia {

// The rule group holding the built-in rules; a rule file may not use the name.
inline constexpr std::string_view kErrorGroupRulesGroup = "vigia-error-groups";

enum class ErrorGroupEventKind { kNew, kRegression, kRateAbove };

// "new", "regression", "rate": the signal names of the built-in rules.
std::string_view ErrorGroupEventKindName(ErrorGroupEventKind kind);

struct ErrorGroupEvent {
  ErrorGroupEventKind kind = ErrorGroupEventKind::kNew;
  std::string tenant;  // "" = the default tenant (no label)
  std::string fingerprint;
  std::string title;
  std::string service;        // the occurrence's
  uint64_t count = 0;         // the group's occurrences so far
  uint64_t rate_per_min = 0;  // kRateAbove: occurrences in the minute that crossed
};

struct ErrorGroupRulesOptions {
  // How long an instance stays firing after its group's last event.
  int64_t keep_firing_for_ns = 300'000'000'000;
};

// The group kErrorGroupRulesGroup: the three rules above, evaluated every second.
RuleGroup ErrorGroupRules(const ErrorGroupRulesOptions& options);

class ErrorGroupFeed final : public RuleSignals {
 public:
  // `others` answers KPI and SLO rules; may be null (they then fail with that reason).
  explicit ErrorGroupFeed(const RuleSignals* others) : others_(others) {}

  // Queues one event for the next evaluation. Never blocks for long; drops (and counts)
  // past limits::kMaxQueuedErrorGroupEvents.
  void Push(ErrorGroupEvent e);

  // kErrorGroup: takes the queued events of signal `name` ("new", "regression", "rate"),
  // one row each (columns count, rate_per_min); other kinds go to `others`.
  Result<std::vector<SignalRow>> Rows(SignalKind kind, std::string_view name,
                                      int64_t now_ns) const override;
  bool Has(SignalKind kind, std::string_view name) const override;

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const RuleSignals* const others_;
  mutable std::mutex mu_;
  mutable std::deque<ErrorGroupEvent> queue_;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace vigia
