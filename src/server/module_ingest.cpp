#include "server/module_ingest.h"

#include <filesystem>

#include "common/logger.h"
#include "server/ingest_routes.h"
#include "server/live_feed.h"

namespace vigia {

IngestModule::IngestModule(IngestModuleOptions options) : options_(std::move(options)) {}

IngestModule::~IngestModule() = default;

Status IngestModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
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
  live_feed_ = std::make_unique<LiveFeed>(LiveFeed::Options{});
  ctx->max_body_bytes = options_.max_body_bytes;
  ctx->decode_limits = options_.decode;
  ctx->ua_classifier = ua_.get();
  ctx->live_feed = live_feed_.get();
  return Status::Ok();
}

void IngestModule::RegisterRoutes(Router* router) { AddIngestRoutes(ctx_, router); }

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
