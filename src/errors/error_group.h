// ErrorGroup: one row of the error-group table (Sentry's "issue"): every error event with the
// same tenant and fingerprint (fingerprint.h) is one occurrence of the group. The row keeps
// what the issues view shows — title, culprit (top in-app frame), first and last seen, count,
// users affected (HyperLogLog of user_id), the services, releases (`version`) and
// environments it was seen in, a sample event — and its status:
//
//   unresolved ──resolve──► resolved ──occurs again──► regressed ──resolve──► resolved
//        ▲  │                  (with in_next_release: only an occurrence in a release
//        │  └──ignore──► ignored      the group had not seen when it was resolved)
//        └──── its duration or count ends (or unresolve) ──┘
//
// Status changes an operator makes (StatusChange) and the ones occurrences cause
// (regression, an ignore ending) are returned as GroupEvents: the server records each as a
// kind=audit event and hands new groups, regressions and rate crossings to its listeners
// (alerting).
//
// Thread-safety: value types; externally synchronized (ErrorGroupTable locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/limits.h"
#include "common/status.h"
#include "errors/fingerprint.h"
#include "errors/hyperloglog.h"

namespace vigia::errors {

enum class GroupStatus : uint8_t { kUnresolved, kResolved, kRegressed, kIgnored };
// "unresolved", "resolved", "regressed", "ignored".
std::string_view GroupStatusName(GroupStatus status);
std::optional<GroupStatus> ParseGroupStatus(std::string_view name);

// The fields of one error event the table reads (views into the event or a query row).
struct ErrorOccurrence {
  std::string_view tenant;       // "" = the default tenant
  std::string_view fingerprint;  // REQUIRES: non-empty
  int64_t ts_ns = 0;
  ErrorInput error;       // for the title and culprit of a new group
  std::string_view user;  // user_id
  std::string_view service, release, environment;
  // The sample's id: event_id (Sentry), else request_id, else trace_id.
  std::string_view event_id;
};

struct ErrorGroup {
  std::string tenant;
  std::string fingerprint;
  std::string title;
  std::string culprit;
  std::string type;  // error.type
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  uint64_t count = 0;
  HyperLogLog users{limits::kErrorUsersHllPrecision};
  // Cluster mode: the distinct user_ids the shared store counted (exact), shown instead of
  // the HyperLogLog's estimate (not in the table file).
  std::optional<uint64_t> users_distinct;
  std::vector<std::string> services, releases, environments;  // first seen first, capped
  std::string sample_event_id;
  int64_t sample_ts_ns = 0;  // the sample occurrence's time (to find it in the store)

  GroupStatus status = GroupStatus::kUnresolved;
  int64_t status_changed_ns = 0;  // wall clock of the last status change
  std::string status_actor;       // who made it: a key id, or "vigia" for automatic ones
  bool resolved_in_next_release = false;
  std::vector<std::string> resolved_releases;  // releases seen when resolved in next release
  int64_t ignore_until_ns = 0;                 // ignored until then (0 = no time bound)
  uint64_t ignore_until_count = 0;             // ignored until count reaches it (0 = none)
  uint64_t regressions = 0;

  // The rate hook's per-minute counter (memory only).
  int64_t rate_minute = 0;
  uint64_t rate_count = 0;
  bool rate_fired = false;
};

// What an operator asks for (PATCH /v1/errors/{fingerprint}).
struct StatusChange {
  GroupStatus status = GroupStatus::kUnresolved;  // never kRegressed (only occurrences do that)
  bool in_next_release = false;                   // resolved: regress only in a new release
  int64_t ignore_for_ns = 0;                      // ignored: for this long (0 = no bound)
  uint64_t ignore_count = 0;                      // ignored: until this many more occurrences
  std::string actor;
};

enum class GroupEventKind : uint8_t {
  kNewGroup,       // the first occurrence of a fingerprint
  kRegression,     // an occurrence of a resolved group
  kRateAbove,      // a group's occurrences this minute reached the rate threshold
  kIgnoreEnded,    // an ignored group's duration or count ran out: back to unresolved
  kStatusChanged,  // an operator's change (StatusChange)
};
std::string_view GroupEventKindName(GroupEventKind kind);  // "new", "regression", ...

// A transition of one group, for the audit trail and the alerting listeners.
struct GroupEvent {
  GroupEventKind kind = GroupEventKind::kNewGroup;
  std::string tenant;
  std::string fingerprint;
  std::string title;
  std::string service;  // the occurrence's (for kStatusChanged: the group's first)
  std::string release;
  GroupStatus status = GroupStatus::kUnresolved;  // after the transition
  std::string actor;                              // "vigia" unless an operator's change
  std::string details;                            // human-readable ("in next release")
  uint64_t count = 0;                             // the group's count after it
  uint64_t rate_per_min = 0;                      // kRateAbove
  int64_t ts_ns = 0;                              // wall clock
};

// The audit action of a transition: "error.resolved", "error.ignored", "error.unresolved",
// "error.regressed", "error.unignored"; empty for kNewGroup and kRateAbove (not status
// changes).
std::string AuditActionOf(const GroupEvent& e);

// Adds `value` to `values` unless present or the list is full.
void AddCapped(std::vector<std::string>* values, std::string_view value);

// One group as a line of the table file: a JSON object without a newline (times in ns, the
// HLL's registers in hex, the status fields).
std::string GroupRecordJson(const ErrorGroup& g);
// Parses a line GroupRecordJson wrote.
Result<ErrorGroup> GroupFromRecordJson(std::string_view line);
// The API's members of one group (into an open JSON object): times as RFC 3339, users as
// the estimate, the status with its bounds.
void WriteGroupApiFields(JsonWriter* w, const ErrorGroup& g);

}  // namespace vigia::errors
