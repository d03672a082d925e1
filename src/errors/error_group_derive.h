// Error groups derived from a shared store (cluster mode, storage.backend = "clickhouse";
// docs/errors.md "In a cluster"): a node does not count the error events it ingested itself —
// it reads what every node ingested back from ClickHouse as aggregates (count, first and
// last seen, users per tenant and fingerprint) and the operators' status changes as their
// audit events, and derives each group's status from them, as Sentry derives an issue from
// its events. This header holds the pure part (the server's errors module runs the queries):
//
//   - the status: the latest operator change decides (unresolved, resolved, ignored); a
//     resolved group is regressed when an occurrence at or after the resolve exists (with
//     in_next_release: one whose release is not among those recorded with the resolve); an
//     ignored group is unresolved again when an occurrence at or after the ignore's end
//     exists, or its count reached the recorded bound. ProbeFor says what must be asked of
//     the store (the earliest such occurrence); ApplyRecordedStatus sets the status from the
//     answer. Every node derives the same status from the same rows.
//   - the transitions between two refreshes of a node's table (new group, regression, an
//     ignore that ended, the rate crossing), for the alerting hooks of the rules-lease holder.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "errors/error_group.h"

namespace vigia::errors {

// One group's occurrences as the store aggregates them.
struct GroupAggregate {
  std::string tenant;
  std::string fingerprint;
  uint64_t count = 0;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t users = 0;  // distinct user_id values
};

// An operator's status change, read back from its audit event (error.resolved, .ignored,
// .unresolved).
struct RecordedChange {
  int64_t ts_ns = 0;
  std::string tenant;
  std::string fingerprint;
  StatusChange change;  // status, in_next_release, ignore_for_ns, actor
  // Recorded by the node that made the change, from its table then: an ignore's end by
  // count (the group's count + ignore_count; 0 = none), and the releases a resolve in the
  // next release leaves out.
  uint64_t ignore_until_count = 0;
  std::vector<std::string> resolved_releases;
};

// A question to the store: the earliest occurrence of the group at or after since_ns —
// with new_release_only, one whose `version` is set and not one of exclude_releases.
struct OccurrenceProbe {
  int64_t since_ns = 0;
  bool new_release_only = false;
  std::vector<std::string> exclude_releases;
};

// What must be asked to decide the outcome of `latest` for the group: nothing (nullopt) when
// no occurrence can change it (unresolved, no bound, or nothing seen since).
std::optional<OccurrenceProbe> ProbeFor(const RecordedChange& latest, const GroupAggregate& a);

// Sets g's status fields (status, status_changed_ns, status_actor, in-next-release and
// ignore bounds) from the latest operator change (null: none, unresolved) and, for a probe,
// the earliest occurrence it found (`occurred_at`; nullopt: none). A regression and an
// ignore that ended are dated by that occurrence (an ignore ended by count: by the change).
void ApplyRecordedStatus(ErrorGroup* g, const RecordedChange* latest,
                         std::optional<int64_t> occurred_at);

// The transitions from `before` (the previous refresh, keyed by tenant '\0' fingerprint) to
// `after` at wall clock now_ns: kNewGroup for a group `before` lacks, kRegression for a group
// that became regressed (again), kIgnoreEnded for an ignored group unresolved by vigia,
// kRateAbove when a group's new occurrences since the previous refresh, summed over the
// current wall-clock minute, reach rate_threshold_per_min (once per group and minute; 0 =
// never). Carries the rate counters of `before` into `after`.
std::vector<GroupEvent> TransitionsBetween(const std::map<std::string, ErrorGroup>& before,
                                           std::vector<ErrorGroup>* after, int64_t now_ns,
                                           uint64_t rate_threshold_per_min);

// The key of TransitionsBetween's map: tenant '\0' fingerprint.
std::string GroupKey(std::string_view tenant, std::string_view fingerprint);

}  // namespace vigia::errors
