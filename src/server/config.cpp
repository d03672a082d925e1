#include "server/config.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <variant>

#include <toml++/toml.h>

#include "clickhouse/clickhouse_lease_table.h"

namespace vigia {
namespace {

// A value from any source: TOML gives typed values, the environment and flags give text.
struct RawValue {
  std::variant<std::string, int64_t> v;
  bool from_text = false;  // env/flag text: integers must be parsed from the string
};

Result<int64_t> AsInt(const RawValue& raw, int64_t min, int64_t max) {
  int64_t value = 0;
  if (const auto* i = std::get_if<int64_t>(&raw.v)) {
    value = *i;
  } else {
    const std::string& s = std::get<std::string>(raw.v);
    if (!raw.from_text) return Status::InvalidArgument("expected an integer, got a string");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
      return Status::InvalidArgument("expected an integer, got \"" + s + "\"");
    }
  }
  if (value < min || value > max) {
    return Status::InvalidArgument("must be between " + std::to_string(min) + " and " +
                                   std::to_string(max) + ", got " + std::to_string(value));
  }
  return value;
}

Result<std::string> AsString(const RawValue& raw) {
  if (const auto* s = std::get_if<std::string>(&raw.v)) return *s;
  return Status::InvalidArgument("expected a string, got an integer");
}

// "a, b,c" → {"a", "b", "c"}: the items of a comma-separated list, trimmed, empty ones left out.
std::vector<std::string> CommaList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string k = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!k.empty() && k.front() == ' ') k.erase(k.begin());
    while (!k.empty() && k.back() == ' ') k.pop_back();
    if (!k.empty()) out.push_back(k);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// true/false (TOML booleans arrive as that text), also 1/0 from the environment.
Result<bool> AsBool(const RawValue& raw) {
  const auto* s = std::get_if<std::string>(&raw.v);
  if (s != nullptr && (*s == "true" || *s == "1")) return true;
  if (s != nullptr && (*s == "false" || *s == "0")) return false;
  return Status::InvalidArgument("expected true or false");
}

using Apply = Status (*)(ServerConfig*, const RawValue&);

struct KeyDesc {
  const char* section;
  const char* key;
  Apply apply;
};

constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxBytes = int64_t{1} << 40;

template <typename T>
Status SetInt(const RawValue& raw, int64_t min, int64_t max, T* out) {
  VIGIA_ASSIGN_OR_RETURN(int64_t v, AsInt(raw, min, max));
  *out = static_cast<T>(v);
  return Status::Ok();
}

const std::vector<KeyDesc>& Keys() {
  static const std::vector<KeyDesc> keys = {
      {"server", "listen",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         return ParseListenAddress(s, &c->http.host, &c->http.port);
       }},
      {"server", "threads",
       [](ServerConfig* c, const RawValue& r) { return SetInt(r, 0, 1024, &c->http.threads); }},
      {"server", "ingest_threads",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, -1, 1024, &c->http.ingest_threads);
       }},
      {"server", "ingest_queue_max_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, kMaxBytes, &c->http.ingest_queue_max_bytes);
       }},
      {"server", "idle_timeout_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 86400, &c->http.idle_timeout_sec);
       }},
      {"server", "request_timeout_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 86400, &c->http.request_timeout_sec);
       }},
      {"server", "shutdown_grace_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 3600, &c->http.shutdown_grace_sec);
       }},
      {"server", "max_connections",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 1000000, &c->http.max_connections);
       }},
      {"server", "tls_cert_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->http.tls_cert_file, AsString(r));
         return Status::Ok();
       }},
      {"server", "tls_key_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->http.tls_key_file, AsString(r));
         return Status::Ok();
       }},
      {"data", "dir",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s.empty()) return Status::InvalidArgument("must not be empty");
         c->store.store.data_dir = s;
         return Status::Ok();
       }},
      {"storage", "backend",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         VIGIA_RETURN_IF_ERROR(FindStorageBackend(s).status());
         c->store.backend = s;
         return Status::Ok();
       }},
      {"clickhouse", "url",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) {
           return Status::InvalidArgument("expected http://host:port, got \"" + s + "\"");
         }
         c->store.clickhouse.url = s;
         return Status::Ok();
       }},
      {"clickhouse", "user",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->store.clickhouse.user, AsString(r));
         return Status::Ok();
       }},
      {"clickhouse", "password",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->store.clickhouse.password, AsString(r));
         return Status::Ok();
       }},
      {"clickhouse", "database",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s.empty()) return Status::InvalidArgument("must not be empty");
         c->store.clickhouse.database = s;
         return Status::Ok();
       }},
      {"clickhouse", "cluster",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->store.clickhouse.cluster, AsString(r));
         return Status::Ok();
       }},
      {"clickhouse", "partial_results",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->store.clickhouse.partial_results, AsBool(r));
         return Status::Ok();
       }},
      {"clickhouse", "insert_quorum",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 16, &c->store.clickhouse.insert_quorum);
       }},
      {"clickhouse", "insert_concurrency",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 64, &c->store.clickhouse.insert_concurrency);
       }},
      {"clickhouse", "max_backlog_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1 << 20, kMaxBytes, &c->store.clickhouse.max_backlog_bytes);
       }},
      {"cluster", "node_id",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (!clickhouse::ValidNodeId(s)) {
           return Status::InvalidArgument("expected 1-64 of A-Z a-z 0-9 . _ -, got \"" + s + "\"");
         }
         c->cluster.node_id = s;
         return Status::Ok();
       }},
      {"cluster", "lease_ttl_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1000, 3'600'000, &c->cluster.lease_ttl_ms);
       }},
      {"cluster", "lease_renew_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 100, 1'800'000, &c->cluster.lease_renew_ms);
       }},
      {"wal", "fsync",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s == "always") {
           c->store.store.fsync = FsyncPolicy::kAlways;
         } else if (s == "interval") {
           c->store.store.fsync = FsyncPolicy::kInterval;
         } else if (s == "never") {
           c->store.store.fsync = FsyncPolicy::kNever;
         } else {
           return Status::InvalidArgument("expected one of always, interval, never; got \"" + s +
                                          "\"");
         }
         return Status::Ok();
       }},
      {"wal", "sync_interval_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 60000, &c->store.store.sync_interval_ms);
       }},
      {"wal", "segment_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1 << 20, kMaxBytes, &c->store.store.wal_segment_bytes);
       }},
      {"store", "memtable_flush_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1024, kMaxBytes, &c->store.store.memtable_flush_bytes);
       }},
      {"store", "memtable_max_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, kMaxBytes, &c->store.store.memtable_max_bytes);
       }},
      {"store", "memtable_flush_age_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 10, 3'600'000, &c->store.store.memtable_flush_age_ms);
       }},
      {"retention", "days",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 36500, &c->store.store.retention.days);
       }},
      {"retention", "max_disk_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, kMaxBytes * 1024, &c->store.store.retention.max_disk_bytes);
       }},
      {"retention", "rules",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         VIGIA_ASSIGN_OR_RETURN(c->store.store.retention.rules, ParseRetentionRules(s));
         return Status::Ok();
       }},
      {"retention", "interval_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 86400, &c->store.retention_interval_sec);
       }},
      {"disk", "reserve_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, kMaxBytes * 1024, &c->disk.reserve_bytes);
       }},
      {"disk", "low_watermark_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, kMaxBytes * 1024, &c->disk.low_watermark_bytes);
       }},
      {"disk", "low_watermark_drop",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->disk.low_watermark_drop, AsBool(r));
         return Status::Ok();
       }},
      {"disk", "check_interval_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 3600, &c->disk.check_interval_sec);
       }},
      {"backup", "target",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.target, AsString(r));
         return Status::Ok();
       }},
      {"backup", "key_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.key_file, AsString(r));
         return Status::Ok();
       }},
      {"backup", "passphrase_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.passphrase_file, AsString(r));
         return Status::Ok();
       }},
      {"backup", "interval_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, int64_t{366} * 86400, &c->backup.interval_sec);
       }},
      {"backup", "schedule",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.schedule, AsString(r));
         return Status::Ok();
       }},
      {"backup", "at",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.at, AsString(r));
         return Status::Ok();
       }},
      {"backup", "timezone",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.timezone, AsString(r));
         return Status::Ok();
       }},
      {"backup", "keep_last",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 100000, &c->backup.retention.keep_last);
       }},
      {"backup", "keep_daily",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 100000, &c->backup.retention.keep_daily);
       }},
      {"backup", "keep_weekly",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 100000, &c->backup.retention.keep_weekly);
       }},
      {"backup", "keep_monthly",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 100000, &c->backup.retention.keep_monthly);
       }},
      {"backup", "max_age_days",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 36500, &c->backup.retention.max_age_days);
       }},
      {"backup", "verify",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s == "never") {
           c->backup.verify = BackupVerifyPolicy::kNever;
         } else if (s == "each") {
           c->backup.verify = BackupVerifyPolicy::kEach;
         } else if (s == "weekly") {
           c->backup.verify = BackupVerifyPolicy::kWeekly;
         } else {
           return Status::InvalidArgument("expected one of never, each, weekly; got \"" + s + "\"");
         }
         return Status::Ok();
       }},
      {"backup", "report_dir",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->backup.report_dir, AsString(r));
         return Status::Ok();
       }},
      {"limits", "max_body_bytes",
       [](ServerConfig* c, const RawValue& r) {
         // One limit for the body as sent and as decompressed.
         VIGIA_RETURN_IF_ERROR(SetInt(r, 1, kMaxBytes, &c->http.max_body_bytes));
         c->ingest.max_body_bytes = c->http.max_body_bytes;
         return Status::Ok();
       }},
      {"limits", "max_header_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1024, 1 << 20, &c->http.max_header_bytes);
       }},
      {"limits", "max_line_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 64, kMaxBytes, &c->ingest.decode.max_line_bytes);
       }},
      {"limits", "max_fields_per_event",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, kMaxInt, &c->ingest.decode.max_fields);
       }},
      {"limits", "max_nesting_depth",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 1024, &c->ingest.decode.max_depth);
       }},
      {"query", "cache_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, kMaxBytes, &c->query.cache_bytes);
       }},
      {"query", "timeout_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 100, 3'600'000, &c->query.routes.timeout_ms);
       }},
      {"query", "max_concurrent",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 1024, &c->query.routes.max_concurrent);
       }},
      {"query", "max_concurrent_per_key",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 1024, &c->query.routes.max_concurrent_per_key);
       }},
      {"tail", "cluster_poll_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 100, 60'000, &c->query.tail_cluster_poll_ms);
       }},
      {"tail", "cluster_lag_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 3'600'000, &c->query.tail_cluster_lag_ms);
       }},
      {"rate_limit", "key_ingest_per_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 10'000'000, &c->rate_limit.key_ingest_per_sec);
       }},
      {"rate_limit", "key_ingest_burst",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 10'000'000, &c->rate_limit.key_ingest_burst);
       }},
      {"rate_limit", "key_query_per_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 10'000'000, &c->rate_limit.key_query_per_sec);
       }},
      {"rate_limit", "key_query_burst",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 10'000'000, &c->rate_limit.key_query_burst);
       }},
      {"rate_limit", "ip_per_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 10'000'000, &c->rate_limit.ip_per_sec);
       }},
      {"rate_limit", "ip_burst",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 10'000'000, &c->rate_limit.ip_burst);
       }},
      {"ingest", "max_future_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, int64_t{3650} * 86400, &c->ingest.max_future_sec);
       }},
      {"ingest", "ua_regexes",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.ua_regexes, AsString(r));
         return Status::Ok();
       }},
      {"alerts", "rules_dir",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->alerts.rules_dir, AsString(r));
         return Status::Ok();
       }},
      {"alerts", "notify_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->alerts.notify_file, AsString(r));
         return Status::Ok();
       }},
      {"alerts", "error_group_alerts",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->alerts.error_group_alerts, AsBool(r));
         return Status::Ok();
       }},
      {"alerts", "error_group_resolve_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, int64_t{7} * 86400, &c->alerts.error_group_resolve_sec);
       }},
      {"monitor", "kpis_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->monitor.kpis_file, AsString(r));
         return Status::Ok();
       }},
      {"monitor", "probe_concurrency",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 64, &c->monitor.probe_concurrency);
       }},
      {"monitor", "disk_free_yellow_percent",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 100, &c->monitor.disk_free_yellow_percent);
       }},
      {"monitor", "disk_free_red_percent",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 100, &c->monitor.disk_free_red_percent);
       }},
      {"monitor", "red_max_series",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 1'000'000, &c->monitor.red_max_series);
       }},
      {"ingest", "cors_origins",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.cors_origins, AsString(r));
         return CorsPolicy::Parse(c->ingest.cors_origins).status();
       }},
      {"elasticsearch", "version",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.elasticsearch.version, AsString(r));
         if (c->ingest.elasticsearch.version.empty()) {
           return Status::InvalidArgument("must not be empty");
         }
         return Status::Ok();
       }},
      {"elasticsearch", "cluster_name",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.elasticsearch.cluster_name, AsString(r));
         return Status::Ok();
       }},
      {"elasticsearch", "index_services",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         return ParseIndexServices(s, &c->ingest.elasticsearch.index_services);
       }},
      {"syslog", "udp_listen",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->syslog.udp_listen, AsString(r));
         if (c->syslog.udp_listen.empty()) return Status::Ok();
         std::string host;
         uint16_t port = 0;
         return ParseListenAddress(c->syslog.udp_listen, &host, &port);
       }},
      {"syslog", "tcp_listen",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->syslog.tcp_listen, AsString(r));
         if (c->syslog.tcp_listen.empty()) return Status::Ok();
         std::string host;
         uint16_t port = 0;
         return ParseListenAddress(c->syslog.tcp_listen, &host, &port);
       }},
      {"syslog", "tls_listen",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->syslog.tls_listen, AsString(r));
         if (c->syslog.tls_listen.empty()) return Status::Ok();
         std::string host;
         uint16_t port = 0;
         return ParseListenAddress(c->syslog.tls_listen, &host, &port);
       }},
      {"syslog", "tls_cert_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->syslog.tls_cert_file, AsString(r));
         return Status::Ok();
       }},
      {"syslog", "tls_key_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->syslog.tls_key_file, AsString(r));
         return Status::Ok();
       }},
      {"syslog", "tls_client_ca_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->syslog.tls_client_ca_file, AsString(r));
         return Status::Ok();
       }},
      {"syslog", "max_message_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 480, int64_t{1} << 20, &c->syslog.max_message_bytes);
       }},
      {"syslog", "max_pending_bytes",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, int64_t{1} << 16, kMaxBytes, &c->syslog.max_pending_bytes);
       }},
      {"syslog", "batch_messages",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 1'000'000, &c->syslog.batch_messages);
       }},
      {"syslog", "batch_delay_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 60'000, &c->syslog.batch_delay_ms);
       }},
      {"auth", "api_keys_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->api_keys_file, AsString(r));
         return Status::Ok();
       }},
      {"redact", "enabled",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.redact.enabled, AsBool(r));
         return Status::Ok();
       }},
      {"redact", "action",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         VIGIA_ASSIGN_OR_RETURN(c->ingest.redact.action, redact::ParseRedactAction(s));
         return Status::Ok();
       }},
      {"redact", "secret_keys",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         c->ingest.redact.secret_keys = CommaList(s);
         return Status::Ok();
       }},
      {"redact", "emails",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.redact.emails, AsBool(r));
         return Status::Ok();
       }},
      {"redact", "phones",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.redact.phones, AsBool(r));
         return Status::Ok();
       }},
      {"redact", "hmac_key_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.redact_hmac_key_file, AsString(r));
         return Status::Ok();
       }},
      {"privacy", "ip",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         VIGIA_ASSIGN_OR_RETURN(c->ingest.privacy.defaults.ip, redact::ParseIpMode(s));
         return Status::Ok();
       }},
      {"privacy", "ua",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         VIGIA_ASSIGN_OR_RETURN(c->ingest.privacy.defaults.ua, redact::ParseUaMode(s));
         return Status::Ok();
       }},
      {"privacy", "drop_query",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->ingest.privacy.defaults.drop_query, AsBool(r));
         return Status::Ok();
       }},
      {"privacy", "overrides",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         VIGIA_ASSIGN_OR_RETURN(c->ingest.privacy.overrides, redact::ParsePrivacyOverrides(s));
         return Status::Ok();
       }},
      {"dashboard", "enabled",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->dashboard.enabled, AsBool(r));
         return Status::Ok();
       }},
      {"auth", "allow_open",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->allow_open, AsBool(r));
         return Status::Ok();
       }},
      {"log", "level",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s == "debug") {
           c->log_level = LogLevel::kDebug;
         } else if (s == "info") {
           c->log_level = LogLevel::kInfo;
         } else if (s == "warn") {
           c->log_level = LogLevel::kWarn;
         } else if (s == "error") {
           c->log_level = LogLevel::kError;
         } else {
           return Status::InvalidArgument("expected one of debug, info, warn, error; got \"" + s +
                                          "\"");
         }
         return Status::Ok();
       }},
      {"log", "format",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         if (s == "auto") {
           c->log_format = logger::Format::kAuto;
         } else if (s == "json") {
           c->log_format = logger::Format::kJson;
         } else if (s == "text") {
           c->log_format = logger::Format::kText;
         } else {
           return Status::InvalidArgument("expected one of auto, json, text; got \"" + s + "\"");
         }
         return Status::Ok();
       }},
      {"errors", "persist_interval_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 3600, &c->errors.persist_interval_sec);
       }},
      {"errors", "cluster_refresh_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 100, 3'600'000, &c->errors.cluster_refresh_ms);
       }},
      {"errors", "rate_threshold_per_min",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 1'000'000'000, &c->errors.rate_threshold_per_min);
       }},
      {"errors", "max_groups",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 1'000'000, &c->errors.max_groups);
       }},
      {"audit", "checkpoint_interval_sec",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 86400, &c->audit.checkpoint_interval_sec);
       }},
      {"audit", "sync_interval_ms",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 1, 60000, &c->audit.chain_sync_interval_ms);
       }},
      {"audit", "retention_days",
       [](ServerConfig* c, const RawValue& r) {
         return SetInt(r, 0, 36500, &c->audit.retention_days);
       }},
      {"audit", "catalogue_file",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(c->audit.catalogue_file, AsString(r));
         return Status::Ok();
       }},
      {"audit", "trusted_keys",
       [](ServerConfig* c, const RawValue& r) {
         VIGIA_ASSIGN_OR_RETURN(std::string s, AsString(r));
         c->audit.trusted_keys = CommaList(s);
         for (const std::string& k : c->audit.trusted_keys) {
           const bool hex = k.size() == 64 && k.find_first_not_of("0123456789abcdef") == std::string::npos;
           if (!hex) {
             return Status::InvalidArgument("audit.trusted_keys: \"" + k +
                                            "\" is not a public key (64 lower-case hex digits, "
                                            "`vigia audit public-key`)");
           }
         }
         return Status::Ok();
       }},
      {"log", "stats_interval_sec",
       [](ServerConfig* c, const RawValue& r) {
         int sec = 0;
         VIGIA_RETURN_IF_ERROR(SetInt(r, 0, 86400, &sec));
         c->store.store.stats_log_interval_ms = sec * 1000;
         return Status::Ok();
       }},
  };
  return keys;
}

std::string EnvName(const KeyDesc& k) {
  std::string name = "VIGIA_";
  for (const char* p = k.section; *p; ++p) name += static_cast<char>(std::toupper(*p));
  name += '_';
  for (const char* p = k.key; *p; ++p) name += static_cast<char>(std::toupper(*p));
  return name;
}

Status WithContext(const Status& st, const std::string& where) {
  if (st.ok()) return st;
  return Status::InvalidArgument(where + ": " + st.message());
}

Status ApplyFile(const std::string& path, ServerConfig* cfg) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    return Status::InvalidArgument(path + ":" + std::to_string(src.begin.line) + ":" +
                                   std::to_string(src.begin.column) + ": " +
                                   std::string(e.description()));
  }
  for (const auto& [section_name, section_node] : root) {
    std::string section(section_name.str());
    const toml::table* table = section_node.as_table();
    if (table == nullptr) {
      return Status::InvalidArgument(path + ": " + section + ": expected a [section]");
    }
    for (const auto& [key_name, node] : *table) {
      std::string key(key_name.str());
      const KeyDesc* desc = nullptr;
      for (const KeyDesc& k : Keys()) {
        if (section == k.section && key == k.key) desc = &k;
      }
      std::string where = path + ": " + section + "." + key;
      if (desc == nullptr) return Status::InvalidArgument(where + ": unknown key");
      RawValue raw;
      if (auto s = node.value<std::string>(); s && node.is_string()) {
        raw.v = *s;
      } else if (auto i = node.value<int64_t>(); i && node.is_integer()) {
        raw.v = *i;
      } else if (auto b = node.value<bool>(); b && node.is_boolean()) {
        raw.v = std::string(*b ? "true" : "false");  // AsBool reads it
      } else {
        return Status::InvalidArgument(where + ": expected a string, an integer or a boolean");
      }
      VIGIA_RETURN_IF_ERROR(WithContext(desc->apply(cfg, raw), where));
    }
  }
  return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnvLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Status ParseListenAddress(const std::string& text, std::string* host, uint16_t* port) {
  std::string h;
  std::string p;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("expected [v6-address]:port, got \"" + text + "\"");
    }
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("expected host:port, got \"" + text + "\"");
    }
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  if (h.empty()) h = "127.0.0.1";
  int value = -1;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value < 0 || value > 65535) {
    return Status::InvalidArgument("bad port in \"" + text + "\"");
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

std::vector<std::string> ConfigKeyNames() {
  std::vector<std::string> names;
  for (const KeyDesc& k : Keys()) names.push_back(std::string(k.section) + "." + k.key);
  return names;
}

Result<ServerConfig> LoadConfig(const ConfigFlags& flags, const EnvLookup& env) {
  ServerConfig cfg;
  std::optional<std::string> file = flags.config_file;
  if (!file) file = env("VIGIA_CONFIG");
  if (file && !file->empty()) VIGIA_RETURN_IF_ERROR(ApplyFile(*file, &cfg));

  for (const KeyDesc& k : Keys()) {
    std::string name = EnvName(k);
    std::optional<std::string> value = env(name);
    if (!value) continue;
    RawValue raw{*value, true};
    VIGIA_RETURN_IF_ERROR(WithContext(k.apply(&cfg, raw), "environment " + name));
  }

  if (flags.data_dir) {
    if (flags.data_dir->empty()) return Status::InvalidArgument("--data: must not be empty");
    cfg.store.store.data_dir = *flags.data_dir;
  }
  if (flags.listen) {
    VIGIA_RETURN_IF_ERROR(
        WithContext(ParseListenAddress(*flags.listen, &cfg.http.host, &cfg.http.port), "--listen"));
  }
  if (cfg.http.tls_cert_file.empty() != cfg.http.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "server.tls_cert_file and server.tls_key_file must be set together (HTTPS needs both)");
  }
  if (cfg.syslog.tls_cert_file.empty() != cfg.syslog.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "syslog.tls_cert_file and syslog.tls_key_file must be set together");
  }
  if (!cfg.syslog.tls_listen.empty() && cfg.syslog.tls_cert_file.empty()) {
    // The syslog TLS listener shares the HTTPS certificate unless it has its own.
    if (cfg.http.tls_cert_file.empty()) {
      return Status::InvalidArgument(
          "syslog.tls_listen needs a certificate: set syslog.tls_cert_file and "
          "syslog.tls_key_file, or server.tls_cert_file and server.tls_key_file");
    }
    cfg.syslog.tls_cert_file = cfg.http.tls_cert_file;
    cfg.syslog.tls_key_file = cfg.http.tls_key_file;
  }
  return cfg;
}

}  // namespace vigia
