#include "redact/secret_redactor.h"

#include <sodium.h>

#include <algorithm>

#include "common/ascii.h"
#include "redact/field_name_cache.h"

namespace vigia::redact {
namespace {

// Fields never scanned: vigia's own structure (ids, enums, derived values), where a secret
// cannot sit and a look-alike (a numeric request id) would be a false redaction.
bool SkippedField(std::string_view name) {
  static const std::unordered_set<std::string_view> kSkip = {
      "kind",       "level",           "service",  "env",        "host",
      "version",    "tenant",          "trace_id", "span_id",    "request_id",
      "method",     "route",           "status",   "ip",         "ua",
      "browser",    "browser_version", "os",       "os_version", "device",
      "perf_class", "fingerprint",     "redacted", "action",     "outcome",
      "entity",     "metric",          "unit"};
  return kSkip.count(name) != 0;
}

constexpr std::string_view kMarker = "redacted";
constexpr size_t kMinScanBytes = 6;  // no detector matches fewer

}  // namespace

Result<RedactAction> ParseRedactAction(std::string_view name) {
  if (name == "mask") return RedactAction::kMask;
  if (name == "hash") return RedactAction::kHash;
  if (name == "drop") return RedactAction::kDrop;
  return Status::InvalidArgument("expected mask, hash or drop, got \"" + std::string(name) + "\"");
}

const std::vector<std::string>& DefaultSecretKeys() {
  static const std::vector<std::string> kKeys = {
      "password",      "passwd",        "pwd",          "senha",         "secret",
      "client_secret", "token",         "access_token", "refresh_token", "id_token",
      "api_key",       "apikey",        "x-api-key",    "authorization", "proxy-authorization",
      "cookie",        "set-cookie",    "set_cookie",   "reset",         "reset_token",
      "private_key",   "session_token", "auth_token",   "credentials"};
  return kKeys;
}

SecretRedactor::SecretRedactor(RedactOptions options, MetricRegistry* metrics)
    : options_(std::move(options)), metrics_(metrics) {}

Result<std::unique_ptr<SecretRedactor>> SecretRedactor::Make(RedactOptions options,
                                                             MetricRegistry* metrics) {
  if (options.action == RedactAction::kHash && options.hmac_key.empty()) {
    return Status::InvalidArgument("redact.action = hash needs redact.hmac_key_file");
  }
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  std::unique_ptr<SecretRedactor> r(new SecretRedactor(std::move(options), metrics));
  VIGIA_RETURN_IF_ERROR(r->Init());
  return r;
}

Status SecretRedactor::Init() {
  RE2::Options ro;
  ro.set_log_errors(false);
  ro.set_max_mem(64 << 20);
  set_ = std::make_unique<RE2::Set>(ro, RE2::UNANCHORED);
  for (const Detector& d : BuiltinDetectors()) {
    if (d.opt_in && !(d.name == "email" ? options_.emails : options_.phones)) continue;
    auto re = std::make_unique<RE2>(d.pattern, ro);
    if (!re->ok()) return Status::Internal("detector " + d.name + ": " + re->error());
    std::string err;
    if (set_->Add(d.pattern, &err) < 0) return Status::Internal("detector " + d.name + ": " + err);
    detectors_.push_back(d);
    regexes_.push_back(std::move(re));
  }
  if (!set_->Compile()) return Status::Internal("redaction patterns do not compile as a set");
  for (const std::string& k :
       options_.secret_keys.empty() ? DefaultSecretKeys() : options_.secret_keys) {
    std::string lower;
    for (char c : k) lower.push_back(ascii::ToLower(c));
    if (lower.size() < 64) secret_key_lengths_ |= uint64_t{1} << lower.size();
    secret_keys_.insert(std::move(lower));
  }
  return Status::Ok();
}

bool SecretRedactor::IsSecretKey(std::string_view field) const {
  size_t dot = field.rfind('.');
  if (dot != std::string_view::npos) field.remove_prefix(dot + 1);
  if (field.empty() || field.size() >= 64 || (secret_key_lengths_ >> field.size() & 1) == 0) {
    return false;
  }
  char buf[64];
  for (size_t i = 0; i < field.size(); ++i) buf[i] = ascii::ToLower(field[i]);
  return secret_keys_.find(std::string_view(buf, field.size())) != secret_keys_.end();
}

SecretRedactor::FieldClass SecretRedactor::ClassOf(std::string_view name) const {
  if (name == kMarker) return FieldClass::kSkip;
  if (IsSecretKey(name)) return FieldClass::kSecret;
  return SkippedField(name) ? FieldClass::kSkip : FieldClass::kScan;
}

void SecretRedactor::FindSpans(std::string_view v, std::vector<Span>* spans) const {
  spans->clear();
  if (!MayHoldSecret(v, options_.emails)) return;
  std::vector<int> matched;
  if (!set_->Match(v, &matched)) return;
  std::sort(matched.begin(), matched.end());  // the set reports them in no given order
  re2::StringPiece groups[2];
  for (int idx : matched) {
    const Detector& d = detectors_[idx];
    const RE2& re = *regexes_[idx];
    int ngroups = d.group + 1;
    size_t pos = 0;
    while (pos <= v.size() && re.Match(v, pos, v.size(), RE2::UNANCHORED, groups, ngroups)) {
      re2::StringPiece whole = groups[0];
      re2::StringPiece secret = groups[d.group];
      size_t next = static_cast<size_t>(whole.data() - v.data()) + whole.size();
      pos = whole.empty() ? next + 1 : next;
      if (secret.data() == nullptr || secret.empty()) continue;
      if (d.validate != nullptr && !d.validate(std::string_view(whole.data(), whole.size()))) {
        continue;
      }
      size_t b = static_cast<size_t>(secret.data() - v.data());
      spans->push_back({b, b + secret.size(), static_cast<size_t>(idx)});
    }
  }
  if (spans->size() < 2) return;
  // Stable: at equal starts the detector listed first (the more specific) names the span.
  std::stable_sort(spans->begin(), spans->end(),
                   [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const Span& s : *spans) {
    if (!merged.empty() && s.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, s.end);
    } else {
      merged.push_back(s);
    }
  }
  *spans = std::move(merged);
}

std::string SecretRedactor::Replacement(std::string_view secret, std::string_view detector) const {
  switch (options_.action) {
    case RedactAction::kMask:
      return "[redacted:" + std::string(detector) + "]";
    case RedactAction::kHash: {
      unsigned char mac[crypto_auth_hmacsha256_BYTES];
      crypto_auth_hmacsha256_state st;
      crypto_auth_hmacsha256_init(&st,
                                  reinterpret_cast<const unsigned char*>(options_.hmac_key.data()),
                                  options_.hmac_key.size());
      crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                                    secret.size());
      crypto_auth_hmacsha256_final(&st, mac);
      char hex[17];
      sodium_bin2hex(hex, sizeof(hex), mac, 8);
      return "[hmac:" + std::string(hex) + "]";
    }
    case RedactAction::kDrop:
      return "";
  }
  return "";
}

std::string SecretRedactor::RedactText(std::string_view v, std::vector<std::string>* hits) const {
  std::vector<Span> spans;
  FindSpans(v, &spans);
  std::string out;
  size_t at = 0;
  for (const Span& s : spans) {
    out.append(v.substr(at, s.begin - at));
    out += Replacement(v.substr(s.begin, s.end - s.begin), detectors_[s.detector].name);
    if (hits) hits->push_back(detectors_[s.detector].name);
    at = s.end;
  }
  out.append(v.substr(at));
  return out;
}

void SecretRedactor::Count(std::string_view detector, std::string_view service,
                           std::string_view field) const {
  if (metrics_ == nullptr) return;
  metrics_
      ->GetCounter("vigia_redactions_total",
                   "Secrets and personal data redacted at ingest, by detector, service and field",
                   {"detector", "service", "field"},
                   {std::string(detector), std::string(service), std::string(field)})
      ->Inc();
}

void SecretRedactor::Redact(std::string_view tenant, EventBatch* batch) const {
  (void)tenant;
  if (!options_.enabled) return;
  std::vector<std::pair<uint32_t, Field>> markers;
  std::vector<Span> spans;
  std::string hits;
  FieldNameCache<FieldClass> classes;
  auto class_of = [this](std::string_view name) { return ClassOf(name); };
  const auto& events = batch->events();
  for (uint32_t i = 0; i < events.size(); ++i) {
    const EventBatch::EventRef& e = events[i];
    hits.clear();
    // Looked up on the first find only (the counters' label): most events have none.
    std::string_view service;
    bool service_known = false;
    auto service_of = [&]() {
      if (!service_known) {
        service_known = true;
        if (const Value* s = batch->Find(e, "service"); s && s->type == ValueType::kString) {
          service = s->s;
        }
      }
      return service;
    };
    auto hit = [&hits](std::string_view name) {
      if (hits.find(name) != std::string::npos) return;  // names are not prefixes of others
      if (!hits.empty()) hits += ",";
      hits += name;
    };
    for (Field& f : batch->mutable_fields(e)) {
      if (f.value.type == ValueType::kNull) continue;
      const FieldClass cls = classes.Get(f.name, class_of);
      if (cls == FieldClass::kSkip) continue;
      if (cls == FieldClass::kSecret) {
        std::string secret = f.value.type == ValueType::kString ? std::string(f.value.s) : "";
        if (options_.action == RedactAction::kDrop) {
          f.value = Value::Null();
        } else {
          f.value = Value::String(batch->arena().Copy(Replacement(secret, "secret_field")));
        }
        hit("secret_field");
        Count("secret_field", service_of(), f.name);
        continue;
      }
      if (f.value.type != ValueType::kString || f.value.s.size() < kMinScanBytes) continue;
      std::string_view v = f.value.s;
      // The prefilter inline: most values end here, without a call into FindSpans.
      if (!MayHoldSecret(v, options_.emails)) continue;
      FindSpans(v, &spans);
      if (spans.empty()) continue;
      std::string out;
      size_t at = 0;
      for (const Span& s : spans) {
        const std::string& name = detectors_[s.detector].name;
        out.append(v.substr(at, s.begin - at));
        out += Replacement(v.substr(s.begin, s.end - s.begin), name);
        at = s.end;
        hit(name);
        Count(name, service_of(), f.name);
      }
      out.append(v.substr(at));
      f.value = Value::String(batch->arena().Copy(out));
    }
    if (!hits.empty()) {
      markers.push_back({i, Field{kMarker, Value::String(batch->arena().Copy(hits))}});
    }
  }
  batch->AppendFields(markers);
}

}  // namespace vigia::redact
