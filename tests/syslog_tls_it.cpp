// Integration: syslog over TLS (RFC 5425) on the real `vigia serve`, with certificates made by
// the openssl CLI under a test CA (support/test_certs.h):
//   - the real rsyslog with its GnuTLS network stream driver (Debian rsyslog-gnutls) ships
//     over TLS with a client certificate, checking vigia's certificate by name (x509/name),
//     in both framings (octet counting, RFC 5425's, and LF); what it sends is stored field
//     by field;
//   - openssl s_client sends an octet-counted message holding a newline;
//   - senders without a client certificate, with one of another CA, and plain syslog on the
//     TLS port are refused at the handshake and counted; nothing of theirs is stored;
//   - without syslog.tls_cert_file the listener serves the HTTPS certificate
//     (server.tls_cert_file), and SIGHUP swaps it on the syslog port too, keeping the old one
//     when the new key does not match.
// Labelled peers;no_sanitizer (rsyslog is a real peer; scripts/install-deps.sh installs it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_certs.h"

extern char** environ;

namespace vigia::testing {
namespace {

using namespace std::chrono_literals;

// A port free right now (bound to 0 and released).
uint16_t FreePort(int type) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string Token() {
  static std::mt19937_64 rng(std::random_device{}());
  return "tok" + std::to_string(rng() % 1'000'000'000);
}

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The value of a counter without labels in a Prometheus exposition; -1 when absent.
int64_t CounterValue(const std::string& metrics, const std::string& name) {
  size_t at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(metrics.substr(at + name.size() + 2));
}

class SyslogTlsIt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCerts(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(certs_->ok()) << "openssl could not make the test certificates";
    cert_ = dir_.path() + "/server.pem";
    key_ = dir_.path() + "/server.key";
    Install("valid");
  }
  void TearDown() override {
    if (rsyslog_pid_ > 0) {
      ::kill(rsyslog_pid_, SIGTERM);
      int status = 0;
      ::waitpid(rsyslog_pid_, &status, 0);
    }
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

  void StartServer(std::vector<std::pair<std::string, std::string>> env, bool https) {
    tls_port_ = FreePort(SOCK_STREAM);
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    o.tls = https;
    o.env = {{"VIGIA_SYSLOG_TLS_LISTEN", "127.0.0.1:" + std::to_string(tls_port_)},
             {"VIGIA_SYSLOG_BATCH_DELAY_MS", "20"}};
    for (auto& e : env) o.env.push_back(std::move(e));
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::string Query(const std::string& q) {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("GET", "/v1/query?format=ndjson&q=" + q, {}, {});
    if (!r.ok() || r->status != 200) return "";
    return r->body;
  }
  // Polls until the query finds an event (the shippers send asynchronously).
  std::string WaitFor(const std::string& q) {
    std::string body;
    for (int i = 0; i < 400; ++i) {
      body = Query(q);
      if (!body.empty()) return body;
      std::this_thread::sleep_for(25ms);
    }
    ADD_FAILURE() << "no event for " << q << "; rsyslog said:\n"
                  << RunSh("cat " + dir_.path() + "/rsyslog/out.log").out << "\nserver log:\n"
                  << server_->Log();
    return body;
  }
  std::string Metrics() {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("GET", "/metrics", {}, {});
    return r.ok() ? r->body : "";
  }
  // The SHA-256 fingerprint of the certificate the syslog TLS port presents now.
  std::string Served() {
    return RunSh("openssl s_client -connect 127.0.0.1:" + std::to_string(tls_port_) +
                 " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256")
        .out;
  }
  // Sends `data` through openssl s_client with the client certificate `client` ("" = none);
  // returns s_client's exit code.
  int SendTls(const std::string& data, const std::string& client) {
    const std::string file = dir_.path() + "/send.txt";
    std::ofstream(file, std::ios::binary) << data;
    std::string cmd = "timeout 20 openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:" +
                      std::to_string(tls_port_) + " -CAfile " + certs_->Ca() +
                      " -verify_return_error";
    if (!client.empty()) cmd += " -cert " + certs_->Pem(client) + " -key " + certs_->Key(client);
    return RunSh(cmd + " <" + file + " >/dev/null 2>&1").exit_code;
  }
  // Plain (not TLS) syslog on the TLS port.
  void SendPlain(const std::string& data) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(tls_port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
    char c;
    (void)::recv(fd, &c, 1, 0);  // the server closes after the failed handshake
    ::close(fd);
  }

  static TestCerts* certs_;
  TempDir dir_;
  std::string cert_, key_;
  std::unique_ptr<ServerProcess> server_;
  uint16_t tls_port_ = 0;
  pid_t rsyslog_pid_ = -1;
};

TestCerts* SyslogTlsIt::certs_ = nullptr;

// rsyslog receives on its own UDP input and forwards over TLS (gtls driver, client
// certificate, server name checked) by the action the message text names.
TEST_F(SyslogTlsIt, RsyslogGnutlsShipsWithClientCertificatesOthersAreRefused) {
  StartServer({{"VIGIA_SYSLOG_TLS_CERT_FILE", cert_},
               {"VIGIA_SYSLOG_TLS_KEY_FILE", key_},
               {"VIGIA_SYSLOG_TLS_CLIENT_CA_FILE", certs_->Ca()}},
              /*https=*/false);
  const std::string work = dir_.path() + "/rsyslog";
  ASSERT_EQ(RunSh("mkdir -p " + work).exit_code, 0);
  const uint16_t in_port = FreePort(SOCK_DGRAM);
  const std::string conf = work + "/rsyslog.conf";
  auto forward = [&](const std::string& word, const std::string& framing, const std::string& tmpl) {
    return "if $msg contains \"" + word + "\" then action(type=\"omfwd\" target=\"127.0.0.1\"" +
           " port=\"" + std::to_string(tls_port_) + "\" protocol=\"tcp\" StreamDriver=\"gtls\"" +
           " StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/name\"" +
           " StreamDriverPermittedPeers=\"localhost\" tcp_framing=\"" + framing + "\" template=\"" +
           tmpl + "\")\n";
  };
  std::ofstream(conf) << "global(workDirectory=\"" << work << "\"\n"
                      << "  DefaultNetstreamDriverCAFile=\"" << certs_->Ca() << "\"\n"
                      << "  DefaultNetstreamDriverCertFile=\"" << certs_->Pem("client") << "\"\n"
                      << "  DefaultNetstreamDriverKeyFile=\"" << certs_->Key("client") << "\")\n"
                      << "module(load=\"imudp\")\n"
                      << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << in_port << "\")\n"
                      << forward("viaoctet", "octet-counted", "RSYSLOG_SyslogProtocol23Format")
                      << forward("vialf", "traditional", "RSYSLOG_TraditionalForwardFormat");
  std::vector<std::string> args = {"rsyslogd", "-n", "-f", conf, "-i", work + "/rsyslogd.pid"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t out;
  posix_spawn_file_actions_init(&out);
  const std::string out_log = work + "/out.log";
  posix_spawn_file_actions_addopen(&out, 1, out_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&out, 1, 2);
  ASSERT_EQ(::posix_spawnp(&rsyslog_pid_, "rsyslogd", &out, nullptr, argv.data(), environ), 0)
      << "rsyslogd not found (scripts/install-deps.sh installs rsyslog and rsyslog-gnutls)";
  posix_spawn_file_actions_destroy(&out);

  const std::string t = Token();
  const std::string in = std::to_string(in_port);
  // rsyslog needs a moment to open its input: resend until the first arrives.
  std::string first;
  for (int i = 0; i < 40 && first.empty(); ++i) {
    RunSh("logger --server 127.0.0.1 --port " + in + " --udp -t shop -p local3.warning 'viaoctet " +
          t + "'");
    first = Query("viaoctet+" + t);
    if (first.empty()) std::this_thread::sleep_for(100ms);
  }
  first = WaitFor("viaoctet+" + t);
  EXPECT_TRUE(Has(first, "\"service\":\"shop\"")) << first;
  EXPECT_TRUE(Has(first, "\"level\":\"warn\"")) << first;
  EXPECT_TRUE(Has(first, "\"syslog.facility\":\"local3\"")) << first;
  EXPECT_TRUE(Has(first, "\"msg\":\"viaoctet " + t + "\"")) << first;

  ASSERT_EQ(RunSh("logger --server 127.0.0.1 --port " + in + " --udp -t pay -p user.err 'vialf " +
                  t + "'")
                .exit_code,
            0);
  std::string lf = WaitFor("vialf+" + t);
  EXPECT_TRUE(Has(lf, "\"service\":\"pay\"")) << lf;
  EXPECT_TRUE(Has(lf, "\"level\":\"error\"")) << lf;
  EXPECT_TRUE(Has(lf, "\"msg\":\"vialf " + t + "\"")) << lf;

  // RFC 5425 framing by hand: one octet-counted message holding a newline.
  const std::string msg = "<131>1 2026-12-03T06:00:00Z web01 billing 42 - - line one\nline " + t;
  EXPECT_EQ(SendTls(std::to_string(msg.size()) + " " + msg, "client"), 0);
  std::string framed = WaitFor(t + "+service:billing");
  EXPECT_TRUE(Has(framed, "\"msg\":\"line one\\nline " + t + "\"")) << framed;
  EXPECT_TRUE(Has(framed, "\"host\":\"web01\"")) << framed;
  EXPECT_TRUE(Has(framed, "\"level\":\"error\"")) << framed;

  // No client certificate, one of a CA nobody trusts, plain syslog: refused at the handshake.
  const std::string refused = Token();
  SendTls("<14>1 - - refused - - - " + refused + " nocert\n", "");
  SendTls("<14>1 - - refused - - - " + refused + " othercert\n", "other-client");
  SendPlain("<14>1 - - refused - - - " + refused + " plain\n");
  int64_t failures = 0;
  for (int i = 0; i < 400 && failures < 3; ++i) {
    failures = CounterValue(Metrics(), "vigia_syslog_tls_handshake_failures_total");
    if (failures < 3) std::this_thread::sleep_for(25ms);
  }
  EXPECT_EQ(failures, 3);
  // A message sent after them over an accepted connection is stored; theirs never are.
  const std::string after = Token();
  const std::string last = "<14>1 - - after - - - " + after;
  EXPECT_EQ(SendTls(std::to_string(last.size()) + " " + last, "client"), 0);
  WaitFor(after);
  EXPECT_EQ(Query(refused), "");
}

// Without syslog.tls_cert_file the syslog TLS port serves the HTTPS certificate; SIGHUP
// rotates it on both ports, and a bad key keeps the old certificate.
TEST_F(SyslogTlsIt, SharesTheHttpsCertificateAndRotatesItOnSighup) {
  StartServer({{"VIGIA_SERVER_TLS_CERT_FILE", cert_}, {"VIGIA_SERVER_TLS_KEY_FILE", key_}},
              /*https=*/true);
  EXPECT_EQ(Served(), certs_->Fingerprint("valid"));
  // Anyone may send without a client certificate when no client CA is set.
  const std::string t = Token();
  const std::string msg = "<14>1 - - nocert - - - " + t;
  EXPECT_EQ(SendTls(std::to_string(msg.size()) + " " + msg, ""), 0);
  std::string stored;
  for (int i = 0; i < 400 && stored.find(t) == std::string::npos; ++i) {
    stored = RunSh("curl -sS -k 'https://127.0.0.1:" + std::to_string(server_->port()) +
                   "/v1/query?format=ndjson&q=" + t + "'")
                 .out;
    if (stored.find(t) == std::string::npos) std::this_thread::sleep_for(25ms);
  }
  EXPECT_TRUE(Has(stored, "\"service\":\"nocert\"")) << stored << server_->Log();

  Install("wronghost");
  server_->Signal(SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (Served() != certs_->Fingerprint("wronghost")) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << server_->Log();
    std::this_thread::sleep_for(50ms);
  }
  // A key that does not match the certificate: the reload fails, the old pair stays.
  std::filesystem::copy_file(certs_->Key("valid"), key_,
                             std::filesystem::copy_options::overwrite_existing);
  server_->Signal(SIGHUP);
  while (server_->Log().find("cannot load private key") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << server_->Log();
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(Served(), certs_->Fingerprint("wronghost"));
}

}  // namespace
}  // namespace vigia::testing
