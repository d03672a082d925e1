// Probes against real local servers started by the test: python3's http.server (HTTP, a
// JSON health document), openssl s_server (HTTPS) with certificates made here by `openssl
// req` — valid, expiring soon, expired, for another host — plus a server that accepts and
// never answers, one that answers garbage, and a refused port.
#include "monitor/probe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia {
namespace {

using testing::FreePort;
using testing::TempDir;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A child process; SIGTERMed and reaped on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      int null_in = ::open("/dev/null", O_RDONLY);
      if (null_in >= 0) dup2(null_in, 0);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

bool WaitForPort(uint16_t port) {
  ProbeTarget t;
  t.name = "wait";
  t.kind = ProbeKind::kTcp;
  t.address = "127.0.0.1:" + std::to_string(port);
  t.timeout_ms = 200;
  for (int i = 0; i < 100; ++i) {
    if (RunProbe(t, NowNs()).ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Every server of the suite, started once.
class ProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string d = dir_->path();
    std::ofstream(d + "/health.json") << R"({"status":"ok","checks":{"db":"up","latency":3}})";
    http_port_ = FreePort();
    servers_.push_back(std::make_unique<Child>(
        std::vector<std::string>{"python3", "-m", "http.server", std::to_string(http_port_),
                                 "--bind", "127.0.0.1", "--directory", d},
        d + "/http.log"));
    // name, days, subject CN, SAN
    struct Cert {
      const char* name;
      int days;
      const char* cn;
      const char* san;
      uint16_t* port;
    };
    const Cert certs[] = {
        {"valid", 365, "localhost", "DNS:localhost,IP:127.0.0.1", &valid_port_},
        {"soon", 10, "localhost", "DNS:localhost,IP:127.0.0.1", &soon_port_},
        {"expired", -1, "localhost", "DNS:localhost,IP:127.0.0.1", &expired_port_},
        {"wronghost", 365, "wrong.example", "DNS:wrong.example", &wrong_port_},
    };
    for (const Cert& c : certs) {
      const std::string key = d + "/" + c.name + ".key", crt = d + "/" + c.name + ".pem",
                        csr = d + "/" + c.name + ".csr";
      // `openssl req -x509 -days` refuses a negative count; `x509 -req` takes it (expired).
      const std::string cmd =
          "openssl req -new -newkey rsa:2048 -nodes -keyout " + key + " -out " + csr +
          " -subj /CN=" + c.cn + " -addext subjectAltName=" + c.san +
          " >/dev/null 2>&1 && openssl x509 -req -in " + csr + " -signkey " + key + " -out " +
          crt + " -days " + std::to_string(c.days) + " -copy_extensions copyall >/dev/null 2>&1";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      *c.port = FreePort();
      servers_.push_back(std::make_unique<Child>(
          std::vector<std::string>{"openssl", "s_server", "-accept", std::to_string(*c.port),
                                   "-cert", crt, "-key", key, "-www", "-quiet"},
          d + "/" + c.name + ".log"));
    }
    // Accepts connections (the kernel does, from the backlog) and never answers.
    hang_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(hang_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(hang_fd_, 16);
    socklen_t len = sizeof a;
    getsockname(hang_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    hang_port_ = ntohs(a.sin_port);
    // Answers every connection with bytes that are not HTTP.
    garbage_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = 0;
    bind(garbage_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(garbage_fd_, 16);
    getsockname(garbage_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    garbage_port_ = ntohs(a.sin_port);
    garbage_thread_ = new std::thread([] {
      for (;;) {
        int c = accept(garbage_fd_, nullptr, nullptr);
        if (c < 0) return;
        const char junk[] = "\x01\x02 not http at all\r\n\r\n";
        (void)!write(c, junk, sizeof junk - 1);
        close(c);
      }
    });
    for (uint16_t p : {http_port_, valid_port_, soon_port_, expired_port_, wrong_port_}) {
      ASSERT_TRUE(WaitForPort(p)) << "server on " << p << " did not start";
    }
  }
  static void TearDownTestSuite() {
    shutdown(garbage_fd_, SHUT_RDWR);
    close(garbage_fd_);
    garbage_thread_->join();
    delete garbage_thread_;
    close(hang_fd_);
    servers_.clear();
    delete dir_;
  }

  static ProbeTarget Http(const std::string& url) {
    ProbeTarget t;
    t.name = "t";
    t.url = url;
    t.timeout_ms = 3000;
    return t;
  }
  static std::string Local(uint16_t port, const std::string& path = "/") {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  static std::string Tls(uint16_t port, const std::string& host = "localhost") {
    return "https://" + host + ":" + std::to_string(port) + "/";
  }

  static TempDir* dir_;
  static std::vector<std::unique_ptr<Child>> servers_;
  static uint16_t http_port_, valid_port_, soon_port_, expired_port_, wrong_port_, hang_port_,
      garbage_port_;
  static int hang_fd_, garbage_fd_;
  static std::thread* garbage_thread_;
};

TempDir* ProbeTest::dir_ = nullptr;
std::vector<std::unique_ptr<Child>> ProbeTest::servers_;
uint16_t ProbeTest::http_port_, ProbeTest::valid_port_, ProbeTest::soon_port_,
    ProbeTest::expired_port_, ProbeTest::wrong_port_, ProbeTest::hang_port_,
    ProbeTest::garbage_port_;
int ProbeTest::hang_fd_ = -1, ProbeTest::garbage_fd_ = -1;
std::thread* ProbeTest::garbage_thread_ = nullptr;

TEST_F(ProbeTest, HttpStatusBodyAndJsonField) {
  ProbeTarget t = Http(Local(http_port_, "/health.json"));
  t.expect_status = 200;
  t.expect_body = "\"status\":\"ok\"";
  t.expect_json_field = "checks.db";
  t.expect_json_value = "up";
  t.headers = {{"X-Probe", "1"}};
  ProbeResult r = RunProbe(t, NowNs());
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_GT(r.latency_ms, 0);
  EXPECT_FALSE(r.cert_expiry_days.has_value());

  t.expect_json_field = "checks.latency";
  t.expect_json_value = "3";
  EXPECT_TRUE(RunProbe(t, NowNs()).ok);

  t.expect_json_field = "checks.db";
  t.expect_json_value = "down";
  r = RunProbe(t, NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "checks.db is \"up\", expected \"down\"");

  t.expect_json_field = "nope";
  r = RunProbe(t, NowNs());
  EXPECT_EQ(r.error, "no JSON field nope in the body");

  t = Http(Local(http_port_, "/health.json"));
  t.expect_body = "degraded";
  EXPECT_EQ(RunProbe(t, NowNs()).error, "body does not contain \"degraded\"");

  r = RunProbe(Http(Local(http_port_, "/missing")), NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error, "status 404, expected 2xx or 3xx");
}

TEST_F(ProbeTest, HttpsRecordsTheCertificate) {
  const int64_t now = NowNs();
  ProbeResult r = RunProbe(Http(Tls(valid_port_)), now);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.cert_expiry_days.has_value());
  EXPECT_NEAR(*r.cert_expiry_days, 365, 1);
  EXPECT_EQ(r.cert_state, "ok");
  EXPECT_EQ(r.cert_hostname_ok, true);
  EXPECT_NE(r.cert_issuer.find("localhost"), std::string::npos) << r.cert_issuer;
  // The IP address is in the certificate's SANs too.
  EXPECT_TRUE(RunProbe(Http(Tls(valid_port_, "127.0.0.1")), now).ok);
}

TEST_F(ProbeTest, CertificateExpiringSoonWarns) {
  ProbeTarget t = Http(Tls(soon_port_));
  ProbeResult r = RunProbe(t, NowNs());
  EXPECT_TRUE(r.ok) << r.error;  // still valid: a warning, not a failure
  ASSERT_TRUE(r.cert_expiry_days.has_value());
  EXPECT_NEAR(*r.cert_expiry_days, 10, 1);
  EXPECT_EQ(r.cert_state, "warning");
  t.tls_critical_days = 14;
  EXPECT_EQ(RunProbe(t, NowNs()).cert_state, "critical");
}

TEST_F(ProbeTest, ExpiredCertificateFails) {
  ProbeResult r = RunProbe(Http(Tls(expired_port_)), NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "certificate expired");
  ASSERT_TRUE(r.cert_expiry_days.has_value());
  EXPECT_LT(*r.cert_expiry_days, 0);
  EXPECT_EQ(r.cert_state, "critical");
}

TEST_F(ProbeTest, CertificateForAnotherHostFails) {
  ProbeResult r = RunProbe(Http(Tls(wrong_port_)), NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.cert_hostname_ok, false);
  EXPECT_EQ(r.error, "certificate does not name host localhost");
  EXPECT_EQ(r.cert_state, "critical");
}

TEST_F(ProbeTest, HangingRefusedAndGarbageTargetsFailWithinTheTimeout) {
  ProbeTarget hang = Http(Local(hang_port_));
  hang.timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  ProbeResult r = RunProbe(hang, NowNs());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_LT(took, std::chrono::seconds(2));

  const uint16_t closed = FreePort();
  r = RunProbe(Http(Local(closed)), NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("onnect"), std::string::npos) << r.error;

  r = RunProbe(Http(Local(garbage_port_)), NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());

  ProbeTarget tls_to_plain = Http(Tls(http_port_));  // HTTPS to an HTTP server
  r = RunProbe(tls_to_plain, NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(ProbeTest, TcpConnect) {
  ProbeTarget t;
  t.name = "db";
  t.kind = ProbeKind::kTcp;
  t.address = "127.0.0.1:" + std::to_string(http_port_);
  t.timeout_ms = 1000;
  ProbeResult r = RunProbe(t, NowNs());
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_GE(r.latency_ms, 0);
  t.address = "127.0.0.1:" + std::to_string(FreePort());
  r = RunProbe(t, NowNs());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("onnect"), std::string::npos) << r.error;
}

TEST(ProbeEvent, LineCarriesTheResult) {
  ProbeResult r;
  r.target = "sales-api";
  r.ts_ns = int64_t{1795348800} * 1'000'000'000;
  r.ok = false;
  r.status = 503;
  r.latency_ms = 12.5;
  r.error = "status 503, expected 2xx or 3xx";
  r.cert_expiry_days = 3.5;
  r.cert_state = "critical";
  r.cert_hostname_ok = true;
  EXPECT_EQ(ProbeEventLine(r),
            R"({"ts":"2026-11-22T12:00:00.000000000Z","kind":"probe","level":"warn","service":"vigia",)"
            R"("target":"sales-api","probe_kind":"http","ok":false,"latency_ms":12.5,"status":503,)"
            R"("msg":"probe sales-api failed: status 503, expected 2xx or 3xx",)"
            R"("error":"status 503, expected 2xx or 3xx","cert_expiry_days":3.5,)"
            R"("cert_hostname_ok":true,"cert_state":"critical"})"
            "\n");
}

TEST(ProbeEvent, CertNameMatching) {
  EXPECT_TRUE(CertNameMatches("api.example.com", "API.example.com"));
  EXPECT_TRUE(CertNameMatches("*.example.com", "api.example.com"));
  EXPECT_FALSE(CertNameMatches("*.example.com", "a.b.example.com"));
  EXPECT_FALSE(CertNameMatches("*.example.com", "example.com"));
  EXPECT_FALSE(CertNameMatches("api.example.com", "web.example.com"));
}

}  // namespace
}  // namespace vigia
