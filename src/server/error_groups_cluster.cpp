#include "server/error_groups_cluster.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "common/limits.h"
#include "common/time_format.h"
#include "common/time_units.h"
#include "errors/fingerprint.h"
#include "server/error_occurrence.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

// The open end of "at or after": 2262-01-01, below the largest int64 nanosecond time.
constexpr std::string_view kFarFuture = "2262-01-01T00:00:00Z";

// `tenant:="t"`, or `-tenant:*` for the default tenant (stored without the field).
std::string TenantFilter(std::string_view tenant) {
  return tenant.empty() ? "-tenant:*" : "tenant:=" + VqlString(tenant);
}

std::string GroupFilter(const errors::GroupAggregate& a) {
  return "fingerprint:=" + VqlString(a.fingerprint) + " " + TenantFilter(a.tenant);
}

std::string TimeAt(int64_t ts) {
  const std::string t = FormatRfc3339(ts, 9);
  return "_time:[" + t + ", " + t + "]";
}

// The values of a JSON array of strings (the audit event's resolved_releases).
std::vector<std::string> StringArray(std::string_view json) {
  std::vector<std::string> out;
  if (json.empty()) return out;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::array arr;
  if (parser.parse(padded).get_array().get(arr) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element e : arr) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) out.emplace_back(s);
  }
  return out;
}

}  // namespace

std::optional<errors::RecordedChange> RecordedChangeOfRow(const QueryRecord& row) {
  const std::string_view action = RowString(row, "action");
  if (action == "error.regressed") return std::nullopt;
  std::optional<errors::GroupStatus> s = errors::ParseGroupStatus(RowString(row, "group_status"));
  if (!s || *s == errors::GroupStatus::kRegressed) return std::nullopt;
  errors::RecordedChange c;
  c.ts_ns = RowInt(row, "ts");
  c.tenant = RowString(row, "tenant");
  c.fingerprint = RowString(row, "entity_id");
  if (c.fingerprint.empty()) return std::nullopt;
  c.change.status = *s;
  c.change.actor = RowString(row, "actor");
  const OwnedValue* next = row.Get("in_next_release");
  c.change.in_next_release = next != nullptr && next->type == ValueType::kBool && next->b;
  c.change.ignore_for_ns = RowInt(row, "ignore_for_sec") * kNanosPerSecond;
  c.change.ignore_count = static_cast<uint64_t>(std::max<int64_t>(0, RowInt(row, "ignore_count")));
  c.ignore_until_count =
      static_cast<uint64_t>(std::max<int64_t>(0, RowInt(row, "ignore_until_count")));
  c.resolved_releases = StringArray(RowString(row, "resolved_releases"));
  return c;
}

Result<QueryResult> ClusterErrorGroups::Run(const std::string& vql,
                                            ClusterErrorGroupsRefresh* out) {
  VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql(vql));
  QueryOptions opt;
  opt.now_ns = env_->NowNanos();
  opt.scope = TenantScope::All();
  opt.deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(limits::kQueryTimeoutMs);
  VIGIA_ASSIGN_OR_RETURN(QueryResult r, backend_->Run(q, opt));
  ++out->statements;
  out->rows_read += r.rows.size();
  if (r.stats.shards_unavailable > 0) {
    return Status::Unavailable(
        "error groups not refreshed: " + std::to_string(r.stats.shards_unavailable) +
        " shards did not answer");
  }
  return r;
}

Status ClusterErrorGroups::ReadDimensions(const std::vector<const errors::GroupAggregate*>& groups,
                                          ClusterErrorGroupsRefresh* out) {
  for (size_t at = 0; at < groups.size(); at += limits::kErrorGroupsPerRefreshStatement) {
    const size_t end = std::min(groups.size(), at + limits::kErrorGroupsPerRefreshStatement);
    std::set<std::string> fps;
    for (size_t i = at; i < end; ++i) fps.insert(groups[i]->fingerprint);
    std::string list;
    for (const std::string& fp : fps) list += (list.empty() ? "" : ", ") + VqlString(fp);
    VIGIA_ASSIGN_OR_RETURN(
        QueryResult r, Run("fingerprint:in(" + list +
                               ") | stats min(_time) as first by (tenant, fingerprint, service, "
                               "version, env)",
                           out));
    // Per group: each value with the earliest time it was seen, first seen first.
    struct Seen {
      std::map<std::string, int64_t> services, releases, environments;
    };
    std::map<std::string, Seen> seen;
    for (const QueryRecord& row : r.rows) {
      Seen& s = seen[errors::GroupKey(RowString(row, "tenant"), RowString(row, "fingerprint"))];
      const int64_t first = RowInt(row, "first");
      auto note = [first](std::map<std::string, int64_t>* m, std::string_view v) {
        if (v.empty()) return;
        auto [it, added] = m->emplace(std::string(v), first);
        if (!added) it->second = std::min(it->second, first);
      };
      note(&s.services, RowString(row, "service"));
      note(&s.releases, RowString(row, "version"));
      note(&s.environments, RowString(row, "env"));
    }
    auto ordered = [](const std::map<std::string, int64_t>& m) {
      std::vector<std::pair<int64_t, std::string>> v;
      for (const auto& [value, first] : m) v.emplace_back(first, value);
      std::sort(v.begin(), v.end());
      std::vector<std::string> out;
      for (auto& [first, value] : v) errors::AddCapped(&out, value);
      return out;
    };
    for (size_t i = at; i < end; ++i) {
      const std::string key = errors::GroupKey(groups[i]->tenant, groups[i]->fingerprint);
      Cached& c = cache_[key];
      const Seen& s = seen[key];
      c.services = ordered(s.services);
      c.releases = ordered(s.releases);
      c.environments = ordered(s.environments);
      c.dims_count = groups[i]->count;
    }
  }
  return Status::Ok();
}

Status ClusterErrorGroups::ReadSamples(const std::vector<const errors::GroupAggregate*>& groups,
                                       ClusterErrorGroupsRefresh* out) {
  for (size_t at = 0; at < groups.size(); at += limits::kErrorGroupsPerRefreshStatement) {
    const size_t end = std::min(groups.size(), at + limits::kErrorGroupsPerRefreshStatement);
    std::string filter;
    for (size_t i = at; i < end; ++i) {
      const errors::GroupAggregate& a = *groups[i];
      filter += (filter.empty() ? "(" : " or (") + GroupFilter(a) + " (" + TimeAt(a.first_seen_ns) +
                " or " + TimeAt(a.last_seen_ns) + "))";
    }
    VIGIA_ASSIGN_OR_RETURN(QueryResult r, Run(filter, out));
    std::map<std::string, const errors::GroupAggregate*> by_key;
    for (size_t i = at; i < end; ++i) {
      by_key[errors::GroupKey(groups[i]->tenant, groups[i]->fingerprint)] = groups[i];
    }
    // Rows come in (ts, seq) order: the first row at first_seen names the group, the last
    // at last_seen is its sample — the same rows on every node.
    std::set<std::string> titled;
    for (const QueryRecord& row : r.rows) {
      errors::ErrorOccurrence o = OccurrenceOfRow(row);
      const std::string key = errors::GroupKey(o.tenant, o.fingerprint);
      auto it = by_key.find(key);
      if (it == by_key.end()) continue;
      Cached& c = cache_[key];
      if (o.ts_ns == it->second->first_seen_ns && titled.insert(key).second) {
        c.type.assign(o.error.type);
        errors::ErrorSignature sig;
        c.title.clear();
        c.culprit.clear();
        if (errors::ComputeSignature(o.error, &sig)) {
          c.title = std::move(sig.title);
          c.culprit = std::move(sig.culprit);
        }
        c.title_ts = o.ts_ns;
      }
      if (o.ts_ns == it->second->last_seen_ns) {
        c.sample_event_id.assign(o.event_id);
        c.sample_ts = o.ts_ns;
      }
    }
  }
  return Status::Ok();
}

Status ClusterErrorGroups::ReadProbes(
    const std::vector<std::pair<const errors::GroupAggregate*, errors::OccurrenceProbe>>& probes,
    const std::vector<int64_t>& change_ts, ClusterErrorGroupsRefresh* out) {
  for (size_t at = 0; at < probes.size(); at += limits::kErrorGroupsPerRefreshStatement) {
    const size_t end = std::min(probes.size(), at + limits::kErrorGroupsPerRefreshStatement);
    std::string filter;
    for (size_t i = at; i < end; ++i) {
      const auto& [a, p] = probes[i];
      std::string clause = GroupFilter(*a) + " _time:[" + FormatRfc3339(p.since_ns, 9) + ", " +
                           std::string(kFarFuture) + ")";
      if (p.new_release_only) {
        clause += " version:*";
        if (!p.exclude_releases.empty()) {
          std::string list;
          for (const std::string& v : p.exclude_releases) {
            list += (list.empty() ? "" : ", ") + VqlString(v);
          }
          clause += " -version:in(" + list + ")";
        }
      }
      filter += (filter.empty() ? "(" : " or (") + clause + ")";
    }
    VIGIA_ASSIGN_OR_RETURN(QueryResult r,
                           Run(filter + " | stats min(_time) as at by (tenant, fingerprint)", out));
    std::map<std::string, int64_t> found;
    for (const QueryRecord& row : r.rows) {
      found[errors::GroupKey(RowString(row, "tenant"), RowString(row, "fingerprint"))] =
          RowInt(row, "at");
    }
    for (size_t i = at; i < end; ++i) {
      const std::string key =
          errors::GroupKey(probes[i].first->tenant, probes[i].first->fingerprint);
      Cached& c = cache_[key];
      auto it = found.find(key);
      c.occurred_at = it == found.end() ? std::nullopt : std::optional<int64_t>(it->second);
      // Found: fixed for this change. Not found: asked again when the group is seen again.
      c.found_change_ts = it == found.end() ? -1 : change_ts[i];
      c.asked_change_ts = change_ts[i];
      c.asked_last_seen = probes[i].first->last_seen_ns;
    }
  }
  return Status::Ok();
}

Result<ClusterErrorGroupsRefresh> ClusterErrorGroups::Read(
    const std::vector<errors::RecordedChange>& local) {
  ClusterErrorGroupsRefresh out;
  // 1. The aggregates.
  VIGIA_ASSIGN_OR_RETURN(
      QueryResult agg,
      Run("fingerprint:* | stats count() as count, min(_time) as first_seen, max(_time) as "
          "last_seen, count_distinct(user_id) as users by (tenant, fingerprint)",
          &out));
  std::vector<errors::GroupAggregate> aggs;
  aggs.reserve(agg.rows.size());
  for (const QueryRecord& row : agg.rows) {
    errors::GroupAggregate a;
    a.tenant = RowString(row, "tenant");
    a.fingerprint = RowString(row, "fingerprint");
    if (a.fingerprint.empty()) continue;
    a.count = static_cast<uint64_t>(RowInt(row, "count"));
    a.first_seen_ns = RowInt(row, "first_seen");
    a.last_seen_ns = RowInt(row, "last_seen");
    a.users = static_cast<uint64_t>(RowInt(row, "users"));
    aggs.push_back(std::move(a));
  }
  // 2. The latest operator change per group, and the recorded regressions.
  VIGIA_ASSIGN_OR_RETURN(QueryResult audit, Run(std::string(kErrorAuditQuery), &out));
  std::map<std::string, errors::RecordedChange> latest;
  auto consider = [&latest](const errors::RecordedChange& c) {
    auto [it, added] = latest.emplace(errors::GroupKey(c.tenant, c.fingerprint), c);
    if (!added && c.ts_ns >= it->second.ts_ns) it->second = c;
  };
  for (const QueryRecord& row : audit.rows) {
    if (RowString(row, "action") == "error.regressed") {
      ClusterErrorGroupsRefresh::Regressions& r = out.regressions_recorded[errors::GroupKey(
          RowString(row, "tenant"), RowString(row, "entity_id"))];
      ++r.count;
      r.latest_ns = std::max(r.latest_ns, RowInt(row, "ts"));
      continue;
    }
    if (std::optional<errors::RecordedChange> c = RecordedChangeOfRow(row)) {
      int64_t& t = out.changes_read[errors::GroupKey(c->tenant, c->fingerprint)];
      t = std::max(t, c->ts_ns);
      consider(*c);
    }
  }
  for (const errors::RecordedChange& c : local) consider(c);

  // 3-5. What changed since the last refresh.
  std::vector<const errors::GroupAggregate*> dims, samples;
  std::vector<std::pair<const errors::GroupAggregate*, errors::OccurrenceProbe>> probes;
  std::vector<int64_t> probe_change_ts;
  for (const errors::GroupAggregate& a : aggs) {
    const std::string key = errors::GroupKey(a.tenant, a.fingerprint);
    Cached& c = cache_[key];
    if (c.dims_count != a.count) dims.push_back(&a);
    if ((c.title_ts != a.first_seen_ns || c.sample_ts != a.last_seen_ns) &&
        samples.size() < limits::kErrorGroupSamplesPerRefresh) {
      samples.push_back(&a);
    }
    auto l = latest.find(key);
    if (l == latest.end()) continue;
    if (c.found_change_ts == l->second.ts_ns) continue;  // found for this change
    if (c.asked_change_ts == l->second.ts_ns && c.asked_last_seen == a.last_seen_ns) continue;
    c.occurred_at.reset();
    if (std::optional<errors::OccurrenceProbe> p = errors::ProbeFor(l->second, a)) {
      probes.emplace_back(&a, std::move(*p));
      probe_change_ts.push_back(l->second.ts_ns);
    }
  }
  VIGIA_RETURN_IF_ERROR(ReadDimensions(dims, &out));
  VIGIA_RETURN_IF_ERROR(ReadSamples(samples, &out));
  VIGIA_RETURN_IF_ERROR(ReadProbes(probes, probe_change_ts, &out));

  // The groups.
  std::map<std::string, Cached> kept;
  out.groups.reserve(aggs.size());
  for (const errors::GroupAggregate& a : aggs) {
    const std::string key = errors::GroupKey(a.tenant, a.fingerprint);
    Cached& c = cache_[key];
    errors::ErrorGroup g;
    g.tenant = a.tenant;
    g.fingerprint = a.fingerprint;
    g.type = c.type;
    g.title = c.title;
    if (g.title.empty()) g.title = g.type.empty() ? "error " + g.fingerprint : g.type;
    g.culprit = c.culprit;
    g.first_seen_ns = a.first_seen_ns;
    g.last_seen_ns = a.last_seen_ns;
    g.count = a.count;
    g.users_distinct = a.users;
    g.services = c.services;
    g.releases = c.releases;
    g.environments = c.environments;
    g.sample_event_id = c.sample_event_id;
    g.sample_ts_ns = c.sample_ts < 0 ? 0 : c.sample_ts;
    auto l = latest.find(key);
    const errors::RecordedChange* change = l == latest.end() ? nullptr : &l->second;
    ApplyRecordedStatus(&g, change, change != nullptr ? c.occurred_at : std::nullopt);
    auto r = out.regressions_recorded.find(key);
    g.regressions = r != out.regressions_recorded.end() ? r->second.count : 0;
    out.groups.push_back(std::move(g));
    kept[key] = std::move(c);
  }
  cache_ = std::move(kept);  // groups that are gone (deleted events) are forgotten
  return out;
}

}  // namespace vigia
