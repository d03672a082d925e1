// ServerProcess: the real `vigia serve` binary (env VIGIA_BINARY, set by vigia_test) run as a
// child process on a free port with its own data directory, for integration tests. Its
// stderr (the server's JSON log) goes to a file next to the data directory so a failing test
// can show it.
//
// Thread-safety: externally synchronized (start/stop from the test's main thread); port()
// may be read from any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigia::testing {

// A fresh temporary directory, removed (recursively) by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ServerOptions {
  std::string data_dir;
  std::vector<std::string> extra_args;                   // e.g. {"--config", "f.toml"}
  std::vector<std::pair<std::string, std::string>> env;  // e.g. {"VIGIA_API_KEYS","k"}
  std::string log_path;                                  // default: <data_dir>.log
  // Start() waits for /health/ready (user-agent rules loaded) instead of /health/live.
  bool wait_ready = false;
  // Keep the server's default retention (30 days) instead of turning it off for the
  // fixed-date test data.
  bool default_retention = false;
  // The server speaks HTTPS (server.tls_cert_file set): Start() waits for /health/live
  // through `curl -k` (the test checks the certificate itself).
  bool tls = false;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options);
  ~ServerProcess();  // SIGKILLs a still-running child

  // Starts on a new free port (or the previous port when restarting) and waits until
  // /health/live answers (up to 30 s; /health/ready and 120 s with wait_ready).
  Status Start();
  // Sends `sig` and waits for the exit; returns the exit code (128+signal when killed).
  int Stop(int sig);
  // Sends `sig` (SIGHUP: reload) and returns at once.
  void Signal(int sig);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  std::string Log() const;  // the server's stderr so far

 private:
  Status StartOnce();

  ServerOptions options_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// gzip / zstd compression for request bodies.
std::string Gzip(const std::string& data);
std::string Zstd(const std::string& data);

}  // namespace vigia::testing
