#include "server/module_ingest.h"

#include <filesystem>

#include "common/logger.h"
#include "server/ingest_routes.h"
#include "server/live_feed.h"
#include "server/route_loki.h"
#include "server/route_otlp.h"
#include "server/route_sentry.h"

namespace vigia {

IngestModule::IngestModule(IngestModuleOptions options) : options_(std::move(options)) {}

IngestModule::~IngestModule() = default;

Status IngestModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  VIGIA_ASSIGN_OR_RETURN(cors_, CorsPolicy::Parse(options_.cors_origins));
  // UA rules load in the background (~1 s); the first event with a ua waits for them.
  std::string ua_rules = UaFieldDeriver::ResolveRegexesPath(options_.ua_regexes);
  if (!options_.ua_regexes.empty() && options_.ua_regexes != "off" &&
      !std::filesystem::is_regular_file(ua_rules)) {
    return Status::InvalidArgument("ingest.ua_regexes: no such file " + ua_rules);
  }
  if (!ua_rules.empty()) {
    ua_ = UaFieldDeriver::LoadFileInBackground(ua_rules);
  } else if (options_.ua_regexes != "off") {
    logger::Warn("no uap-core regexes.yaml found: events get no browser/os/device",
                 {{"hint", "set ingest.ua_regexes or apt-get install uap-core"}});
  }
  logger::Info("ua rules", {{"path", ua_rules.empty() ? "off" : ua_rules}});
  if (ctx->store == nullptr) return Status::Internal("ingest module needs the store module");
  live_feed_ = std::make_unique<LiveFeed>(LiveFeed::Options{});
  IngestPipelineOptions po;
  po.store = ctx->store;
  po.sink = live_feed_.get();
  po.limits = options_.decode;
  if (ua_) po.derivers.push_back(ua_.get());
  po.derivers.push_back(&fingerprint_);
  po.commit_hooks = ctx->commit_hooks;
  po.gates = ctx->ingest_gates;
  redact::RedactOptions ro = options_.redact;
  if (!options_.redact_hmac_key_file.empty()) {
    Result<std::string> key = ctx->env->ReadFileToString(options_.redact_hmac_key_file);
    if (!key.ok())
      return Status::InvalidArgument("redact.hmac_key_file: " + key.status().ToString());
    ro.hmac_key = std::move(*key);
  }
  if (options_.privacy.active()) {
    redact::PrivacyOptions pv = options_.privacy;
    pv.hmac_key = ro.hmac_key;
    VIGIA_ASSIGN_OR_RETURN(masker_, redact::PrivacyMasker::Make(std::move(pv), ctx->metrics));
    po.redactors.push_back(masker_.get());
  }
  VIGIA_ASSIGN_OR_RETURN(redactor_, redact::SecretRedactor::Make(std::move(ro), ctx->metrics));
  if (options_.redact.enabled) po.redactors.push_back(redactor_.get());
  for (const BatchRedactor* r : ctx->batch_redactors) po.redactors.push_back(r);
  po.retention_days = ctx->retention_days;
  po.max_future_ns = options_.max_future_sec * 1'000'000'000;
  po.env = ctx->env;
  po.service_by_target = options_.elasticsearch.index_services;
  pipeline_ = std::make_unique<IngestPipeline>(std::move(po));
  ctx->max_body_bytes = options_.max_body_bytes;
  ctx->ingest = pipeline_.get();
  ctx->live_feed = live_feed_.get();
  metrics_ = std::make_unique<IngestMetrics>(ctx->metrics);
  ctx->ingest_metrics = metrics_.get();
  return Status::Ok();
}

void IngestModule::RegisterRoutes(Router* router) {
  AddIngestRoutes(ctx_, router);
  AddOtlpRoutes(ctx_, router);
  AddLokiRoutes(ctx_, router);
  AddElasticsearchRoutes(ctx_, &options_.elasticsearch, router);
  AddSentryRoutes(ctx_, router);
  // Every ingest route a browser or mobile web app may post to.
  for (const char* path : {"/v1/events", "/v1/logs", "/otlp/v1/logs", "/loki/api/v1/push", "/_bulk",
                           "/{index}/_bulk"}) {
    router->AddCors(path, &cors_);
  }
  for (const char* path : kSentryRoutePaths) router->AddCors(path, &cors_);
}

Status IngestModule::Stop() {
  if (live_feed_) live_feed_->Stop();
  return Status::Ok();
}

HealthState IngestModule::Health(JsonWriter* details) const {
  // While the user-agent rules load (~1 s; much longer under sanitizers) an ingest of an
  // event with `ua` waits for them: not ready yet, so a load balancer holds traffic back.
  if (ua_ == nullptr || ua_->IsLoaded()) return HealthState::kOk;
  details->KV("ua_rules", "loading");
  return HealthState::kStarting;
}

}  // namespace vigia
