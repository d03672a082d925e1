#include "monitor/probe.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>

#include "common/ascii.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace vigia {

namespace {

// Bodies are read up to this much for expect_body / expect_json_*: a health endpoint answers
// in bytes, and a target sending gigabytes must not fill the server's memory.
constexpr size_t kMaxProbeBodyBytes = 1u << 20;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void EnsureCurlInit() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * n;
  if (body->size() < kMaxProbeBodyBytes) {
    body->append(data, std::min(bytes, kMaxProbeBodyBytes - body->size()));
  }
  return bytes;
}

std::string HostOf(const std::string& url) {
  std::string host;
  CURLU* u = curl_url();
  if (u == nullptr) return host;
  char* h = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h != nullptr) {
    host = h;
    curl_free(h);
  }
  curl_url_cleanup(u);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

// "Dec  7 18:17:07 2026 GMT" (OpenSSL's ASN1_TIME_print) → seconds since the epoch.
std::optional<int64_t> ParseCertTime(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%b %d %H:%M:%S %Y", &tm);
  if (end == nullptr) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

// The CN of an OpenSSL one-line name ("C = BR, CN = api.example.com" or "/CN=x").
std::string CommonName(const std::string& name) {
  for (std::string_view key : {"CN = ", "CN="}) {
    size_t p = name.find(key);
    if (p == std::string::npos) continue;
    p += key.size();
    size_t e = name.find_first_of(",/", p);
    return name.substr(p, e == std::string::npos ? std::string::npos : e - p);
  }
  return "";
}

bool HostMatchesCert(const std::string& host, const std::string& san, const std::string& subject) {
  if (!san.empty()) {
    // "DNS:localhost, IP Address:127.0.0.1"
    size_t p = 0;
    while (p < san.size()) {
      size_t e = san.find(',', p);
      std::string entry(ascii::TrimSpaces(
          std::string_view(san).substr(p, e == std::string::npos ? std::string::npos : e - p)));
      p = e == std::string::npos ? san.size() : e + 1;
      if (entry.rfind("DNS:", 0) == 0 && CertNameMatches(entry.substr(4), host)) return true;
      if (entry.rfind("IP Address:", 0) == 0 && entry.substr(11) == host) return true;
    }
    return false;  // RFC 6125: with SANs present, the CN is not consulted
  }
  const std::string cn = CommonName(subject);
  return !cn.empty() && CertNameMatches(cn, host);
}

void ReadCertificate(CURL* curl, const ProbeTarget& t, int64_t now_ns, ProbeResult* r) {
  curl_certinfo* ci = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == nullptr ||
      ci->num_of_certs <= 0) {
    return;
  }
  std::string expire, san;
  for (curl_slist* l = ci->certinfo[0]; l != nullptr; l = l->next) {
    std::string_view kv(l->data);
    const size_t colon = kv.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = kv.substr(0, colon);
    const std::string value(kv.substr(colon + 1));
    if (key == "Subject") r->cert_subject = value;
    if (key == "Issuer") r->cert_issuer = value;
    if (key == "Expire date") expire = value;
    if (key == "X509v3 Subject Alternative Name") san = value;
  }
  if (std::optional<int64_t> exp = ParseCertTime(expire)) {
    const double days = (static_cast<double>(*exp) - static_cast<double>(now_ns) / 1e9) / 86400.0;
    r->cert_expiry_days = std::floor(days * 100) / 100;
  }
  r->cert_hostname_ok = HostMatchesCert(HostOf(t.url), san, r->cert_subject);
  r->cert_state = "ok";
  if (r->cert_expiry_days) {
    if (*r->cert_expiry_days < t.tls_critical_days) {
      r->cert_state = "critical";
    } else if (*r->cert_expiry_days < t.tls_warning_days) {
      r->cert_state = "warning";
    }
  }
  if (!*r->cert_hostname_ok) r->cert_state = "critical";
}

// The text of the JSON field at dotted `path`, or nullopt when absent.
std::optional<std::string> JsonFieldText(const std::string& body, const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return std::nullopt;
  simdjson::dom::element cur = doc;
  size_t p = 0;
  while (p <= path.size()) {
    const size_t e = path.find('.', p);
    const std::string key = path.substr(p, e == std::string::npos ? std::string::npos : e - p);
    simdjson::dom::object obj;
    if (cur.get_object().get(obj)) return std::nullopt;
    if (obj[key].get(cur)) return std::nullopt;
    if (e == std::string::npos) break;
    p = e + 1;
  }
  switch (cur.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(cur.get_string().value());
    case simdjson::dom::element_type::INT64:
      return std::to_string(cur.get_int64().value());
    case simdjson::dom::element_type::UINT64:
      return std::to_string(cur.get_uint64().value());
    case simdjson::dom::element_type::DOUBLE: {
      std::string s;
      JsonWriter(&s).Double(cur.get_double().value());
      return s;
    }
    case simdjson::dom::element_type::BOOL:
      return cur.get_bool().value() ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    case simdjson::dom::element_type::ARRAY:
    case simdjson::dom::element_type::OBJECT:
      return simdjson::minify(cur);
  }
  return std::nullopt;
}

void RunHttp(const ProbeTarget& t, int64_t now_ns, ProbeResult* r) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    r->error = "curl_easy_init failed";
    return;
  }
  CURL* c = curl.get();
  std::string body;
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : t.headers) {
    headers.reset(curl_slist_append(headers.release(), (name + ": " + value).c_str()));
  }
  curl_easy_setopt(c, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(t.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t.timeout_ms));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "vigia-probe");
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  // The certificate is judged here (expiry, host name), not by curl's trust store, so
  // internal services with private CAs or self-signed certificates can be watched.
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
  const CURLcode rc = curl_easy_perform(c);
  double total = 0;
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
  r->latency_ms = total * 1000.0;
  if (t.url.rfind("https://", 0) == 0) ReadCertificate(c, t, now_ns, r);
  if (rc != CURLE_OK) {
    r->error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  r->status = static_cast<int>(status);
  if (t.expect_status != 0 ? status != t.expect_status : (status < 200 || status >= 400)) {
    r->error = "status " + std::to_string(status) +
               (t.expect_status != 0 ? ", expected " + std::to_string(t.expect_status)
                                     : ", expected 2xx or 3xx");
    return;
  }
  if (!t.expect_body.empty() && body.find(t.expect_body) == std::string::npos) {
    r->error = "body does not contain \"" + t.expect_body + "\"";
    return;
  }
  if (!t.expect_json_field.empty()) {
    std::optional<std::string> v = JsonFieldText(body, t.expect_json_field);
    if (!v) {
      r->error = "no JSON field " + t.expect_json_field + " in the body";
      return;
    }
    if (*v != t.expect_json_value) {
      r->error =
          t.expect_json_field + " is \"" + *v + "\", expected \"" + t.expect_json_value + "\"";
      return;
    }
  }
  if (r->cert_expiry_days && *r->cert_expiry_days < 0) {
    r->error = "certificate expired";
    return;
  }
  if (r->cert_hostname_ok && !*r->cert_hostname_ok) {
    r->error = "certificate does not name host " + HostOf(t.url);
    return;
  }
  r->ok = true;
}

void RunTcp(const ProbeTarget& t, ProbeResult* r) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    r->error = "curl_easy_init failed";
    return;
  }
  CURL* c = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  const std::string url = "http://" + t.address;  // CONNECT_ONLY: the TCP connection only
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t.timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(t.timeout_ms));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode rc = curl_easy_perform(c);
  double connect = 0;
  curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &connect);
  r->latency_ms = connect * 1000.0;
  if (rc != CURLE_OK) {
    r->error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return;
  }
  r->ok = true;
}

}  // namespace

const char* ProbeKindName(ProbeKind k) {
  switch (k) {
    case ProbeKind::kHttp:
      return "http";
    case ProbeKind::kTcp:
      return "tcp";
  }
  return "http";
}

bool CertNameMatches(const std::string& pattern, const std::string& host) {
  if (ascii::EqualsIgnoreCase(pattern, host)) return true;
  // "*.example.com" covers exactly one label: a.example.com, not a.b.example.com.
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    const size_t dot = host.find('.');
    return dot != std::string::npos && dot > 0 &&
           ascii::EqualsIgnoreCase(std::string_view(host).substr(dot),
                            std::string_view(pattern).substr(1));
  }
  return false;
}

ProbeResult RunProbe(const ProbeTarget& target, int64_t now_ns) {
  EnsureCurlInit();
  ProbeResult r;
  r.target = target.name;
  r.kind = target.kind;
  r.ts_ns = now_ns;
  switch (target.kind) {
    case ProbeKind::kHttp:
      RunHttp(target, now_ns, &r);
      break;
    case ProbeKind::kTcp:
      RunTcp(target, &r);
      break;
  }
  if (!r.ok && r.error.empty()) r.error = "failed";
  return r;
}

std::string ProbeEventLine(const ProbeResult& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("ts", FormatRfc3339(r.ts_ns)).KV("kind", "probe").KV("level", r.ok ? "info" : "warn");
  w.KV("service", "vigia").KV("target", r.target).KV("probe_kind", ProbeKindName(r.kind));
  w.KV("ok", r.ok).KV("latency_ms", std::round(r.latency_ms * 1000) / 1000);
  if (r.status != 0) w.KV("status", static_cast<int64_t>(r.status));
  std::string msg = "probe " + r.target + (r.ok ? " ok" : " failed");
  if (!r.ok) msg += ": " + r.error;
  w.KV("msg", msg);
  if (!r.error.empty()) w.KV("error", r.error);
  if (r.cert_expiry_days) w.KV("cert_expiry_days", *r.cert_expiry_days);
  if (!r.cert_issuer.empty()) w.KV("cert_issuer", r.cert_issuer);
  if (r.cert_hostname_ok) w.KV("cert_hostname_ok", *r.cert_hostname_ok);
  if (!r.cert_state.empty()) w.KV("cert_state", r.cert_state);
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace vigia
