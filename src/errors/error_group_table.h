// ErrorGroupTable: the error groups of every tenant (error_group.h), maintained at ingest
// from each error event's fingerprint (fingerprint_deriver.h), queried by the errors API and
// changed by operators (resolve, ignore). It only counts and decides transitions: the
// server's errors module feeds it (an IngestPipeline observer), saves it (Serialize into
// <data>/errors/groups.ndjson, error_file_names.h), records the transitions it returns as
// audit events and passes them to the alerting listeners.
//
// A group is keyed by (tenant, fingerprint), so one tenant never sees another's groups. At
// most options.max_groups groups are kept; occurrences of new fingerprints beyond that are
// counted in dropped() (their events are still stored and queryable).
//
// Thread-safety: thread-safe (one mutex; every method is short).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "errors/error_group.h"

namespace vigia::errors {

struct ErrorGroupTableOptions {
  size_t max_groups = limits::kMaxErrorGroups;
  // Occurrences of one group in one minute (by arrival) at which a kRateAbove event is
  // returned, once per group and minute; 0 = never.
  uint64_t rate_threshold_per_min = limits::kErrorGroupRateThresholdPerMin;
};

class ErrorGroupTable {
 public:
  explicit ErrorGroupTable(ErrorGroupTableOptions options = {});

  // Records one occurrence arriving at wall-clock `now_ns` and appends the transitions it
  // causes to `events` (new group, regression, an ignore that ended, the rate crossing).
  // Returns false when it belongs to a new group the full table cannot take.
  bool Observe(const ErrorOccurrence& o, int64_t now_ns, std::vector<GroupEvent>* events);

  // An operator's status change at `now_ns`. NotFound when the group does not exist,
  // InvalidArgument for a change to `regressed` (only an occurrence regresses a group).
  Result<GroupEvent> Change(std::string_view tenant, std::string_view fingerprint,
                            const StatusChange& change, int64_t now_ns);

  std::optional<ErrorGroup> Get(std::string_view tenant, std::string_view fingerprint) const;
  // Copies of the groups `keep` accepts (every group when empty), in no particular order.
  std::vector<ErrorGroup> Select(const std::function<bool(const ErrorGroup&)>& keep) const;
  size_t size() const;
  uint64_t dropped() const;
  // Bumped by every change; the saver skips a table whose version it already saved.
  uint64_t version() const;

  // Cluster mode: the groups of a refresh from the shared store replace the content
  // (error_group_derive.h); dropped() is not counted then.
  void Replace(std::vector<ErrorGroup> groups);
  // A copy of every group by GroupKey (tenant '\0' fingerprint).
  std::map<std::string, ErrorGroup> Snapshot() const;

  // The table file's text: a header line, then GroupRecordJson of each group, one a line.
  std::string Serialize() const;
  // Replaces the content with what Serialize wrote. Corruption when any line is bad (the
  // caller then rebuilds from the store): nothing is changed then.
  Status Load(std::string_view text);
  void Clear();

 private:
  void CheckRate(ErrorGroup& g, const ErrorOccurrence& o, int64_t now_ns,
                 std::vector<GroupEvent>* events);

  const ErrorGroupTableOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, ErrorGroup> groups_;  // sorted: the file is deterministic
  uint64_t dropped_ = 0;
  uint64_t version_ = 0;
};

// A GroupEvent about `g` (its tenant, fingerprint, title, status, count).
GroupEvent EventAbout(const ErrorGroup& g, GroupEventKind kind, int64_t now_ns);

}  // namespace vigia::errors
