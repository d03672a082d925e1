// Integration with real log shippers started by the test, against the real `vigia serve`:
// logger(1) and rsyslog (omfwd over UDP and TCP, in both framings and formats, and
// omelasticsearch to the _bulk endpoint) and syslog-ng (network(), syslog(),
// elasticsearch-http()). What they send must be stored field by field. Needs the Debian
// packages rsyslog, rsyslog-elasticsearch and bsdutils (logger) and syslog-ng's extracted
// packages, all from scripts/install-deps.sh; a missing peer fails its test (none is skipped).
// Labelled peers;no_sanitizer.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

extern char** environ;

namespace vigia::testing {
namespace {

// A port free right now (bound to 0 and released): the kernel hands out ephemeral ports in
// turn, so it stays free for the moment the server needs.
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

int Shell(const std::string& cmd) { return std::system(cmd.c_str()); }

class SyslogPeersIt : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::pair<std::string, std::string>> extra_env = {}) {
    udp_port_ = FreePort(SOCK_DGRAM);
    tcp_port_ = FreePort(SOCK_STREAM);
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    o.env = {{"VIGIA_SYSLOG_UDP_LISTEN", "127.0.0.1:" + std::to_string(udp_port_)},
             {"VIGIA_SYSLOG_TCP_LISTEN", "127.0.0.1:" + std::to_string(tcp_port_)},
             {"VIGIA_SYSLOG_BATCH_DELAY_MS", "20"}};
    for (auto& e : extra_env) o.env.push_back(std::move(e));
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
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

  std::string Query(const std::string& q) {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("GET", "/v1/query?format=ndjson&q=" + q, {}, {});
    if (!r.ok() || r->status != 200) return "";
    return r->body;
  }
  // Polls until the query finds `want` events (the shippers send asynchronously).
  std::string WaitFor(const std::string& q, size_t want = 1) {
    std::string body;
    for (int i = 0; i < 400; ++i) {
      body = Query(q);
      size_t n = 0;
      for (char c : body) n += c == '\n';
      if (n >= want) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "no " << want << " events for " << q << "; server log:\n" << server_->Log();
    return body;
  }
  // Polls until `q | stats count()` counts `want` events.
  bool WaitForCount(const std::string& q, int64_t want) {
    std::string body;
    for (int i = 0; i < 600; ++i) {
      body = Query(q + "+%7C+stats+count()");
      if (body.find("\"count()\":" + std::to_string(want) + "}") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << q << ": want " << want << ", last answer " << body;
    return false;
  }
  std::string Metrics() {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("GET", "/metrics", {}, {});
    return r.ok() ? r->body : "";
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  uint16_t udp_port_ = 0;
  uint16_t tcp_port_ = 0;
  pid_t rsyslog_pid_ = -1;  // the shipper under test (rsyslogd or syslog-ng)
};

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(SyslogPeersIt, LoggerOverUdpAndTcpBothFormats) {
  StartServer();
  const std::string port_udp = std::to_string(udp_port_);
  const std::string port_tcp = std::to_string(tcp_port_);
  const std::string t1 = Token(), t2 = Token(), t3 = Token();
  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + port_udp +
                  " --udp --rfc5424 -t billing -p local0.warning --sd-id order@32473"
                  " --sd-param 'id=\"42\"' 'udp message " +
                  t1 + "'"),
            0);
  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + port_tcp +
                  " --tcp --rfc3164 -t nginx -p daemon.err 'tcp line " + t2 + "'"),
            0);
  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + port_tcp +
                  " --tcp --octet-count --rfc5424 -t app -p user.debug "
                  "'{\"msg\":\"json " +
                  t3 + "\",\"status\":503,\"level\":\"error\"}'"),
            0);

  std::string e1 = WaitFor(t1);
  EXPECT_TRUE(Has(e1, "\"level\":\"warn\"")) << e1;
  EXPECT_TRUE(Has(e1, "\"service\":\"billing\"")) << e1;
  EXPECT_TRUE(Has(e1, "\"msg\":\"udp message " + t1 + "\"")) << e1;
  EXPECT_TRUE(Has(e1, "\"syslog.facility\":\"local0\"")) << e1;
  EXPECT_TRUE(Has(e1, "\"order.id\":\"42\"")) << e1;
  EXPECT_TRUE(Has(e1, "\"host\":")) << e1;

  std::string e2 = WaitFor(t2);
  EXPECT_TRUE(Has(e2, "\"level\":\"error\"")) << e2;
  EXPECT_TRUE(Has(e2, "\"service\":\"nginx\"")) << e2;
  EXPECT_TRUE(Has(e2, "\"msg\":\"tcp line " + t2 + "\"")) << e2;
  EXPECT_TRUE(Has(e2, "\"syslog.facility\":\"daemon\"")) << e2;

  std::string e3 = WaitFor(t3);
  EXPECT_TRUE(Has(e3, "\"level\":\"error\"")) << e3;  // the JSON's, not severity debug
  EXPECT_TRUE(Has(e3, "\"status\":503")) << e3;
  EXPECT_TRUE(Has(e3, "\"service\":\"app\"")) << e3;

  std::string m = Metrics();
  EXPECT_TRUE(Has(m, "vigia_ingest_records_total{protocol=\"syslog\",result=\"accepted\"} 3\n"))
      << m;
}

// rsyslog receives on its own UDP input and forwards each message by the action its text
// names: omfwd UDP (RFC 5424), omfwd TCP (traditional format, LF framing), omfwd TCP
// (octet counting), omelasticsearch (bulk, ECS-style JSON template).
TEST_F(SyslogPeersIt, RsyslogOmfwdAndOmelasticsearch) {
  StartServer();
  const std::string work = dir_.path() + "/rsyslog";
  ASSERT_EQ(Shell("mkdir -p " + work), 0);
  const uint16_t in_port = FreePort(SOCK_DGRAM);
  const std::string conf = work + "/rsyslog.conf";
  std::ofstream(conf)
      << "global(workDirectory=\"" << work << "\")\n"
      << "module(load=\"imudp\")\n"
      << "module(load=\"omelasticsearch\")\n"
      << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << in_port << "\")\n"
      << "template(name=\"ecs\" type=\"list\" option.json=\"on\") {\n"
      << "  constant(value=\"{\\\"@timestamp\\\":\\\"\")\n"
      << "  property(name=\"timereported\" dateFormat=\"rfc3339\")\n"
      << "  constant(value=\"\\\",\\\"message\\\":\\\"\") property(name=\"msg\")\n"
      << "  constant(value=\"\\\",\\\"host\\\":{\\\"name\\\":\\\"\") property(name=\"hostname\")\n"
      << "  constant(value=\"\\\"},\\\"log\\\":{\\\"level\\\":\\\"\")\n"
      << "  property(name=\"syslogseverity-text\")\n"
      << "  constant(value=\"\\\"},\\\"service\\\":{\\\"name\\\":\\\"\")\n"
      << "  property(name=\"programname\")\n"
      << "  constant(value=\"\\\"}}\")\n"
      << "}\n"
      << "if $msg contains \"viaudp\" then action(type=\"omfwd\" target=\"127.0.0.1\" port=\""
      << udp_port_ << "\" protocol=\"udp\" template=\"RSYSLOG_SyslogProtocol23Format\")\n"
      << "if $msg contains \"viatcp\" then action(type=\"omfwd\" target=\"127.0.0.1\" port=\""
      << tcp_port_ << "\" protocol=\"tcp\" template=\"RSYSLOG_TraditionalForwardFormat\")\n"
      << "if $msg contains \"viaoctet\" then action(type=\"omfwd\" target=\"127.0.0.1\" port=\""
      << tcp_port_ << "\" protocol=\"tcp\" tcp_framing=\"octet-counted\""
      << " template=\"RSYSLOG_SyslogProtocol23Format\")\n"
      << "if $msg contains \"viaes\" then action(type=\"omelasticsearch\" server=\"127.0.0.1\""
      << " serverport=\"" << server_->port() << "\" searchIndex=\"rsyslog-test\""
      << " template=\"ecs\" bulkmode=\"on\" esVersion.major=\"8\")\n";
  const std::string pidfile = work + "/rsyslogd.pid";
  std::vector<std::string> args = {"rsyslogd", "-n", "-f", conf, "-i", pidfile};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ASSERT_EQ(::posix_spawnp(&rsyslog_pid_, "rsyslogd", nullptr, nullptr, argv.data(), environ), 0);

  const std::string t = Token();
  const std::string in = std::to_string(in_port);
  // rsyslog needs a moment to open its input: resend until the first arrives.
  std::string first;
  for (int i = 0; i < 40 && first.empty(); ++i) {
    Shell("logger --server 127.0.0.1 --port " + in + " --udp -t shop -p local3.warning 'viaudp " +
          t + "'");
    first = Query("viaudp+" + t);
    if (first.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  first = WaitFor("viaudp+" + t);
  EXPECT_TRUE(Has(first, "\"service\":\"shop\"")) << first;
  EXPECT_TRUE(Has(first, "\"level\":\"warn\"")) << first;
  EXPECT_TRUE(Has(first, "\"syslog.facility\":\"local3\"")) << first;

  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + in + " --udp -t pay -p user.err 'viatcp " +
                  t + "'"),
            0);
  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + in +
                  " --udp -t pay -p user.info 'viaoctet " + t + "'"),
            0);
  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + in +
                  " --udp -t stock -p user.notice 'viaes " + t + "'"),
            0);
  std::string tcp = WaitFor("viatcp+" + t);
  EXPECT_TRUE(Has(tcp, "\"level\":\"error\"")) << tcp;
  EXPECT_TRUE(Has(tcp, "\"service\":\"pay\"")) << tcp;
  EXPECT_TRUE(Has(tcp, "\"msg\":\"viatcp " + t + "\"")) << tcp;
  std::string octet = WaitFor("viaoctet+" + t);
  EXPECT_TRUE(Has(octet, "\"service\":\"pay\"")) << octet;
  EXPECT_TRUE(Has(octet, "\"level\":\"info\"")) << octet;
  std::string es = WaitFor("viaes+" + t);
  EXPECT_TRUE(Has(es, "\"service\":\"stock\"")) << es;
  EXPECT_TRUE(Has(es, "\"level\":\"info\"")) << es;
  EXPECT_TRUE(Has(es, "\"index\":\"rsyslog-test\"")) << es;
  EXPECT_TRUE(Has(es, "\"msg\":\"viaes " + t + "\"")) << es;
}

// syslog-ng, run from its Debian packages extracted by scripts/install-deps.sh (its package
// conflicts with rsyslog's): network() (BSD over TCP, LF framing), syslog() (RFC 5424,
// octet counting) and elasticsearch-http() with its default template.
TEST_F(SyslogPeersIt, SyslogNgNetworkSyslogAndElasticsearchHttp) {
  // Where scripts/install-deps.sh extracted it; fetched now if it is not there. A peer the
  // project provides must run: a failed fetch fails the test, it never skips.
  const char* source = std::getenv("VIGIA_SOURCE_DIR");
  ASSERT_TRUE(source != nullptr);
  const char* peers = std::getenv("VIGIA_PEERS_DIR");
  const char* home = std::getenv("HOME");
  const std::string root =
      (peers != nullptr && *peers != '\0'
           ? std::string(peers)
           : std::string(home != nullptr ? home : "/root") + "/.cache/vigia-peers") +
      "/syslog-ng";
  ASSERT_EQ(Shell(std::string(source) + "/tests/tools/fetch_syslog_ng.sh " + root), 0)
      << "syslog-ng could not be fetched into " << root
      << " (scripts/install-deps.sh runs tests/tools/fetch_syslog_ng.sh: apt-get download "
         "syslog-ng-core syslog-ng-mod-http syslog-ng-scl needs the Debian archive)";
  StartServer();
  const std::string work = dir_.path() + "/syslog-ng";
  ASSERT_EQ(Shell("mkdir -p " + work), 0);
  const uint16_t in_port = FreePort(SOCK_DGRAM);
  const std::string conf = work + "/syslog-ng.conf";
  std::ofstream(conf)
      << "@version: 3.38\n"
      << "@include \"" << root
      << "/usr/share/syslog-ng/include/scl/elasticsearch/elastic-http.conf\"\n"
      << "options { use-dns(no); keep-hostname(yes); };\n"
      << "source s_in { network(ip(\"127.0.0.1\") port(" << in_port << ") transport(\"udp\")); };\n"
      << "destination d_net { network(\"127.0.0.1\" port(" << tcp_port_
      << ") transport(\"tcp\") persist-name(\"vigia_net\")); };\n"
      << "destination d_sys { syslog(\"127.0.0.1\" port(" << tcp_port_
      << ") transport(\"tcp\") persist-name(\"vigia_sys\")); };\n"
      << "destination d_es { elasticsearch-http(url(\"http://127.0.0.1:" << server_->port()
      << "/_bulk\") index(\"syslog-ng\") type(\"\")); };\n"
      << "log { source(s_in); filter { message(\"sngnet\"); }; destination(d_net); };\n"
      << "log { source(s_in); filter { message(\"sngsys\"); }; destination(d_sys); };\n"
      << "log { source(s_in); filter { message(\"snges\"); }; destination(d_es); };\n";
  const std::string modules = "--module-path=" + root + "/usr/lib/syslog-ng/3.38";
  std::vector<std::string> args = {root + "/usr/sbin/syslog-ng",
                                   "-F",
                                   "--no-caps",
                                   "-f",
                                   conf,
                                   modules,
                                   "-R",
                                   work + "/persist",
                                   "-c",
                                   work + "/ctl",
                                   "-p",
                                   work + "/pid"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = {"LD_LIBRARY_PATH=" + root + "/usr/lib/syslog-ng"};
  for (char** e = environ; *e != nullptr; ++e) env_store.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  ASSERT_EQ(::posix_spawn(&rsyslog_pid_, argv[0], nullptr, nullptr, argv.data(), envp.data()), 0);

  const std::string t = Token();
  const std::string in = std::to_string(in_port);
  std::string first;
  for (int i = 0; i < 40 && first.empty(); ++i) {
    Shell("logger --server 127.0.0.1 --port " + in +
          " --udp --rfc3164 -t web -p local1.err 'sngnet " + t + "'");
    first = Query("sngnet+" + t);
    if (first.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  first = WaitFor("sngnet+" + t);
  EXPECT_TRUE(Has(first, "\"service\":\"web\"")) << first;
  EXPECT_TRUE(Has(first, "\"level\":\"error\"")) << first;
  EXPECT_TRUE(Has(first, "\"syslog.facility\":\"local1\"")) << first;

  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + in +
                  " --udp --rfc3164 -t api -p user.warning 'sngsys " + t + "'"),
            0);
  ASSERT_EQ(Shell("logger --server 127.0.0.1 --port " + in +
                  " --udp --rfc3164 -t db -p user.info 'snges " + t + "'"),
            0);
  std::string sys = WaitFor("sngsys+" + t);
  EXPECT_TRUE(Has(sys, "\"service\":\"api\"")) << sys;
  EXPECT_TRUE(Has(sys, "\"level\":\"warn\"")) << sys;
  EXPECT_TRUE(Has(sys, "\"msg\":\"sngsys " + t + "\"")) << sys;
  std::string es = WaitFor("snges+" + t);
  EXPECT_TRUE(Has(es, "\"service\":\"db\"")) << es;
  EXPECT_TRUE(Has(es, "\"level\":\"info\"")) << es;
  EXPECT_TRUE(Has(es, "\"index\":\"syslog-ng\"")) << es;
  EXPECT_TRUE(Has(es, "\"msg\":\"snges " + t + "\"")) << es;
}

// UDP cannot push back: past the pending bound datagrams are dropped and counted. TCP is not
// read while the bound is reached, so nothing sent over it is lost.
TEST_F(SyslogPeersIt, UdpDropsAreCountedTcpLosesNothing) {
  StartServer(
      {{"VIGIA_SYSLOG_MAX_PENDING_BYTES", "65536"}, {"VIGIA_SYSLOG_BATCH_MESSAGES", "1000000"}});
  // TCP: 4 MB of messages through a 64 KiB bound.
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(tcp_port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    std::string batch;
    const std::string pad(900, 'x');
    for (int i = 0; i < 4000; ++i) {
      batch += "<14>1 - host bulk - - - tcpflood n" + std::to_string(i) + " " + pad + "\n";
    }
    size_t off = 0;
    while (off < batch.size()) {
      ssize_t n = ::send(fd, batch.data() + off, batch.size() - off, MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      off += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  EXPECT_TRUE(WaitForCount("tcpflood", 4000));

  // UDP: a burst far above the bound. Every datagram is either stored or counted as dropped
  // (by vigia when the pending bound is reached, by the kernel when the socket buffer is).
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(udp_port_);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string pad(1000, 'y');
  constexpr int kSent = 3000;
  for (int i = 0; i < kSent; ++i) {
    std::string msg = "<14>1 - host burst - - - udpburst " + pad;
    ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ::close(fd);
  auto counter = [](const std::string& metrics, const std::string& series) -> int64_t {
    size_t at = metrics.find(series + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(metrics.substr(at + series.size() + 1));
  };
  int64_t stored = 0, dropped = 0;
  for (int i = 0; i < 400; ++i) {
    std::string m = Metrics();
    int64_t accepted =
        counter(m, "vigia_ingest_records_total{protocol=\"syslog\",result=\"accepted\"}");
    stored = accepted - 4000;
    dropped = counter(m, "vigia_syslog_dropped_total{transport=\"udp\",reason=\"queue_full\"}") +
              counter(m, "vigia_syslog_dropped_total{transport=\"udp\",reason=\"socket_buffer\"}");
    if (stored + dropped == kSent) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(stored + dropped, kSent) << "stored " << stored << " dropped " << dropped;
  EXPECT_TRUE(WaitForCount("udpburst", stored));
}

}  // namespace
}  // namespace vigia::testing
