// ServerConfig: every setting of `vigia serve`, and how it is assembled from its four
// sources. Precedence, highest first: command-line flags > environment (VIGIA_SECTION_KEY)
// > vigia.toml > built-in defaults (src/common/limits.h). Every key is documented in
// vigia.example.toml and docs/configuration.md; the table of keys lives in config.cpp so
// the file loader, the environment loader and the docs cannot drift apart.
//
// Thread-safety: a ServerConfig is a plain value; LoadConfig is thread-safe (it only reads
// the files and the environment it is given).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/logger.h"
#include "common/status.h"
#include "store/store.h"

namespace vigia {

struct ServerConfig {
  // [server]
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 7070;
  int threads = 0;  // 0 = one per core
  int idle_timeout_sec = limits::kIdleTimeoutSec;
  int request_timeout_sec = limits::kRequestReadTimeoutSec;
  int shutdown_grace_sec = limits::kShutdownGraceSec;
  uint64_t max_connections = limits::kMaxConnections;
  // [data]
  std::string data_dir = "./data";
  // [wal]
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  int sync_interval_ms = limits::kWalSyncIntervalMs;
  uint64_t segment_bytes = limits::kWalSegmentBytes;
  // [store]
  uint64_t memtable_flush_bytes = limits::kMemtableFlushBytes;
  int memtable_flush_age_ms = limits::kMemtableFlushAgeMs;
  // [retention]
  int retention_days = limits::kRetentionDays;  // 0 = keep forever
  uint64_t retention_max_disk_bytes = 0;        // 0 = no size limit
  int retention_interval_sec = limits::kRetentionIntervalMs / 1000;
  // [limits]
  uint64_t max_body_bytes = limits::kMaxBodyBytes;
  uint64_t max_header_bytes = limits::kMaxHeaderBytes;
  uint64_t max_line_bytes = limits::kMaxLineBytes;
  uint64_t max_fields_per_event = limits::kMaxFieldsPerEvent;
  uint64_t max_nesting_depth = limits::kMaxNestingDepth;
  // [query]
  uint64_t query_cache_bytes = limits::kQueryChunkCacheBytes;  // decoded-chunk cache bound
  // [ingest]
  // uap-core regexes.yaml for browser/os/device: "" = the copy next to the binary, else
  // Debian's uap-core package; "off" = no UA fields (UaFieldDeriver::ResolveRegexesPath).
  std::string ua_regexes;
  // [auth]
  std::string api_keys_file;  // empty = no file; keys may also come from VIGIA_API_KEYS
  // [log]
  LogLevel log_level = LogLevel::kInfo;
  logger::Format log_format = logger::Format::kAuto;
  int stats_interval_sec = limits::kStatsLogIntervalSec;  // 0 = no periodic stats line

  // "127.0.0.1:7070"
  std::string ListenAddress() const;
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
