#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/http_client.h"

namespace vigia::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "vigia_it_XXXXXX").string();
  char* p = ::mkdtemp(tmpl.data());
  path_ = p ? p : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
  if (options_.log_path.empty()) options_.log_path = options_.data_dir + ".log";
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  std::remove(options_.log_path.c_str());
}

Status ServerProcess::Start() {
  // FreePort() can race with another test process grabbing the same port between our probe
  // and the server's bind: on "cannot listen", try again on a new port.
  Status st;
  for (int attempt = 0; attempt < 5; ++attempt) {
    st = StartOnce();
    if (st.ok() || st.message().find("cannot listen") == std::string::npos) return st;
    port_ = 0;
  }
  return st;
}

Status ServerProcess::StartOnce() {
  const char* binary = std::getenv("VIGIA_BINARY");
  if (binary == nullptr) return Status::InvalidArgument("VIGIA_BINARY is not set");
  if (port_ == 0) port_ = FreePort();
  std::vector<std::string> args = {binary,     "serve",
                                   "--data",   options_.data_dir,
                                   "--listen", "127.0.0.1:" + std::to_string(port_)};
  for (const std::string& a : options_.extra_args) args.push_back(a);
  int log_fd = ::open(options_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::FromErrno("open " + options_.log_path, errno);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::FromErrno("fork", errno);
  }
  if (pid == 0) {
    ::dup2(log_fd, 2);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    for (const auto& [k, v] : options_.env) ::setenv(k.c_str(), v.c_str(), 1);
    ::setenv("VIGIA_LOG_FORMAT", "json", 1);
    // Test data has fixed dates: without this, retention (30 days by default) would drop it
    // once the machine clock moves past them. The environment outranks a config file, so a
    // test of retention sets VIGIA_RETENTION_DAYS in ServerOptions::env.
    if (!options_.default_retention) ::setenv("VIGIA_RETENTION_DAYS", "0", 0);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary, argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options_.wait_ready ? 120 : 30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("server exited during start-up:\n" + Log());
    }
    const char* probe = options_.wait_ready ? "/health/ready" : "/health/live";
    if (options_.tls) {
      std::string cmd = "curl -sk -o /dev/null --max-time 1 -w '%{http_code}' https://127.0.0.1:" +
                        std::to_string(port_) + probe + " 2>/dev/null";
      std::string code;
      if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[16] = {};
        if (std::fgets(buf, sizeof buf, p) != nullptr) code = buf;
        ::pclose(p);
      }
      if (code == "200") return Status::Ok();
    } else {
      HttpClient c(port_, 1000);
      Result<HttpResult> r = c.Request("GET", probe);
      if (r.ok() && r->status == 200) return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::DeadlineExceeded("server did not become live:\n" + Log());
}

int ServerProcess::Stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::string ServerProcess::Log() const {
  std::ifstream f(options_.log_path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

}  // namespace vigia::testing
