#include "event/event_fields.h"

#include <cstddef>

#include "common/ascii.h"

namespace vigia {

namespace fields {

bool IsCanonical(std::string_view name) {
  if (name == kTs) return true;
  for (std::string_view c : kAllCanonical) {
    if (c == name) return true;
  }
  return false;
}

}  // namespace fields

std::string_view KindName(EventKind k) {
  switch (k) {
    case EventKind::kLog:
      return "log";
    case EventKind::kRequest:
      return "request";
    case EventKind::kAudit:
      return "audit";
    case EventKind::kError:
      return "error";
    case EventKind::kMetric:
      return "metric";
    case EventKind::kProbe:
      return "probe";
    case EventKind::kAlert:
      return "alert";
  }
  return "log";
}

std::string_view LevelName(EventLevel l) {
  switch (l) {
    case EventLevel::kTrace:
      return "trace";
    case EventLevel::kDebug:
      return "debug";
    case EventLevel::kInfo:
      return "info";
    case EventLevel::kWarn:
      return "warn";
    case EventLevel::kError:
      return "error";
    case EventLevel::kFatal:
      return "fatal";
  }
  return "info";
}

std::optional<EventKind> ParseKind(std::string_view s) {
  static constexpr EventKind kAll[] = {EventKind::kLog,   EventKind::kRequest, EventKind::kAudit,
                                       EventKind::kError, EventKind::kMetric,  EventKind::kProbe,
                                       EventKind::kAlert};
  for (EventKind k : kAll) {
    if (ascii::EqualsLower(s, KindName(k))) return k;
  }
  return std::nullopt;
}

std::optional<EventLevel> ParseLevel(std::string_view s) {
  struct Spelling {
    std::string_view name;
    EventLevel level;
  };
  // Ordered by how often loggers emit them, so the common case exits early.
  static constexpr Spelling kSpellings[] = {
      {"info", EventLevel::kInfo},          {"error", EventLevel::kError},
      {"warn", EventLevel::kWarn},          {"warning", EventLevel::kWarn},
      {"debug", EventLevel::kDebug},        {"trace", EventLevel::kTrace},
      {"fatal", EventLevel::kFatal},        {"critical", EventLevel::kFatal},
      {"err", EventLevel::kError},          {"notice", EventLevel::kInfo},
      {"informational", EventLevel::kInfo}, {"information", EventLevel::kInfo},
      {"crit", EventLevel::kFatal},         {"alert", EventLevel::kFatal},
      {"emerg", EventLevel::kFatal},        {"emergency", EventLevel::kFatal},
      {"panic", EventLevel::kFatal},
  };
  for (const Spelling& sp : kSpellings) {
    if (ascii::EqualsLower(s, sp.name)) return sp.level;
  }
  return std::nullopt;
}

std::string_view PerfClassFor(double duration_ms) {
  if (duration_ms < 50) return "excellent";
  if (duration_ms < 200) return "good";
  if (duration_ms < 1000) return "slow";
  return "very_slow";
}

}  // namespace vigia
