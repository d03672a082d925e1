#include "oracle/oracle_events.h"

#include <algorithm>
#include <cmath>

#include "common/time_format.h"

namespace vigia::oracle {
namespace {

const std::vector<std::string> kKinds = {"log", "request", "audit", "error", "metric"};
const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "fatal"};
const std::vector<std::string> kServices = {"sales-api", "reports", "auth", "billing",
                                            "café-svc",  "",        "sales"};
const std::vector<std::string> kHosts = {"api-1", "api-2", "api-3", "worker-1", "worker-2"};
const std::vector<std::string> kRoutes = {"/sales/{id}/pay", "/sales",  "/auth/login",
                                          "/reports/daily",  "/health", "/sales/{id}"};
const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "DELETE"};
const std::vector<int64_t> kStatuses = {200, 200, 200, 201, 204, 301, 400,
                                        401, 403, 404, 429, 500, 502, 503};
const std::vector<std::string> kErrorTypes = {"TimeoutError", "ValueError", "KeyError",
                                              "db.ConnectionRefused", "Ошибка"};
const std::vector<std::string> kUnicodeValues = {"東京", "Zürich", "", "a b", "naïve café"};
const std::vector<std::string> kTenants = {"acme", "globex"};

constexpr int kDynamicFields = 12;

struct Builder {
  EventBatch* b;
  void Str(std::string_view name, std::string_view v) {
    b->AddField(b->arena().Copy(name), Value::String(b->arena().Copy(v)));
  }
  void Int(std::string_view name, int64_t v) { b->AddField(b->arena().Copy(name), Value::Int(v)); }
  void Float(std::string_view name, double v) {
    b->AddField(b->arena().Copy(name), Value::Float(v));
  }
  void Bool(std::string_view name, bool v) { b->AddField(b->arena().Copy(name), Value::Bool(v)); }
};

std::string Sentence(Rng& rng, int max_words) {
  static const std::vector<std::string> kSeparators = {" ", " ", " ", ", ", ": ", " - ", "/"};
  int n = static_cast<int>(rng.Range(1, max_words));
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += rng.Pick(kSeparators);
    s += rng.Pick(OracleWords());
  }
  if (rng.Chance(10)) s += ".";
  return s;
}

// A number with at most 3 decimals: sums of these stay well inside double precision.
double Decimal(Rng& rng, int64_t lo, int64_t hi) {
  return static_cast<double>(rng.Range(lo * 1000, hi * 1000)) / 1000.0;
}

void AddEvent(Rng& rng, EventBatch* batch, int64_t ts, size_t request_ids) {
  batch->BeginEvent(ts);
  Builder f{batch};
  const std::string& kind = rng.Pick(kKinds);
  f.Str("kind", kind);
  f.Str("level", kind == "error" && rng.Chance(80) ? "error" : rng.Pick(kLevels));
  if (!rng.Chance(5)) f.Str("service", rng.Pick(kServices));
  if (rng.Chance(10)) f.Str("tenant", rng.Pick(kTenants));
  if (!rng.Chance(20)) f.Str("host", rng.Pick(kHosts));
  if (rng.Chance(70)) f.Str("request_id", "req-" + std::to_string(rng.Below(request_ids)));
  if (rng.Chance(60)) {
    switch (rng.Below(3)) {
      case 0:
        f.Int("user_id", rng.Range(1, 40));
        break;
      case 1:
        f.Str("user_id", std::to_string(rng.Range(1, 40)));
        break;
      default:
        f.Str("user_id", "u-" + std::to_string(rng.Range(1, 40)));
    }
  }
  if (rng.Chance(85)) f.Str("msg", rng.Chance(3) ? "" : Sentence(rng, 8));
  if (kind == "error" || rng.Chance(3)) {
    f.Str("error.type", rng.Pick(kErrorTypes));
    if (rng.Chance(80)) f.Str("error.message", Sentence(rng, 5));
  }
  if (kind == "request" || rng.Chance(5)) {
    f.Str("route", rng.Pick(kRoutes));
    f.Str("method", rng.Pick(kMethods));
    f.Str("path", "/sales/" + std::to_string(rng.Below(300)) + "/pay");
    int64_t status = rng.Pick(kStatuses);
    if (rng.Chance(3)) {
      f.Str("status", std::to_string(status));
    } else {
      f.Int("status", status);
    }
    if (rng.Chance(50)) {
      f.Int("duration_ms", rng.Range(0, 5000));
    } else {
      f.Float("duration_ms", Decimal(rng, 0, 3000));
    }
    f.Str("ip", "10.0." + std::to_string(rng.Below(4)) + "." + std::to_string(rng.Below(30)));
    if (rng.Chance(90)) f.Int("bytes_out", rng.Range(0, 10'000'000));
  }
  // Never -0.0: min/max of {0.0, -0.0} depends on input order in any engine.
  if (rng.Chance(30)) f.Float("score", Decimal(rng, -100, 100));
  if (rng.Chance(2)) {
    f.Int("big", rng.Chance(50) ? INT64_MAX - rng.Range(0, 5) : INT64_MIN + rng.Range(0, 5));
  }
  if (rng.Chance(25)) f.Bool("flag", rng.Chance(50));
  if (rng.Chance(40)) {
    switch (rng.Below(3)) {
      case 0:
        f.Int("code", rng.Range(-5, 20));
        break;
      case 1:
        f.Str("code", "E" + std::to_string(rng.Range(1, 20)));
        break;
      default:
        f.Str("code", std::to_string(rng.Range(1, 20)));
    }
  }
  if (rng.Chance(10)) f.Str("uni.名前", rng.Pick(kUnicodeValues));
  for (int k = 0; k < kDynamicFields; ++k) {
    if (!rng.Chance(6)) continue;
    std::string name = "meta.k" + std::to_string(k);
    switch (rng.Below(5)) {
      case 0:
        f.Int(name, rng.Range(-1000, 1000));
        break;
      case 1:
        // Never integral: 3.0 and 3 are distinct group keys that sort as equal, which
        // would leave their order to each engine's hash table.
        f.Float(name, static_cast<double>(rng.Range(-50, 50)) + 0.25 * (1 + 2 * rng.Below(2)));
        break;
      case 2:
        f.Int(name, rng.Range(100'000, 200'000));
        break;
      case 3:
        f.Str(name, rng.Pick(OracleWords()));
        break;
      default:
        f.Str(name, std::to_string(rng.Range(0, 9)));
    }
  }
}

}  // namespace

const std::vector<std::string>& OracleWords() {
  static const std::vector<std::string> kWords = {
      "sale",    "created", "payment", "failed",  "timeout", "connection", "refused",
      "login",   "user",    "retry",   "db",      "query",   "slow",       "ok",
      "café",    "naïve",   "日本語",  "ошибка",  "Sale",    "sales",      "pay",
      "x",       "a_b",     "v2",      "42",      "3.5",     "e-mail",     "über",
      "request", "done",    "error",   "warning", "not",     "and",        "or"};
  return kWords;
}

OracleData GenerateOracleData(const OracleDataOptions& options) {
  Rng rng(options.seed);
  OracleData d;
  // A fixed "now": midnight UTC plus one hour, so day partitions and relative windows are
  // reproducible whatever the wall clock says.
  const int64_t day = 86'400'000'000'000;
  d.now_ns = *ParseRfc3339("2026-11-23T01:00:00Z");
  d.first_ns = d.now_ns - day * options.days - 3'600'000'000'000;
  const int64_t span = d.now_ns - 3'600'000'000'000 - d.first_ns;
  const size_t n = options.events;
  const int64_t slot = std::max<int64_t>(1, span / static_cast<int64_t>(n));

  // Unique timestamps: one per slot, jittered inside it; some at millisecond precision.
  std::vector<int64_t> ts(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t t = d.first_ns + static_cast<int64_t>(i) * slot + rng.Range(0, slot - 1);
    if (rng.Chance(30)) t -= t % 1'000'000;
    if (i && t <= ts[i - 1]) t = ts[i - 1] + 1;
    ts[i] = t;
  }
  // Shuffle (Fisher-Yates) so batches mix days and parts hold unsorted input.
  for (size_t i = n; i > 1; --i) std::swap(ts[i - 1], ts[rng.Below(i)]);

  size_t request_ids = std::max<size_t>(1, n / 3);
  for (size_t i = 0; i < n; i += options.events_per_batch) {
    auto b = std::make_shared<EventBatch>();
    size_t end = std::min(n, i + options.events_per_batch);
    for (size_t j = i; j < end; ++j) AddEvent(rng, b.get(), ts[j], request_ids);
    d.batches.push_back(std::move(b));
  }
  d.events = n;

  d.fields = {
      {"kind", FieldRole::kKeyword},
      {"level", FieldRole::kKeyword},
      {"service", FieldRole::kKeyword},
      {"tenant", FieldRole::kKeyword},
      {"host", FieldRole::kKeyword},
      {"request_id", FieldRole::kId},
      {"user_id", FieldRole::kMixed},
      {"msg", FieldRole::kText},
      {"error.type", FieldRole::kText},
      {"error.message", FieldRole::kText},
      {"route", FieldRole::kKeyword},
      {"method", FieldRole::kKeyword},
      {"path", FieldRole::kId},
      {"status", FieldRole::kNumber, true},
      {"duration_ms", FieldRole::kNumber, true, false},
      {"ip", FieldRole::kId},
      {"bytes_out", FieldRole::kNumber, true},
      {"score", FieldRole::kNumber, true},
      {"big", FieldRole::kNumber, false, true, false},
      {"flag", FieldRole::kBool},
      {"code", FieldRole::kMixed},
      {"uni.名前", FieldRole::kKeyword},
      {"absent_field", FieldRole::kKeyword},
  };
  for (int k = 0; k < kDynamicFields; ++k) {
    d.fields.push_back({"meta.k" + std::to_string(k), FieldRole::kMixed});
  }
  return d;
}

}  // namespace vigia::oracle
