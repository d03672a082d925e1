#include "errors/error_group_table.h"

#include <algorithm>

#include "common/time_units.h"
#include "errors/error_group_derive.h"

namespace vigia::errors {
namespace {

constexpr std::string_view kHeader = "{\"vigia_error_groups\":1}";

std::string DurationText(int64_t ns) {
  const int64_t s = ns / 1'000'000'000;
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace

GroupEvent EventAbout(const ErrorGroup& g, GroupEventKind kind, int64_t now_ns) {
  GroupEvent e;
  e.kind = kind;
  e.tenant = g.tenant;
  e.fingerprint = g.fingerprint;
  e.title = g.title;
  e.status = g.status;
  e.count = g.count;
  e.actor = "vigia";
  e.ts_ns = now_ns;
  if (!g.services.empty()) e.service = g.services.front();
  return e;
}

ErrorGroupTable::ErrorGroupTable(ErrorGroupTableOptions options) : options_(options) {}

bool ErrorGroupTable::Observe(const ErrorOccurrence& o, int64_t now_ns,
                              std::vector<GroupEvent>* events) {
  std::lock_guard lock(mu_);
  std::string key = GroupKey(o.tenant, o.fingerprint);
  auto it = groups_.find(key);
  bool is_new = false;
  if (it == groups_.end()) {
    if (groups_.size() >= options_.max_groups) {
      ++dropped_;
      return false;
    }
    ErrorGroup g;
    g.tenant.assign(o.tenant);
    g.fingerprint.assign(o.fingerprint);
    g.type.assign(o.error.type);
    ErrorSignature sig;
    if (ComputeSignature(o.error, &sig)) {
      g.title = std::move(sig.title);
      g.culprit = std::move(sig.culprit);
    }
    if (g.title.empty()) g.title = g.type.empty() ? "error " + g.fingerprint : g.type;
    g.first_seen_ns = g.last_seen_ns = o.ts_ns;
    it = groups_.emplace(std::move(key), std::move(g)).first;
    is_new = true;
  }
  ErrorGroup& g = it->second;
  ++g.count;
  g.first_seen_ns = std::min(g.first_seen_ns, o.ts_ns);
  if (o.ts_ns >= g.last_seen_ns || is_new) {
    g.last_seen_ns = std::max(g.last_seen_ns, o.ts_ns);
    g.sample_ts_ns = o.ts_ns;
    g.sample_event_id.assign(o.event_id);
  }
  if (!o.user.empty()) g.users.Add(o.user);
  AddCapped(&g.services, o.service);
  AddCapped(&g.releases, o.release);
  AddCapped(&g.environments, o.environment);
  ++version_;

  auto emit = [&](GroupEventKind kind) {
    if (events == nullptr) return;
    GroupEvent e = EventAbout(g, kind, now_ns);
    e.service.assign(o.service);
    e.release.assign(o.release);
    events->push_back(std::move(e));
  };
  if (is_new) emit(GroupEventKind::kNewGroup);
  switch (g.status) {
    case GroupStatus::kResolved: {
      // An occurrence from before the resolution (a late or replayed event) is not a
      // recurrence; with in_next_release only a release the group had not seen is.
      bool recurs = o.ts_ns >= g.status_changed_ns;
      if (recurs && g.resolved_in_next_release) {
        recurs = !o.release.empty() &&
                 std::find(g.resolved_releases.begin(), g.resolved_releases.end(), o.release) ==
                     g.resolved_releases.end();
      }
      if (recurs) {
        g.status = GroupStatus::kRegressed;
        g.status_changed_ns = now_ns;
        g.status_actor = "vigia";
        ++g.regressions;
        emit(GroupEventKind::kRegression);
        if (events != nullptr && !o.release.empty()) {
          events->back().details = "seen again in release " + std::string(o.release);
        }
      }
      break;
    }
    case GroupStatus::kIgnored: {
      bool ended = (g.ignore_until_ns != 0 && now_ns >= g.ignore_until_ns) ||
                   (g.ignore_until_count != 0 && g.count >= g.ignore_until_count);
      if (ended) {
        g.status = GroupStatus::kUnresolved;
        g.status_changed_ns = now_ns;
        g.status_actor = "vigia";
        g.ignore_until_ns = 0;
        g.ignore_until_count = 0;
        emit(GroupEventKind::kIgnoreEnded);
      }
      break;
    }
    case GroupStatus::kUnresolved:
    case GroupStatus::kRegressed:
      break;
  }
  CheckRate(g, o, now_ns, events);
  return true;
}

void ErrorGroupTable::CheckRate(ErrorGroup& g, const ErrorOccurrence& o, int64_t now_ns,
                                std::vector<GroupEvent>* events) {
  const int64_t minute = now_ns / kNanosPerMinute;
  if (minute != g.rate_minute) {
    g.rate_minute = minute;
    g.rate_count = 0;
    g.rate_fired = false;
  }
  ++g.rate_count;
  if (options_.rate_threshold_per_min == 0 || g.rate_fired ||
      g.rate_count < options_.rate_threshold_per_min) {
    return;
  }
  g.rate_fired = true;
  if (events == nullptr) return;
  GroupEvent e = EventAbout(g, GroupEventKind::kRateAbove, now_ns);
  e.service.assign(o.service);
  e.release.assign(o.release);
  e.rate_per_min = g.rate_count;
  e.details = std::to_string(g.rate_count) + " events this minute (threshold " +
              std::to_string(options_.rate_threshold_per_min) + ")";
  events->push_back(std::move(e));
}

Result<GroupEvent> ErrorGroupTable::Change(std::string_view tenant, std::string_view fingerprint,
                                           const StatusChange& change, int64_t now_ns) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(GroupKey(tenant, fingerprint));
  if (it == groups_.end()) {
    return Status::NotFound("no error group " + std::string(fingerprint));
  }
  ErrorGroup& g = it->second;
  std::string details;
  g.resolved_in_next_release = false;
  g.resolved_releases.clear();
  g.ignore_until_ns = 0;
  g.ignore_until_count = 0;
  switch (change.status) {
    case GroupStatus::kRegressed:
      return Status::InvalidArgument(
          "status regressed is set by a new occurrence, not by hand; use unresolved");
    case GroupStatus::kResolved:
      if (change.in_next_release) {
        g.resolved_in_next_release = true;
        g.resolved_releases = g.releases;
        details = "in next release";
      }
      break;
    case GroupStatus::kIgnored:
      if (change.ignore_for_ns > 0) {
        g.ignore_until_ns = now_ns + change.ignore_for_ns;
        details = "for " + DurationText(change.ignore_for_ns);
      }
      if (change.ignore_count > 0) {
        g.ignore_until_count = g.count + change.ignore_count;
        if (!details.empty()) details += " or ";
        details += "until " + std::to_string(change.ignore_count) + " more occurrences";
      }
      break;
    case GroupStatus::kUnresolved:
      break;
  }
  g.status = change.status;
  g.status_changed_ns = now_ns;
  g.status_actor = change.actor;
  ++version_;
  GroupEvent e = EventAbout(g, GroupEventKind::kStatusChanged, now_ns);
  e.actor = change.actor;
  e.details = std::move(details);
  return e;
}

std::optional<ErrorGroup> ErrorGroupTable::Get(std::string_view tenant,
                                               std::string_view fingerprint) const {
  std::lock_guard lock(mu_);
  auto it = groups_.find(GroupKey(tenant, fingerprint));
  if (it == groups_.end()) return std::nullopt;
  return it->second;
}

std::vector<ErrorGroup> ErrorGroupTable::Select(
    const std::function<bool(const ErrorGroup&)>& keep) const {
  std::lock_guard lock(mu_);
  std::vector<ErrorGroup> out;
  for (const auto& [key, g] : groups_) {
    if (!keep || keep(g)) out.push_back(g);
  }
  return out;
}

size_t ErrorGroupTable::size() const {
  std::lock_guard lock(mu_);
  return groups_.size();
}

uint64_t ErrorGroupTable::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

uint64_t ErrorGroupTable::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

std::string ErrorGroupTable::Serialize() const {
  std::lock_guard lock(mu_);
  std::string out(kHeader);
  out += '\n';
  for (const auto& [key, g] : groups_) {
    out += GroupRecordJson(g);
    out += '\n';
  }
  return out;
}

Status ErrorGroupTable::Load(std::string_view text) {
  size_t nl = text.find('\n');
  if (text.substr(0, nl) != kHeader) return Status::Corruption("error groups: bad header");
  std::map<std::string, ErrorGroup> groups;
  size_t line_no = 1;
  size_t pos = nl == std::string_view::npos ? text.size() : nl + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      return Status::Corruption("error groups: line " + std::to_string(line_no + 1) + " truncated");
    }
    ++line_no;
    Result<ErrorGroup> g = GroupFromRecordJson(text.substr(pos, end - pos));
    if (!g.ok()) {
      return Status::Corruption("error groups: line " + std::to_string(line_no) + ": " +
                                g.status().message());
    }
    std::string key = GroupKey(g->tenant, g->fingerprint);
    groups[std::move(key)] = std::move(*g);
    pos = end + 1;
  }
  std::lock_guard lock(mu_);
  groups_ = std::move(groups);
  ++version_;
  return Status::Ok();
}

void ErrorGroupTable::Replace(std::vector<ErrorGroup> groups) {
  std::map<std::string, ErrorGroup> next;
  for (ErrorGroup& g : groups) {
    std::string key = GroupKey(g.tenant, g.fingerprint);
    next[std::move(key)] = std::move(g);
  }
  std::lock_guard lock(mu_);
  groups_ = std::move(next);
  ++version_;
}

std::map<std::string, ErrorGroup> ErrorGroupTable::Snapshot() const {
  std::lock_guard lock(mu_);
  return groups_;
}

void ErrorGroupTable::Clear() {
  std::lock_guard lock(mu_);
  groups_.clear();
  ++version_;
}

}  // namespace vigia::errors
