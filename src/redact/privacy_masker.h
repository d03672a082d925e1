// PrivacyMasker: the personal-data masking of seed 003 (docs/security.md, "Privacy") — client
// IP addresses, user agents and the query strings of paths — as a BatchRedactor of the ingest
// pipeline. It runs after field derivation (browser, browser_version, os, os_version and
// device are already computed from the full user agent, so those statistics still work) and
// before the WAL: the full IP or user agent never reaches disk, the live tail or a query.
//
// What it does to a field, per PrivacyRule:
//   ip     none      kept
//          truncate  IPv4 to its /24 (203.0.113.7 → 203.0.113.0), IPv6 to its /48
//                    (2001:db8:85a3:8d3:… → 2001:db8:85a3::); a comma-separated list
//                    (X-Forwarded-For) element by element; a value that is not an address
//                    becomes "[masked:ip]"
//          hash      "[hmac:<16 hex>]", HMAC-SHA256 keyed like redaction's hash: the same
//                    address gives the same token, so "failures per IP" still groups
//   ua     full      kept
//          family    "<browser>/<browser_version>" from the derived fields ("Chrome/120.0");
//                    without them (UA rules off) the first product token ("Mozilla/5.0")
//   query  keep      kept
//          drop      "/search?q=ana" → "/search" (also the #fragment)
// IP fields: `ip` and any field whose last dotted segment is client_ip, remote_addr,
// remote_ip, x_forwarded_for, forwarded_for or x_real_ip. UA fields: `ua`, `*.user_agent`.
// Path fields: `path`, and any field whose last dotted segment is url, referer or referrer.
//
// Rules per service or tenant: PrivacyOptions::overrides are applied in order over the
// defaults, each setting only what it names (the last match wins for a setting). Masked values
// are counted in vigia_privacy_masked_total{what="ip|ua|query"}.
//
// Thread-safety: Redact is thread-safe (immutable state; counters are atomic).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metric_registry.h"
#include "common/status.h"
#include "ingest/ingest_pipeline.h"

namespace vigia::redact {

enum class IpMode : uint8_t { kNone, kTruncate, kHash };
enum class UaMode : uint8_t { kFull, kFamily };

struct PrivacyRule {
  IpMode ip = IpMode::kNone;
  UaMode ua = UaMode::kFull;
  bool drop_query = false;
  bool operator==(const PrivacyRule&) const = default;
};

// "tenant=acme: ip=hash ua=family query=drop": the settings named apply to the events of
// that tenant (or service).
struct PrivacyOverride {
  enum class Scope : uint8_t { kTenant, kService };
  Scope scope = Scope::kService;
  std::string value;
  std::optional<IpMode> ip;
  std::optional<UaMode> ua;
  std::optional<bool> drop_query;
};

// [privacy].
struct PrivacyOptions {
  PrivacyRule defaults;
  std::vector<PrivacyOverride> overrides;
  std::string hmac_key;  // required when any rule hashes IPs
  // Whether any rule masks anything (the ingest module adds no masker otherwise).
  bool active() const;
};

Result<IpMode> ParseIpMode(std::string_view s);  // none | truncate | hash
Result<UaMode> ParseUaMode(std::string_view s);  // full | family
// "service=web: ip=hash query=drop; tenant=acme: ip=none" (privacy.overrides).
Result<std::vector<PrivacyOverride>> ParsePrivacyOverrides(std::string_view text);

// The /24 (IPv4) or /48 (IPv6) network of `ip` in text form; nullopt when `ip` is not an
// address. Exposed for tests.
std::optional<std::string> TruncateIp(std::string_view ip);

class PrivacyMasker final : public BatchRedactor {
 public:
  // `metrics` may be null. InvalidArgument when a rule hashes and there is no key.
  static Result<std::unique_ptr<PrivacyMasker>> Make(PrivacyOptions options,
                                                     MetricRegistry* metrics);

  void Redact(std::string_view tenant, EventBatch* batch) const override;

  // The rule of an event of `tenant` and `service`.
  PrivacyRule RuleFor(std::string_view tenant, std::string_view service) const;

 private:
  PrivacyMasker(PrivacyOptions options, MetricRegistry* metrics);
  std::string MaskIp(std::string_view v, IpMode mode) const;
  std::string Hash(std::string_view v) const;

  const PrivacyOptions options_;
  Counter* masked_ip_ = nullptr;
  Counter* masked_ua_ = nullptr;
  Counter* masked_query_ = nullptr;
};

}  // namespace vigia::redact
