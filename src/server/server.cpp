#include "server/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "common/heap_tuning.h"
#include "common/logger.h"
#include "common/scheduler.h"
#include "common/systemd_notify.h"
#include "server/api_keys.h"
#include "server/auth_check.h"
#include "server/http_server.h"
#include "server/router.h"
#include "server/server_context.h"
#include "server/server_modules.h"
#include "store/data_dir_lock.h"

namespace vigia {

namespace {

// Whether `host` only accepts connections from this machine.
bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

}  // namespace

struct Server::Impl {
  // First, so destroyed last: held from before anything in the data directory is opened
  // until everything is closed (Stop releases it).
  std::unique_ptr<DataDirLock> data_dir_lock;
  ServerConfig config;
  ApiKeys api_keys;
  std::unique_ptr<KeyStore> key_store;
  std::unique_ptr<RequestAuthenticator> authenticator;
  MetricRegistry metrics;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<RateLimiter> rate_limiter;  // outlives the router that points at it
  ServerContext ctx;  // points at the members above and at what the modules own
  // Before the router: its handlers (and the queries they run) end before the modules that
  // own what they use (the query backend, the store) are destroyed.
  std::vector<std::unique_ptr<ServerModule>> modules;
  size_t started = 0;  // modules whose Start succeeded (the first `started` of the list)
  Router router;
  std::unique_ptr<HttpServer> http;
  bool stopped = false;

  // Stops the scheduler, then the started modules in reverse order; the first error.
  Status StopModules() {
    if (scheduler) scheduler->Stop();
    Status first;
    for (size_t i = started; i-- > 0;) {
      Status st = modules[i]->Stop();
      if (!st.ok()) {
        logger::Error("module stop failed",
                      {{"module", modules[i]->name()}, {"error", st.ToString()}});
        if (first.ok()) first = st;
      }
    }
    started = 0;
    return first;
  }
};

Server::Server() : impl_(std::make_unique<Impl>()) {}

Server::~Server() {
  Status st = Stop();
  if (!st.ok()) logger::Error("stop failed", {{"error", st.ToString()}});
}

Result<std::unique_ptr<Server>> Server::Start(const ServerConfig& config, Env* env) {
  std::unique_ptr<Server> server(new Server());
  Impl& s = *server->impl_;
  s.config = config;
  s.ctx.env = env != nullptr ? env : Env::Default();
  s.ctx.start_monotonic_ns = s.ctx.env->MonotonicNanos();

  // One writer per data directory: a second server, or an offline command that writes it
  // (vigia keys create, erase --data, backup restore --force), is refused while this runs.
  if (!config.data_dir().empty()) {
    VIGIA_ASSIGN_OR_RETURN(s.data_dir_lock,
                           DataDirLock::Acquire(s.ctx.env, config.data_dir(), "vigia serve"));
  }
  const char* env_keys = std::getenv("VIGIA_API_KEYS");
  VIGIA_ASSIGN_OR_RETURN(s.api_keys, ApiKeys::Load(env_keys ? env_keys : "", config.api_keys_file));
  s.ctx.api_keys = &s.api_keys;
  VIGIA_ASSIGN_OR_RETURN(s.key_store, KeyStore::Open(s.ctx.env, config.data_dir()));
  s.ctx.key_store = s.key_store.get();
  s.authenticator = std::make_unique<RequestAuthenticator>(&s.api_keys, s.key_store.get());
  if (s.authenticator->open() && !IsLoopbackHost(config.http.host)) {
    // Open mode serves everything to whoever connects: fine on loopback, a leak elsewhere.
    if (!config.allow_open) {
      return Status::InvalidArgument(
          "refusing to listen on " + config.http.ListenAddress() +
          " without API keys: create one (vigia keys create --data DIR --role admin), set "
          "VIGIA_API_KEYS, or set auth.allow_open = true to serve without authentication");
    }
    logger::Warn("serving without authentication on a non-loopback address (auth.allow_open)",
                 {{"address", config.http.ListenAddress()}});
  }
  s.ctx.metrics = &s.metrics;
  SchedulerOptions so;
  so.env = s.ctx.env;
  s.scheduler = std::make_unique<Scheduler>(so);
  s.ctx.scheduler = s.scheduler.get();

  s.modules = BuiltinServerModules(config);
  for (const auto& m : s.modules) {
    Status st = m->Start(&s.ctx);
    if (!st.ok()) {
      (void)s.StopModules();
      return st;
    }
    ++s.started;
    s.ctx.modules.push_back(m.get());
  }
  // Every route states its Access (router.h); the authenticator resolves the principal of
  // each request to a non-public one. /health/* is public, so probes carry no secret.
  const RequestAuthenticator* auth = s.authenticator.get();
  s.router.SetAuthenticator([auth](const HttpRequest& req) { return auth->Authenticate(req); });
  s.rate_limiter = std::make_unique<RateLimiter>(config.rate_limit, &s.metrics);
  s.router.SetRateLimiter(s.rate_limiter.get());
  for (const auto& m : s.modules) m->RegisterRoutes(&s.router);
  s.scheduler->Start();

  s.http = std::make_unique<HttpServer>(config.http, &s.router, &s.metrics);
  if (Status st = s.http->Start(); !st.ok()) {
    (void)s.StopModules();
    return st;
  }
  logger::Info("listening", {{"address", config.http.ListenAddress()},
                             {"tls", config.http.tls()},
                             {"port", static_cast<int>(s.http->port())},
                             {"auth", !s.authenticator->open()},
                             {"stored_keys", static_cast<uint64_t>(s.key_store->ActiveCount())},
                             {"legacy_keys", static_cast<uint64_t>(s.api_keys.size())}});
  return server;
}

uint16_t Server::port() const { return impl_->http->port(); }

const Router& Server::router() const { return impl_->router; }

Scheduler& Server::scheduler() { return *impl_->scheduler; }

Status Server::Reload() {
  // The TLS certificate first: a rotated certificate must not wait for a module's files.
  Status first = impl_->http ? impl_->http->ReloadTls() : Status::Ok();
  for (auto& m : impl_->modules) {
    Status st = m->Reload();
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Status Server::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return Status::Ok();
  s.stopped = true;
  // The transport first: in-flight requests finish, tails end, nothing new comes in; then
  // the periodic tasks, then the modules in reverse order (the store last: the WAL durable).
  if (s.http) s.http->Shutdown();
  Status st = s.StopModules();
  s.data_dir_lock.reset();  // everything in the directory is closed
  return st;
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

namespace {

// A failed notification is logged, never fatal: the server serves either way.
void NotifySystemd(std::string_view state) {
  Status st = systemd::Notify(state);
  if (!st.ok()) logger::Warn("systemd notify failed", {{"error", st.ToString()}});
}

}  // namespace

int RunServerUntilSignal(const ServerConfig& config) {
  logger::Configure(config.log_level, config.log_format);
  uint64_t nofile = RaiseOpenFileLimit();
  const bool heap_tuned = ConfigureServerHeap();  // before any thread starts

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // reload (alert rules): Server::Reload
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client closing its socket mid-write must surface as an error, not kill the process.
  ::signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<Server>> server = Server::Start(config);
  if (!server.ok()) {
    logger::Error("cannot start", {{"error", server.status().ToString()}});
    return 1;
  }
  logger::Info("ready", {{"open_file_limit", nofile}, {"heap_tuning", heap_tuned}});
  NotifySystemd("READY=1\nSTATUS=serving");
  // Under a systemd watchdog the wait wakes up to ping; a hung process stops pinging and is
  // restarted.
  const int64_t ping_us = systemd::WatchdogPingIntervalUsec();
  if (ping_us > 0) NotifySystemd("WATCHDOG=1");
  int sig = 0;
  for (;;) {
    if (ping_us > 0) {
      timespec timeout{static_cast<time_t>(ping_us / 1'000'000),
                       static_cast<long>(ping_us % 1'000'000) * 1000};
      sig = sigtimedwait(&signals, nullptr, &timeout);
      if (sig < 0) {
        NotifySystemd("WATCHDOG=1");
        continue;
      }
    } else {
      sigwait(&signals, &sig);
    }
    if (sig != SIGHUP) break;
    logger::Info("reloading", {{"signal", "SIGHUP"}});
    NotifySystemd("RELOADING=1");
    Status reloaded = (*server)->Reload();
    if (!reloaded.ok()) logger::Error("reload failed", {{"error", reloaded.ToString()}});
    NotifySystemd("READY=1\nSTATUS=serving");
  }
  NotifySystemd("STOPPING=1");
  logger::Info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  Status st = (*server)->Stop();
  if (!st.ok()) {
    logger::Error("stop failed", {{"error", st.ToString()}});
    return 1;
  }
  logger::Info("stopped");
  return 0;
}

}  // namespace vigia
