#include "gen/dataset_generator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

namespace vigia::bench {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
// Pool sizes: ~50k client IPs and ~200k users, drawn with a heavy head (NAT gateways,
// power users) and a long tail, as access logs of consumer APIs look.
constexpr uint64_t kIpPool = 50000;
constexpr uint64_t kUserPool = 200000;
// Average events per request scenario (request record + logs + audit + rare errors); used
// only to size the incident probabilities.
constexpr double kEventsPerScenario = 2.0;

template <typename T>
std::vector<uint32_t> Cumulative(std::span<const T> items) {
  std::vector<uint32_t> cum;
  uint32_t total = 0;
  for (const T& it : items) {
    total += it.weight;
    cum.push_back(total);
  }
  return cum;
}

void AppendInt(std::string* s, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  s->append(buf, end);
}

void AppendUuid(std::string* s, Rng& rng) {
  static const char kHex[] = "0123456789abcdef";
  const uint64_t a = rng.Next(), b = rng.Next();
  char out[36];
  int k = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out[k++] = '-';
    uint64_t src = i < 16 ? a : b;
    int nibble = static_cast<int>((src >> ((15 - (i & 15)) * 4)) & 0xF);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    out[k++] = kHex[nibble];
  }
  s->append(out, 36);
}

// Client IP number i → a stable public-looking IPv4 address.
void AppendIp(std::string* s, uint64_t i) {
  uint64_t h = (i + 1) * 0x9e3779b97f4a7c15ULL;
  h ^= h >> 29;
  const unsigned a = 11 + static_cast<unsigned>(h % 180);  // avoid 0.x, 10.x, 127.x...
  AppendInt(s, a == 127 ? 128 : a);
  s->push_back('.');
  AppendInt(s, (h >> 8) & 0xFF);
  s->push_back('.');
  AppendInt(s, (h >> 16) & 0xFF);
  s->push_back('.');
  AppendInt(s, 1 + ((h >> 24) % 254));
}

void AppendPath(std::string* s, std::string_view tmpl, uint64_t id) {
  const size_t p = tmpl.find("{id}");
  if (p == std::string_view::npos) {
    s->append(tmpl);
    return;
  }
  s->append(tmpl.substr(0, p));
  AppendInt(s, id);
  s->append(tmpl.substr(p + 4));
}

void AppendMasked(std::string* s, uint64_t user) {
  // A masked e-mail (seed 003's privacy rule): first letter, stars, domain.
  static constexpr std::string_view kDomains[] = {"gmail.com", "outlook.com", "empresa.com.br",
                                                  "yahoo.com.br"};
  s->push_back(static_cast<char>('a' + user % 26));
  s->append("***@");
  s->append(kDomains[(user / 26) % 4]);
}

}  // namespace

DatasetGenerator::DatasetGenerator(const GenOptions& options)
    : opt_(options), rng_(options.seed), pending_(16) {
  route_cum_ = Cumulative(Routes());
  ua_cum_ = Cumulative(UserAgents());
  error_cum_ = Cumulative(ErrorSignatures());
  requests_by_route_.assign(Routes().size(), 0);

  const int64_t span = std::max<int64_t>(opt_.span_ms, 1);
  truth_.burst_start_ms = opt_.start_ms + span * 62 / 100;
  truth_.burst_end_ms =
      truth_.burst_start_ms + std::max<int64_t>(1, std::min(10 * kMinuteMs, span / 40));
  truth_.brute_start_ms = opt_.start_ms + span * 35 / 100;
  truth_.brute_end_ms =
      truth_.brute_start_ms + std::max<int64_t>(1, std::min(15 * kMinuteMs, span / 20));
  // The one-hour query windows start 20 minutes before each incident, so the whole
  // incident falls inside them wherever the data's time range starts.
  truth_.error_hour_start_ms = truth_.burst_start_ms - 20 * kMinuteMs;
  truth_.login_hour_start_ms = truth_.brute_start_ms - 20 * kMinuteMs;

  // Sized so that the incident stands out at any N: ~max(40, N/20000) attempts.
  const double scenarios = static_cast<double>(opt_.events) / kEventsPerScenario;
  const double in_window = scenarios *
                           static_cast<double>(truth_.brute_end_ms - truth_.brute_start_ms) /
                           static_cast<double>(span);
  const double attempts = std::max(40.0, static_cast<double>(opt_.events) / 20000.0);
  brute_force_p_ = in_window > 0 ? std::min(0.5, attempts / in_window) : 0;
  rare_p_ = std::max(2e-5, 8.0 / std::max(scenarios, 1.0));
}

Record& DatasetGenerator::Push() {
  if (pending_size_ == pending_.size()) pending_.emplace_back();
  Record& r = pending_[pending_size_++];
  r.Reset();
  return r;
}

bool DatasetGenerator::Next(Record* out) {
  if (emitted_ >= opt_.events) return false;
  while (pending_pos_ == pending_size_) NewScenario();
  Record& r = pending_[pending_pos_++];
  r.ts_ms = opt_.start_ms + static_cast<int64_t>(static_cast<__int128>(opt_.span_ms) * emitted_ /
                                                 static_cast<__int128>(opt_.events));
  ++emitted_;
  Tally(r);
  std::swap(*out, r);
  return true;
}

void DatasetGenerator::NewScenario() {
  pending_size_ = 0;
  pending_pos_ = 0;
  ++scenarios_;
  const int64_t now =
      opt_.start_ms + static_cast<int64_t>(static_cast<__int128>(opt_.span_ms) * emitted_ /
                                           static_cast<__int128>(opt_.events));
  const bool in_brute = now >= truth_.brute_start_ms && now < truth_.brute_end_ms;
  if (in_brute && rng_.Chance(brute_force_p_)) {
    RequestScenario(true);
  } else if (rng_.Chance(0.04)) {
    WorkerScenario();
  } else {
    RequestScenario(false);
  }
}

void DatasetGenerator::FillRequestBase(Record& r, const Route& route, bool brute_force) {
  r.service = route.service;
  r.host = Hosts()[route.service == "reports-worker" ? 6 + rng_.Uniform(2) : rng_.Uniform(6)];
  AppendUuid(&r.request_id, rng_);
  if (brute_force) {
    r.ip.assign(kBruteForceIp);
    r.ua = kBruteForceUa;
  } else {
    AppendIp(&r.ip, rng_.Skewed(kIpPool));
    r.ua = UserAgents()[rng_.Pick(ua_cum_)].ua;
  }
  if (route.service == "sales-api") AppendInt(&r.store_id, 1 + rng_.Skewed(40));
}

void DatasetGenerator::AddLog(const Record& base, RecordLevel level, std::string_view logger,
                              std::string_view msg) {
  Record& r = Push();
  r.kind = RecordKind::kLog;
  r.level = level;
  r.service = base.service;
  r.host = base.host;
  r.logger = logger;
  r.request_id = base.request_id;
  r.user_id = base.user_id;
  r.store_id = base.store_id;
  r.msg.assign(msg);
}

void DatasetGenerator::AddAudit(const Record& base, std::string_view action,
                                std::string_view entity, std::string_view entity_id, bool success,
                                bool sensitive) {
  Record& r = Push();
  r.kind = RecordKind::kAudit;
  r.level = success ? RecordLevel::kInfo : RecordLevel::kWarn;
  r.service = base.service;
  r.host = base.host;
  r.logger = "audit";
  r.request_id = base.request_id;
  r.user_id = base.user_id;
  r.store_id = base.store_id;
  r.msg.assign("Audit: ");
  r.msg.append(action);
  r.msg.append(success ? " completed" : " failed");
  r.action = action;
  r.actor = base.user_id.empty() ? std::string_view("anonymous") : std::string_view(base.user_id);
  r.entity = entity;
  r.entity_id.assign(entity_id);
  r.success = success;
  r.sensitive = sensitive;
}

void DatasetGenerator::AddError(const Record& base, const ErrorSignature& sig) {
  Record& r = Push();
  r.kind = RecordKind::kError;
  r.level = RecordLevel::kError;
  r.service = base.service;
  r.host = base.host;
  r.logger = "exception.handler";
  r.request_id = base.request_id;
  r.user_id = base.user_id;
  r.store_id = base.store_id;
  r.msg.assign("Unhandled exception: ");
  r.msg.append(sig.type);
  r.error = &sig;
}

int DatasetGenerator::PickStatus(const Route& route, bool in_burst) {
  if (in_burst && route.service == "sales-api") {
    if (route.action == RouteAction::kPaySale && rng_.Chance(0.7)) return 503;
    if (rng_.Chance(0.15)) return 502;
  }
  const double u = rng_.Unit();
  if (u < 0.002) {
    static constexpr int k5xx[] = {500, 500, 500, 502, 503, 504};
    return k5xx[rng_.Uniform(6)];
  }
  if (u < 0.002 + route.fail_4xx) {
    switch (route.action) {
      case RouteAction::kLogin:
      case RouteAction::kTwoFactor:
        return 401;
      case RouteAction::kAddMember:
        return rng_.Chance(0.5) ? 403 : 422;
      case RouteAction::kGetSale:
      case RouteAction::kGetProduct:
        return 404;
      case RouteAction::kPasswordReset:
        return 429;
      default:
        return rng_.Chance(0.6) ? 400 : 422;
    }
  }
  if (route.action != RouteAction::kLogin && route.action != RouteAction::kHealth) {
    const double v = rng_.Unit();
    if (v < 0.004) return 401;  // expired token
    if (v < 0.006) return 403;
    if (v < 0.009) return 429;  // rate limited
  }
  if (route.method == "GET" && route.action == RouteAction::kListProducts && rng_.Chance(0.05))
    return 304;
  if (route.action == RouteAction::kCreateSale || route.action == RouteAction::kAddMember)
    return 201;
  return 200;
}

const ErrorSignature& DatasetGenerator::PickError(const Route& route, bool in_burst) {
  const auto errs = ErrorSignatures();
  if (in_burst && route.action == RouteAction::kPaySale) return errs[2];
  // Errors belong to the service whose stack they show; pick among that service's ones.
  switch (route.action) {
    case RouteAction::kPaySale:
      return errs[2];
    case RouteAction::kCloseCash:
      return errs[4];
    case RouteAction::kAddMember:
      return errs[1];
    default:
      break;
  }
  if (route.service == "sales-api") return errs[3];
  if (route.service == "catalog-api") return rng_.Chance(0.55) ? errs[5] : errs[6];
  return errs[0];
}

void DatasetGenerator::RequestScenario(bool brute_force) {
  const auto routes = Routes();
  const size_t ri = brute_force ? 0 : rng_.Pick(route_cum_);
  const Route& route = routes[ri];
  const int64_t now =
      opt_.start_ms + static_cast<int64_t>(static_cast<__int128>(opt_.span_ms) * emitted_ /
                                           static_cast<__int128>(opt_.events));
  const bool in_burst = now >= truth_.burst_start_ms && now < truth_.burst_end_ms;

  // The request record is built first (it decides status and latency) but emitted last:
  // middleware logs "request completed" after the handler's own lines.
  Record req;
  FillRequestBase(req, route, brute_force);
  const uint64_t user = rng_.Skewed(kUserPool);
  const bool authenticated = route.action != RouteAction::kLogin &&
                             route.action != RouteAction::kHealth &&
                             route.action != RouteAction::kPasswordReset;
  if (authenticated) AppendInt(&req.user_id, 1000 + user);

  const int status = brute_force ? 401 : PickStatus(route, in_burst);
  double ms = rng_.LogNormal(route.median_ms, route.sigma);
  if (status == 503 || status == 504) ms = 5000 + rng_.Unit() * 80;
  if (status >= 400 && status < 500) ms *= 0.6;
  if (ms < 0.05) ms = 0.05;

  uint64_t id = 0;
  switch (route.action) {
    case RouteAction::kGetSale:
    case RouteAction::kPaySale:
      id = 100000 + rng_.Uniform(900000);
      break;
    case RouteAction::kCloseCash:
      id = 1 + rng_.Uniform(5000);
      break;
    case RouteAction::kStock:
      id = 1 + rng_.Skewed(40);
      break;
    case RouteAction::kGetProduct:
      id = 1 + rng_.Skewed(20000);
      break;
    case RouteAction::kAddMember:
      id = 1 + rng_.Uniform(500);
      break;
    default:
      break;
  }
  std::string id_text;
  AppendInt(&id_text, id);

  const bool ok = status < 400;
  const std::string_view logger = route.service == "catalog-api"
                                      ? "com.example.catalog.ProductResource"
                                  : route.service == "sales-api" ? "sales.controller"
                                                                 : "app.api.endpoints";
  auto add_meta = [&](Record& r, std::string_view key, std::string_view value, bool is_int) {
    r.AddMeta(key, is_int).value.assign(value);
  };

  // The FastAPI middleware of seed 000 (auth-api) also logs the start of each request.
  if (route.service == "auth-api")
    AddLog(req, RecordLevel::kDebug, "api.request", "Request started");
  if (rng_.Chance(rare_p_)) {
    AddLog(req, RecordLevel::kWarn, "database.query",
           "Database operation retried after deadlock detected");
    add_meta(pending_[pending_size_ - 1], "table", route.service == "sales-api" ? "sales" : "users",
             false);
  }
  switch (route.action) {
    case RouteAction::kLogin: {
      std::string email;
      AppendMasked(&email, brute_force ? rng_.Uniform(kUserPool) : user);
      AddLog(req, RecordLevel::kInfo, logger, "Login attempt");
      add_meta(pending_[pending_size_ - 1], "email", email, false);
      if (status == 401) {
        AddLog(req, RecordLevel::kWarn, logger, "Login failed: Invalid credentials");
        Record& r = pending_[pending_size_ - 1];
        r.ip = req.ip;  // seed 000 logs the client ip with each failed login
        add_meta(r, "email", email, false);
        add_meta(r, "reason", "invalid_credentials", false);
        AddAudit(req, "user.login", "user", email, false, false);
      } else if (ok) {
        AppendInt(&req.user_id, 1000 + user);
        AddLog(req, RecordLevel::kInfo, logger, "Login successful");
        AddAudit(req, "user.login", "user", req.user_id, true, false);
      }
      break;
    }
    case RouteAction::kLogout:
      if (ok) {
        AddLog(req, RecordLevel::kInfo, logger, "Token blacklisted");
        AddAudit(req, "user.logout", "user", req.user_id, true, false);
      }
      break;
    case RouteAction::kRefresh:
      if (ok) AddLog(req, RecordLevel::kDebug, logger, "Access token refreshed");
      break;
    case RouteAction::kPasswordReset:
      if (status == 429) {
        AddLog(req, RecordLevel::kWarn, "security.rate_limit", "Rate limit exceeded");
        add_meta(pending_[pending_size_ - 1], "prefix", "fp:start", false);
      } else if (ok) {
        AddLog(req, RecordLevel::kInfo, logger, "Password reset requested");
        AddAudit(req, "user.password_reset_requested", "user", req.user_id, true, true);
      }
      break;
    case RouteAction::kTwoFactor:
      if (status == 401) {
        AddLog(req, RecordLevel::kWarn, logger, "2FA verification failed: invalid code");
      } else if (ok) {
        AddAudit(req, "user.2fa_verified", "user", req.user_id, true, true);
      }
      break;
    case RouteAction::kCreateSale:
      if (ok) {
        std::string sale;
        AppendInt(&sale, 100000 + rng_.Uniform(900000));
        AddLog(req, RecordLevel::kInfo, logger, "sale_created");
        Record& r = pending_[pending_size_ - 1];
        add_meta(r, "saleId", sale, false);
        std::string items;
        AppendInt(&items, 1 + rng_.Skewed(30));
        add_meta(r, "items", items, true);
        AddAudit(req, "sale.created", "sale", sale, true, false);
      }
      break;
    case RouteAction::kPaySale:
      if (ok) {
        const uint64_t cents = static_cast<uint64_t>(rng_.LogNormal(8500, 0.9));
        std::string amount;
        AppendInt(&amount, cents / 100);
        amount.push_back('.');
        amount.push_back(static_cast<char>('0' + cents / 10 % 10));
        amount.push_back(static_cast<char>('0' + cents % 10));
        AddLog(req, RecordLevel::kInfo, logger, "payment_confirmed");
        Record& r = pending_[pending_size_ - 1];
        add_meta(r, "saleId", id_text, false);
        add_meta(r, "amount", amount, false);
        AddAudit(req, "sale.paid", "sale", id_text, true, false);
      } else if (status >= 500) {
        AddLog(req, RecordLevel::kError, logger, "payment_failed");
        add_meta(pending_[pending_size_ - 1], "saleId", id_text, false);
      }
      break;
    case RouteAction::kCloseCash:
      if (ok) {
        std::string total;
        AppendInt(&total, 500 + rng_.Uniform(20000));
        AddLog(req, RecordLevel::kInfo, logger, "cash_closed");
        Record& r = pending_[pending_size_ - 1];
        add_meta(r, "cashId", id_text, false);
        add_meta(r, "total", total, false);
        AddAudit(req, "cash.closed", "cash", id_text, true, true);
      }
      break;
    case RouteAction::kStock:
      if (ok && rng_.Chance(0.08)) {
        AddLog(req, RecordLevel::kWarn, logger, "stock_low");
        std::string left;
        AppendInt(&left, rng_.Uniform(5));
        add_meta(pending_[pending_size_ - 1], "items", left, true);
      }
      break;
    case RouteAction::kListProducts:
      if (ok && rng_.Chance(0.3)) {
        AddLog(req, RecordLevel::kDebug, "database.query", "Database operation: select");
        add_meta(pending_[pending_size_ - 1], "table", "products", false);
      }
      break;
    case RouteAction::kAddMember:
      if (ok) {
        AddLog(req, RecordLevel::kInfo, logger, "Member added to team");
        AddAudit(req, "team.member_added", "team", id_text, true, false);
      }
      break;
    case RouteAction::kDailyReport:
      if (ok) {
        AddLog(req, RecordLevel::kInfo, "reports.job", "Report generated");
        add_meta(pending_[pending_size_ - 1], "job", "daily_sales", false);
      }
      break;
    case RouteAction::kGetSale:
    case RouteAction::kGetProduct:
    case RouteAction::kTeams:
      // QueryLogger (seed 000) traces a share of reads at debug level.
      if (rng_.Chance(0.45)) {
        AddLog(req, RecordLevel::kDebug, "database.query", "Database operation: select");
        add_meta(pending_[pending_size_ - 1], "table",
                 route.action == RouteAction::kGetSale      ? "sales"
                 : route.action == RouteAction::kGetProduct ? "products"
                                                            : "teams",
                 false);
      }
      break;
    case RouteAction::kHealth:
      break;
  }

  if (ms > route.slow_threshold_ms && status < 500) {
    std::string m("Slow operation detected: ");
    m.append(route.function);
    AddLog(req, RecordLevel::kWarn, "performance", m);
    std::string th;
    AppendInt(&th, static_cast<uint64_t>(route.slow_threshold_ms));
    add_meta(pending_[pending_size_ - 1], "threshold_ms", th, true);
  }
  if (status >= 500) {
    const ErrorSignature& sig = PickError(route, in_burst);
    AddError(req, sig);
    if (truth_.needle_request_id.empty() && emitted_ >= opt_.events / 2) {
      truth_.needle_request_id = req.request_id;
      needle_is_error_ = true;
    }
  }
  if (fallback_needle_.empty() && emitted_ >= opt_.events / 2) fallback_needle_ = req.request_id;

  Record& r = Push();
  std::swap(r, req);
  r.kind = RecordKind::kRequest;
  r.level = status >= 500   ? RecordLevel::kError
            : status >= 400 ? RecordLevel::kWarn
                            : RecordLevel::kInfo;
  // Access records carry no logger name: they come from the middleware, not a module.
  r.msg.assign("Request completed");
  r.method = route.method;
  r.route = route.tmpl;
  r.route_index = static_cast<int>(ri);
  AppendPath(&r.path, route.tmpl, id);
  r.status = status;
  r.duration_cents = std::llround(ms * 100);
  r.bytes_out = status == 304 ? 0
                              : static_cast<int64_t>(rng_.LogNormal(
                                    route.action == RouteAction::kListProducts ? 12000 : 700, 0.6));
}

void DatasetGenerator::WorkerScenario() {
  Record& r = Push();
  r.kind = RecordKind::kLog;
  r.service = "reports-worker";
  r.host = Hosts()[6 + rng_.Uniform(2)];
  r.logger = "worker";
  const auto msgs = WorkerMessages();
  if (rng_.Chance(0.002)) {
    r.level = RecordLevel::kError;
    r.msg.assign("Database health check failed: connection refused");
    return;
  }
  const size_t m = rng_.Uniform(msgs.size());
  r.level = m == 2 ? RecordLevel::kDebug : RecordLevel::kInfo;
  r.msg.assign(msgs[m]);
  static constexpr std::string_view kJobs[] = {"daily_sales", "stock_sync", "email_digest",
                                               "cleanup"};
  r.AddMeta("job", false).value.assign(kJobs[rng_.Uniform(4)]);
}

void DatasetGenerator::Tally(const Record& r) {
  ++truth_.events;
  switch (r.kind) {
    case RecordKind::kLog:
      ++truth_.logs;
      break;
    case RecordKind::kRequest:
      ++truth_.requests;
      break;
    case RecordKind::kAudit:
      ++truth_.audits;
      break;
    case RecordKind::kError:
      ++truth_.errors;
      break;
  }
  if (!r.request_id.empty()) {
    if (r.request_id == truth_.needle_request_id) ++truth_.needle_events;
    if (r.request_id == fallback_needle_) ++fallback_needle_events_;
  }
  if (r.msg.find(kRareWord) != std::string::npos) ++truth_.rare_word_events;
  if (r.level == RecordLevel::kError && r.service == "sales-api" &&
      r.ts_ms >= truth_.error_hour_start_ms && r.ts_ms < truth_.error_hour_start_ms + kHourMs) {
    ++truth_.error_hour_events;
  }
  if (r.kind == RecordKind::kRequest) {
    ++requests_by_route_[static_cast<size_t>(r.route_index)];
    if (r.status >= 500) {
      ++truth_.status_5xx;
      const int64_t minute = r.ts_ms / kMinuteMs;
      if (minute != current_minute_) {
        current_minute_ = minute;
        current_minute_5xx_ = 0;
        ++truth_.minutes_with_5xx;
      }
      truth_.max_5xx_per_minute = std::max(truth_.max_5xx_per_minute, ++current_minute_5xx_);
    }
  }
  if (r.ts_ms >= truth_.login_hour_start_ms && r.ts_ms < truth_.login_hour_start_ms + kHourMs &&
      r.msg.starts_with("Login failed")) {
    ++truth_.login_failures_in_hour;
    ++login_failures_by_ip_[r.ip];
  }
}

GroundTruth DatasetGenerator::Truth() const {
  GroundTruth t = truth_;
  if (!needle_is_error_) {
    t.needle_request_id = fallback_needle_;
    t.needle_events = fallback_needle_events_;
  }
  for (const auto& [ip, n] : login_failures_by_ip_) {
    if (n > 10) ++t.ips_over_10_failures;
    if (ip == kBruteForceIp) t.brute_force_ip_failures = n;
  }
  for (uint64_t n : requests_by_route_) {
    if (n > 0) ++t.routes_with_requests;
  }
  return t;
}

}  // namespace vigia::bench

namespace vigia::bench {

std::string FormatTruthEnv(const GenOptions& o, const GroundTruth& t) {
  std::string s;
  auto kv = [&s](std::string_view k, const auto& v) {
    s.append(k);
    s.push_back('=');
    if constexpr (std::is_convertible_v<decltype(v), std::string_view>) {
      s.append(std::string_view(v));
    } else {
      s.append(std::to_string(v));
    }
    s.push_back('\n');
  };
  kv("GEN_SEED", o.seed);
  kv("GEN_EVENTS", o.events);
  kv("GEN_START_MS", o.start_ms);
  kv("GEN_END_MS", o.start_ms + o.span_ms);
  kv("TRUTH_EVENTS", t.events);
  kv("TRUTH_REQUESTS", t.requests);
  kv("TRUTH_LOGS", t.logs);
  kv("TRUTH_AUDITS", t.audits);
  kv("TRUTH_ERRORS", t.errors);
  kv("NEEDLE_REQUEST_ID", t.needle_request_id);
  kv("NEEDLE_EVENTS", t.needle_events);
  kv("RARE_WORD", kRareWord);
  kv("RARE_WORD_EVENTS", t.rare_word_events);
  kv("ERROR_SERVICE", std::string_view("sales-api"));
  kv("ERROR_HOUR_START_MS", t.error_hour_start_ms);
  kv("ERROR_HOUR_EVENTS", t.error_hour_events);
  kv("STATUS_5XX", t.status_5xx);
  kv("MINUTES_WITH_5XX", t.minutes_with_5xx);
  kv("MAX_5XX_PER_MINUTE", t.max_5xx_per_minute);
  kv("BURST_START_MS", t.burst_start_ms);
  kv("BURST_END_MS", t.burst_end_ms);
  kv("BRUTE_START_MS", t.brute_start_ms);
  kv("BRUTE_END_MS", t.brute_end_ms);
  kv("LOGIN_HOUR_START_MS", t.login_hour_start_ms);
  kv("LOGIN_FAILURES_IN_HOUR", t.login_failures_in_hour);
  kv("IPS_OVER_10_FAILURES", t.ips_over_10_failures);
  kv("BRUTE_FORCE_IP", kBruteForceIp);
  kv("BRUTE_FORCE_IP_FAILURES", t.brute_force_ip_failures);
  kv("ROUTES_WITH_REQUESTS", t.routes_with_requests);
  return s;
}

}  // namespace vigia::bench
