// Integration: GET /v1/tail (NDJSON and SSE), `vigia tail -f --server` and
// GET /v1/trace/{request_id} against the real `vigia serve`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/stream_client.h"

namespace vigia::testing {
namespace {

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

// EventLine(uid) with level error instead of info.
std::string ErrorLine(const std::string& uid) {
  std::string line = EventLine(uid);
  line.replace(line.find("\"level\":\"info\""), 14, "\"level\":\"error\"");
  return line;
}

// The "uid" of an event line ("" when it has none).
std::string UidOf(const std::string& line) {
  auto uids = CountUids(line);
  return uids.size() == 1 ? uids.begin()->first : "";
}

class TailIt : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::pair<std::string, std::string>> env = {}) {
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    o.env = std::move(env);
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }
  void Post(const std::string& body, Headers headers = kNdjson) {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("POST", "/v1/events", body, headers);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// Posts a batch where the even uids are errors, the odd ones info; returns the error uids.
std::set<std::string> MixedBatch(const std::string& prefix, int n, std::string* body) {
  std::set<std::string> errors;
  for (int i = 0; i < n; ++i) {
    std::string uid = prefix + std::to_string(i);
    if (i % 2 == 0) {
      *body += ErrorLine(uid);
      errors.insert(uid);
    } else {
      *body += EventLine(uid);
    }
  }
  return errors;
}

TEST_F(TailIt, NdjsonTailSeesExactlyTheMatchingNewEvents) {
  StartServer();
  Post(ErrorLine("before"));  // stored before the tail opened: not shown
  StreamClient c(server_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror").ok());
  ASSERT_EQ(c.status(), 200);
  EXPECT_EQ(c.Header("content-type"), "application/x-ndjson");
  std::string body;
  std::set<std::string> want = MixedBatch("n", 40, &body);
  Post(body);
  std::set<std::string> got;
  while (got.size() < want.size()) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString() << "\n" << server_->Log();
    if (line->empty()) continue;  // heartbeat
    EXPECT_TRUE(got.insert(UidOf(*line)).second) << "duplicate: " << *line;
  }
  EXPECT_EQ(got, want);
  Result<std::string> extra = c.ReadLine(500);
  EXPECT_EQ(extra.status().code(), StatusCode::kDeadlineExceeded) << (extra.ok() ? *extra : "");
}

TEST_F(TailIt, SseTailFramesEachMatchingEvent) {
  StartServer();
  StreamClient c(server_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror", {{"Accept", "text/event-stream"}}).ok());
  ASSERT_EQ(c.status(), 200);
  EXPECT_EQ(c.Header("content-type"), "text/event-stream");
  std::string body;
  std::set<std::string> want = MixedBatch("s", 20, &body);
  Post(body);
  std::set<std::string> got;
  while (got.size() < want.size()) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    if (line->empty() || (*line)[0] == ':') continue;  // event separator or comment
    ASSERT_EQ(line->rfind("data: {\"ts\":", 0), 0u) << *line;
    got.insert(UidOf(*line));
  }
  EXPECT_EQ(got, want);
}

TEST_F(TailIt, TailNeedsAnApiKeyWhenKeysAreSet) {
  StartServer({{"VIGIA_API_KEYS", "tail-secret"}});
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/tail");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  StreamClient s(server_->port());
  ASSERT_TRUE(s.Open("/v1/tail", {{"Authorization", "Bearer tail-secret"}}).ok());
  EXPECT_EQ(s.status(), 200);
}

// `vigia tail -f --server URL 'filter'` as a child process with its stdout on a pipe.
class TailCli {
 public:
  explicit TailCli(std::vector<std::string> args) {
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    const char* binary = std::getenv("VIGIA_BINARY");
    args.insert(args.begin(), {binary ? binary : "vigia", "tail"});
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~TailCli() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }
  // The next stdout line, or "" after `timeout_ms` / at EOF.
  std::string ReadLine(int timeout_ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      end - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0) return "";
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) return "";
      char tmp[4096];
      ssize_t n = ::read(out_, tmp, sizeof(tmp));
      if (n <= 0) return "";
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  // Waits for the exit; returns the exit code (-1 when it does not exit in time).
  int Wait(int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(10000);
    }
    return -1;
  }
  std::string Stderr() {
    std::string s;
    char tmp[4096];
    pollfd p{err_, POLLIN, 0};
    while (::poll(&p, 1, 100) > 0) {
      ssize_t n = ::read(err_, tmp, sizeof(tmp));
      if (n <= 0) break;
      s.append(tmp, static_cast<size_t>(n));
    }
    return s;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string buf_;
};

TEST_F(TailIt, CliTailFollowStreamsFromTheServer) {
  StartServer({{"VIGIA_API_KEYS", "cli-key"}});
  std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  TailCli cli({"-f", "--server", url, "--api-key", "cli-key", "level:error"});
  const Headers auth = {{"Content-Type", "application/x-ndjson"},
                        {"Authorization", "Bearer cli-key"}};
  // The CLI subscribes asynchronously: send matching probes until one comes through.
  std::string first;
  for (int i = 0; i < 100 && first.empty(); ++i) {
    Post(ErrorLine("probe-" + std::to_string(i)), auth);
    first = cli.ReadLine(100);
  }
  ASSERT_FALSE(first.empty()) << cli.Stderr() << server_->Log();
  std::string body;
  std::set<std::string> want = MixedBatch("c", 30, &body);
  Post(body, auth);
  std::set<std::string> got;
  while (true) {
    std::string line = cli.ReadLine(got.size() < want.size() ? 10000 : 500);
    if (line.empty()) break;
    std::string uid = UidOf(line);
    if (uid.rfind("probe-", 0) == 0) continue;
    got.insert(uid);
  }
  EXPECT_EQ(got, want) << cli.Stderr();
  // Stopping the server ends the stream cleanly: the CLI says so and exits 0.
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  EXPECT_EQ(cli.Wait(10000), 0);
  EXPECT_NE(cli.Stderr().find("the server ended the stream"), std::string::npos);
}

TEST_F(TailIt, SinceBackfillsStoredEventsThenStreamsLiveOnesOnce) {
  StartServer();
  std::string stored;
  std::set<std::string> old_errors = MixedBatch("old", 40, &stored);
  Post(stored);
  StreamClient c(server_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror&since=2026-11-22T00:00:00Z").ok());
  ASSERT_EQ(c.status(), 200);
  std::string live;
  std::set<std::string> new_errors = MixedBatch("new", 40, &live);
  Post(live);
  std::vector<std::string> order;
  std::set<std::string> got;
  while (got.size() < old_errors.size() + new_errors.size()) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString() << "\n" << server_->Log();
    if (line->empty()) continue;  // heartbeat
    std::string uid = UidOf(*line);
    EXPECT_TRUE(got.insert(uid).second) << "duplicate: " << *line;
    order.push_back(uid);
  }
  std::set<std::string> want = old_errors;
  want.insert(new_errors.begin(), new_errors.end());
  EXPECT_EQ(got, want);
  // Every stored event comes before every live one.
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(order[i].rfind("old", 0) == 0, i < old_errors.size()) << i << " " << order[i];
  }
  Result<std::string> extra = c.ReadLine(500);
  EXPECT_EQ(extra.status().code(), StatusCode::kDeadlineExceeded) << (extra.ok() ? *extra : "");
}

TEST_F(TailIt, CliTailSinceFollowsAfterTheBackfill) {
  StartServer();
  std::string stored;
  std::set<std::string> want = MixedBatch("b", 10, &stored);
  Post(stored);
  std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  TailCli cli({"-f", "--server", url, "--since", "2026-11-22T10:00:00Z", "level:error"});
  std::set<std::string> got;
  while (got.size() < want.size()) {
    std::string line = cli.ReadLine(10000);
    ASSERT_FALSE(line.empty()) << cli.Stderr() << server_->Log();
    got.insert(UidOf(line));
  }
  EXPECT_EQ(got, want);
  Post(ErrorLine("after"));
  EXPECT_EQ(UidOf(cli.ReadLine(10000)), "after") << cli.Stderr();
}

TEST_F(TailIt, TraceByPathReturnsTheRequestsEvents) {
  StartServer();
  Post(EventLine("t1") + EventLine("t2") + ErrorLine("t1"));
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/trace/req-t1");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.rfind("{\"request_id\":\"req-t1\",\"events\":[", 0), 0u) << r->body;
  EXPECT_EQ(CountUids(r->body)["t1"], 2);
  EXPECT_EQ(CountUids(r->body).count("t2"), 0u);
  r = c.Request("GET", "/v1/trace/req%2Dt2");  // percent-encoded path segment
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(CountUids(r->body)["t2"], 1);
  r = c.Request("GET", "/v1/trace/req-none");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  r = c.Request("POST", "/v1/trace/req-t1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
}

}  // namespace
}  // namespace vigia::testing
