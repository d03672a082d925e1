// Integration: running vigia under systemd. With $NOTIFY_SOCKET the server sends READY=1
// once it serves, WATCHDOG=1 at half of $WATCHDOG_USEC, and STOPPING=1 at SIGTERM (the
// sd_notify protocol, src/common/systemd_notify.h); /health/live and /metrics name the
// running build (version, commit).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

// Receives the datagrams that arrive within `ms`, or until one contains `until`.
std::vector<std::string> Receive(int fd, int ms, const std::string& until) {
  std::vector<std::string> out;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) continue;
    out.emplace_back(buf, static_cast<size_t>(n));
    if (out.back().find(until) != std::string::npos) break;
  }
  return out;
}

size_t CountContaining(const std::vector<std::string>& msgs, const std::string& s) {
  size_t n = 0;
  for (const auto& m : msgs) n += m.find(s) != std::string::npos;
  return n;
}

TEST(OperationsIt, SystemdNotifyReadyWatchdogStopping) {
  TempDir dir;
  const std::string sock = dir.path() + "/notify.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << strerror(errno);

  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.env = {{"NOTIFY_SOCKET", sock}, {"WATCHDOG_USEC", "200000"}};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  std::vector<std::string> msgs = Receive(fd, 5000, "READY=1");
  ASSERT_EQ(CountContaining(msgs, "READY=1"), 1u) << server.Log();
  // Pings every 100 ms.
  std::vector<std::string> pings = Receive(fd, 450, "never");
  EXPECT_GE(CountContaining(pings, "WATCHDOG=1"), 2u);

  HttpClient c(server.port());
  auto live = c.Request("GET", "/health/live");
  ASSERT_TRUE(live.ok());
  EXPECT_NE(live->body.find("\"version\":\"0."), std::string::npos) << live->body;
  EXPECT_NE(live->body.find("\"commit\":\""), std::string::npos) << live->body;
  auto metrics = c.Request("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("vigia_build_info{version=\"0."), std::string::npos);
  EXPECT_NE(metrics->body.find(",commit=\""), std::string::npos);

  EXPECT_EQ(server.Stop(SIGTERM), 0);
  msgs = Receive(fd, 5000, "STOPPING=1");
  EXPECT_EQ(CountContaining(msgs, "STOPPING=1"), 1u);
  ::close(fd);
}

}  // namespace
}  // namespace vigia::testing
