// Integration: HTTPS on the real `vigia serve` (server.tls_cert_file / tls_key_file) with
// certificates made here by the openssl CLI under a test CA: real curl speaks HTTP/1.1 over
// TLS to it (ingest and query), an untrusting client and plain HTTP on the TLS port are
// refused and counted, SIGHUP swaps the certificate without a restart (a bad one is refused
// and the old one kept), and the C++ SDK's shipper refuses expired, wrong-host and untrusted
// certificates — nothing it holds is sent — and ships once the certificate is right.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_certs.h"
#include "vigia/logger.h"

namespace vigia::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kKey[] = "tls-test-admin-key";

using Shell = ShellResult;

Shell Sh(const std::string& cmd) { return RunSh(cmd); }

using Certs = TestCerts;

class TlsIt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new Certs(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(certs_->ok()) << "openssl could not make the test certificates";
    cert_ = dir_.path() + "/server.pem";
    key_ = dir_.path() + "/server.key";
    Install("valid");
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    o.tls = true;
    o.env = {{"VIGIA_API_KEYS", kKey},
             {"VIGIA_SERVER_TLS_CERT_FILE", cert_},
             {"VIGIA_SERVER_TLS_KEY_FILE", key_}};
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }

  // Copies a certificate and its key to the files the server reads.
  void Install(const std::string& name) {
    namespace fs = std::filesystem;
    fs::copy_file(certs_->Pem(name), cert_, fs::copy_options::overwrite_existing);
    fs::copy_file(certs_->Key(name), key_, fs::copy_options::overwrite_existing);
  }
  // The SHA-256 fingerprint of the certificate the server presents now.
  std::string Served() {
    return Sh("openssl s_client -connect 127.0.0.1:" + std::to_string(server_->port()) +
              " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256")
        .out;
  }
  // Installs `name`, sends SIGHUP and waits until the server presents it.
  void Rotate(const std::string& name) {
    Install(name);
    server_->Signal(SIGHUP);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (Served() != certs_->Fingerprint(name)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << name << "\n" << server_->Log();
      std::this_thread::sleep_for(50ms);
    }
  }
  std::string Url(const std::string& host, const std::string& target) {
    return "https://" + host + ":" + std::to_string(server_->port()) + target;
  }
  // curl over HTTP/1.1 trusting the test CA; "-w" appends "<version> <status>" on a line.
  Shell Curl(const std::string& args) {
    return Sh("curl -sS --http1.1 --max-time 10 --cacert " + certs_->Ca() +
              " -H 'Authorization: Bearer " + kKey + "' -w '\\n%{http_version} %{http_code}' " +
              args + " 2>&1");
  }

  static Certs* certs_;
  TempDir dir_;
  std::string cert_, key_;
  std::unique_ptr<ServerProcess> server_;
};

Certs* TlsIt::certs_ = nullptr;

TEST_F(TlsIt, CurlIngestsAndQueriesOverHttp11WithTls) {
  std::string body_file = dir_.path() + "/events.ndjson";
  std::ofstream(body_file) << EventLine("tls-1") << EventLine("tls-2");
  Shell post = Curl("-H 'Content-Type: application/x-ndjson' --data-binary @" + body_file + " " +
                    Url("localhost", "/v1/events"));
  EXPECT_EQ(post.exit_code, 0) << post.out;
  EXPECT_NE(post.out.find("\n1.1 200"), std::string::npos) << post.out;
  EXPECT_NE(post.out.find("\"accepted\":2"), std::string::npos) << post.out;

  Shell query = Curl("'" + Url("127.0.0.1", "/v1/query?q=uid:tls-1&format=ndjson") + "'");
  EXPECT_NE(query.out.find("\n1.1 200"), std::string::npos) << query.out;
  EXPECT_EQ(CountUids(query.out), (std::map<std::string, int>{{"tls-1", 1}})) << query.out;

  // A client that does not trust the certificate stops at the handshake: nothing is sent.
  Shell untrusting = Sh("curl -sS --max-time 10 -H 'Content-Type: application/x-ndjson' -d '" +
                        EventLine("never") + "' " + Url("localhost", "/v1/events") + " 2>&1");
  EXPECT_EQ(untrusting.exit_code, 60) << untrusting.out;  // peer certificate not OK
  // Plain HTTP on the TLS port gets no HTTP answer.
  HttpClient plain(server_->port(), 3000);
  Result<HttpResult> r = plain.Request("GET", "/health/live");
  EXPECT_FALSE(r.ok() && r->status == 200);

  Shell metrics = Curl(Url("localhost", "/metrics"));
  const std::string series = "\nvigia_tls_handshake_failures_total ";
  size_t at = metrics.out.find(series);
  ASSERT_NE(at, std::string::npos) << metrics.out;
  EXPECT_GE(std::stoi(metrics.out.substr(at + series.size())), 2) << metrics.out.substr(at, 60);
  Shell all = Curl("'" + Url("localhost", "/v1/query?q=*&format=ndjson") + "'");
  EXPECT_EQ(CountUids(all.out).count("never"), 0u);
}

TEST_F(TlsIt, SighupSwapsTheCertificateAndKeepsTheOldOneWhenTheNewIsBad) {
  EXPECT_NE(Curl(Url("localhost", "/health/live")).out.find("\n1.1 200"), std::string::npos);
  Rotate("wronghost");
  std::string resolve =
      "--resolve wrong.example:" + std::to_string(server_->port()) + ":127.0.0.1 ";
  Shell renamed = Curl(resolve + Url("wrong.example", "/health/live"));
  EXPECT_NE(renamed.out.find("\n1.1 200"), std::string::npos) << renamed.out;
  EXPECT_EQ(Curl(Url("localhost", "/health/live")).exit_code, 60);  // name no longer matches

  // A key that does not match the certificate: the reload fails, the old pair stays.
  std::filesystem::copy_file(certs_->Key("valid"), key_,
                             std::filesystem::copy_options::overwrite_existing);
  server_->Signal(SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (server_->Log().find("cannot load private key") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << server_->Log();
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(Served(), certs_->Fingerprint("wronghost"));
  EXPECT_NE(Curl(resolve + Url("wrong.example", "/health/live")).out.find("\n1.1 200"),
            std::string::npos);
}

TEST_F(TlsIt, SdkShipperRefusesExpiredWrongHostAndUntrustedCertificates) {
  auto ship = [&](const std::string& uid, bool trust_test_ca, sdk::ShipperStats* stats,
                  bool expect_sent) {
    sdk::Config c;
    c.service = "tls-shipper";
    c.metrics_interval = 0ms;
    c.shutdown_timeout = 300ms;
    c.shipper.endpoint = Url("localhost", "");
    c.shipper.api_key = kKey;
    c.shipper.batch_max_delay = 10ms;
    c.shipper.backoff_min = 20ms;
    c.shipper.backoff_max = 100ms;
    c.shipper.request_timeout = 3000ms;
    if (trust_test_ca) c.shipper.ca_file = certs_->Ca();
    auto log = sdk::Logger::create(c);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 5; ++i) (*log)->info("shipped", {{"uid", uid}});
    auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      sdk::ShipperStats s = (*log)->shipper_stats();
      if (expect_sent ? s.events_sent == 5 : (s.requests >= 1 && !s.last_error.empty())) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << uid << ": " << s.last_error;
      std::this_thread::sleep_for(10ms);
    }
    *stats = (*log)->shipper_stats();
  };
  struct Case {
    std::string cert;
    bool trust_test_ca;
    std::string error;  // what last_error must say
  };
  const Case refused[] = {
      {"expired", true, "certificate has expired"},
      {"wronghost", true, "host name"},
      {"untrusted", true, "unable to get local issuer certificate"},
      // The system's CAs do not include the test CA: the valid certificate is untrusted.
      {"valid", false, "unable to get local issuer certificate"},
  };
  for (const Case& c : refused) {
    if (Served() != certs_->Fingerprint(c.cert)) Rotate(c.cert);
    sdk::ShipperStats s;
    ship("refused-" + c.cert, c.trust_test_ca, &s, false);
    EXPECT_EQ(s.events_sent, 0u) << c.cert;
    EXPECT_NE(s.last_error.find(c.error), std::string::npos) << c.cert << ": " << s.last_error;
  }
  Rotate("valid");
  sdk::ShipperStats ok;
  ship("accepted", true, &ok, true);
  EXPECT_EQ(ok.events_sent, 5u) << ok.last_error;

  Shell all = Curl("'" + Url("localhost", "/v1/query?q=service:tls-shipper&format=ndjson") + "'");
  EXPECT_EQ(CountUids(all.out), (std::map<std::string, int>{{"accepted", 5}})) << all.out;
}

}  // namespace
}  // namespace vigia::testing
