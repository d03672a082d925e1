#include "redact/privacy_masker.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <cstring>

#include "common/ascii.h"
#include "event/event_fields.h"
#include "redact/field_name_cache.h"

namespace vigia::redact {
namespace {

enum class FieldClass : uint8_t { kOther, kIp, kUa, kPath };

std::string_view LastSegment(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

FieldClass Classify(std::string_view name) {
  if (name == "ip") return FieldClass::kIp;
  if (name == "ua") return FieldClass::kUa;
  if (name == "path") return FieldClass::kPath;
  std::string_view last = LastSegment(name);
  if (last.size() < 2 || last.size() > 16) return FieldClass::kOther;
  char buf[16];
  for (size_t i = 0; i < last.size(); ++i) buf[i] = ascii::ToLower(last[i]);
  std::string_view l(buf, last.size());
  for (std::string_view n : {"ip", "client_ip", "remote_addr", "remote_ip", "x_forwarded_for",
                             "forwarded_for", "x_real_ip"}) {
    if (l == n) return FieldClass::kIp;
  }
  if (l == "ua" || l == "user_agent") return FieldClass::kUa;
  if (l == "url" || l == "referer" || l == "referrer") return FieldClass::kPath;
  return FieldClass::kOther;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool PrivacyOptions::active() const {
  if (!(defaults == PrivacyRule{})) return true;
  for (const PrivacyOverride& o : overrides) {
    if ((o.ip && *o.ip != IpMode::kNone) || (o.ua && *o.ua != UaMode::kFull) ||
        (o.drop_query && *o.drop_query)) {
      return true;
    }
  }
  return false;
}

Result<IpMode> ParseIpMode(std::string_view s) {
  if (s == "none") return IpMode::kNone;
  if (s == "truncate") return IpMode::kTruncate;
  if (s == "hash") return IpMode::kHash;
  return Status::InvalidArgument("expected none, truncate or hash, got \"" + std::string(s) + "\"");
}

Result<UaMode> ParseUaMode(std::string_view s) {
  if (s == "full") return UaMode::kFull;
  if (s == "family") return UaMode::kFamily;
  return Status::InvalidArgument("expected full or family, got \"" + std::string(s) + "\"");
}

Result<std::vector<PrivacyOverride>> ParsePrivacyOverrides(std::string_view text) {
  std::vector<PrivacyOverride> out;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view item = Trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    if (item.empty()) continue;
    const std::string where = "in \"" + std::string(item) + "\": ";
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(where +
                                     "expected tenant=T: or service=S: before the settings");
    }
    std::string_view sel = Trim(item.substr(0, colon));
    PrivacyOverride o;
    if (sel.starts_with("tenant=")) {
      o.scope = PrivacyOverride::Scope::kTenant;
      o.value = std::string(sel.substr(7));
    } else if (sel.starts_with("service=")) {
      o.scope = PrivacyOverride::Scope::kService;
      o.value = std::string(sel.substr(8));
    } else {
      return Status::InvalidArgument(where + "expected tenant=T or service=S before ':'");
    }
    if (o.value.empty()) return Status::InvalidArgument(where + "empty tenant or service name");
    std::string_view settings = item.substr(colon + 1);
    bool any = false;
    while (!(settings = Trim(settings)).empty()) {
      size_t sp = settings.find(' ');
      std::string_view kv = settings.substr(0, sp);
      settings = sp == std::string_view::npos ? std::string_view() : settings.substr(sp);
      size_t eq = kv.find('=');
      std::string_view k = kv.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
      if (k == "ip") {
        Result<IpMode> m = ParseIpMode(v);
        if (!m.ok()) return Status::InvalidArgument(where + "ip: " + m.status().message());
        o.ip = *m;
      } else if (k == "ua") {
        Result<UaMode> m = ParseUaMode(v);
        if (!m.ok()) return Status::InvalidArgument(where + "ua: " + m.status().message());
        o.ua = *m;
      } else if (k == "query") {
        if (v != "keep" && v != "drop") {
          return Status::InvalidArgument(where + "query: expected keep or drop");
        }
        o.drop_query = v == "drop";
      } else {
        return Status::InvalidArgument(where + "unknown setting \"" + std::string(kv) +
                                       "\" (ip=, ua=, query=)");
      }
      any = true;
    }
    if (!any) return Status::InvalidArgument(where + "no setting (ip=, ua=, query=)");
    out.push_back(std::move(o));
  }
  return out;
}

std::optional<std::string> TruncateIp(std::string_view ip) {
  ip = Trim(ip);
  if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = '\0';
  unsigned char a[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, buf, a) == 1) {
    a[3] = 0;
    if (inet_ntop(AF_INET, a, out, sizeof out) == nullptr) return std::nullopt;
    return std::string(out);
  }
  if (inet_pton(AF_INET6, buf, a) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a, kMapped, 12) == 0) {
      a[15] = 0;  // an IPv4 address written as IPv6 keeps its /24
    } else {
      std::memset(a + 6, 0, 10);
    }
    if (inet_ntop(AF_INET6, a, out, sizeof out) == nullptr) return std::nullopt;
    return std::string(out);
  }
  return std::nullopt;
}

PrivacyMasker::PrivacyMasker(PrivacyOptions options, MetricRegistry* metrics)
    : options_(std::move(options)) {
  if (metrics == nullptr) return;
  auto counter = [metrics](const char* what) {
    return metrics->GetCounter("vigia_privacy_masked_total",
                               "Values masked at ingest for privacy (IP, user agent, query string)",
                               {"what"}, {what});
  };
  masked_ip_ = counter("ip");
  masked_ua_ = counter("ua");
  masked_query_ = counter("query");
}

Result<std::unique_ptr<PrivacyMasker>> PrivacyMasker::Make(PrivacyOptions options,
                                                           MetricRegistry* metrics) {
  bool hashes = options.defaults.ip == IpMode::kHash;
  for (const PrivacyOverride& o : options.overrides) hashes = hashes || o.ip == IpMode::kHash;
  if (hashes && options.hmac_key.empty()) {
    return Status::InvalidArgument("privacy ip = hash needs redact.hmac_key_file (the HMAC key)");
  }
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  return std::unique_ptr<PrivacyMasker>(new PrivacyMasker(std::move(options), metrics));
}

PrivacyRule PrivacyMasker::RuleFor(std::string_view tenant, std::string_view service) const {
  PrivacyRule r = options_.defaults;
  for (const PrivacyOverride& o : options_.overrides) {
    std::string_view subject = o.scope == PrivacyOverride::Scope::kTenant ? tenant : service;
    if (subject != o.value) continue;
    if (o.ip) r.ip = *o.ip;
    if (o.ua) r.ua = *o.ua;
    if (o.drop_query) r.drop_query = *o.drop_query;
  }
  return r;
}

std::string PrivacyMasker::Hash(std::string_view v) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(options_.hmac_key.data()),
                              options_.hmac_key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[17];
  sodium_bin2hex(hex, sizeof(hex), mac, 8);
  return "[hmac:" + std::string(hex) + "]";
}

std::string PrivacyMasker::MaskIp(std::string_view v, IpMode mode) const {
  std::string out;
  // X-Forwarded-For: "client, proxy1, proxy2" — every element is someone's address.
  while (true) {
    size_t comma = v.find(',');
    std::string_view one = Trim(v.substr(0, comma));
    if (!out.empty()) out += ", ";
    switch (mode) {
      case IpMode::kNone:
        out += one;
        break;
      case IpMode::kTruncate: {
        std::optional<std::string> t = TruncateIp(one);
        out += t ? *t : std::string("[masked:ip]");
        break;
      }
      case IpMode::kHash:
        out += Hash(one);
        break;
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

void PrivacyMasker::Redact(std::string_view tenant, EventBatch* batch) const {
  const bool uniform = options_.overrides.empty();
  FieldNameCache<FieldClass> classes;
  for (const EventBatch::EventRef& e : batch->events()) {
    PrivacyRule rule = options_.defaults;
    if (!uniform) {
      std::string_view t = tenant, service;
      if (const Value* s = batch->Find(e, fields::kService); s && s->type == ValueType::kString) {
        service = s->s;
      }
      if (t.empty()) {
        if (const Value* v = batch->Find(e, fields::kTenant); v && v->type == ValueType::kString) {
          t = v->s;
        }
      }
      rule = RuleFor(t, service);
    }
    if (rule == PrivacyRule{}) continue;
    for (Field& f : batch->mutable_fields(e)) {
      if (f.value.type != ValueType::kString || f.value.s.empty()) continue;
      switch (classes.Get(f.name, Classify)) {
        case FieldClass::kOther:
          break;
        case FieldClass::kIp:
          if (rule.ip == IpMode::kNone) break;
          f.value = Value::String(batch->arena().Copy(MaskIp(f.value.s, rule.ip)));
          if (masked_ip_) masked_ip_->Inc();
          break;
        case FieldClass::kUa: {
          if (rule.ua == UaMode::kFull) break;
          std::string family;
          const Value* b = batch->Find(e, fields::kBrowser);
          if (b != nullptr && b->type == ValueType::kString && !b->s.empty()) {
            family = std::string(b->s);
            const Value* ver = batch->Find(e, fields::kBrowserVersion);
            if (ver != nullptr && ver->type == ValueType::kString && !ver->s.empty()) {
              family += "/";
              family += ver->s;
            }
          } else {
            std::string_view s = f.value.s;
            family = std::string(s.substr(0, std::min(s.find(' '), s.size())));
          }
          if (family == f.value.s) break;
          f.value = Value::String(batch->arena().Copy(family));
          if (masked_ua_) masked_ua_->Inc();
          break;
        }
        case FieldClass::kPath: {
          if (!rule.drop_query) break;
          size_t q = f.value.s.find_first_of("?#");
          if (q == std::string_view::npos) break;
          f.value = Value::String(f.value.s.substr(0, q));  // a prefix: same arena bytes
          if (masked_query_) masked_query_->Inc();
          break;
        }
      }
    }
  }
}

}  // namespace vigia::redact
