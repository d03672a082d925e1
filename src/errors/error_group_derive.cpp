#include "errors/error_group_derive.h"

#include <algorithm>

#include "common/time_units.h"
#include "errors/error_group_table.h"

namespace vigia::errors {

std::string GroupKey(std::string_view tenant, std::string_view fingerprint) {
  std::string k;
  k.reserve(tenant.size() + 1 + fingerprint.size());
  k.append(tenant).push_back('\0');
  k.append(fingerprint);
  return k;
}

std::optional<OccurrenceProbe> ProbeFor(const RecordedChange& latest, const GroupAggregate& a) {
  switch (latest.change.status) {
    case GroupStatus::kResolved: {
      if (a.last_seen_ns < latest.ts_ns) return std::nullopt;
      OccurrenceProbe p;
      p.since_ns = latest.ts_ns;
      p.new_release_only = latest.change.in_next_release;
      if (p.new_release_only) p.exclude_releases = latest.resolved_releases;
      return p;
    }
    case GroupStatus::kIgnored: {
      if (latest.change.ignore_for_ns <= 0) return std::nullopt;
      const int64_t until = latest.ts_ns + latest.change.ignore_for_ns;
      if (a.last_seen_ns < until) return std::nullopt;
      OccurrenceProbe p;
      p.since_ns = until;
      return p;
    }
    case GroupStatus::kUnresolved:
    case GroupStatus::kRegressed:
      return std::nullopt;
  }
  return std::nullopt;
}

void ApplyRecordedStatus(ErrorGroup* g, const RecordedChange* latest,
                         std::optional<int64_t> occurred_at) {
  g->status = GroupStatus::kUnresolved;
  g->status_changed_ns = 0;
  g->status_actor.clear();
  g->resolved_in_next_release = false;
  g->resolved_releases.clear();
  g->ignore_until_ns = 0;
  g->ignore_until_count = 0;
  if (latest == nullptr) return;
  g->status_changed_ns = latest->ts_ns;
  g->status_actor = latest->change.actor;
  auto by_vigia = [&](GroupStatus s, int64_t at) {
    g->status = s;
    g->status_changed_ns = at;
    g->status_actor = "vigia";
  };
  switch (latest->change.status) {
    case GroupStatus::kUnresolved:
    case GroupStatus::kRegressed:  // never recorded by an operator
      return;
    case GroupStatus::kResolved:
      if (occurred_at) {
        by_vigia(GroupStatus::kRegressed, *occurred_at);
        return;
      }
      g->status = GroupStatus::kResolved;
      g->resolved_in_next_release = latest->change.in_next_release;
      if (g->resolved_in_next_release) g->resolved_releases = latest->resolved_releases;
      return;
    case GroupStatus::kIgnored:
      if (occurred_at) {
        by_vigia(GroupStatus::kUnresolved, *occurred_at);
        return;
      }
      if (latest->ignore_until_count != 0 && g->count >= latest->ignore_until_count) {
        by_vigia(GroupStatus::kUnresolved, latest->ts_ns);
        return;
      }
      g->status = GroupStatus::kIgnored;
      if (latest->change.ignore_for_ns > 0) {
        g->ignore_until_ns = latest->ts_ns + latest->change.ignore_for_ns;
      }
      g->ignore_until_count = latest->ignore_until_count;
      return;
  }
}

std::vector<GroupEvent> TransitionsBetween(const std::map<std::string, ErrorGroup>& before,
                                           std::vector<ErrorGroup>* after, int64_t now_ns,
                                           uint64_t rate_threshold_per_min) {
  std::vector<GroupEvent> events;
  const int64_t minute = now_ns / kNanosPerMinute;
  for (ErrorGroup& g : *after) {
    auto it = before.find(GroupKey(g.tenant, g.fingerprint));
    const ErrorGroup* old = it == before.end() ? nullptr : &it->second;
    if (old == nullptr) {
      events.push_back(EventAbout(g, GroupEventKind::kNewGroup, now_ns));
    } else {
      if (g.status == GroupStatus::kRegressed && (old->status != GroupStatus::kRegressed ||
                                                  old->status_changed_ns != g.status_changed_ns)) {
        events.push_back(EventAbout(g, GroupEventKind::kRegression, now_ns));
      }
      if (old->status == GroupStatus::kIgnored && g.status == GroupStatus::kUnresolved &&
          g.status_actor == "vigia") {
        events.push_back(EventAbout(g, GroupEventKind::kIgnoreEnded, now_ns));
      }
      g.rate_minute = old->rate_minute;
      g.rate_count = old->rate_count;
      g.rate_fired = old->rate_fired;
    }
    const uint64_t added = old == nullptr ? g.count : g.count - std::min(g.count, old->count);
    if (minute != g.rate_minute) {
      g.rate_minute = minute;
      g.rate_count = 0;
      g.rate_fired = false;
    }
    g.rate_count += added;
    if (rate_threshold_per_min != 0 && !g.rate_fired && g.rate_count >= rate_threshold_per_min) {
      g.rate_fired = true;
      GroupEvent e = EventAbout(g, GroupEventKind::kRateAbove, now_ns);
      e.rate_per_min = g.rate_count;
      e.details = std::to_string(g.rate_count) + " events this minute (threshold " +
                  std::to_string(rate_threshold_per_min) + ")";
      events.push_back(std::move(e));
    }
  }
  return events;
}

}  // namespace vigia::errors
