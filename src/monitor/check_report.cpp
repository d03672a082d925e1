#include "monitor/check_report.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <set>

#include "common/json_writer.h"
#include "common/limits.h"
#include "common/time_format.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kDay = 86400 * kSec;

std::optional<double> Num(const QueryRecord& row, std::string_view name) {
  const OwnedValue* v = row.Get(name);
  if (v == nullptr) return std::nullopt;
  switch (v->type) {
    case ValueType::kInt:
      return static_cast<double>(v->i);
    case ValueType::kFloat:
      return v->f;
    case ValueType::kBool:
      return v->b ? 1.0 : 0.0;
    case ValueType::kNull:
    case ValueType::kString:
      return std::nullopt;
  }
  return std::nullopt;
}

int64_t Int(const QueryRecord& row, std::string_view name) {
  std::optional<double> v = Num(row, name);
  return v ? static_cast<int64_t>(*v) : 0;
}

std::string Str(const QueryRecord& row, std::string_view name) {
  const OwnedValue* v = row.Get(name);
  if (v == nullptr) return "";
  switch (v->type) {
    case ValueType::kString:
      return v->s;
    case ValueType::kInt:
      return std::to_string(v->i);
    case ValueType::kFloat:
      return std::to_string(v->f);
    case ValueType::kBool:
      return v->b ? "true" : "false";
    case ValueType::kNull:
      return "";
  }
  return "";
}

std::optional<bool> Bool(const QueryRecord& row, std::string_view name) {
  const OwnedValue* v = row.Get(name);
  if (v == nullptr) return std::nullopt;
  if (v->type == ValueType::kBool) return v->b;
  if (v->type == ValueType::kString) return v->s == "true";
  return std::nullopt;
}

// `s` as a double-quoted VQL string.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void WriteTime(JsonWriter* w, std::string_view key, int64_t ns) {
  w->Key(key);
  if (ns > 0) {
    w->String(FormatRfc3339(ns, 0));
  } else {
    w->Null();
  }
}

void WriteOptional(JsonWriter* w, std::string_view key, const std::optional<double>& v) {
  w->Key(key);
  if (v) {
    w->Double(*v);
  } else {
    w->Null();
  }
}

class Builder {
 public:
  explicit Builder(const CheckInputs& in) : in_(in), w_(&out_) {}

  std::string Build() {
    w_.BeginObject();
    w_.KV("generated_at", FormatRfc3339(in_.now_ns, 0)).KV("source", in_.facts.source);
    w_.Key("sections").BeginObject();
    Server();
    Probes();  // also collects the certificates for Tls()
    Kpis();
    Slos();
    Alerts();
    NewErrors();
    FailedLogins();
    Disk();
    Tls();
    Backup();
    Integrity();
    w_.EndObject();
    w_.KV("color", KpiColorName(overall_));
    w_.EndObject();
    return std::move(out_);
  }

 private:
  struct Cert {
    std::string target;
    double days = 0;
    std::string state;
    std::string issuer;
    KpiColor color = KpiColor::kNone;
  };

  Result<QueryResult> Run(std::string_view vql, int64_t from_ns, int64_t to_ns) {
    VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql(vql));
    QueryOptions o;
    o.scope = in_.scope;
    o.now_ns = in_.now_ns;
    o.range.from_ns = from_ns;
    o.range.to_ns = to_ns;
    o.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(in_.query_timeout_ms);
    return in_.backend->Run(q, o);
  }
  Result<QueryResult> RunLastDay(std::string_view vql) {
    return Run(vql, in_.now_ns - kDay, in_.now_ns + 1);
  }

  // Opens section `name`; EndSection closes it with its colour.
  void BeginSection(std::string_view name) { w_.Key(name).BeginObject(); }
  void EndSection(KpiColor c) {
    w_.KV("color", KpiColorName(c)).EndObject();
    overall_ = WorseColor(overall_, c);
  }
  // A section whose query failed: the check could not tell, which deserves a look.
  void FailSection(const Status& st) {
    w_.KV("error", st.ToString());
    EndSection(KpiColor::kYellow);
  }

  void Server() {
    BeginSection("server");
    const std::string& s = in_.facts.server_status;
    w_.KV("status", s.empty() ? "offline" : s);
    KpiColor c = KpiColor::kNone;
    if (s == "ok") {
      c = KpiColor::kGreen;
    } else if (s == "degraded" || s == "starting") {
      c = KpiColor::kYellow;
    } else if (!s.empty()) {
      c = KpiColor::kRed;
    }
    EndSection(c);
  }

  void Probes() {
    BeginSection("probes");
    Result<QueryResult> agg = RunLastDay(
        "kind:probe | stats count() as runs, count() if (ok:true) as up, max(ts) as last_ts "
        "by (target)");
    if (!agg.ok()) return FailSection(agg.status());
    std::map<std::string, const QueryRecord*> by_target;
    for (const QueryRecord& r : agg->rows) by_target[Str(r, "target")] = &r;
    std::set<std::string> names(in_.facts.probe_targets.begin(), in_.facts.probe_targets.end());
    for (const auto& [name, row] : by_target) names.insert(name);
    KpiColor section = KpiColor::kNone;
    w_.Key("targets").BeginArray();
    for (const std::string& name : names) {
      if (name.empty()) continue;
      w_.BeginObject().KV("name", name);
      auto it = by_target.find(name);
      KpiColor c = KpiColor::kYellow;  // configured but no run in 24 h
      if (it == by_target.end()) {
        w_.KV("runs_24h", int64_t{0}).Key("uptime_24h").Null().Key("last").Null();
        w_.KV("error", "no probe result in the last 24 h");
      } else {
        const int64_t runs = Int(*it->second, "runs");
        w_.KV("runs_24h", runs);
        w_.KV("uptime_24h", runs > 0 ? static_cast<double>(Int(*it->second, "up")) / runs : 0.0);
        c = LastProbe(name);
      }
      w_.KV("color", KpiColorName(c)).EndObject();
      section = WorseColor(section, c);
    }
    w_.EndArray();
    EndSection(section);
  }

  // Writes "last" (the target's latest result) and returns its colour.
  KpiColor LastProbe(const std::string& name) {
    Result<QueryResult> last =
        RunLastDay("kind:probe target:" + Quoted(name) + " | sort by (ts desc) | limit 1");
    w_.Key("last");
    if (!last.ok() || last->rows.empty()) {
      w_.Null();
      if (!last.ok()) w_.KV("error", last.status().ToString());
      return KpiColor::kYellow;
    }
    const QueryRecord& r = last->rows.front();
    const bool ok = Bool(r, "ok").value_or(false);
    w_.BeginObject();
    WriteTime(&w_, "ts", Int(r, "ts"));
    w_.KV("ok", ok);
    // Stored under the canonical names the probe's latency_ms and error normalize to.
    std::optional<double> latency = Num(r, "duration_ms");
    WriteOptional(&w_, "latency_ms", latency ? latency : Num(r, "latency_ms"));
    if (std::optional<double> st = Num(r, "status")) w_.KV("status", static_cast<int64_t>(*st));
    std::string error = Str(r, "error.message");
    if (error.empty()) error = Str(r, "error");
    if (!error.empty()) w_.KV("error", error);
    w_.EndObject();
    if (std::optional<double> days = Num(r, "cert_expiry_days")) {
      Cert c;
      c.target = name;
      c.days = *days;
      c.state = Str(r, "cert_state");
      c.issuer = Str(r, "cert_issuer");
      c.color = c.days < 0 || c.state == "critical" ? KpiColor::kRed
                : c.state == "warning"              ? KpiColor::kYellow
                                                    : KpiColor::kGreen;
      certs_.push_back(std::move(c));
    }
    return ok ? KpiColor::kGreen : KpiColor::kRed;
  }

  void Kpis() {
    if (in_.kpis == nullptr) return;
    BeginSection("kpis");
    KpiColor section = KpiColor::kNone;
    w_.Key("kpis").BeginArray();
    for (const KpiStatus& s : in_.kpis->StatusOfAll(0, in_.now_ns, in_.scope)) {
      WriteKpiStatusJson(&w_, s);
      section = WorseColor(section, s.status.ok() ? s.current.color : KpiColor::kYellow);
    }
    w_.EndArray();
    EndSection(section);
  }

  void Slos() {
    if (in_.slos == nullptr) return;
    BeginSection("slos");
    KpiColor section = KpiColor::kNone;
    w_.Key("slos").BeginArray();
    for (const SloStatus& s : in_.slos->StatusOfAll(in_.now_ns, in_.scope)) {
      KpiColor c = KpiColor::kNone;
      if (!s.status.ok()) {
        c = KpiColor::kYellow;
      } else if (s.attainment_percent) {
        // A fast burn pages (red); a slow burn or a budget mostly spent is a ticket (yellow).
        c = KpiColor::kGreen;
        if (s.slow.firing || s.budget_remaining_fraction < limits::kCheckSloBudgetYellow)
          c = KpiColor::kYellow;
        if (s.fast.firing || s.budget_remaining_fraction < 0) c = KpiColor::kRed;
      }
      w_.BeginObject().KV("name", s.slo->name).KV("target", s.slo->target_percent);
      WriteOptional(&w_, "attainment", s.attainment_percent);
      w_.KV("budget_remaining_fraction", s.budget_remaining_fraction);
      w_.KV("budget_remaining_minutes", s.budget_remaining_minutes);
      w_.KV("fast_burn", s.fast.firing).KV("slow_burn", s.slow.firing);
      if (!s.status.ok()) w_.KV("error", s.status.ToString());
      w_.KV("color", KpiColorName(c)).EndObject();
      section = WorseColor(section, c);
    }
    w_.EndArray();
    EndSection(section);
  }

  void Alerts() {
    BeginSection("alerts");
    // Transitions to firing (kind=alert events of the alerting module); the notifications it
    // logs carry the same fingerprint, so instances are counted once.
    Result<QueryResult> r = RunLastDay(
        "kind:alert alert.state:firing | stats count_distinct(alert.fingerprint) as instances, "
        "max(ts) as last_ts by (alert.name) | sort by (instances desc, alert.name)");
    if (!r.ok()) return FailSection(r.status());
    w_.Key("fired_24h").BeginArray();
    for (const QueryRecord& row : r->rows) {
      w_.BeginObject().KV("name", Str(row, "alert.name")).KV("instances", Int(row, "instances"));
      WriteTime(&w_, "last_at", Int(row, "last_ts"));
      w_.EndObject();
    }
    w_.EndArray();
    EndSection(r->rows.empty() ? KpiColor::kGreen : KpiColor::kYellow);
  }

  void NewErrors() {
    BeginSection("new_errors");
    // New = first seen in the last 24 h, looking back limits::kCheckNewErrorLookbackDays.
    const int64_t since = in_.now_ns - kDay;
    Result<QueryResult> r =
        Run("fingerprint:* | stats count() as count, min(ts) as first_ts by (fingerprint) | "
            "sort by (count desc, fingerprint)",
            in_.now_ns - limits::kCheckNewErrorLookbackDays * kDay, in_.now_ns + 1);
    if (!r.ok()) return FailSection(r.status());
    size_t shown = 0, total_new = 0;
    w_.Key("errors").BeginArray();
    for (const QueryRecord& row : r->rows) {
      if (Int(row, "first_ts") < since) continue;
      ++total_new;
      if (shown == limits::kCheckTopItems) continue;
      ++shown;
      const std::string fp = Str(row, "fingerprint");
      w_.BeginObject().KV("fingerprint", fp).KV("count", Int(row, "count"));
      WriteTime(&w_, "first_seen", Int(row, "first_ts"));
      Result<QueryResult> sample =
          RunLastDay("fingerprint:" + Quoted(fp) + " | sort by (ts desc) | limit 1");
      if (sample.ok() && !sample->rows.empty()) {
        const QueryRecord& s = sample->rows.front();
        w_.KV("service", Str(s, "service")).KV("type", Str(s, "error.type"));
        std::string msg = Str(s, "error.message");
        w_.KV("message", msg.empty() ? Str(s, "msg") : msg);
      }
      w_.EndObject();
    }
    w_.EndArray();
    w_.KV("new_types", static_cast<uint64_t>(total_new));
    EndSection(total_new == 0 ? KpiColor::kGreen : KpiColor::kYellow);
  }

  void FailedLogins() {
    BeginSection("failed_logins");
    // Denied login requests and failed login audit events, like the login KPI.
    constexpr std::string_view kFilter =
        "(kind:request status:in(401, 403) route:~\"login\") or "
        "(kind:audit action:~\"login\" outcome:failure)";
    Result<QueryResult> total = RunLastDay(std::string(kFilter) + " | stats count() as total");
    if (!total.ok()) return FailSection(total.status());
    Result<QueryResult> top =
        RunLastDay(std::string(kFilter) + " ip:* | stats count() as failures by (ip) | " +
                   "sort by (failures desc, ip) | limit " + std::to_string(limits::kCheckTopItems));
    if (!top.ok()) return FailSection(top.status());
    w_.KV("total_24h", total->rows.empty() ? int64_t{0} : Int(total->rows.front(), "total"));
    w_.Key("top_ips").BeginArray();
    for (const QueryRecord& row : top->rows) {
      w_.BeginObject().KV("ip", Str(row, "ip")).KV("failures", Int(row, "failures")).EndObject();
    }
    w_.EndArray();
    // Coloured by the login_failures_per_ip KPI (thresholds written once); none here.
    EndSection(KpiColor::kNone);
  }

  void Disk() {
    BeginSection("disk");
    const CheckFacts& f = in_.facts;
    if (!f.has_disk) {
      w_.KV("error", "unknown");
      return EndSection(KpiColor::kNone);
    }
    const double free_fraction =
        f.fs_total_bytes == 0 ? 0.0 : static_cast<double>(f.fs_free_bytes) / f.fs_total_bytes;
    w_.KV("data_bytes", f.data_bytes).KV("store_events", f.store_events);
    w_.KV("free_bytes", f.fs_free_bytes).KV("total_bytes", f.fs_total_bytes);
    w_.KV("free_fraction", free_fraction);
    w_.KV("yellow_below_percent", static_cast<int64_t>(f.disk_free_yellow_percent));
    w_.KV("red_below_percent", static_cast<int64_t>(f.disk_free_red_percent));
    const double free_percent = free_fraction * 100.0;
    EndSection(free_percent < f.disk_free_red_percent      ? KpiColor::kRed
               : free_percent < f.disk_free_yellow_percent ? KpiColor::kYellow
                                                           : KpiColor::kGreen);
  }

  void Tls() {
    BeginSection("tls");
    std::sort(certs_.begin(), certs_.end(),
              [](const Cert& a, const Cert& b) { return a.days < b.days; });
    KpiColor section = KpiColor::kNone;
    w_.Key("certificates").BeginArray();
    for (const Cert& c : certs_) {
      w_.BeginObject().KV("target", c.target).KV("expiry_days", c.days);
      w_.KV("state", c.days < 0 ? "expired" : c.state).KV("issuer", c.issuer);
      w_.KV("color", KpiColorName(c.color)).EndObject();
      section = WorseColor(section, c.color);
    }
    w_.EndArray();
    EndSection(section);
  }

  void Backup() {
    BeginSection("backup");
    const std::string& b = in_.facts.backup_json;
    if (b.empty()) {
      w_.KV("configured", false);
      return EndSection(KpiColor::kNone);
    }
    w_.KV("configured", true).Key("details").Raw(b);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    KpiColor c = KpiColor::kYellow;  // configured, nothing known yet
    if (!parser.parse(b).get(doc)) {
      std::string_view last, verify, error;
      const bool has_last = !doc["last_backup_at"].get_string().get(last);
      const bool has_verify = !doc["last_verify"].get_string().get(verify);
      const bool has_error = !doc["last_error"].get_string().get(error);
      if (has_error || (has_verify && verify != "passed")) {
        c = KpiColor::kRed;
      } else if (has_last && has_verify) {
        c = KpiColor::kGreen;  // a backup exists and its last verification passed
      }
    }
    EndSection(c);
  }

  void Integrity() {
    BeginSection("integrity");
    const std::vector<std::string>& d = in_.facts.degraded_parts;
    w_.KV("degraded_parts", static_cast<uint64_t>(d.size()));
    w_.Key("parts").BeginArray();
    for (const std::string& p : d) w_.String(p);
    w_.EndArray();
    EndSection(d.empty() ? KpiColor::kGreen : KpiColor::kRed);
  }

  const CheckInputs& in_;
  std::string out_;
  JsonWriter w_;
  KpiColor overall_ = KpiColor::kNone;
  std::vector<Cert> certs_;
};

}  // namespace

std::string BuildCheckReport(const CheckInputs& in) { return Builder(in).Build(); }

Result<DiskSpace> DiskSpaceOf(const std::string& path) {
  return Env::Default()->GetDiskSpace(path);
}

}  // namespace vigia
