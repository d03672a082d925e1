// ServerConfig: every setting of `vigia serve`, grouped by the part of the server that uses
// it — the transport's HttpServerOptions and each module's options struct — and how it is
// assembled from its four sources. Precedence, highest first: command-line flags >
// environment (VIGIA_SECTION_KEY) > vigia.toml > built-in defaults (src/common/limits.h).
// Every key is documented in vigia.example.toml and docs/configuration.md; the table of keys
// in config.cpp maps each key to the struct member it sets, so the file loader, the
// environment loader and the docs cannot drift apart, and a module's options reach it
// without being copied field by field.
//
// A new module with settings: its options struct in its header (module_<name>.h), one
// member here, one row per key in config.cpp's table, and the docs.
//
// Thread-safety: a ServerConfig is a plain value; LoadConfig is thread-safe (it only reads
// the files and the environment it is given).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/logger.h"
#include "common/status.h"
#include "server/http_server.h"
#include "server/module_alerts.h"
#include "server/module_audit.h"
#include "server/module_backup.h"
#include "server/module_cluster.h"
#include "server/module_dashboard.h"
#include "server/module_disk.h"
#include "server/module_errors.h"
#include "server/module_ingest.h"
#include "server/module_monitor.h"
#include "server/module_query.h"
#include "server/module_store.h"
#include "server/rate_limiter.h"
#include "server/syslog_listener.h"

namespace vigia {

struct ServerConfig {
  // [server], limits.max_header_bytes, limits.max_body_bytes (as sent)
  HttpServerOptions http;
  // [data], [wal], [store], [retention], log.stats_interval_sec
  StoreModuleOptions store;
  // [disk]
  DiskModuleOptions disk;
  // [ingest], limits.max_body_bytes (decompressed), limits.max_line_bytes, ...
  IngestModuleOptions ingest;
  // [syslog]
  SyslogOptions syslog;
  // [query]
  QueryModuleOptions query;
  // [backup]
  BackupModuleOptions backup;
  // [alerts]
  AlertsModuleOptions alerts;
  // [cluster]
  ClusterModuleOptions cluster;
  // [monitor]
  MonitorModuleOptions monitor;
  // [errors]
  ErrorsModuleOptions errors;
  // [dashboard]
  DashboardModuleOptions dashboard;
  // [audit] (its fsync settings come from [wal]: see BuiltinServerModules)
  AuditModuleOptions audit;
  // [rate_limit]
  RateLimitOptions rate_limit;
  // [auth]
  std::string api_keys_file;  // empty = no file; keys may also come from VIGIA_API_KEYS
  // Serve a non-loopback address with no key configured (open mode: everyone is admin).
  bool allow_open = false;
  // [log]
  LogLevel log_level = LogLevel::kInfo;
  logger::Format log_format = logger::Format::kAuto;

  const std::string& data_dir() const { return store.store.data_dir; }
};

// Values given on the command line; unset ones do not override anything.
struct ConfigFlags {
  std::optional<std::string> config_file;
  std::optional<std::string> data_dir;
  std::optional<std::string> listen;
};

// Reads an environment variable; injectable so tests need not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvLookup();

// Builds the configuration from defaults, the TOML file (flags.config_file, else
// VIGIA_CONFIG, else none), the environment and the flags, then validates it. Errors name
// the source and the key: "vigia.toml: wal.fsync: expected one of always, interval, never".
Result<ServerConfig> LoadConfig(const ConfigFlags& flags, const EnvLookup& env);

// Parses "host:port" / "[v6]:port" / ":port" (host defaults to 127.0.0.1).
Status ParseListenAddress(const std::string& text, std::string* host, uint16_t* port);

// The configuration keys as "section.key" in documentation order (for docs and tests).
std::vector<std::string> ConfigKeyNames();

}  // namespace vigia
