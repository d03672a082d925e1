#include "alerting/error_group_alerts.h"

#include "common/limits.h"

namespace vigia {
namespace {

AlertRule BuiltinRule(std::string name, ErrorGroupEventKind kind, std::string severity,
                      std::string_view column, std::string_view summary,
                      std::string_view description, const ErrorGroupRulesOptions& options) {
  AlertRule r;
  r.name = std::move(name);
  r.source = SignalKind::kErrorGroup;
  r.signal_name = std::string(ErrorGroupEventKindName(kind));
  r.query_text = "error_group:" + r.signal_name;
  AlertCondition c;
  c.column = std::string(column);
  c.op = CmpOp::kGe;
  c.threshold = 1;
  c.text = c.column + " >= 1";
  r.condition = std::move(c);
  r.for_ns = 0;
  r.keep_firing_for_ns = options.keep_firing_for_ns;
  r.labels["severity"] = std::move(severity);
  // The built-in templates are fixed text: parsing them cannot fail.
  r.annotations["summary"] = AlertTemplate::Parse(summary).value();
  r.annotations["description"] = AlertTemplate::Parse(description).value();
  r.annotations["errors_url"] =
      AlertTemplate::Parse("/v1/errors/{{ $labels.fingerprint }}").value();
  r.file = "built-in";
  return r;
}

}  // namespace

std::string_view ErrorGroupEventKindName(ErrorGroupEventKind kind) {
  switch (kind) {
    case ErrorGroupEventKind::kNew:
      return "new";
    case ErrorGroupEventKind::kRegression:
      return "regression";
    case ErrorGroupEventKind::kRateAbove:
      return "rate";
  }
  return "new";
}

RuleGroup ErrorGroupRules(const ErrorGroupRulesOptions& options) {
  RuleGroup g;
  g.name = std::string(kErrorGroupRulesGroup);
  g.interval_ns = limits::kMinRuleIntervalNs;
  g.file = "built-in";
  g.rules.push_back(
      BuiltinRule("ErrorGroupNew", ErrorGroupEventKind::kNew, "warning", "count",
                  "New error in {{ $labels.service }}: {{ $labels.title }}",
                  "A new error group {{ $labels.fingerprint }} appeared in {{ $labels.service }} "
                  "({{ $value }} occurrences so far).",
                  options));
  g.rules.push_back(
      BuiltinRule("ErrorGroupRegression", ErrorGroupEventKind::kRegression, "warning", "count",
                  "Regression in {{ $labels.service }}: {{ $labels.title }}",
                  "The resolved error group {{ $labels.fingerprint }} occurred again in "
                  "{{ $labels.service }} ({{ $value }} occurrences in all).",
                  options));
  g.rules.push_back(BuiltinRule(
      "ErrorGroupRateAbove", ErrorGroupEventKind::kRateAbove, "critical", "rate_per_min",
      "{{ $value }} errors a minute in {{ $labels.service }}: {{ $labels.title }}",
      "The error group {{ $labels.fingerprint }} reached {{ $value }} occurrences in one "
      "minute (errors.rate_threshold_per_min).",
      options));
  return g;
}

void ErrorGroupFeed::Push(ErrorGroupEvent e) {
  std::lock_guard lock(mu_);
  if (queue_.size() >= limits::kMaxQueuedErrorGroupEvents) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(e));
}

Result<std::vector<SignalRow>> ErrorGroupFeed::Rows(SignalKind kind, std::string_view name,
                                                    int64_t now_ns) const {
  switch (kind) {
    case SignalKind::kQuery:
      return Status::Internal("a query rule has no signal");
    case SignalKind::kKpi:
    case SignalKind::kSlo:
      if (others_ == nullptr) {
        return Status::Unavailable("KPIs and SLOs are not available here (the monitor module)");
      }
      return others_->Rows(kind, name, now_ns);
    case SignalKind::kErrorGroup:
      break;
  }
  std::vector<ErrorGroupEvent> taken;
  {
    std::lock_guard lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (ErrorGroupEventKindName(it->kind) == name) {
        taken.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::vector<SignalRow> rows;
  rows.reserve(taken.size());
  for (ErrorGroupEvent& e : taken) {
    SignalRow row;
    row.labels["fingerprint"] = std::move(e.fingerprint);
    row.labels["service"] = e.service.empty() ? "none" : std::move(e.service);
    row.labels["title"] = std::move(e.title);
    if (!e.tenant.empty()) row.labels["tenant"] = std::move(e.tenant);
    row.columns["count"] = static_cast<double>(e.count);
    row.columns["rate_per_min"] = static_cast<double>(e.rate_per_min);
    rows.push_back(std::move(row));
  }
  return rows;
}

bool ErrorGroupFeed::Has(SignalKind kind, std::string_view name) const {
  switch (kind) {
    case SignalKind::kQuery:
      return false;
    case SignalKind::kKpi:
    case SignalKind::kSlo:
      return others_ != nullptr && others_->Has(kind, name);
    case SignalKind::kErrorGroup:
      return name == "new" || name == "regression" || name == "rate";
  }
  return false;
}

}  // namespace vigia
