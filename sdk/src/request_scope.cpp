#include "vigia/request_scope.h"

#include <sys/random.h>

#include <cctype>
#include <cstdio>
#include <cstring>

#include "tsc_clock.h"

namespace vigia::sdk {
namespace {

// xorshift128+ seeded per thread from getrandom: ids must be unique, not secret.
struct Rng {
  uint64_t s0 = 0, s1 = 0;
  Rng() {
    if (getrandom(&s0, sizeof s0, 0) != sizeof s0)
      s0 = static_cast<uint64_t>(internal::realtime_ns());
    if (getrandom(&s1, sizeof s1, 0) != sizeof s1)
      s1 = reinterpret_cast<uintptr_t>(this) ^ 0x9E3779B97F4A7C15ull;
    if ((s0 | s1) == 0) s1 = 1;
  }
  uint64_t next() {
    uint64_t x = s0, y = s1;
    s0 = y;
    x ^= x << 23;
    s1 = x ^ y ^ (x >> 17) ^ (y >> 26);
    return s1 + y;
  }
};
thread_local Rng tl_rng;

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool plausible_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.' && c != ':') return false;
  return true;
}

}  // namespace

void new_uuid_v7(char out[36]) {
  static const char* kHex = "0123456789abcdef";
  uint64_t ms = static_cast<uint64_t>(internal::realtime_ns() / 1000000);
  uint64_t r1 = tl_rng.next(), r2 = tl_rng.next();
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (r1 & 0x0F));
  b[7] = static_cast<uint8_t>(r1 >> 8);
  b[8] = static_cast<uint8_t>(0x80 | ((r1 >> 16) & 0x3F));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(r2 >> (8 * (i - 9)));
  int o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kHex[b[i] >> 4];
    out[o++] = kHex[b[i] & 15];
  }
}

bool RequestScope::valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':')
      return false;
  return true;
}

std::string_view RequestScope::trace_id_from_traceparent(std::string_view tp) {
  // version "-" 32 hex trace-id "-" 16 hex parent-id "-" 2 hex flags
  tp = trim(tp);
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return {};
  std::string_view id = tp.substr(3, 32);
  bool nonzero = false;
  for (char c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return {};
    nonzero |= c != '0';
  }
  return nonzero ? id : std::string_view();
}

std::string_view RequestScope::client_ip_from(HeaderLookup h, std::string_view peer) {
  std::string_view xff = h("X-Forwarded-For");
  if (!xff.empty()) {
    std::string_view first = trim(xff.substr(0, xff.find(',')));
    if (plausible_ip(first)) return first;
  }
  std::string_view v = trim(h("X-Real-IP"));
  if (plausible_ip(v)) return v;
  // X-Forwarded: "for=1.2.3.4" (RFC 7239 style) or a bare address.
  v = h("X-Forwarded");
  if (!v.empty()) {
    size_t p = v.find("for=");
    std::string_view a = p == std::string_view::npos ? v : v.substr(p + 4);
    a = trim(a.substr(0, a.find_first_of(",; ")));
    if (!a.empty() && a.front() == '"') a = a.substr(1, a.size() >= 2 ? a.size() - 2 : 0);
    if (plausible_ip(a)) return a;
  }
  v = trim(h("X-Cluster-Client-IP"));
  if (plausible_ip(v)) return v;
  return peer;
}

bool RequestScope::is_bot(std::string_view ua) {
  for (std::string_view w :
       {"bot", "spider", "crawl", "slurp", "curl/", "wget/", "python-requests", "headless"}) {
    for (size_t i = 0; i + w.size() <= ua.size(); ++i)
      if (ieq(ua.substr(i, w.size()), w)) return true;
  }
  return false;
}

RequestScope::RequestScope(Logger& logger, std::string_view method, std::string_view route,
                           std::string_view path, std::string_view peer_ip, HeaderLookup headers,
                           const RequestOptions& opts)
    : logger_(logger),
      opts_(opts),
      start_(std::chrono::steady_clock::now()),
      method_(method),
      route_(route),
      path_(path),
      scope_(Context::current()) {
  ua_ = headers("User-Agent");
  std::string_view rid = trim(headers("X-Request-ID"));
  std::string_view trace = trace_id_from_traceparent(headers("traceparent"));
  if (valid_request_id(rid)) {
    std::memcpy(request_id_buf_, rid.data(), rid.size());
    request_id_ = std::string_view(request_id_buf_, rid.size());
  } else if (!trace.empty()) {
    std::memcpy(request_id_buf_, trace.data(), trace.size());
    request_id_ = std::string_view(request_id_buf_, trace.size());
  } else {
    new_uuid_v7(request_id_buf_);
    request_id_ = std::string_view(request_id_buf_, 36);
  }
  std::string_view ip = client_ip_from(headers, peer_ip);
  size_t n = ip.size() < sizeof ip_buf_ ? ip.size() : sizeof ip_buf_;
  if (n) std::memcpy(ip_buf_, ip.data(), n);
  ip_ = std::string_view(ip_buf_, n);
  scope_.set("request_id", request_id_);
  if (!trace.empty()) scope_.set("trace_id", trace);
  if (!route_.empty()) scope_.set("route", route_);
  for (const auto& p : opts_.skip_paths)
    if (p == path_) skipped_ = true;
  if (opts_.skip_bots && is_bot(ua_)) skipped_ = true;
  headers_ = {{{"X-Request-ID", request_id_}, {"X-Response-Time", {}}}};
}

const RequestScope::Headers& RequestScope::finish(int status, int64_t bytes_out, int64_t bytes_in) {
  if (finished_) return headers_;
  finished_ = true;
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  int len = snprintf(time_buf_, sizeof time_buf_, "%.3fms", ms);
  headers_[1].second = std::string_view(time_buf_, len > 0 ? static_cast<size_t>(len) : 0);
  if (skipped_) return headers_;
  Level level = status >= 500 ? Level::kError : status >= 400 ? Level::kWarn : Level::kInfo;
  // route/request_id already ride in the context; the request event adds the rest.
  Field f[] = {{"method", method_},      {"path", path_},       {"status", status},
               {"duration_ms", ms},      {"ip", ip_},           {"ua", ua_},
               {"bytes_out", bytes_out}, {"bytes_in", bytes_in}};
  size_t nf = bytes_in >= 0 ? 8 : bytes_out >= 0 ? 7 : 6;
  logger_.emit_fields(Kind::kRequest, level, route_.empty() ? path_ : route_, f, nf,
                      scope_.context());
  if (ms > static_cast<double>(opts_.slow_threshold.count())) {
    Field w[] = {{"method", method_},
                 {"path", path_},
                 {"duration_ms", ms},
                 {"threshold_ms", static_cast<int64_t>(opts_.slow_threshold.count())}};
    logger_.emit_fields(Kind::kLog, Level::kWarn, "slow request", w, 4, scope_.context());
  }
  return headers_;
}

RequestScope::~RequestScope() {
  // Unfinished: an exception escaped the handler, which the client sees as a 500.
  if (!finished_) finish(500);
}

}  // namespace vigia::sdk
