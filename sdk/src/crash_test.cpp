// Crash capture end to end: a child process crashes (SIGSEGV / uncaught exception); the next
// start ships its record as a fatal error event whose frames name the crashing function —
// to a real vigia server when one is built (VIGIA_BINARY), else to the in-test HTTP server.
#include "vigia/crash.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "test_server.h"
#include "test_util.h"
#include "vigia/logger.h"

namespace vigia::sdk {
namespace {

using namespace std::chrono_literals;
using testing::contains;

[[gnu::noinline]] void vigia_crash_here_segv(volatile int* p) { *p = 42; }
[[gnu::noinline]] void vigia_crash_here_throw() {
  throw std::logic_error("invariant broken: stock < 0");
}

Config child_config(const std::string& spool) {
  Config c;
  c.service = "crashy";
  c.version = "9.9.9";
  c.spool_dir = spool;
  c.install_crash_handlers = true;
  c.metrics_interval = 0ms;
  return c;
}

int run_child(const std::string& spool, bool segv) {
  pid_t pid = fork();
  if (pid == 0) {
    Status st = init(child_config(spool));
    if (!st.ok()) _exit(3);
    if (segv) {
      vigia_crash_here_segv(nullptr);
    } else {
      // An exception escaping a thread's function calls std::terminate with the stack intact.
      std::thread(vigia_crash_here_throw).join();
    }
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

void expect_shipped(const std::string& spool, const char* func, const char* type) {
  testing::TestServer server;
  Config c;
  c.service = "crashy";
  c.spool_dir = spool;
  c.metrics_interval = 0ms;
  c.shipper.endpoint = server.endpoint();
  c.shipper.batch_max_delay = 10ms;
  auto log = Logger::create(c);
  ASSERT_TRUE(log.ok());
  (void)(*log)->flush(3000ms);  // then poll: a loaded CI machine may need longer
  for (int i = 0; i < 1000 && server.line_count() == 0; ++i) std::this_thread::sleep_for(10ms);
  auto lines = server.lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string& l = lines[0];
  EXPECT_TRUE(contains(l, "\"kind\":\"error\",\"level\":\"fatal\"")) << l;
  EXPECT_TRUE(contains(l, func)) << l;
  EXPECT_TRUE(contains(l, type)) << l;
  EXPECT_TRUE(contains(l, "\\\"version\\\":\\\"9.9.9\\\"")) << l;  // previous run's identity
  EXPECT_TRUE(read_crash_records(spool).empty());                  // shipped once
}

#if defined(VIGIA_SANITIZER_BUILD)
// Sanitizers install their own SEGV handlers and report instead of crashing normally.
TEST(Crash, DISABLED_SegfaultShippedOnNextStart) {}
#else
TEST(Crash, SegfaultShippedOnNextStart) {
  std::string spool = testing::make_temp_dir();
  ASSERT_EQ(run_child(spool, true), SIGSEGV);
  auto recs = read_crash_records(spool);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].signal, SIGSEGV);
  ASSERT_FALSE(recs[0].frames.empty());
  EXPECT_TRUE(contains(recs[0].frames[0], "vigia_crash_here_segv")) << recs[0].frames[0];
  expect_shipped(spool, "vigia_crash_here_segv", "SIGSEGV");
}
#endif

// The vigia binary of this build (VIGIA_BINARY, set by vigia_test), started on a free port.
class RealServer {
 public:
  bool start() {
    const char* bin = std::getenv("VIGIA_BINARY");
    if (!bin || access(bin, X_OK) != 0) return false;
    port_ = free_port();
    if (port_ <= 0) return false;
    data_ = testing::make_temp_dir();
    pid_ = fork();
    if (pid_ == 0) {
      setenv("VIGIA_API_KEYS", "e2e-key", 1);
      std::string listen = "127.0.0.1:" + std::to_string(port_);
      int fd = ::open("/dev/null", O_WRONLY);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(bin, bin, "serve", "--data", data_.c_str(), "--listen", listen.c_str(), nullptr);
      _exit(127);
    }
    httplib::Client cli("127.0.0.1", port_);
    cli.set_connection_timeout(0, 200000);
    cli.set_read_timeout(1, 0);
    for (int i = 0; i < 500; ++i) {
      if (auto r = cli.Get("/health/live"); r && r->status == 200) return true;
      int st;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return false;  // the server exited (bad binary, port taken)
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    close(fd);
    return port;
  }
  ~RealServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st;
      waitpid(pid_, &st, 0);
    }
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string dump() {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_connection_timeout(0, 200000);
    auto r = cli.Get("/v1/query?q=*&format=ndjson&limit=100000", {{"Authorization", "Bearer e2e-key"}});
    return r && r->status == 200 ? r->body : std::string();
  }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string data_;
};

#if !defined(VIGIA_SANITIZER_BUILD)
TEST(Crash, SegfaultArrivesAtRealVigiaServer) {
  RealServer server;
  if (!server.start()) GTEST_SKIP() << "no runnable vigia binary at $VIGIA_BINARY";
  std::string spool = testing::make_temp_dir();
  ASSERT_EQ(run_child(spool, true), SIGSEGV);
  Config c;
  c.service = "crashy";
  c.spool_dir = spool;
  c.metrics_interval = 0ms;
  c.shipper.endpoint = server.endpoint();
  c.shipper.api_key = "e2e-key";
  c.shipper.batch_max_delay = 10ms;
  auto log = Logger::create(c);
  ASSERT_TRUE(log.ok());
  (void)(*log)->flush(3000ms);  // then poll: a loaded CI machine may need longer
  std::string body;
  for (int i = 0; i < 1000 && !contains(body, "vigia_crash_here_segv"); ++i) {
    std::this_thread::sleep_for(10ms);
    body = server.dump();
  }
  EXPECT_TRUE(contains(body, "vigia_crash_here_segv")) << body;
  EXPECT_TRUE(contains(body, "fatal")) << body;
  EXPECT_TRUE(contains(body, "SIGSEGV")) << body;
  EXPECT_EQ((*log)->shipper_stats().events_sent, 1u) << (*log)->shipper_stats().last_error;
}
#endif

TEST(Crash, UncaughtExceptionShippedOnNextStart) {
  std::string spool = testing::make_temp_dir();
  ASSERT_EQ(run_child(spool, false), SIGABRT);
  auto recs = read_crash_records(spool);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].exception_type, "std::logic_error");
  EXPECT_EQ(recs[0].exception_message, "invariant broken: stock < 0");
  expect_shipped(spool, "vigia_crash_here_throw", "std::logic_error");
}

}  // namespace
}  // namespace vigia::sdk
