#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace vigia {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const std::string& p : paths_) std::remove(p.c_str());
  }
  std::string WriteFile(const std::string& text) {
    char path[] = "/tmp/vigia_config_XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    paths_.push_back(path);
    std::ofstream(path) << text;
    return path;
  }
  EnvLookup Env() {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  std::map<std::string, std::string> env_;
  std::vector<std::string> paths_;  // every file WriteFile made, removed by TearDown
};

TEST_F(ConfigTest, DefaultsWithoutAnySource) {
  Result<ServerConfig> c = LoadConfig({}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir(), "./data");
  EXPECT_EQ(c->http.ListenAddress(), "127.0.0.1:7070");
  EXPECT_EQ(c->store.store.fsync, FsyncPolicy::kInterval);
  EXPECT_EQ(c->http.max_body_bytes, limits::kMaxBodyBytes);
}

TEST_F(ConfigTest, FileValues) {
  ConfigFlags flags;
  flags.config_file = WriteFile(
      "[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 3\n"
      "[data]\ndir = \"/var/lib/vigia\"\n"
      "[wal]\nfsync = \"always\"\n"
      "[limits]\nmax_body_bytes = 1024\n"
      "[log]\nlevel = \"debug\"\nformat = \"json\"\n");
  Result<ServerConfig> c = LoadConfig(flags, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.ListenAddress(), "0.0.0.0:9000");
  EXPECT_EQ(c->http.threads, 3);
  EXPECT_EQ(c->data_dir(), "/var/lib/vigia");
  EXPECT_EQ(c->store.store.fsync, FsyncPolicy::kAlways);
  EXPECT_EQ(c->http.max_body_bytes, 1024u);
  EXPECT_EQ(c->log_level, LogLevel::kDebug);
  EXPECT_EQ(c->log_format, logger::Format::kJson);
}

TEST_F(ConfigTest, PrecedenceFlagsOverEnvOverFile) {
  ConfigFlags flags;
  flags.config_file = WriteFile(
      "[server]\nlisten = \"127.0.0.1:1111\"\n[data]\ndir = \"file-dir\"\n"
      "[wal]\nfsync = \"always\"\n[limits]\nmax_body_bytes = 10\n");
  env_["VIGIA_SERVER_LISTEN"] = "127.0.0.1:2222";
  env_["VIGIA_DATA_DIR"] = "env-dir";
  env_["VIGIA_WAL_FSYNC"] = "never";
  env_["VIGIA_LIMITS_MAX_BODY_BYTES"] = "20";
  flags.listen = "127.0.0.1:3333";
  Result<ServerConfig> c = LoadConfig(flags, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.port, 3333);                         // flag
  EXPECT_EQ(c->data_dir(), "env-dir");                   // env beats file
  EXPECT_EQ(c->store.store.fsync, FsyncPolicy::kNever);  // env beats file
  EXPECT_EQ(c->http.max_body_bytes, 20u);
  EXPECT_EQ(c->ingest.max_body_bytes, 20u);  // one limit, as sent and decompressed
  flags.data_dir = "flag-dir";
  c = LoadConfig(flags, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data_dir(), "flag-dir");
}

TEST_F(ConfigTest, ConfigFileFromEnv) {
  env_["VIGIA_CONFIG"] = WriteFile("[data]\ndir = \"from-env-file\"\n");
  Result<ServerConfig> c = LoadConfig({}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir(), "from-env-file");
}

TEST_F(ConfigTest, ClearErrors) {
  ConfigFlags flags;
  flags.config_file = WriteFile("[wal]\nfsync = \"sometimes\"\n");
  Result<ServerConfig> c = LoadConfig(flags, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("wal.fsync"), std::string::npos) << c.status().message();
  EXPECT_NE(c.status().message().find("always, interval, never"), std::string::npos);

  flags.config_file = WriteFile("[server]\nlisten_port = 1\n");
  c = LoadConfig(flags, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("server.listen_port: unknown key"), std::string::npos)
      << c.status().message();

  flags.config_file = WriteFile("[server\n");
  c = LoadConfig(flags, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(":1:"), std::string::npos) << c.status().message();

  flags.config_file = WriteFile("[limits]\nmax_body_bytes = \"big\"\n");
  c = LoadConfig(flags, Env());
  EXPECT_FALSE(c.ok());

  env_["VIGIA_LIMITS_MAX_BODY_BYTES"] = "12x";
  c = LoadConfig({}, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("VIGIA_LIMITS_MAX_BODY_BYTES"), std::string::npos);
  env_.clear();

  env_["VIGIA_SERVER_THREADS"] = "-1";
  c = LoadConfig({}, Env());
  EXPECT_FALSE(c.ok());
  env_.clear();

  flags = {};
  flags.listen = "localhost";
  c = LoadConfig(flags, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("--listen"), std::string::npos);

  flags.config_file = "/nonexistent/vigia.toml";
  flags.listen.reset();
  EXPECT_FALSE(LoadConfig(flags, Env()).ok());
}

// The keys land in the option structs the modules and the transport take as they are.
TEST_F(ConfigTest, KeysFillTheModulesOptionStructs) {
  Result<ServerConfig> d = LoadConfig({}, Env());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->store.store.sync_interval_ms, limits::kWalSyncIntervalMs);
  EXPECT_EQ(d->audit.chain_sync_interval_ms, limits::kAuditChainSyncIntervalMs);
  EXPECT_EQ(d->store.store.wal_segment_bytes, limits::kWalSegmentBytes);
  EXPECT_EQ(d->http.max_header_bytes, limits::kMaxHeaderBytes);
  EXPECT_EQ(d->ingest.decode.max_line_bytes, limits::kMaxLineBytes);
  EXPECT_EQ(d->ingest.ua_regexes, "");
  ConfigFlags flags;
  flags.config_file = WriteFile(
      "[wal]\nsync_interval_ms = 7\nsegment_bytes = 2097152\n"
      "[limits]\nmax_header_bytes = 2048\nmax_line_bytes = 100\nmax_fields_per_event = 9\n"
      "max_nesting_depth = 3\n[ingest]\nua_regexes = \"off\"\n"
      "[server]\nshutdown_grace_sec = 2\nmax_connections = 5\n[audit]\nsync_interval_ms = 250\n");
  Result<ServerConfig> c = LoadConfig(flags, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.store.sync_interval_ms, 7);
  EXPECT_EQ(c->audit.chain_sync_interval_ms, 250);  // its own, not the WAL's
  EXPECT_EQ(c->store.store.wal_segment_bytes, 2097152u);
  EXPECT_EQ(c->http.max_header_bytes, 2048u);
  EXPECT_EQ(c->ingest.decode.max_line_bytes, 100u);
  EXPECT_EQ(c->ingest.decode.max_fields, 9u);
  EXPECT_EQ(c->ingest.decode.max_depth, 3u);
  EXPECT_EQ(c->ingest.ua_regexes, "off");
  EXPECT_EQ(c->http.shutdown_grace_sec, 2);
  EXPECT_EQ(c->http.max_connections, 5u);
}

TEST_F(ConfigTest, ListenAddressForms) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress(":8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("[::1]:7070", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListenAddress("1.2.3.4:70000", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("1.2.3.4:", &host, &port).ok());
}

TEST_F(ConfigTest, QueryCacheBytes) {
  Result<ServerConfig> d = LoadConfig({}, Env());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->query.cache_bytes, limits::kQueryChunkCacheBytes);
  env_["VIGIA_QUERY_CACHE_BYTES"] = "0";  // no cache
  Result<ServerConfig> c = LoadConfig({}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->query.cache_bytes, 0u);
  env_["VIGIA_QUERY_CACHE_BYTES"] = "-1";
  EXPECT_FALSE(LoadConfig({}, Env()).ok());
}

TEST_F(ConfigTest, EveryKeyIsSettableFromEnvironment) {
  // Guards the docs' promise that each key has a VIGIA_SECTION_KEY twin.
  std::vector<std::string> keys = ConfigKeyNames();
  EXPECT_GE(keys.size(), 17u);
  for (const std::string& k : keys) {
    EXPECT_NE(k.find('.'), std::string::npos) << k;
  }
  env_["VIGIA_LOG_LEVEL"] = "warn";
  env_["VIGIA_SERVER_IDLE_TIMEOUT_SEC"] = "5";
  Result<ServerConfig> c = LoadConfig({}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->log_level, LogLevel::kWarn);
  EXPECT_EQ(c->http.idle_timeout_sec, 5);
}

TEST_F(ConfigTest, SyslogTlsSharesTheHttpsCertificateUnlessGivenItsOwn) {
  env_["VIGIA_SYSLOG_TLS_LISTEN"] = "0.0.0.0:6514";
  Result<ServerConfig> none = LoadConfig({}, Env());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("syslog.tls_listen needs a certificate"),
            std::string::npos)
      << none.status().ToString();

  env_["VIGIA_SERVER_TLS_CERT_FILE"] = "/etc/vigia/https.pem";
  env_["VIGIA_SERVER_TLS_KEY_FILE"] = "/etc/vigia/https.key";
  Result<ServerConfig> shared = LoadConfig({}, Env());
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(shared->syslog.tls_listen, "0.0.0.0:6514");
  EXPECT_EQ(shared->syslog.tls_cert_file, "/etc/vigia/https.pem");
  EXPECT_EQ(shared->syslog.tls_key_file, "/etc/vigia/https.key");

  env_["VIGIA_SYSLOG_TLS_CERT_FILE"] = "/etc/vigia/syslog.pem";
  Result<ServerConfig> half = LoadConfig({}, Env());
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("must be set together"), std::string::npos);

  env_["VIGIA_SYSLOG_TLS_KEY_FILE"] = "/etc/vigia/syslog.key";
  env_["VIGIA_SYSLOG_TLS_CLIENT_CA_FILE"] = "/etc/vigia/senders.pem";
  Result<ServerConfig> own = LoadConfig({}, Env());
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->syslog.tls_cert_file, "/etc/vigia/syslog.pem");
  EXPECT_EQ(own->syslog.tls_key_file, "/etc/vigia/syslog.key");
  EXPECT_EQ(own->syslog.tls_client_ca_file, "/etc/vigia/senders.pem");

  env_["VIGIA_SYSLOG_TLS_LISTEN"] = "nonsense";
  EXPECT_FALSE(LoadConfig({}, Env()).ok());
}

}  // namespace
}  // namespace vigia

namespace vigia {
namespace {

TEST_F(ConfigTest, StoreRetentionAndStatsKeys) {
  Result<ServerConfig> d = LoadConfig({}, Env());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->store.store.retention.days, 30);
  EXPECT_EQ(d->store.store.retention.max_disk_bytes, 0u);
  EXPECT_EQ(d->store.retention_interval_sec, 60);
  EXPECT_EQ(d->store.store.stats_log_interval_ms, 60000);
  EXPECT_EQ(d->store.store.memtable_flush_bytes, limits::kMemtableFlushBytes);
  EXPECT_EQ(d->store.store.memtable_max_bytes, limits::kMemtableMaxBytes);

  ConfigFlags flags;
  flags.config_file = WriteFile(
      "[store]\nmemtable_flush_bytes = 4096\nmemtable_flush_age_ms = 100\n"
      "[retention]\ndays = 7\nmax_disk_bytes = 1000000\ninterval_sec = 5\n"
      "[log]\nstats_interval_sec = 0\n");
  env_["VIGIA_RETENTION_DAYS"] = "0";  // the environment beats the file
  env_["VIGIA_STORE_MEMTABLE_MAX_BYTES"] = "8192";
  Result<ServerConfig> c = LoadConfig(flags, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->store.store.memtable_flush_bytes, 4096u);
  EXPECT_EQ(c->store.store.memtable_flush_age_ms, 100);
  EXPECT_EQ(c->store.store.memtable_max_bytes, 8192u);
  EXPECT_EQ(c->store.store.retention.days, 0);
  EXPECT_EQ(c->store.store.retention.max_disk_bytes, 1000000u);
  EXPECT_EQ(c->store.retention_interval_sec, 5);
  EXPECT_EQ(c->store.store.stats_log_interval_ms, 0);

  env_["VIGIA_RETENTION_DAYS"] = "-1";
  c = LoadConfig({}, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("VIGIA_RETENTION_DAYS"), std::string::npos)
      << c.status().ToString();
}

}  // namespace
}  // namespace vigia

namespace vigia {
namespace {

TEST_F(ConfigTest, PrivacyAndRetentionRuleKeys) {
  ConfigFlags flags;
  flags.config_file = WriteFile(
      "[privacy]\nip = \"truncate\"\nua = \"family\"\ndrop_query = true\n"
      "overrides = \"service=billing: ip=hash\"\n"
      "[retention]\nrules = \"kind=audit:forever, level=debug:3\"\n");
  Result<ServerConfig> c = LoadConfig(flags, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ingest.privacy.defaults.ip, redact::IpMode::kTruncate);
  EXPECT_EQ(c->ingest.privacy.defaults.ua, redact::UaMode::kFamily);
  EXPECT_TRUE(c->ingest.privacy.defaults.drop_query);
  ASSERT_EQ(c->ingest.privacy.overrides.size(), 1u);
  EXPECT_EQ(c->ingest.privacy.overrides[0].value, "billing");
  ASSERT_EQ(c->store.store.retention.rules.size(), 2u);
  EXPECT_EQ(c->store.store.retention.rules[1].level, "debug");
  EXPECT_EQ(c->store.store.retention.MaxDays(), 0);
  env_["VIGIA_PRIVACY_IP"] = "mask";
  EXPECT_FALSE(LoadConfig({}, Env()).ok());
  env_.erase("VIGIA_PRIVACY_IP");
  env_["VIGIA_RETENTION_RULES"] = "kind=debug";
  EXPECT_FALSE(LoadConfig({}, Env()).ok());
}

}  // namespace
}  // namespace vigia
