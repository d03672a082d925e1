// IngestModule: POST /v1/events, OTLP/HTTP logs (route_otlp.h), Loki push (route_loki.h). Loads the
// user-agent rules (in the background: until they are loaded /health/ready says "starting"), owns
// the live feed that stored batches go to (the query module's /v1/tail subscribes to it) and the
// IngestPipeline every protocol submits through (derivers: perf_class, the UA deriver, the error
// fingerprint; admission: the store's retention and max_future_sec) and the per-protocol counters
// every ingest route reports (ingest_metrics.h), and registers the ingest routes (ingest_routes.h,
// route_otlp.h, route_loki.h). Its redactors (PrivacyMasker: IPs, user agents, query strings;
// SecretRedactor: secrets and personal data) rewrite every protocol's events after derivation
// and before the WAL. Stops the live feed once
// the transport has stopped, so every tail
// has ended and no ingest can publish any more.
//
// Thread-safety: see ServerModule.
#pragma once

#include <memory>
#include <string>

#include "common/limits.h"
#include "errors/fingerprint_deriver.h"
#include "ingest/ingest_decoder.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/normalize/ua_field_deriver.h"
#include "redact/privacy_masker.h"
#include "redact/secret_redactor.h"
#include "server/ingest_metrics.h"
#include "server/route_elasticsearch.h"
#include "server/server_module.h"

namespace vigia {

// [ingest] and the per-event [limits].
struct IngestModuleOptions {
  uint64_t max_body_bytes = limits::kMaxBodyBytes;  // after decompression
  IngestLimits decode;
  // Events dated more than this ahead of the clock are refused; 0 = no limit.
  int64_t max_future_sec = limits::kMaxFutureSec;
  // uap-core regexes.yaml for browser/os/device: "" = the copy next to the binary, else
  // Debian's uap-core package; "off" = no UA fields (UaFieldDeriver::ResolveRegexesPath).
  std::string ua_regexes;
  // [elasticsearch]: the _bulk endpoints and their handshake (route_elasticsearch.h).
  ElasticsearchOptions elasticsearch;
  // Web origins allowed to call the ingest routes from a browser (cors_policy.h):
  // "https://app.example.com,https://admin.example.com", "*", or "" (no CORS).
  std::string cors_origins;
  // [redact]: secrets and personal data removed before the WAL (redact/secret_redactor.h).
  redact::RedactOptions redact;
  std::string redact_hmac_key_file;  // the key of redact.action = hash (and privacy ip = hash)
  // [privacy]: IP, user-agent and query-string masking before the WAL
  // (redact/privacy_masker.h); its hmac_key comes from redact_hmac_key_file.
  redact::PrivacyOptions privacy;
};

class IngestModule final : public ServerModule {
 public:
  explicit IngestModule(IngestModuleOptions options);
  ~IngestModule() override;

  std::string_view name() const override { return "ingest"; }
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Stop() override;
  // starting (with "ua_rules":"loading") until the user-agent rules are loaded.
  HealthState Health(JsonWriter* details) const override;

 private:
  const IngestModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<UaFieldDeriver> ua_;
  errors::FingerprintDeriver fingerprint_;
  std::unique_ptr<LiveFeed> live_feed_;
  std::unique_ptr<IngestMetrics> metrics_;
  std::unique_ptr<redact::SecretRedactor> redactor_;
  std::unique_ptr<redact::PrivacyMasker> masker_;  // null when no privacy rule masks anything
  std::unique_ptr<IngestPipeline> pipeline_;       // after ua_ and live_feed_: points at them
  CorsPolicy cors_;
};

}  // namespace vigia
