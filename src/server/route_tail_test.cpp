// /v1/tail over a real HttpServer and LiveFeed, with batches published the way ingest does:
// exact delivery of matching events, SSE framing and heartbeats, drop accounting for a
// client that does not read, the subscriber limit, and unsubscribing on disconnect.
#include "server/route_tail.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/logger.h"
#include "ingest/ndjson/ndjson_decoder.h"
#include "query/local_store_backend.h"
#include "query/row_evaluator_backend.h"
#include "server/auth_check.h"
#include "server/http_server.h"
#include "server/tail_seam.h"
#include "store/store.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/stream_client.h"
#include "vql/vql_parser.h"

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
    router_.SetAuthenticator(
        [](const HttpRequest&) -> Result<Principal> { return OpenModePrincipal(); });
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
    OpenGate();
    if (http_) http_->Shutdown();
    if (feed_) feed_->Stop();
  }

  // The stored events a `since` backfill reads: `batches` through the row evaluator. With
  // `gated`, a backfill waits at the start of its read until OpenGate(), so a test can
  // publish live batches while it runs.
  QueryBackend* Stored(std::vector<std::shared_ptr<const EventBatch>> batches, bool gated = false) {
    gate_open_ = !gated;
    stored_ = std::make_unique<RowEvaluatorBackend>(
        [this, batches = std::move(batches)](const auto& add) -> Status {
          {
            std::unique_lock<std::mutex> lock(gate_mu_);
            gate_cv_.wait(lock, [&] { return gate_open_; });
          }
          for (const auto& b : batches) VIGIA_RETURN_IF_ERROR(add(*b));
          return Status::Ok();
        });
    return stored_.get();
  }
  void OpenGate() {
    std::lock_guard<std::mutex> lock(gate_mu_);
    gate_open_ = true;
    gate_cv_.notify_all();
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

  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = true;
  std::unique_ptr<RowEvaluatorBackend> stored_;  // outlives the router and its backfills
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

TEST_F(RouteTailTest, SinceSendsStoredEventsThenLiveOnesWithoutGapOrDuplicate) {
  // b1 was stored and published before the tail opened: only the backfill has it. b2 was
  // stored before the backfill read the store but is published after the tail subscribed
  // (ingest stores, then publishes): the seam, in both the backfill and the feed. b3 is
  // stored after the backfill's read and published while it runs: live only.
  auto b1 = Batch(Event("error", 1) + Event("info", 2));
  auto b2 = Batch(Event("error", 3) + Event("info", 4));
  auto b3 = Batch(Event("error", 5) + Event("info", 6));
  TailRouteOptions to;
  to.backend = Stored({b1, b2}, /*gated=*/true);
  Start(to);
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror&since=2023-11-14T00:00:00Z").ok());
  ASSERT_EQ(c.status(), 200);
  feed_->Publish(b2);
  feed_->Publish(b3);
  OpenGate();
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

TEST_F(RouteTailTest, SinceSkipsABatchStoredBeforeTheBackfillEndedButPublishedAfterIt) {
  // Ingest takes b2's ticket and stores it; the backfill reads it; only then, its whole run
  // later (a preempted ingest thread on a loaded machine), is b2 published: the tail must not
  // send it again. b3, reserved after the backfill ended, is live only.
  auto b1 = Batch(Event("error", 1));
  auto b2 = Batch(Event("error", 2) + Event("info", 3));
  auto b3 = Batch(Event("error", 4));
  TailRouteOptions to;
  to.backend = Stored({b1, b2});
  Start(to);
  const uint64_t b2_ticket = feed_->Reserve();
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?q=level%3Aerror&since=2023-11-14T00:00:00Z").ok());
  ASSERT_EQ(c.status(), 200);
  for (int want : {1, 2}) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    EXPECT_NE(line->find("\"n\":" + std::to_string(want) + "}"), std::string::npos) << *line;
  }
  // A live probe comes through once the backfill has ended and its mark is taken.
  Publish(Event("error", 100));
  Result<std::string> probe = c.ReadLine(10000);
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  EXPECT_NE(probe->find("\"n\":100}"), std::string::npos) << *probe;
  feed_->PublishReserved(b2, b2_ticket);
  feed_->PublishReserved(b3, feed_->Reserve());
  Result<std::string> line = c.ReadLine(10000);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_NE(line->find("\"n\":4}"), std::string::npos) << *line;
  Result<std::string> extra = c.ReadLine(300);
  EXPECT_EQ(extra.status().code(), StatusCode::kDeadlineExceeded) << (extra.ok() ? *extra : "");
}

TEST_F(RouteTailTest, SinceDeliversIdenticalEventsAsOftenAsTheyWereStored) {
  // One event x is stored before the backfill reads the store; while it runs, the feed
  // brings x again (its late publication) and an identical new event (same ts, same fields);
  // a third identical event comes after the backfill. The client gets x three times: the
  // backfilled one, one of the two live ones of the seam, the later one.
  const std::string x = Event("error", 7);
  auto stored = Batch(x);
  TailRouteOptions to;
  to.backend = Stored({stored}, /*gated=*/true);
  Start(to);
  StreamClient c(http_->port());
  ASSERT_TRUE(c.Open("/v1/tail?since=2023-11-14T00:00:00Z").ok());
  ASSERT_EQ(c.status(), 200);
  feed_->Publish(stored);    // the stored event, published late: a duplicate
  feed_->Publish(Batch(x));  // an identical new event: not a duplicate
  OpenGate();
  std::string first;
  for (int i = 0; i < 2; ++i) {
    Result<std::string> line = c.ReadLine(10000);
    ASSERT_TRUE(line.ok()) << line.status().ToString();
    EXPECT_NE(line->find("\"n\":7}"), std::string::npos) << *line;
    if (i == 0) first = *line;
    EXPECT_EQ(*line, first);
  }
  Result<std::string> extra = c.ReadLine(300);
  EXPECT_EQ(extra.status().code(), StatusCode::kDeadlineExceeded) << (extra.ok() ? *extra : "");
  // Past the seam an identical event is never taken for a backfilled one.
  Publish(x);
  Result<std::string> later = c.ReadLine(10000);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(*later, first);
}

TEST(TailSeam, AnEventAndItsRowHaveTheSameKeyWhateverTheFieldOrder) {
  EventBatch b;
  b.BeginEvent(42);
  b.AddField("level", Value::String("error"));
  b.AddField("n", Value::Int(3));
  b.AddField("d", Value::Float(2.0));
  b.AddField("x", Value::Null());
  const auto& e = b.events()[0];
  QueryRecord row;  // as a part's columns may give it back: other order, 2.0 as an int
  row.cols.emplace_back("n", OwnedValue::Int(3));
  row.cols.emplace_back("ts", OwnedValue::Int(42));
  row.cols.emplace_back("d", OwnedValue::Int(2));
  row.cols.emplace_back("level", OwnedValue::String("error"));
  EXPECT_EQ(TailSeam::RowKey(row), TailSeam::EventKey(b, e));
  QueryRecord other = row;
  other.Set("n", OwnedValue::Int(4));
  EXPECT_FALSE(TailSeam::RowKey(other) == TailSeam::EventKey(b, e));
  QueryRecord later = row;
  later.Set("ts", OwnedValue::Int(43));
  EXPECT_FALSE(TailSeam::RowKey(later) == TailSeam::EventKey(b, e));
}

// The cursor key of a row read back from the store, memtable or parts, is the key of the
// event as the feed publishes it, for every value type.
TEST(TailSeam, StoredRowsHaveTheKeysOfTheirLiveEvents) {
  testing::TempDir dir;
  StoreOptions so;
  so.data_dir = dir.path();
  auto store = Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto batch = std::make_shared<EventBatch>();
  NdjsonDecoder decoder;
  decoder.Decode(
      "{\"ts\":\"2026-11-22T10:00:00.123456789Z\",\"level\":\"error\",\"status\":500,"
      "\"duration_ms\":12.5,\"ok\":false,\"user\":{\"id\":\"u1\",\"n\":2.0},\"msg\":\"a\"}\n"
      "{\"ts\":\"2026-11-22T10:00:01Z\",\"msg\":\"b\",\"big\":9007199254740993,\"x\":null}\n"
      "{\"ts\":\"2026-11-22T10:00:01Z\",\"msg\":\"b\",\"big\":9007199254740993,\"x\":null}\n",
      1'800'000'000'000'000'000, batch.get());
  ASSERT_EQ(batch->size(), 3u);
  ASSERT_TRUE((*store)->Append(batch).ok());
  std::multiset<std::pair<int64_t, uint64_t>> want;
  for (const auto& e : batch->events()) {
    TailSeam::Key k = TailSeam::EventKey(*batch, e);
    want.emplace(k.ts, k.content);
  }
  LocalStoreBackend backend(store->get());
  auto filter = ParseVql("*");
  ASSERT_TRUE(filter.ok());
  for (bool flushed : {false, true}) {
    if (flushed) {
      ASSERT_TRUE((*store)->Flush().ok());
    }
    auto res = backend.Backfill(*filter, 0, QueryOptions{}, QueryObserver{});
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    std::multiset<std::pair<int64_t, uint64_t>> got;
    for (const QueryRecord& r : res->rows) {
      TailSeam::Key k = TailSeam::RowKey(r);
      got.emplace(k.ts, k.content);
    }
    EXPECT_EQ(got, want) << (flushed ? "parts" : "memtable");
  }
  ASSERT_TRUE((*store)->Close().ok());
}

TEST(TailSeam, SkipsEachBackfilledOccurrenceOnceAndOnlyBelowTheMarkUntilItExpires) {
  EventBatch b;
  for (int i = 0; i < 3; ++i) {
    b.BeginEvent(42);
    b.AddField("msg", Value::String("same"));
  }
  const auto t0 = TailSeam::Clock::time_point{};
  const std::chrono::milliseconds hold(1000);
  TailSeam seam(100, hold);
  seam.Sent(EventToRecord(b, b.events()[0]));  // the backfill had one of the three
  seam.Close(/*live_mark=*/10, t0);
  EXPECT_TRUE(seam.SkipLive(9, b, b.events()[0]));
  EXPECT_FALSE(seam.SkipLive(9, b, b.events()[1]));  // a multiset: one occurrence only
  TailSeam again(100, hold);
  again.Sent(EventToRecord(b, b.events()[0]));
  again.Close(10, t0);
  EXPECT_FALSE(again.SkipLive(10, b, b.events()[0]));  // reserved after the backfill ended
  // A batch reserved before the mark but published after a later one is still the seam.
  again.Expire(t0 + hold / 2);
  EXPECT_TRUE(again.SkipLive(9, b, b.events()[0]));
  TailSeam expired(100, hold);
  expired.Sent(EventToRecord(b, b.events()[0]));
  expired.Close(10, t0);
  expired.Expire(t0 + hold);
  EXPECT_FALSE(expired.SkipLive(9, b, b.events()[0]));  // the seam has ended
}

TEST_F(RouteTailTest, SinceNarrowsTheBackfillAndNeedsAStore) {
  TailRouteOptions to;
  to.backend = Stored({Batch(Event("error", 1))});
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
