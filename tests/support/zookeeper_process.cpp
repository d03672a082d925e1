#include "support/zookeeper_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/clickhouse_process.h"

namespace vigia::testing {
namespace {

namespace fs = std::filesystem;

// Debian's zookeeper package: the server jar (its manifest names the libraries it needs).
constexpr const char* kJar = "/usr/share/java/zookeeper.jar";

// popen's /bin/sh may be dash, which has no /dev/tcp: bash asks.
bool PortFree(int port) {
  return ShellOutput("bash -c '(exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
                     ") 2>/dev/null && echo used'")
      .empty();
}

}  // namespace

ZooKeeperProcess::ZooKeeperProcess(const std::string& name) {
  dir_ = (fs::temp_directory_path() / ("vigia_zk_" + std::to_string(::getpid()) + "_" + name))
             .string();
  fs::remove_all(dir_);
  fs::create_directories(dir_ + "/data");
  if (!fs::exists(kJar)) return;
  port_ = 22181;
  while (!PortFree(port_)) ++port_;
  // Short ticks: sessions of a killed client expire in seconds, not minutes.
  std::ofstream(dir_ + "/zoo.cfg") << "tickTime=500\ninitLimit=10\nsyncLimit=5\n"
                                   << "dataDir=" << dir_ << "/data\n"
                                   << "clientPort=" << port_ << "\nclientPortAddress=127.0.0.1\n"
                                   << "maxClientCnxns=200\nadmin.enableServer=false\n";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string log = dir_ + "/zookeeper.log";
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    if (out != nullptr) ::dup2(::fileno(stdout), 2);
    const std::string cfg = dir_ + "/zoo.cfg";
    ::execlp("java", "java", "-Xmx256m", "-Dzookeeper.4lw.commands.whitelist=ruok", "-cp", kJar,
             "org.apache.zookeeper.server.ZooKeeperServerMain", cfg.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid < 0) return;
  pid_ = pid;
  const std::string ruok = "echo ruok | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" +
                           std::to_string(port_) + "; cat >&3; cat <&3' 2>/dev/null";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    // Exited (the port taken meanwhile, no java): another server's imok must not count.
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return;
    }
    if (ShellOutput(ruok).find("imok") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = 0;
}

ZooKeeperProcess::~ZooKeeperProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  fs::remove_all(dir_);
}

std::string ZooKeeperProcess::Log() const {
  std::ifstream f(dir_ + "/zookeeper.log");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace vigia::testing
