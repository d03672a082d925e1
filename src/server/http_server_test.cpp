// The HTTP transport against real sockets: keep-alive, limits, timeouts, request IDs and
// graceful shutdown. The routes here are trivial so that only the transport is tested.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/logger.h"
#include "server/http_errors.h"
#include "server/response_stream.h"
#include "support/http_client.h"
#include "support/stream_client.h"

namespace vigia {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::StreamClient;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logger::Configure(LogLevel::kWarn);  // one access line per request is noise here
    router_.Add("POST", "/echo", Access::kPublic, [](HttpRequest& req, HttpResponse* resp) {
      resp->status = 200;
      resp->content_type = "text/plain";
      resp->body = req.body;
    });
    // Hands each new stream to the test, which plays the producer.
    router_.Add("GET", "/stream", Access::kPublic, [this](HttpRequest&, HttpResponse* resp) {
      auto stream = std::make_shared<ResponseStream>(stream_buffer_bytes_);
      resp->status = 200;
      resp->content_type = "application/x-ndjson";
      resp->stream = stream;
      std::lock_guard<std::mutex> lock(mu_);
      streams_.push_back(stream);
      cv_.notify_all();
    });
    router_.Add("GET", "/slow", Access::kPublic, [this](HttpRequest&, HttpResponse* resp) {
      slow_started_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      resp->SetJson(200, "{\"slow\":true}");
    });
  }

  void StartServer(HttpServerOptions o = {}) {
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<HttpServer>(o, &router_);
    ASSERT_TRUE(server_->Start().ok());
  }

  uint16_t port() const { return server_->port(); }

  // The stream of the n-th /stream request (waits for the request to reach the handler).
  std::shared_ptr<ResponseStream> WaitForStream(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return streams_.size() > n; });
    return streams_.size() > n ? streams_[n] : nullptr;
  }

  static bool WaitUntil(const std::function<bool()>& pred, int timeout_ms = 5000) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  Router router_;
  size_t stream_buffer_bytes_ = 1 << 20;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<ResponseStream>> streams_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  HttpClient c(port());
  ASSERT_TRUE(c.Connect().ok());
  for (int i = 0; i < 20; ++i) {
    std::string body = "hello " + std::to_string(i);
    Result<HttpResult> r = c.Request("POST", "/echo", body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, body);
    EXPECT_TRUE(c.connected());
  }
  EXPECT_EQ(server_->connections(), 1u);
}

// Bodies past limits::kBodyPoolMinBufferBytes are read into buffers recycled from earlier
// requests (body_buffer_pool.h): a shorter body after a longer one, on one connection and
// on several, must arrive with none of the earlier body's bytes.
TEST_F(HttpServerTest, LargeBodiesInRecycledBuffersArriveIntact) {
  StartServer();
  auto body = [](size_t n, char c) {
    std::string b(n, c);
    for (size_t i = 0; i < n; i += 4096) b[i] = static_cast<char>('A' + (i / 4096) % 26);
    return b;
  };
  HttpClient c(port());
  ASSERT_TRUE(c.Connect().ok());
  const size_t sizes[] = {1'500'000, 300'000, 200'000, 900'000, 131'072, 2'000'000, 150'000};
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < std::size(sizes); ++i) {
      const std::string b = body(sizes[i], static_cast<char>('a' + i));
      HttpClient other(port());  // a second connection takes what the first gave back
      for (HttpClient* client : {&c, &other}) {
        Result<HttpResult> r = client->Request("POST", "/echo", b);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ(r->status, 200);
        ASSERT_EQ(r->body.size(), b.size());
        EXPECT_TRUE(r->body == b) << "body " << i << " of round " << round;
      }
    }
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  HttpClient c(port());
  ASSERT_TRUE(c.Connect().ok());
  std::string both = HttpClient::BuildRequest("POST", "/echo", "one", {}) +
                     HttpClient::BuildRequest("POST", "/echo", "two", {});
  ASSERT_TRUE(c.SendRaw(both).ok());
  Result<HttpResult> a = c.ReadResponse();
  Result<HttpResult> b = c.ReadResponse();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->body, "one");
  EXPECT_EQ(b->body, "two");
}

TEST_F(HttpServerTest, UnknownRouteIsJson404WithRequestId) {
  StartServer();
  HttpClient c(port());
  Result<HttpResult> r = c.Request("GET", "/nope");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_NE(r->body.find("\"not_found\""), std::string::npos);
  EXPECT_EQ(r->Header("x-request-id").size(), 36u);
}

TEST_F(HttpServerTest, RequestIdEchoedWhenSaneReplacedOtherwise) {
  StartServer();
  HttpClient c(port());
  Result<HttpResult> r = c.Request("POST", "/echo", "x", {{"X-Request-ID", "abc-123"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("x-request-id"), "abc-123");
  r = c.Request("POST", "/echo", "x", {{"X-Request-ID", std::string(200, 'a')}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("x-request-id").size(), 36u);
  r = c.Request("POST", "/echo", "x", {{"X-Request-ID", "has space"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("x-request-id").size(), 36u);
}

TEST_F(HttpServerTest, ContentLengthOverLimitIs413BeforeTheBodyIsSent) {
  HttpServerOptions o;
  o.max_body_bytes = 1000;
  StartServer(o);
  HttpClient c(port(), 5000);
  ASSERT_TRUE(c.Connect().ok());
  // Announce 10 MB but send only the header and a few bytes: the answer must not wait.
  ASSERT_TRUE(
      c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\nab").ok());
  Result<HttpResult> r = c.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("\"body_too_large\""), std::string::npos);
  EXPECT_EQ(r->Header("connection"), "close");
  // The server still serves new connections.
  HttpClient c2(port());
  Result<HttpResult> ok = c2.Request("POST", "/echo", "fine");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  HttpServerOptions o;
  o.max_body_bytes = 1000;
  StartServer(o);
  HttpClient c(port(), 5000);
  ASSERT_TRUE(c.Connect().ok());
  ASSERT_TRUE(
      c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").ok());
  std::string chunk(600, 'a');
  std::string wire = "258\r\n" + chunk + "\r\n";  // 0x258 = 600
  ASSERT_TRUE(c.SendRaw(wire).ok());
  ASSERT_TRUE(c.SendRaw(wire).ok());
  Result<HttpResult> r = c.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
}

TEST_F(HttpServerTest, ChunkedBodyUnderLimitIsServed) {
  StartServer();
  HttpClient c(port());
  ASSERT_TRUE(c.Connect().ok());
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                  .ok());
  Result<HttpResult> r = c.ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "abcde");
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenResponse) {
  StartServer();
  HttpClient c(port());
  ASSERT_TRUE(c.Connect().ok());
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        "Expect: 100-continue\r\n\r\n")
                  .ok());
  // The interim response arrives before we send the body.
  Result<HttpResult> interim = c.ReadResponse(/*head=*/true, /*keep_interim=*/true);
  ASSERT_TRUE(interim.ok()) << interim.status().ToString();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.SendRaw("hello").ok());
  Result<HttpResult> r = c.ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  HttpServerOptions o;
  o.max_header_bytes = 2048;
  StartServer(o);
  HttpClient c(port(), 5000);
  Result<HttpResult> r = c.Request("POST", "/echo", "x", {{"X-Big", std::string(4096, 'b')}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);
}

TEST_F(HttpServerTest, GarbageIs400) {
  StartServer();
  HttpClient c(port(), 5000);
  ASSERT_TRUE(c.Connect().ok());
  ASSERT_TRUE(c.SendRaw("THIS IS NOT HTTP\r\n\r\n").ok());
  Result<HttpResult> r = c.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("\"bad_request\""), std::string::npos);
}

TEST_F(HttpServerTest, IdleConnectionIsClosedAfterIdleTimeout) {
  HttpServerOptions o;
  o.idle_timeout_sec = 1;
  StartServer(o);
  HttpClient c(port(), 5000);
  ASSERT_TRUE(c.Request("POST", "/echo", "x").ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitForClose(4000));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
}

TEST_F(HttpServerTest, SlowRequestIsCutAtRequestTimeout) {
  HttpServerOptions o;
  o.request_timeout_sec = 1;
  o.idle_timeout_sec = 30;
  StartServer(o);
  HttpClient c(port(), 5000);
  ASSERT_TRUE(c.Connect().ok());
  // A slowloris: the header starts but never ends.
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\n").ok());
  Result<HttpResult> r = c.ReadResponse();
  // Either a 408 or a plain close is acceptable; the connection must not stay open.
  if (r.ok()) {
    EXPECT_EQ(r->status, 408);
  }
  EXPECT_TRUE(!r.ok() || c.WaitForClose(3000));
}

TEST_F(HttpServerTest, ShutdownFinishesInFlightRequestAndClosesIdleOnes) {
  StartServer();
  HttpClient idle(port());
  ASSERT_TRUE(idle.Request("POST", "/echo", "x").ok());
  Result<HttpResult> slow = Status::Internal("not run");
  std::thread t([&] {
    HttpClient c(port());
    slow = c.Request("GET", "/slow");
  });
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->Shutdown();
  t.join();
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(slow->Header("connection"), "close");
  EXPECT_TRUE(idle.WaitForClose(1000));
  // Nobody listens any more.
  HttpClient after(port(), 1000);
  EXPECT_FALSE(after.Connect().ok());
}

TEST_F(HttpServerTest, ManyConcurrentClients) {
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kRequests = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(t) + ":" + std::to_string(i);
        Result<HttpResult> r = c.Request("POST", "/echo", body);
        if (r.ok() && r->status == 200 && r->body == body) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST_F(HttpServerTest, StreamedChunksArriveBeforeTheStreamEnds) {
  StartServer();
  StreamClient c(port());
  ASSERT_TRUE(c.Open("/stream").ok());
  EXPECT_EQ(c.status(), 200);
  EXPECT_EQ(c.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(c.Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(c.Header("x-request-id").size(), 36u);
  auto stream = WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  // Each line is read while the producer still holds the stream open.
  for (int i = 0; i < 3; ++i) {
    std::string line = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_EQ(stream->Write(line + "\n"), ResponseStream::WriteResult::kOk);
    Result<std::string> got = c.ReadLine(5000);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, line);
  }
  EXPECT_FALSE(c.ended_cleanly());
  ASSERT_EQ(stream->Write("last\n"), ResponseStream::WriteResult::kOk);
  stream->Finish();
  EXPECT_EQ(stream->Write("after\n"), ResponseStream::WriteResult::kClosed);
  Result<std::string> rest = c.ReadToEnd(5000);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(*rest, "last\n");
  EXPECT_TRUE(c.ended_cleanly());
}

TEST_F(HttpServerTest, ClientDisconnectStopsTheProducer) {
  StartServer();
  StreamClient c(port());
  ASSERT_TRUE(c.Open("/stream").ok());
  auto stream = WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  std::atomic<bool> on_close{false};
  stream->SetOnClose([&] { on_close = true; });
  std::atomic<int> written{0};
  std::thread producer([&] {
    // A producer that only stops when the stream says so.
    while (!stream->closed()) {
      if (stream->Write("tick\n") == ResponseStream::WriteResult::kOk) ++written;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  ASSERT_TRUE(WaitUntil([&] { return written.load() > 5; }));
  c.Close();
  bool stopped = WaitUntil([&] { return stream->closed(); });
  if (!stopped) stream->Finish();  // do not hang the test on failure
  producer.join();
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(on_close.load());
  EXPECT_EQ(stream->close_reason(), ResponseStream::CloseReason::kClientGone);
  EXPECT_TRUE(WaitUntil([&] { return server_->connections() == 0; }));
}

TEST_F(HttpServerTest, ShutdownEndsAnOpenStreamCleanly) {
  HttpServerOptions o;
  o.shutdown_grace_sec = 30;  // a stream left open would hold Shutdown() this long
  StartServer(o);
  StreamClient c(port());
  ASSERT_TRUE(c.Open("/stream").ok());
  auto stream = WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  ASSERT_EQ(stream->Write("before\n"), ResponseStream::WriteResult::kOk);
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(stream->closed());
  EXPECT_EQ(stream->close_reason(), ResponseStream::CloseReason::kShutdown);
  Result<std::string> rest = c.ReadToEnd(5000);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(*rest, "before\n");
  EXPECT_TRUE(c.ended_cleanly());  // the last chunk, not a cut connection
}

TEST_F(HttpServerTest, IdleAndRequestTimeoutsDoNotCutALiveStream) {
  HttpServerOptions o;
  o.idle_timeout_sec = 1;
  o.request_timeout_sec = 1;
  StartServer(o);
  StreamClient c(port());
  ASSERT_TRUE(c.Open("/stream").ok());
  auto stream = WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ASSERT_EQ(stream->Write("still here\n"), ResponseStream::WriteResult::kOk);
  Result<std::string> got = c.ReadLine(5000);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "still here");
  stream->Finish();
}

TEST_F(HttpServerTest, SlowClientMakesWritesFullInsteadOfBufferingWithoutBound) {
  stream_buffer_bytes_ = 64 << 10;
  StartServer();
  StreamClient c(port());
  ASSERT_TRUE(c.Open("/stream").ok());
  auto stream = WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  // The client reads nothing: once the socket buffers are full, writes must be refused.
  const std::string chunk(4096, 'x');
  const std::string line = chunk + "\n";
  uint64_t accepted = 0;
  // A refused write can be transient (the socket has not taken the buffer yet); the client
  // is stuck once writes stay refused for a while.
  int refused_in_a_row = 0;
  for (int i = 0; i < 200000 && refused_in_a_row < 10; ++i) {
    ResponseStream::WriteResult r = stream->Write(line);
    if (r == ResponseStream::WriteResult::kFull) {
      ++refused_in_a_row;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } else {
      ASSERT_EQ(r, ResponseStream::WriteResult::kOk);
      refused_in_a_row = 0;
      accepted += line.size();
    }
    EXPECT_LE(stream->buffered_bytes(), stream_buffer_bytes_);
  }
  EXPECT_EQ(refused_in_a_row, 10);
  // A bounded wait for room also gives up while the client still does not read.
  EXPECT_EQ(stream->WriteWait(std::string(70 << 10, 'y'), std::chrono::milliseconds(50)),
            ResponseStream::WriteResult::kFull);
  stream->Finish();
  // Every accepted byte is delivered, in order, once the client reads.
  Result<std::string> all = c.ReadToEnd(20000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), accepted);
  EXPECT_EQ(all->find('y'), std::string::npos);
  EXPECT_TRUE(c.ended_cleanly());
}

TEST_F(HttpServerTest, HeadOnAStreamingRouteGetsTheHeaderOnly) {
  StartServer();
  HttpClient c(port());
  Result<HttpResult> r = c.Request("HEAD", "/stream");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  auto stream = WaitForStream(0);
  ASSERT_NE(stream, nullptr);
  EXPECT_TRUE(stream->closed());
}

// Ingest routes run on their own pool: with every ingest request blocked in its handler,
// a query (and the transport's own answers) still gets a worker. With the pool turned off
// (ingest_threads = -1, the old behaviour) the same query waits for the ingest to finish —
// the check that this test can fail.
class IngestPoolTest : public HttpServerTest {
 protected:
  void SetUp() override {
    HttpServerTest::SetUp();
    router_.SetAuthenticator([](const HttpRequest&) -> Result<Principal> {
      Principal p;
      p.key_id = "open";
      p.all_tenants = true;
      p.authenticated = true;
      return p;
    });
    router_.Add("POST", "/ingest", Access::kIngest, [this](HttpRequest& req, HttpResponse* resp) {
      std::unique_lock<std::mutex> lock(mu_);
      ++ingest_running_;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(10), [this] { return ingest_release_; });
      --ingest_running_;
      resp->SetJson(200, "{\"bytes\":" + std::to_string(req.body.size()) + "}");
    });
    router_.Add("GET", "/query", Access::kRead,
                [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "{\"rows\":1}"); });
  }

  void TearDown() override {
    Release();
    for (auto& t : clients_) t.join();
    server_.reset();
  }

  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    ingest_release_ = true;
    cv_.notify_all();
  }

  // Starts `n` ingest clients in the background (their statuses land in ingest_statuses_).
  void StartIngests(int n, const std::string& body) {
    for (int i = 0; i < n; ++i) {
      clients_.emplace_back([this, body] {
        HttpClient c(port());
        Result<HttpResult> r = c.Request("POST", "/ingest", body);
        std::lock_guard<std::mutex> lock(mu_);
        ingest_statuses_.push_back(r.ok() ? r->status : -1);
        cv_.notify_all();
      });
    }
  }

  void JoinIngests() {
    for (auto& t : clients_) t.join();
    clients_.clear();
  }

  bool WaitForRunning(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return ingest_running_ >= n; });
  }

  // How long a GET /query takes (ms) while the ingests are blocked; -1 on a failure.
  int64_t QueryMillis() {
    auto start = std::chrono::steady_clock::now();
    HttpClient c(port());
    Result<HttpResult> r = c.Request("GET", "/query");
    if (!r.ok() || r->status != 200) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  }

  int ingest_running_ = 0;
  bool ingest_release_ = false;
  std::vector<int> ingest_statuses_;
  std::vector<std::thread> clients_;
};

TEST_F(IngestPoolTest, AQueryIsAnsweredWhileEveryIngestHandlerIsBlocked) {
  HttpServerOptions o;
  o.ingest_threads = 2;
  StartServer(o);  // 2 workers
  StartIngests(4, "{\"msg\":\"x\"}\n");
  ASSERT_TRUE(WaitForRunning(2));  // the pool's two threads are held; two more queue
  int64_t ms = QueryMillis();
  EXPECT_GE(ms, 0);
  EXPECT_LT(ms, 2000) << "the query waited for the ingest handlers";
  Release();
  JoinIngests();
  EXPECT_EQ(ingest_statuses_, std::vector<int>(4, 200));
}

TEST_F(IngestPoolTest, WithoutThePoolTheQueryWaitsForTheIngests) {
  HttpServerOptions o;
  o.ingest_threads = -1;
  StartServer(o);  // 2 workers, both taken by the blocked ingests
  StartIngests(2, "{}\n");
  ASSERT_TRUE(WaitForRunning(2));
  std::thread release([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    Release();
  });
  int64_t ms = QueryMillis();
  release.join();
  EXPECT_GE(ms, 1000) << "the query should have waited for a worker";
}

TEST_F(IngestPoolTest, BodiesBeyondTheQueueLimitGet503AndTheRestIsServed) {
  HttpServerOptions o;
  o.ingest_threads = 1;
  o.ingest_queue_max_bytes = 1000;
  StartServer(o);
  StartIngests(1, std::string(600, 'a'));  // runs and blocks, its 600 bytes counted
  ASSERT_TRUE(WaitForRunning(1));
  HttpClient c(port());
  Result<HttpResult> r = c.Request("POST", "/ingest", std::string(600, 'b'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("overloaded"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("ingest_queue_max_bytes"), std::string::npos) << r->body;
  EXPECT_EQ(server_->ingest_refused(), 1u);
  Release();
  JoinIngests();
  EXPECT_EQ(ingest_statuses_, std::vector<int>{200});
  // Once the queue has drained the same request is taken.
  HttpClient c2(port());
  Result<HttpResult> again = c2.Request("POST", "/ingest", std::string(600, 'b'));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

// Shutdown lets the ingest handlers in flight finish within the grace period and answers
// them (with Connection: close), even after the acceptor is gone.
TEST_F(IngestPoolTest, ShutdownAnswersTheIngestsInFlight) {
  HttpServerOptions o;
  o.ingest_threads = 1;
  o.shutdown_grace_sec = 5;
  StartServer(o);
  StartIngests(3, "{}\n");
  ASSERT_TRUE(WaitForRunning(1));
  // All three read and handed to the pool (one running, two waiting): a connection whose
  // request the server has not read yet is idle, and Shutdown closes idle ones.
  ASSERT_TRUE(WaitUntil([&] { return server_->ingest_queued_bytes() == 3 * 3; }));
  std::thread release([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Release();
  });
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  auto took = std::chrono::steady_clock::now() - start;
  release.join();
  JoinIngests();
  EXPECT_EQ(ingest_statuses_, std::vector<int>(3, 200));
  EXPECT_LT(took, std::chrono::seconds(4)) << "shutdown waited out its grace period";
}

}  // namespace
}  // namespace vigia
