// ClusterErrorGroups: a cluster node's error groups read from the shared store (storage.backend
// = "clickhouse"; docs/errors.md "In a cluster"). Every node's table is the same because
// none counts what it ingested itself: each refresh (errors.cluster_refresh_ms) reads, through
// the QueryBackend,
//   1. one aggregation over every error event — `fingerprint:* | stats count(), min(_time),
//      max(_time), count_distinct(user_id) by (tenant, fingerprint)`, which the ClickHouse
//      backend pushes down as one GROUP BY (clickhouse_stats_pushdown.h): no event moves;
//   2. the errors' audit events (error.resolved / .ignored / .unresolved by operators,
//      error.regressed by the rules-lease holder): the latest operator change per group;
//   3. for the groups whose count changed: their services, releases and environments
//      (`fingerprint:in(...) | stats min(_time) by (tenant, fingerprint, service, version,
//      env)`, pushed down);
//   4. for the groups whose first or last seen moved: their occurrences at exactly those
//      times (the first's title and culprit, the last's sample id) — a few rows each;
//   5. for the groups whose latest change an occurrence may have overturned (a resolve, an
//      ignore with a time bound): the earliest such occurrence (error_group_derive.h), pushed
//      down, remembered per change.
// and derives the statuses (errors::ApplyRecordedStatus). Statements 3-5 name at most
// limits::kErrorGroupsPerRefreshStatement groups each.
//
// Thread-safety: externally synchronized (the errors module refreshes from one task).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "errors/error_group.h"
#include "errors/error_group_derive.h"
#include "query/query_backend.h"

namespace vigia {

// An operator's change read from its audit event; nullopt for a row that is not one
// (error.regressed, a damaged row).
std::optional<errors::RecordedChange> RecordedChangeOfRow(const QueryRecord& row);

// The audit events of error groups: operators' changes and the holder's regressions.
inline constexpr std::string_view kErrorAuditQuery =
    "kind:audit entity:error "
    "action:in(error.resolved, error.ignored, error.unresolved, error.regressed)";

struct ClusterErrorGroupsRefresh {
  std::vector<errors::ErrorGroup> groups;
  // Per group (errors::GroupKey): its error.regressed audit events (the holder records each
  // regression once; a new holder does not record one again) — how many, the latest's time.
  struct Regressions {
    uint64_t count = 0;
    int64_t latest_ns = 0;
  };
  std::map<std::string, Regressions> regressions_recorded;
  // Per group: the time of the latest operator change the store holds.
  std::map<std::string, int64_t> changes_read;
  uint64_t statements = 0;  // queries run
  uint64_t rows_read = 0;   // rows they answered
};

class ClusterErrorGroups {
 public:
  ClusterErrorGroups(QueryBackend* backend, Env* env) : backend_(backend), env_(env) {}

  // One refresh. `local`: operator changes made through this node that the store may not
  // show yet (applied as if read). Fails (Unavailable...) when a statement does, or when the
  // answer is partial (a shard down with clickhouse.partial_results): the caller keeps its
  // table.
  Result<ClusterErrorGroupsRefresh> Read(const std::vector<errors::RecordedChange>& local);

 private:
  struct Cached {
    int64_t title_ts = -1;  // the first_seen the title was read at
    std::string title, culprit, type;
    int64_t sample_ts = -1;  // the last_seen the sample was read at
    std::string sample_event_id;
    uint64_t dims_count = 0;  // the count the dimensions were read at
    std::vector<std::string> services, releases, environments;
    // The probe of the latest change (error_group_derive.h): found for the change at
    // found_change_ts (fixed from then on), or not found for asked_change_ts while the group's
    // last seen was asked_last_seen (asked again when it moves).
    int64_t found_change_ts = -1;
    int64_t asked_change_ts = -1;
    int64_t asked_last_seen = -1;
    std::optional<int64_t> occurred_at;
  };

  Result<QueryResult> Run(const std::string& vql, ClusterErrorGroupsRefresh* out);
  Status ReadDimensions(const std::vector<const errors::GroupAggregate*>& groups,
                        ClusterErrorGroupsRefresh* out);
  Status ReadSamples(const std::vector<const errors::GroupAggregate*>& groups,
                     ClusterErrorGroupsRefresh* out);
  Status ReadProbes(
      const std::vector<std::pair<const errors::GroupAggregate*, errors::OccurrenceProbe>>& probes,
      const std::vector<int64_t>& change_ts, ClusterErrorGroupsRefresh* out);

  QueryBackend* const backend_;
  Env* const env_;
  std::map<std::string, Cached> cache_;  // by errors::GroupKey
};

}  // namespace vigia
