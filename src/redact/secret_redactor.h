// SecretRedactor: the server-side redaction of secrets and personal data at ingest, for every
// protocol — a BatchRedactor (ingest/ingest_pipeline.h) the ingest module puts in the
// pipeline, so it runs after field derivation and before the WAL: a redacted secret never
// reaches disk, the live tail or a query.
//
// Two kinds of finds:
//   secret_field  a field whose name (its last dotted segment, case-insensitive) is a secret
//                 name (password, token, authorization, cookie, reset, ...; configurable):
//                 the whole value goes, whatever its type
//   <detector>    a span inside a string value matched by a Detector (detectors.h: key=value
//                 secrets in free text, Bearer/Basic credentials, JWTs, URL parameters with
//                 secret names, cloud/GitHub/Stripe keys, PEM private keys, connection-string
//                 passwords, Luhn-valid card numbers, CPF/CNPJ with valid check digits;
//                 e-mails and phones opt-in): only the secret part goes
// All detectors are one RE2::Set, so a value is scanned once whatever their number; the
// individual patterns run only on the values the set matched, to find the spans. Before the
// set, one cheap pass (MayHoldSecret) skips the values no detector can match — every pattern
// needs '=', ':' or '@', 11 digits, or one of a few literal anchors (eyJ, AKIA, gh?_, sk_,
// -----BEGIN, bearer/basic, ...) — which is most values of a log; and the per-name decisions
// (secret name, skipped structural field) are cached per batch (field_name_cache.h).
//
// Actions (one for every detector): mask ("[redacted:<detector>]"), hash ("[hmac:<16 hex>]":
// HMAC-SHA256 with the configured key, so equal values stay joinable without being readable)
// or drop (the span disappears; a secret field becomes null). A redacted event gets a
// `redacted` field listing the detectors that fired (the "secrets in logs" KPI:
// `redacted:*`), and vigia_redactions_total{detector,service,field} counts each redaction.
//
// Thread-safety: Redact is thread-safe (the RE2 objects are; counters are atomic).
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/metric_registry.h"
#include "common/status.h"
#include "ingest/ingest_pipeline.h"
#include "redact/detectors.h"

namespace vigia::redact {

enum class RedactAction : uint8_t { kMask, kHash, kDrop };

// [redact].
struct RedactOptions {
  bool enabled = true;
  RedactAction action = RedactAction::kMask;
  // Field names whose whole value is secret (lower case); empty = the built-in list.
  std::vector<std::string> secret_keys;
  bool emails = false;  // opt-in personal data
  bool phones = false;
  // The HMAC key of action hash (a file's bytes); required for hash.
  std::string hmac_key;
};

// "mask", "hash", "drop".
Result<RedactAction> ParseRedactAction(std::string_view name);
// The built-in secret field names.
const std::vector<std::string>& DefaultSecretKeys();

class SecretRedactor final : public BatchRedactor {
 public:
  // `metrics` may be null (no counters). InvalidArgument when hash has no key.
  static Result<std::unique_ptr<SecretRedactor>> Make(RedactOptions options,
                                                      MetricRegistry* metrics);

  void Redact(std::string_view tenant, EventBatch* batch) const override;

  // The redacted form of `value` (for tests and the CLI): what Redact stores for a
  // free-text field. `hits` (may be null) gets the names of the detectors that fired.
  std::string RedactText(std::string_view value, std::vector<std::string>* hits) const;

 private:
  SecretRedactor(RedactOptions options, MetricRegistry* metrics);
  Status Init();
  struct Span {
    size_t begin, end;
    size_t detector;
  };
  // The spans to redact in `v` (merged, in order); empty when none.
  void FindSpans(std::string_view v, std::vector<Span>* spans) const;
  std::string Replacement(std::string_view secret, std::string_view detector) const;
  bool IsSecretKey(std::string_view field) const;
  // What Redact does with a field of this name.
  enum class FieldClass : uint8_t { kScan, kSkip, kSecret };
  FieldClass ClassOf(std::string_view name) const;
  void Count(std::string_view detector, std::string_view service, std::string_view field) const;

  const RedactOptions options_;
  MetricRegistry* const metrics_;
  std::vector<Detector> detectors_;
  std::vector<std::unique_ptr<RE2>> regexes_;
  std::unique_ptr<RE2::Set> set_;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, NameHash, std::equal_to<>> secret_keys_;
  uint64_t secret_key_lengths_ = 0;  // bit n: some secret key has n bytes (n < 64)
};

}  // namespace vigia::redact
