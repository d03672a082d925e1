#include "load/load_runner.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace vigia::bench {
namespace {

// A real HTTP server (cpp-httplib) standing in for the ingest endpoint: it records every
// line it receives and answers like vigia's POST /v1/events.
class FakeIngest {
 public:
  explicit FakeIngest(int fail_every = 0, bool under_accept = false)
      : fail_every_(fail_every), under_accept_(under_accept) {
    server_.Post("/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
      const int n = ++requests_;
      if (fail_every_ > 0 && n % fail_every_ == 0) {
        res.status = 503;
        res.set_content("{\"error\":{\"code\":\"unavailable\"}}", "application/json");
        return;
      }
      uint64_t lines = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        size_t pos = 0;
        while (pos < req.body.size()) {
          size_t nl = req.body.find('\n', pos);
          if (nl == std::string::npos) nl = req.body.size();
          lines_.insert(req.body.substr(pos, nl - pos));
          ++lines;
          pos = nl + 1;
        }
        content_types_.insert(req.get_header_value("Content-Type"));
      }
      const uint64_t accepted = under_accept_ ? lines - 1 : lines;
      res.set_content("{\"accepted\":" + std::to_string(accepted) + ",\"rejected\":0}",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens; wait for the accept loop so stop() cannot race it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeIngest() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/events"; }
  std::set<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  std::set<std::string> content_types() {
    std::lock_guard<std::mutex> lock(mu_);
    return content_types_;
  }
  int requests() const { return requests_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
  int fail_every_;
  bool under_accept_;
  std::mutex mu_;
  std::set<std::string> lines_;
  std::set<std::string> content_types_;
};

std::string WriteLines(int n) {
  char tmpl[] = "/tmp/vigia_load_test_XXXXXX";
  const int fd = mkstemp(tmpl);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream f(tmpl);
  for (int i = 0; i < n; ++i) f << "{\"n\":" << i << "}\n";
  return tmpl;
}

TEST(LoadRunner, SendsEveryLineExactlyOnceOverSeveralConnections) {
  FakeIngest server;
  const std::string path = WriteLines(1050);
  auto source = FileBatchSource::Open(path);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  LoadOptions opt;
  opt.url = server.url();
  opt.connections = 3;
  opt.batch_lines = 100;
  auto report = LoadRunner(opt).Run(source->get());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToText();
  EXPECT_EQ(report->events, 1050u);
  EXPECT_EQ(report->accepted, 1050u);
  EXPECT_EQ(report->batches, 11u);
  EXPECT_EQ(server.requests(), 11);
  EXPECT_EQ(server.lines().size(), 1050u);
  EXPECT_TRUE(server.lines().count("{\"n\":1049}"));
  EXPECT_EQ(server.content_types(), std::set<std::string>{"application/x-ndjson"});
  EXPECT_GT(report->p99_ms, 0);
  EXPECT_GE(report->p99_ms, report->p50_ms);
  EXPECT_NE(report->ToJson().find("\"events\":1050"), std::string::npos);
  // One timing per batch, in the order they left, whose latencies are the percentiles' own.
  ASSERT_EQ(report->timings.size(), 11u);
  std::vector<double> latencies;
  std::set<int> connections;
  for (size_t i = 0; i < report->timings.size(); ++i) {
    const BatchTiming& t = report->timings[i];
    EXPECT_TRUE(t.ok);
    if (i > 0) {
      EXPECT_GE(t.start_ms, report->timings[i - 1].start_ms);
    }
    latencies.push_back(t.latency_ms);
    connections.insert(t.connection);
  }
  EXPECT_EQ(Percentile(&latencies, 0.99), report->p99_ms);
  EXPECT_EQ(latencies.back(), report->max_ms);
  for (int c : connections) EXPECT_TRUE(c >= 0 && c < 3) << c;
  const std::string text = report->TimingsText();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);
  std::remove(path.c_str());
}

TEST(LoadRunner, CountsFailedAndPartialBatches) {
  const std::string path = WriteLines(600);
  {
    FakeIngest server(/*fail_every=*/3);
    auto source = FileBatchSource::Open(path);
    ASSERT_TRUE(source.ok());
    LoadOptions opt;
    opt.url = server.url();
    opt.connections = 1;
    opt.batch_lines = 100;
    auto report = LoadRunner(opt).Run(source->get());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->ok());
    EXPECT_EQ(report->failed_batches, 2u);
    EXPECT_EQ(report->events, 400u);
    ASSERT_EQ(report->timings.size(), 6u);
    EXPECT_EQ(std::count_if(report->timings.begin(), report->timings.end(),
                            [](const BatchTiming& t) { return !t.ok; }),
              2);
    ASSERT_FALSE(report->errors.empty());
    EXPECT_EQ(report->errors[0].rfind("HTTP 503", 0), 0u) << report->errors[0];
  }
  {
    FakeIngest server(0, /*under_accept=*/true);
    auto source = FileBatchSource::Open(path);
    ASSERT_TRUE(source.ok());
    LoadOptions opt;
    opt.url = server.url();
    opt.batch_lines = 200;
    auto report = LoadRunner(opt).Run(source->get());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->ok());
    EXPECT_EQ(report->partial_batches, 3u);
    EXPECT_EQ(report->accepted, 597u);
  }
  std::remove(path.c_str());
}

TEST(LoadRunner, RateLimitPacesTheBatches) {
  FakeIngest server;
  GenOptions g;
  g.events = 2000;
  GeneratorBatchSource source(g);
  LoadOptions opt;
  opt.url = server.url();
  opt.batch_lines = 100;
  opt.rate_events_per_sec = 10000;  // 2000 events → the last batch leaves at 0.19 s
  auto report = LoadRunner(opt).Run(&source);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToText();
  EXPECT_EQ(report->events, 2000u);
  EXPECT_GE(report->seconds, 0.18);
  EXPECT_EQ(server.lines().size(), 2000u) << "generated lines are all distinct";
}

TEST(LoadRunner, UnreachableServerIsAFailureNotACrash) {
  GenOptions g;
  g.events = 10;
  GeneratorBatchSource source(g);
  LoadOptions opt;
  opt.url = "http://127.0.0.1:1/v1/events";
  opt.timeout_sec = 5;
  auto report = LoadRunner(opt).Run(&source);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failed_batches, 1u);
  EXPECT_FALSE(report->ok());
}

TEST(LoadRunnerHelpers, PercentileAndAcceptedParsing) {
  std::vector<double> v{5, 1, 4, 2, 3};
  EXPECT_EQ(Percentile(&v, 0.5), 3);
  EXPECT_EQ(Percentile(&v, 0.99), 5);
  EXPECT_EQ(Percentile(&v, 0.0), 1);
  std::vector<double> empty;
  EXPECT_EQ(Percentile(&empty, 0.5), 0);
  EXPECT_EQ(ParseAccepted("{\"accepted\": 42,\"rejected\":0}"), 42);
  EXPECT_EQ(ParseAccepted("{\"accepted\":7}"), 7);
  EXPECT_EQ(ParseAccepted(""), -1);
  EXPECT_EQ(ParseAccepted("{\"accepted\":\"x\"}"), -1);
}

TEST(FileBatchSource, BatchesNeverSplitLinesAndKeepAnUnterminatedTail) {
  char tmpl[] = "/tmp/vigia_batch_test_XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "a\nbb\nccc\nd", 10), 10);
  close(fd);
  auto source = FileBatchSource::Open(tmpl);
  ASSERT_TRUE(source.ok());
  std::string scratch;
  Batch b;
  ASSERT_TRUE((*source)->Next(3, &scratch, &b));
  EXPECT_EQ(b.body, "a\nbb\nccc\n");
  EXPECT_EQ(b.lines, 3u);
  ASSERT_TRUE((*source)->Next(3, &scratch, &b));
  EXPECT_EQ(b.body, "d");
  EXPECT_EQ(b.lines, 1u);
  EXPECT_FALSE((*source)->Next(3, &scratch, &b));
  std::remove(tmpl);
  EXPECT_FALSE(FileBatchSource::Open("/nonexistent/x.ndjson").ok());
}

}  // namespace
}  // namespace vigia::bench
