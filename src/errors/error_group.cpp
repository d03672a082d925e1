#include "errors/error_group.h"

#include <simdjson.h>

#include <algorithm>

#include "common/time_format.h"

namespace vigia::errors {
namespace {

void WriteList(JsonWriter* w, std::string_view key, const std::vector<std::string>& values) {
  w->Key(key).BeginArray();
  for (const std::string& v : values) w->String(v);
  w->EndArray();
}

bool ReadList(simdjson::dom::object obj, std::string_view key, std::vector<std::string>* out) {
  simdjson::dom::array arr;
  if (obj[key].get_array().get(arr) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element e : arr) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return false;
    out->emplace_back(s);
  }
  return true;
}

}  // namespace

std::string_view GroupStatusName(GroupStatus status) {
  switch (status) {
    case GroupStatus::kUnresolved:
      return "unresolved";
    case GroupStatus::kResolved:
      return "resolved";
    case GroupStatus::kRegressed:
      return "regressed";
    case GroupStatus::kIgnored:
      return "ignored";
  }
  return "unresolved";
}

std::optional<GroupStatus> ParseGroupStatus(std::string_view name) {
  for (GroupStatus s : {GroupStatus::kUnresolved, GroupStatus::kResolved, GroupStatus::kRegressed,
                        GroupStatus::kIgnored}) {
    if (GroupStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view GroupEventKindName(GroupEventKind kind) {
  switch (kind) {
    case GroupEventKind::kNewGroup:
      return "new";
    case GroupEventKind::kRegression:
      return "regression";
    case GroupEventKind::kRateAbove:
      return "rate";
    case GroupEventKind::kIgnoreEnded:
      return "ignore_ended";
    case GroupEventKind::kStatusChanged:
      return "status";
  }
  return "new";
}

std::string AuditActionOf(const GroupEvent& e) {
  switch (e.kind) {
    case GroupEventKind::kNewGroup:
    case GroupEventKind::kRateAbove:
      return "";
    case GroupEventKind::kRegression:
      return "error.regressed";
    case GroupEventKind::kIgnoreEnded:
      return "error.unignored";
    case GroupEventKind::kStatusChanged:
      return "error." + std::string(GroupStatusName(e.status));
  }
  return "";
}

void AddCapped(std::vector<std::string>* values, std::string_view value) {
  if (value.empty() || values->size() >= limits::kMaxErrorGroupValues) return;
  if (std::find(values->begin(), values->end(), value) != values->end()) return;
  values->emplace_back(value);
}

std::string GroupRecordJson(const ErrorGroup& g) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("tenant", g.tenant).KV("fingerprint", g.fingerprint).KV("title", g.title);
  w.KV("culprit", g.culprit).KV("type", g.type);
  w.KV("first_seen", g.first_seen_ns).KV("last_seen", g.last_seen_ns).KV("count", g.count);
  w.KV("users_hll", g.users.ToHex());
  WriteList(&w, "services", g.services);
  WriteList(&w, "releases", g.releases);
  WriteList(&w, "environments", g.environments);
  w.KV("sample_event_id", g.sample_event_id).KV("sample_ts", g.sample_ts_ns);
  w.KV("status", GroupStatusName(g.status)).KV("status_changed", g.status_changed_ns);
  w.KV("status_actor", g.status_actor).KV("in_next_release", g.resolved_in_next_release);
  WriteList(&w, "resolved_releases", g.resolved_releases);
  w.KV("ignore_until", g.ignore_until_ns).KV("ignore_until_count", g.ignore_until_count);
  w.KV("regressions", g.regressions);
  w.EndObject();
  return out;
}

Result<ErrorGroup> GroupFromRecordJson(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::padded_string padded(line);
  simdjson::dom::object obj;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::Corruption("error group: not a JSON object");
  }
  ErrorGroup g;
  bool ok = true;
  auto str = [&](std::string_view k, std::string* out) {
    std::string_view v;
    if (obj[k].get_string().get(v) != simdjson::SUCCESS) {
      ok = false;
      return;
    }
    out->assign(v);
  };
  auto i64 = [&](std::string_view k, int64_t* out) {
    if (obj[k].get_int64().get(*out) != simdjson::SUCCESS) ok = false;
  };
  auto u64 = [&](std::string_view k, uint64_t* out) {
    if (obj[k].get_uint64().get(*out) != simdjson::SUCCESS) ok = false;
  };
  str("tenant", &g.tenant);
  str("fingerprint", &g.fingerprint);
  str("title", &g.title);
  str("culprit", &g.culprit);
  str("type", &g.type);
  i64("first_seen", &g.first_seen_ns);
  i64("last_seen", &g.last_seen_ns);
  u64("count", &g.count);
  std::string hll, status;
  str("users_hll", &hll);
  ok = ok && ReadList(obj, "services", &g.services) && ReadList(obj, "releases", &g.releases) &&
       ReadList(obj, "environments", &g.environments) &&
       ReadList(obj, "resolved_releases", &g.resolved_releases);
  str("sample_event_id", &g.sample_event_id);
  i64("sample_ts", &g.sample_ts_ns);
  str("status", &status);
  i64("status_changed", &g.status_changed_ns);
  str("status_actor", &g.status_actor);
  if (obj["in_next_release"].get_bool().get(g.resolved_in_next_release) != simdjson::SUCCESS) {
    ok = false;
  }
  i64("ignore_until", &g.ignore_until_ns);
  u64("ignore_until_count", &g.ignore_until_count);
  u64("regressions", &g.regressions);
  if (!ok || g.fingerprint.empty()) return Status::Corruption("error group: missing fields");
  std::optional<GroupStatus> st = ParseGroupStatus(status);
  if (!st) return Status::Corruption("error group: unknown status " + status);
  g.status = *st;
  VIGIA_RETURN_IF_ERROR(g.users.FromHex(hll));
  return g;
}

void WriteGroupApiFields(JsonWriter* w, const ErrorGroup& g) {
  w->KV("fingerprint", g.fingerprint).KV("tenant", g.tenant).KV("title", g.title);
  w->KV("culprit", g.culprit).KV("type", g.type);
  w->KV("status", GroupStatusName(g.status));
  w->KV("count", g.count).KV("users", g.users_distinct ? *g.users_distinct : g.users.Estimate());
  w->KV("first_seen", FormatRfc3339(g.first_seen_ns, 3));
  w->KV("last_seen", FormatRfc3339(g.last_seen_ns, 3));
  WriteList(w, "services", g.services);
  WriteList(w, "releases", g.releases);
  WriteList(w, "environments", g.environments);
  w->KV("sample_event_id", g.sample_event_id);
  w->KV("regressions", g.regressions);
  if (g.status_changed_ns != 0) {
    w->KV("status_changed", FormatRfc3339(g.status_changed_ns, 3));
    w->KV("status_actor", g.status_actor);
  }
  if (g.status == GroupStatus::kResolved && g.resolved_in_next_release) {
    w->KV("in_next_release", true);
  }
  if (g.status == GroupStatus::kIgnored) {
    if (g.ignore_until_ns != 0) w->KV("ignore_until", FormatRfc3339(g.ignore_until_ns, 3));
    if (g.ignore_until_count != 0) w->KV("ignore_until_count", g.ignore_until_count);
  }
}

}  // namespace vigia::errors
