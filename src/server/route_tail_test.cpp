// /v1/tail over a real HttpServer and LiveFeed, with batches published the way ingest does:
// exact delivery of matching events, SSE framing and heartbeats, drop accounting for a
// client that does not read, the subscriber limit, and unsubscribing on disconnect.
#include "server/route_tail.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/logger.h"
#include "ingest/ndjson_decoder.h"
#include "server/http_server.h"
#include "support/http_client.h"
#include "support/stream_client.h"

namespace vigia {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::StreamClient;

class RouteTailTest : public ::testing::Test {
 protected:
  void Start(TailRouteOptions to = {}, LiveFeed::Options fo = {}) {
    logger::Configure(LogLevel::kWarn);
    fo.tick_ms = 20;
    feed_ = std::make_unique<LiveFeed>(fo);
    AddTailRoutes(&router_, feed_.get(), to);
    HttpServerOptions ho;
    ho.port = 0;
    ho.threads = 2;
    // The slow-client test keeps a write pending while it publishes (slow under TSan).
    ho.request_timeout_sec = 600;
    http_ = std::make_unique<HttpServer>(ho, &router_);
    ASSERT_TRUE(http_->Start().ok());
  }
  void TearDown() override {
    if (http_) http_->Shutdown();
    if (feed_) feed_->Stop();
  }

  // NDJSON `lines` as one stored batch (events without ts get 2023-11-14T22:13:20Z).
  static std::shared_ptr<const EventBatch> Batch(const std::string& lines) {
    auto batch = std::make_shared<EventBatch>();
    NdjsonDecoder decoder;
    decoder.Decode(lines, 1'700'000'000'000'000'000, batch.get());
    return batch;
  }
  // Publishes NDJSON `lines` as one stored batch.
  void Publish(const std::string& lines) { feed_->Publish(Batch(lines)); }

  static std::string Event(const std::string& level, int n) {
    return "{\"level\":\"" + level + "\",\"service\":\"api\",\"n\":" + std::to_string(n) + "}\n";
  }

  bool WaitForSubscribers(size_t n) {
    for (int i = 0; i < 500; ++i) {
      if (feed_->subscribers() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  Router router_;
  std::unique_ptr<LiveFeed> feed_;
  std::unique_ptr<HttpServer> http_;
};

TEST_F(RouteTailTest, NdjsonStreamsExactlyTheMatchingNewEvents) {
  Start();
  Publish(Event("error", -1));  // before the tail: never shown
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror").ok());
  ASSERT_EQ(c.status(), 200);
  EXPECT_EQ(c.Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(c.Header("transfer-encoding"), "chunked");
  for (int i = 0; i < 10; ++i) Publish(Event(i % 2 ? "error" : "info", i));
  for (int i = 1; i < 10; i += 2) {
    Result<std::string> line = c.ReadLine(5000);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    EXPECT_EQ(line->find("{\"ts\":"), 0u) << *line;
    EXPECT_NE(line->find("\"level\":\"error\""), std::string::npos) << *line;
    EXPECT_NE(line->find("\"n\":" + std::to_string(i) + "}"), std::string::npos) << *line;
  }
  // Nothing else arrives (the info events and the early error are not sent).
  Result<std::string> more = c.ReadLine(300);
  EXPECT_EQ(more.status().code(), StatusCode::kDeadlineExceeded) << (more.ok() ? *more : "");
}

TEST_F(RouteTailTest, SseFramesEventsAndSendsKeepAliveComments) {
  TailRouteOptions to;
  to.keepalive_ms = 100;
  Start(to);
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=n%3A%3E%3D5", {{"Accept", "text/event-stream"}}).ok());
  ASSERT_EQ(c.status(), 200);
  EXPECT_EQ(c.Header("content-type"), "text/event-stream");
  Result<std::string> line = c.ReadLine(5000);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, ": keep-alive");
  ASSERT_TRUE(c.ReadLine(1000).ok());  // the blank line ending the comment
  Publish(Event("info", 4) + Event("info", 7));
  // Skip heartbeats until the event.
  std::string data;
  for (int i = 0; i < 20 && data.empty(); ++i) {
    line = c.ReadLine(5000);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    if (line->rfind("data: ", 0) == 0) data = line->substr(6);
  }
  EXPECT_NE(data.find("\"n\":7}"), std::string::npos) << data;
  line = c.ReadLine(1000);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "");  // SSE events end with a blank line
}

TEST_F(RouteTailTest, FormatParameterSelectsSse) {
  Start();
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?format=sse").ok());
  EXPECT_EQ(c.Header("content-type"), "text/event-stream");
  Publish(Event("info", 1));
  Result<std::string> line = c.ReadLine(5000);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->rfind("data: {\"ts\":", 0), 0u) << *line;
}

TEST_F(RouteTailTest, SlowClientGetsDropCountsAndEveryEventIsAccountedFor) {
  TailRouteOptions to;
  to.stream_buffer_bytes = 4096;
  Start(to);
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail").ok());
  ASSERT_TRUE(WaitForSubscribers(1));
  // The client reads nothing while far more than the socket buffers and the stream bound
  // are published (about 20 MB).
  constexpr int kBatches = 200;
  constexpr int kPerBatch = 1000;
  std::string lines;
  for (int i = 0; i < kPerBatch; ++i) {
    lines += "{\"level\":\"info\",\"pad\":\"" + std::string(60, 'p') +
             "\",\"n\":" + std::to_string(i) + "}\n";
  }
  for (int b = 0; b < kBatches; ++b) Publish(lines);
  uint64_t events = 0;
  uint64_t dropped = 0;
  const uint64_t total = uint64_t{kBatches} * kPerBatch;
  while (events + dropped < total) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString() << " events=" << events
                           << " dropped=" << dropped;
    if (line->rfind("{\"dropped\":", 0) == 0) {
      dropped += std::stoull(line->substr(11));
    } else if (!line->empty()) {
      ++events;
    }
  }
  EXPECT_EQ(events + dropped, total);
  EXPECT_GT(dropped, 0u);
  EXPECT_GT(events, 0u);
}

TEST_F(RouteTailTest, SubscriberLimitIs503AndPipesAre400) {
  LiveFeed::Options fo;
  fo.max_subscribers = 1;
  Start({}, fo);
  StreamClient first(http_->port());
  ASSERT_TRUE(first.Open("/v1/tail").ok());
  ASSERT_EQ(first.status(), 200);
  HttpClient c(http_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/tail");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("\"overloaded\""), std::string::npos) << r->body;
  EXPECT_EQ(r->Header("retry-after"), "5");
  HttpClient c2(http_->port());
  r = c2.Request("GET", "/v1/tail?q=level%3Aerror%20%7C%20stats%20count()");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("filter only"), std::string::npos) << r->body;
  HttpClient c3(http_->port());
  r = c3.Request("GET", "/v1/tail?q=level%3A(");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  HttpClient c4(http_->port());
  r = c4.Request("GET", "/v1/tail?format=xml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
}

// A store with only memtable batches, as the backfill's snapshot source sees it.
SnapshotSource MemtableSource(std::vector<std::shared_ptr<const EventBatch>> batches) {
  return [batches] {
    StoreSnapshot snap;
    auto parts = std::make_shared<PartSnapshot>();
    parts->broken = std::make_shared<const std::vector<BrokenPart>>();
    snap.parts = parts;
    snap.memtable = batches;
    return snap;
  };
}

TEST_F(RouteTailTest, SinceSendsStoredEventsThenLiveOnesWithoutGapOrDuplicate) {
  // b1 was stored and published before the tail opened: only the backfill has it. b2 was
  // stored before the tail's snapshot but is published after the tail subscribed (ingest
  // appends, then publishes): the seam, in both the backfill and the feed. b3 comes later.
  auto b1 = Batch(Event("error", 1) + Event("info", 2));
  auto b2 = Batch(Event("error", 3) + Event("info", 4));
  auto b3 = Batch(Event("error", 5) + Event("info", 6));
  TailRouteOptions to;
  to.source = MemtableSource({b1, b2});
  Start(to);
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror&since=2023-11-14T00:00:00Z").ok());
  ASSERT_EQ(c.status(), 200);
  feed_->Publish(b2);
  feed_->Publish(b3);
  for (int want : {1, 3, 5}) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    EXPECT_NE(line->find("\"n\":" + std::to_string(want) + "}"), std::string::npos) << *line;
    // Backfilled and live events have the same form.
    EXPECT_EQ(line->rfind("{\"ts\":\"2023-11-14T22:13:20.000000000Z\",\"kind\":\"log\",", 0), 0u)
        << *line;
  }
  Result<std::string> extra = c.ReadLine(500);
  EXPECT_EQ(extra.status().code(), StatusCode::kDeadlineExceeded) << (extra.ok() ? *extra : "");
}

TEST_F(RouteTailTest, SinceNarrowsTheBackfillAndNeedsAStore) {
  TailRouteOptions to;
  to.source = MemtableSource({Batch(Event("error", 1))});
  Start(to);
  // The stored event is older than `since`: nothing to backfill, the live ones still come.
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?since=2023-11-15T00:00:00Z").ok());
  ASSERT_EQ(c.status(), 200);
  ASSERT_TRUE(WaitForSubscribers(1));
  Publish(Event("info", 2));
  Result<std::string> line = c.ReadLine(10000);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_NE(line->find("\"n\":2}"), std::string::npos) << *line;
  HttpClient bad(http_->port());
  Result<HttpResult> r = bad.Request("GET", "/v1/tail?since=yesterday");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
}

TEST_F(RouteTailTest, SinceWithoutAStoreIs400) {
  Start();
  HttpClient c(http_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/tail?since=5m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("since"), std::string::npos) << r->body;
}

TEST_F(RouteTailTest, DisconnectUnsubscribesAndFreesTheSlot) {
  LiveFeed::Options fo;
  fo.max_subscribers = 1;
  Start({}, fo);
  {
    StreamClient c(http_->port());
    ASSERT_TRUE(c.Open("/v1/tail").ok());
    ASSERT_TRUE(WaitForSubscribers(1));
  }
  ASSERT_TRUE(WaitForSubscribers(0));
  StreamClient again(http_->port());
  ASSERT_TRUE(again.Open("/v1/tail").ok());
  EXPECT_EQ(again.status(), 200);
}

TEST_F(RouteTailTest, ServerShutdownEndsTheTailCleanly) {
  Start();
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail").ok());
  ASSERT_TRUE(WaitForSubscribers(1));
  http_->Shutdown();
  Result<std::string> rest = c.ReadToEnd(5000);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_TRUE(c.ended_cleanly());
  EXPECT_TRUE(WaitForSubscribers(0));
}

}  // namespace
}  // namespace vigia
