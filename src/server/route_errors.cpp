#include "server/route_errors.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "common/time_units.h"
#include "errors/error_group_table.h"
#include "query/result_format.h"
#include "server/http_errors.h"
#include "server/module_errors.h"
#include "server/route_query.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr size_t kDefaultListLimit = 100;
constexpr size_t kMaxListLimit = 1000;
constexpr size_t kDistributionValues = 10;

// since=: RFC 3339, or a duration back from now ("24h", "7d").
bool ParseSince(std::string_view text, int64_t now_ns, int64_t* out) {
  if (std::optional<int64_t> d = ParseDurationNs(text)) {
    *out = now_ns - *d;
    return true;
  }
  if (std::optional<int64_t> t = ParseRfc3339(text)) {
    *out = *t;
    return true;
  }
  return false;
}

std::string_view StringOf(const QueryRecord& r, std::string_view name) {
  const OwnedValue* v = r.Get(name);
  return v != nullptr && v->type == ValueType::kString ? std::string_view(v->s)
                                                       : std::string_view();
}

int64_t IntOf(const QueryRecord& r, std::string_view name) {
  const OwnedValue* v = r.Get(name);
  if (v == nullptr) return 0;
  if (v->type == ValueType::kInt) return v->i;
  if (v->type == ValueType::kFloat) return static_cast<int64_t>(v->f);
  return 0;
}

Result<QueryResult> RunVql(ServerContext* ctx, const std::string& text, const Principal& who,
                           int64_t from_ns, uint64_t row_limit = 0) {
  VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql(text));
  QueryOptions opt;
  opt.now_ns = ctx->env->NowNanos();
  opt.scope = ScopeOf(who);
  if (from_ns != 0) opt.range.from_ns = from_ns;
  opt.row_limit = row_limit;
  opt.deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(limits::kQueryTimeoutMs);
  return ctx->query_backend->Run(q, opt);
}

// The tenants a request may name: false (and the 403 set) when a tenant-bound key asks for
// another. `*all` = every tenant (an admin without tenant=).
bool RequestTenant(const HttpRequest& req, HttpResponse* resp, std::string* tenant, bool* all) {
  std::string asked = PercentDecode(req.QueryParam("tenant"));
  if (req.principal.all_tenants) {
    *all = req.QueryParam("tenant").empty();
    *tenant = std::move(asked);
    return true;
  }
  if (!req.QueryParam("tenant").empty() && asked != req.principal.tenant) {
    SetError(resp, error_code::kForbidden,
             "this API key may read only tenant " + req.principal.tenant);
    return false;
  }
  *all = false;
  *tenant = req.principal.tenant;
  return true;
}

// The group a request names (path fingerprint + tenant), or the error set in `resp`.
std::optional<errors::ErrorGroup> FindGroup(ServerContext* ctx, const HttpRequest& req,
                                            HttpResponse* resp) {
  const std::string fp(req.PathParam("fingerprint"));
  std::string tenant;
  bool all = false;
  if (!RequestTenant(req, resp, &tenant, &all)) return std::nullopt;
  std::vector<errors::ErrorGroup> found =
      ctx->error_groups->Select([&](const errors::ErrorGroup& g) {
        return g.fingerprint == fp && (all || g.tenant == tenant);
      });
  if (found.empty()) {
    SetError(resp, error_code::kNotFound, "no error group " + fp);
    return std::nullopt;
  }
  if (found.size() > 1) {
    SetError(resp, error_code::kBadRequest,
             "error group " + fp + " exists in " + std::to_string(found.size()) +
                 " tenants; add tenant=");
    return std::nullopt;
  }
  return std::move(found.front());
}

// Bucketed counts of `groups` over [from, now): one series per (tenant, fingerprint).
Status Sparklines(ServerContext* ctx, const Principal& who,
                  const std::vector<errors::ErrorGroup>& groups, int64_t from_ns, int64_t bucket_ns,
                  size_t buckets, std::unordered_map<std::string, std::vector<uint64_t>>* out) {
  if (groups.empty()) return Status::Ok();
  std::string fps;
  for (const errors::ErrorGroup& g : groups) {
    if (!fps.empty()) fps += ", ";
    fps += VqlString(g.fingerprint);
  }
  const char* unit = bucket_ns == kNanosPerHour ? "1h" : "1d";
  VIGIA_ASSIGN_OR_RETURN(
      QueryResult r,
      RunVql(ctx,
             "fingerprint:in(" + fps +
                 ") | stats count() as n by (tenant, fingerprint, _time:" + unit + ")",
             who, from_ns));
  for (const QueryRecord& row : r.rows) {
    const int64_t t = IntOf(row, "_time");
    if (t < from_ns) continue;
    const size_t i = static_cast<size_t>((t - from_ns) / bucket_ns);
    if (i >= buckets) continue;
    std::string key(StringOf(row, "tenant"));
    key += '\0';
    key += StringOf(row, "fingerprint");
    auto& series = (*out)[key];
    series.resize(buckets);
    series[i] += static_cast<uint64_t>(IntOf(row, "n"));
  }
  return Status::Ok();
}

void WriteSeries(JsonWriter* w, const std::vector<uint64_t>* series, size_t buckets) {
  w->BeginArray();
  for (size_t i = 0; i < buckets; ++i) w->Uint(series != nullptr ? (*series)[i] : 0);
  w->EndArray();
}

void List(ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  const int64_t now = ctx->env->NowNanos();
  std::string tenant;
  bool all = false;
  if (!RequestTenant(req, resp, &tenant, &all)) return;
  std::vector<errors::GroupStatus> statuses;
  std::string status_param = PercentDecode(req.QueryParam("status"));
  for (size_t pos = 0; !status_param.empty() && pos <= status_param.size();) {
    size_t end = std::min(status_param.find(',', pos), status_param.size());
    std::string_view name = std::string_view(status_param).substr(pos, end - pos);
    std::optional<errors::GroupStatus> s = errors::ParseGroupStatus(name);
    if (!s) {
      SetError(resp, error_code::kBadRequest,
               "status: expected unresolved, resolved, regressed or ignored (a comma list), got " +
                   std::string(name));
      return;
    }
    statuses.push_back(*s);
    pos = end + 1;
  }
  const std::string service = PercentDecode(req.QueryParam("service"));
  int64_t since = 0;
  if (std::string s = PercentDecode(req.QueryParam("since"));
      !s.empty() && !ParseSince(s, now, &since)) {
    SetError(resp, error_code::kBadRequest, "since: expected RFC 3339 or a duration such as 24h");
    return;
  }
  std::string sort = PercentDecode(req.QueryParam("sort"));
  if (sort.empty()) sort = "last_seen";
  if (sort != "last_seen" && sort != "first_seen" && sort != "count" && sort != "users") {
    SetError(resp, error_code::kBadRequest,
             "sort: expected last_seen, first_seen, count or users, got " + sort);
    return;
  }
  size_t limit = kDefaultListLimit;
  if (std::string l = PercentDecode(req.QueryParam("limit")); !l.empty()) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(l.c_str(), &end, 10);
    if (end == l.c_str() || *end != '\0' || v == 0 || v > kMaxListLimit) {
      SetError(resp, error_code::kBadRequest,
               "limit: expected 1.." + std::to_string(kMaxListLimit));
      return;
    }
    limit = v;
  }
  std::vector<errors::ErrorGroup> groups =
      ctx->error_groups->Select([&](const errors::ErrorGroup& g) {
        if (!all && g.tenant != tenant) return false;
        if (!statuses.empty() &&
            std::find(statuses.begin(), statuses.end(), g.status) == statuses.end()) {
          return false;
        }
        if (!service.empty() &&
            std::find(g.services.begin(), g.services.end(), service) == g.services.end()) {
          return false;
        }
        return since == 0 || g.last_seen_ns >= since;
      });
  const size_t total = groups.size();
  auto key_of = [&sort](const errors::ErrorGroup& g) -> uint64_t {
    if (sort == "first_seen") return static_cast<uint64_t>(g.first_seen_ns);
    if (sort == "count") return g.count;
    if (sort == "users") return g.users.Estimate();
    return static_cast<uint64_t>(g.last_seen_ns);
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const errors::ErrorGroup& a, const errors::ErrorGroup& b) {
                     uint64_t ka = key_of(a), kb = key_of(b);
                     if (ka != kb) return ka > kb;
                     return a.last_seen_ns > b.last_seen_ns;
                   });
  if (groups.size() > limit) groups.resize(limit);

  // The sparkline window: since=, else the last 24 h, in whole buckets ending after now.
  const int64_t window_from = since != 0 ? since : now - kNanosPerDay;
  const int64_t bucket = now - window_from <= 2 * kNanosPerDay ? kNanosPerHour : kNanosPerDay;
  const int64_t from = window_from / bucket * bucket;
  const size_t buckets = std::min<size_t>(static_cast<size_t>((now - from) / bucket + 1), 400);
  std::unordered_map<std::string, std::vector<uint64_t>> series;
  Status st = Sparklines(ctx, req.principal, groups, from, bucket, buckets, &series);
  if (!st.ok()) {
    SetStatusError(resp, st);
    return;
  }
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("errors").BeginArray();
  for (const errors::ErrorGroup& g : groups) {
    w.BeginObject();
    errors::WriteGroupApiFields(&w, g);
    auto it = series.find(g.tenant + '\0' + g.fingerprint);
    const std::vector<uint64_t>* s = it == series.end() ? nullptr : &it->second;
    uint64_t window_events = 0;
    if (s != nullptr) {
      for (uint64_t n : *s) window_events += n;
    }
    w.KV("events", window_events).Key("sparkline");
    WriteSeries(&w, s, buckets);
    w.EndObject();
  }
  w.EndArray().KV("total", static_cast<uint64_t>(total));
  w.Key("sparkline").BeginObject().KV("from", FormatRfc3339(from, 0));
  w.KV("bucket", bucket == kNanosPerHour ? "1h" : "1d")
      .KV("buckets", static_cast<uint64_t>(buckets));
  w.EndObject().EndObject();
  resp->SetJson(200, std::move(body));
}

void Show(ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  std::optional<errors::ErrorGroup> g = FindGroup(ctx, req, resp);
  if (!g) return;
  const int64_t now = ctx->env->NowNanos();
  // The group's own tenant (a tenant-bound key's scope adds it anyway; an admin's does not).
  std::string filter = "fingerprint:=" + VqlString(g->fingerprint);
  if (req.principal.all_tenants) {
    filter += g->tenant.empty() ? " -tenant:*" : " tenant:=" + VqlString(g->tenant);
  }
  Result<QueryResult> latest = RunVql(ctx,
                                      filter + " | sort by (_time desc) | limit " +
                                          std::to_string(limits::kErrorDetailLatestEvents),
                                      req.principal, g->last_seen_ns - kNanosPerDay);
  Result<QueryResult> dist =
      RunVql(ctx, filter + " | stats count() as n by (version, host, route, browser, env)",
             req.principal, 0);
  const int64_t from = (now - kNanosPerDay) / kNanosPerHour * kNanosPerHour;
  Result<QueryResult> spark =
      RunVql(ctx, filter + " | stats count() as n by (_time:1h)", req.principal, from);
  for (const Result<QueryResult>* r : {&latest, &dist, &spark}) {
    if (!r->ok()) {
      SetStatusError(resp, r->status());
      return;
    }
  }
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().Key("group").BeginObject();
  errors::WriteGroupApiFields(&w, *g);
  w.EndObject();
  w.Key("latest_events").BeginArray();
  for (const QueryRecord& row : latest->rows) AppendRowJson(&w, row);
  w.EndArray();
  w.Key("distribution").BeginObject();
  static constexpr std::pair<const char*, const char*> kDims[] = {{"release", "version"},
                                                                  {"host", "host"},
                                                                  {"route", "route"},
                                                                  {"browser", "browser"},
                                                                  {"environment", "env"}};
  for (const auto& [label, field] : kDims) {
    std::map<std::string, uint64_t> counts;
    for (const QueryRecord& row : dist->rows) {
      std::string_view v = StringOf(row, field);
      if (!v.empty()) counts[std::string(v)] += static_cast<uint64_t>(IntOf(row, "n"));
    }
    std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() > kDistributionValues) sorted.resize(kDistributionValues);
    w.Key(label).BeginArray();
    for (const auto& [value, n] : sorted) {
      w.BeginObject().KV("value", value).KV("count", n).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  const size_t buckets = static_cast<size_t>((now - from) / kNanosPerHour + 1);
  std::vector<uint64_t> series(buckets);
  for (const QueryRecord& row : spark->rows) {
    const int64_t t = IntOf(row, "_time");
    if (t >= from && static_cast<size_t>((t - from) / kNanosPerHour) < buckets) {
      series[static_cast<size_t>((t - from) / kNanosPerHour)] +=
          static_cast<uint64_t>(IntOf(row, "n"));
    }
  }
  w.Key("sparkline").BeginObject().KV("from", FormatRfc3339(from, 0)).KV("bucket", "1h");
  w.Key("counts");
  WriteSeries(&w, &series, buckets);
  w.EndObject().EndObject();
  resp->SetJson(200, std::move(body));
}

void Patch(ServerContext* ctx, ErrorsModule* module, HttpRequest& req, HttpResponse* resp) {
  std::optional<errors::ErrorGroup> g = FindGroup(ctx, req, resp);
  if (!g) return;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(req.body).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    SetError(resp, error_code::kBadRequest,
             "expected a JSON object {\"status\":\"resolved\"|\"unresolved\"|\"ignored\", ...}");
    return;
  }
  errors::StatusChange change;
  std::string_view status;
  if (obj["status"].get_string().get(status) != simdjson::SUCCESS) {
    SetError(resp, error_code::kBadRequest, "status: required (resolved, unresolved, ignored)");
    return;
  }
  std::optional<errors::GroupStatus> s = errors::ParseGroupStatus(status);
  if (!s || *s == errors::GroupStatus::kRegressed) {
    SetError(resp, error_code::kBadRequest,
             "status: expected resolved, unresolved or ignored (regressed is set by a new "
             "occurrence), got " +
                 std::string(status));
    return;
  }
  change.status = *s;
  bool next = false;
  if (obj["in_next_release"].get_bool().get(next) == simdjson::SUCCESS)
    change.in_next_release = next;
  if (change.in_next_release && change.status != errors::GroupStatus::kResolved) {
    SetError(resp, error_code::kBadRequest, "in_next_release: only with status resolved");
    return;
  }
  std::string_view duration;
  if (obj["for"].get_string().get(duration) == simdjson::SUCCESS) {
    std::optional<int64_t> d = ParseDurationNs(duration);
    if (!d || *d <= 0) {
      SetError(resp, error_code::kBadRequest, "for: expected a duration such as 1h or 7d");
      return;
    }
    change.ignore_for_ns = *d;
  }
  uint64_t count = 0;
  if (obj["count"].get_uint64().get(count) == simdjson::SUCCESS) change.ignore_count = count;
  if ((change.ignore_for_ns != 0 || change.ignore_count != 0) &&
      change.status != errors::GroupStatus::kIgnored) {
    SetError(resp, error_code::kBadRequest, "for/count: only with status ignored");
    return;
  }
  change.actor = req.principal.key_id;
  Result<errors::ErrorGroup> changed = module->ChangeStatus(g->tenant, g->fingerprint, change);
  if (!changed.ok()) {
    SetStatusError(resp, changed.status());
    return;
  }
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  errors::WriteGroupApiFields(&w, *changed);
  w.EndObject();
  resp->SetJson(200, std::move(body));
}

}  // namespace

void AddErrorRoutes(ServerContext* ctx, ErrorsModule* module, Router* router) {
  router->Add("GET", "/v1/errors", Access::kRead,
              [ctx](HttpRequest& req, HttpResponse* resp) { List(ctx, req, resp); });
  router->Add("GET", "/v1/errors/{fingerprint}", Access::kRead,
              [ctx](HttpRequest& req, HttpResponse* resp) { Show(ctx, req, resp); });
  router->Add(
      "PATCH", "/v1/errors/{fingerprint}", Access::kAdmin,
      [ctx, module](HttpRequest& req, HttpResponse* resp) { Patch(ctx, module, req, resp); });
}

}  // namespace vigia
