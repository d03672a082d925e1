#include "server/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "common/logger.h"
#include "event/derived_fields.h"
#include "query/chunk_cache.h"
#include "query/local_store_backend.h"
#include "server/api_keys.h"
#include "server/auth_check.h"
#include "server/health_routes.h"
#include "server/http_server.h"
#include "server/ingest_routes.h"
#include "server/live_feed.h"
#include "server/route_query.h"
#include "server/route_tail.h"
#include "server/router.h"
#include "server/server_context.h"
#include "server/stats_routes.h"

namespace vigia {

struct Server::Impl {
  ServerConfig config;
  std::unique_ptr<Store> store;
  // Every query, trace and tail backfill runs here. After the store, before the router:
  // destroyed after the routes' running queries have ended, before the store.
  std::unique_ptr<QueryBackend> query_backend;
  ApiKeys api_keys;
  std::unique_ptr<LiveFeed> live_feed;  // before ctx and http, which point at it
  std::unique_ptr<UaFieldDeriver> ua;   // declared before ctx, which points at it
  ServerContext ctx;
  Router router;
  std::unique_ptr<HttpServer> http;
  bool stopped = false;
};

Server::Server() : impl_(std::make_unique<Impl>()) {}

Server::~Server() {
  Status st = Stop();
  if (!st.ok()) logger::Error("store close failed", {{"error", st.ToString()}});
}

Result<std::unique_ptr<Server>> Server::Start(const ServerConfig& config) {
  std::unique_ptr<Server> server(new Server());
  Impl& s = *server->impl_;
  s.config = config;
  s.ctx.start_monotonic_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();

  const char* env_keys = std::getenv("VIGIA_API_KEYS");
  VIGIA_ASSIGN_OR_RETURN(s.api_keys, ApiKeys::Load(env_keys ? env_keys : "", config.api_keys_file));

  ChunkCache::Default().SetCapacity(config.query_cache_bytes);
  StoreOptions so;
  so.data_dir = config.data_dir;
  so.fsync = config.fsync;
  so.sync_interval_ms = config.sync_interval_ms;
  so.wal_segment_bytes = config.segment_bytes;
  so.memtable_flush_bytes = config.memtable_flush_bytes;
  so.memtable_flush_age_ms = config.memtable_flush_age_ms;
  so.retention.days = config.retention_days;
  so.retention.max_disk_bytes = config.retention_max_disk_bytes;
  so.retention_interval_ms = config.retention_interval_sec * 1000;
  so.stats_log_interval_ms = config.stats_interval_sec * 1000;
  VIGIA_ASSIGN_OR_RETURN(s.store, Store::Open(so));
  StoreStats stats = s.store->Stats();
  logger::Info("store opened", {{"data_dir", config.data_dir},
                                {"events", stats.events},
                                {"wal_records_replayed", stats.wal_records_replayed},
                                {"wal_corrupt_records", stats.wal_corrupt_records},
                                {"wal_torn_tail_bytes", stats.wal_torn_tail_bytes}});

  s.ctx.store = s.store.get();
  s.ctx.api_keys = &s.api_keys;
  s.ctx.data_dir = config.data_dir;
  s.ctx.max_body_bytes = config.max_body_bytes;
  s.ctx.decode_limits.max_line_bytes = config.max_line_bytes;
  s.ctx.decode_limits.max_fields = config.max_fields_per_event;
  s.ctx.decode_limits.max_depth = config.max_nesting_depth;
  // UA rules load in the background (~1 s); the first event with a ua waits for them.
  std::string ua_rules = UaFieldDeriver::ResolveRegexesPath(config.ua_regexes);
  if (!config.ua_regexes.empty() && config.ua_regexes != "off" &&
      !std::filesystem::is_regular_file(ua_rules)) {
    return Status::InvalidArgument("ingest.ua_regexes: no such file " + ua_rules);
  }
  if (!ua_rules.empty()) {
    s.ua = UaFieldDeriver::LoadFileInBackground(ua_rules);
    s.ctx.ua_classifier = s.ua.get();
    s.ctx.ua_rules = s.ua.get();
  } else if (config.ua_regexes != "off") {
    logger::Warn("no uap-core regexes.yaml found: events get no browser/os/device",
                 {{"hint", "set ingest.ua_regexes or apt-get install uap-core"}});
  }
  logger::Info("ua rules", {{"path", ua_rules.empty() ? "off" : ua_rules}});
  // Everything under /v1/ (ingest, query, trace, tail, stats) needs a key when keys are set;
  // /health/* never does, so probes carry no secret.
  const ApiKeys* keys = &s.api_keys;
  s.router.AddGuard("/v1/", [keys](const HttpRequest& req, HttpResponse* resp) {
    return RequireApiKey(*keys, req, resp);
  });
  AddHealthRoutes(&s.ctx, &s.router);
  AddStatsRoutes(&s.ctx, &s.router);
  s.live_feed = std::make_unique<LiveFeed>(LiveFeed::Options{});
  s.ctx.live_feed = s.live_feed.get();
  AddIngestRoutes(&s.ctx, &s.router);
  s.query_backend = std::make_unique<LocalStoreBackend>(s.store.get());
  TailRouteOptions tail;
  tail.backend = s.query_backend.get();  // for `since` backfills
  AddTailRoutes(&s.router, s.live_feed.get(), std::move(tail));
  AddQueryRoutes(&s.router, s.query_backend.get());

  HttpServerOptions ho;
  ho.host = config.listen_host;
  ho.port = config.listen_port;
  ho.threads = config.threads;
  ho.idle_timeout_sec = config.idle_timeout_sec;
  ho.request_timeout_sec = config.request_timeout_sec;
  ho.shutdown_grace_sec = config.shutdown_grace_sec;
  ho.max_connections = config.max_connections;
  ho.max_header_bytes = config.max_header_bytes;
  ho.max_body_bytes = config.max_body_bytes;
  s.http = std::make_unique<HttpServer>(ho, &s.router);
  VIGIA_RETURN_IF_ERROR(s.http->Start());
  logger::Info("listening", {{"address", config.ListenAddress()},
                             {"port", static_cast<int>(s.http->port())},
                             {"auth", s.api_keys.enabled()}});
  return server;
}

uint16_t Server::port() const { return impl_->http->port(); }

Status Server::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return Status::Ok();
  s.stopped = true;
  if (s.http) s.http->Shutdown();
  // After the transport: tails have ended and no ingest can publish any more.
  if (s.live_feed) s.live_feed->Stop();
  if (s.store) return s.store->Close();
  return Status::Ok();
}

uint64_t RaiseOpenFileLimit() {
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

int RunServerUntilSignal(const ServerConfig& config) {
  logger::Configure(config.log_level, config.log_format);
  uint64_t nofile = RaiseOpenFileLimit();

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client closing its socket mid-write must surface as an error, not kill the process.
  ::signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<Server>> server = Server::Start(config);
  if (!server.ok()) {
    logger::Error("cannot start", {{"error", server.status().ToString()}});
    return 1;
  }
  logger::Info("ready", {{"open_file_limit", nofile}});
  int sig = 0;
  sigwait(&signals, &sig);
  logger::Info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  Status st = (*server)->Stop();
  if (!st.ok()) {
    logger::Error("store close failed", {{"error", st.ToString()}});
    return 1;
  }
  logger::Info("stopped");
  return 0;
}

}  // namespace vigia
