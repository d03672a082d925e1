#include "server/route_query.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/time_format.h"
#include "query/row_evaluator_backend.h"
#include "server/auth_check.h"
#include "server/query_stream.h"
#include "server/response_stream.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;

class RouteQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t0_ = *ParseRfc3339("2026-11-22T10:00:00Z");
    Add(t0_ + 2 * kSec, "error", "req-1", "boom: connection refused", 0);
    Add(t0_ + 1 * kSec, "request", "req-1", "POST /pay 500", 500);
    Add(t0_ + 3 * kSec, "log", "req-1", "retrying", 0);
    Add(t0_ + 4 * kSec, "request", "req-2", "GET / 200", 200);
    building_.AddField("trace_id", Value::String("4bf92f3577b34da6a3ce929d0e0e4736"));
    batch_ = std::make_shared<EventBatch>(std::move(building_));
    QueryRouteOptions opt;
    opt.now_ns = [this] { return t0_ + 60 * kSec; };
    // The routes know only the QueryBackend interface: the row evaluator over one batch
    // serves them (the server's LocalStoreBackend is covered by the integration tests).
    backend_ = std::make_unique<RowEvaluatorBackend>([this](const auto& add) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
      return add(*batch_);
    });
    // The Authorization header, when present, names the key (per-key concurrency).
    router_.SetAuthenticator([](const HttpRequest& req) -> Result<Principal> {
      Principal p = OpenModePrincipal();
      if (!req.Header("Authorization").empty()) p.key_id = std::string(req.Header("Authorization"));
      return p;
    });
    opt.key_concurrency_refused = &key_refused_;
    AddQueryRoutes(&router_, backend_.get(), opt);
  }
  void Add(int64_t ts, const char* kind, const char* rid, const char* msg, int64_t status) {
    building_.BeginEvent(ts);
    building_.AddField("kind", Value::String(kind));
    building_.AddField("level", Value::String(status >= 500 || kind[0] == 'e' ? "error" : "info"));
    building_.AddField("request_id", Value::String(rid));
    building_.AddField("msg", Value::String(msg));
    if (status) building_.AddField("status", Value::Int(status));
  }
  HttpResponse Get(std::string target) {
    HttpRequest req;
    req.method = "GET";
    target_ = std::move(target);
    req.target = target_;
    size_t q = target_.find('?');
    req.path = std::string_view(target_).substr(0, q);
    if (q != std::string::npos) req.query = std::string_view(target_).substr(q + 1);
    HttpResponse resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  Counter key_refused_;
  int64_t t0_ = 0;
  int delay_ms_ = 0;
  EventBatch building_;
  std::shared_ptr<const EventBatch> batch_;
  std::unique_ptr<RowEvaluatorBackend> backend_;
  Router router_;
  std::string target_;
};

TEST_F(RouteQueryTest, JsonRowsWithStats) {
  HttpResponse r = Get("/v1/query?q=kind%3Arequest+%7C+stats+count()+by+(status)");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body.rfind(
          "{\"rows\":[{\"status\":200,\"count()\":1},{\"status\":500,\"count()\":1}],"
          "\"truncated\":false,\"partial\":false,\"stats\":{\"rows_scanned\":4,\"rows_matched\":2,",
          0),
      0u)
      << r.body;
  EXPECT_NE(r.body.find("\"elapsed_ms\":"), std::string::npos);
}

TEST_F(RouteQueryTest, CsvNdjsonLimitAndTimeParams) {
  HttpResponse csv = Get("/v1/query?q=*+%7C+fields+request_id&format=csv&limit=2");
  EXPECT_EQ(csv.body, "request_id\r\nreq-1\r\nreq-1\r\n");
  EXPECT_EQ(csv.content_type, "text/csv");
  HttpResponse nd = Get("/v1/query?q=*+%7C+fields+msg&format=ndjson&since=2026-11-22T10:00:03Z");
  EXPECT_EQ(nd.body, "{\"msg\":\"retrying\"}\n{\"msg\":\"GET / 200\"}\n");
  HttpResponse rel = Get("/v1/query?q=*+%7C+stats+count()&format=csv&since=57s&until=56.5s");
  EXPECT_EQ(rel.body, "count()\r\n1\r\n");
}

TEST_F(RouteQueryTest, SyntaxErrorIs400WithPosition) {
  HttpResponse r = Get("/v1/query?q=level%3Aerror+)");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("1:13: expected '|' or end of query, got ')'"), std::string::npos)
      << r.body;
  EXPECT_EQ(Get("/v1/query").status, 400);
  EXPECT_EQ(Get("/v1/query?q=*&format=xml").status, 400);
  EXPECT_EQ(Get("/v1/query?q=*&limit=-1").status, 400);
  EXPECT_EQ(Get("/v1/query?q=*&since=yesterday").status, 400);
}

TEST_F(RouteQueryTest, ExplainAnswersThePlanInsteadOfTheRows) {
  HttpResponse r = Get("/v1/query?q=level%3Aerror+%7C+stats+count()&explain=true&since=1h");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body.rfind("{\"explain\":\"engine: row evaluator", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("time: from 2026-11-22T09:01:00"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("then: stats"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"rows\""), std::string::npos) << r.body;
  EXPECT_EQ(Get("/v1/query?q=*&explain=maybe").status, 400);
  EXPECT_EQ(Get("/v1/query?q=level%3Aerror+)&explain=true").status, 400);
  HttpResponse rows = Get("/v1/query?q=*+%7C+stats+count()&explain=false");
  EXPECT_EQ(rows.status, 200);
  EXPECT_NE(rows.body.find("\"rows\""), std::string::npos) << rows.body;
}

TEST_F(RouteQueryTest, TraceRequestRecordFirstThenTimeOrder) {
  HttpResponse r = Get("/v1/trace?request_id=req-1");
  ASSERT_EQ(r.status, 200) << r.body;
  size_t req = r.body.find("POST /pay 500");
  size_t err = r.body.find("boom");
  size_t log = r.body.find("retrying");
  ASSERT_NE(req, std::string::npos);
  EXPECT_LT(req, err);
  EXPECT_LT(err, log);
  EXPECT_EQ(r.body.find("req-2"), std::string::npos);
  EXPECT_EQ(Get("/v1/trace?request_id=nope").status, 404);
  EXPECT_EQ(Get("/v1/trace").status, 400);
}

TEST_F(RouteQueryTest, TracePathFormMatchesTheQueryForm) {
  HttpResponse by_query = Get("/v1/trace?request_id=req-1");
  HttpResponse by_path = Get("/v1/trace/req-1");
  ASSERT_EQ(by_path.status, 200) << by_path.body;
  EXPECT_EQ(by_path.body, by_query.body);
  EXPECT_EQ(by_path.body.rfind("{\"request_id\":\"req-1\",\"events\":[", 0), 0u) << by_path.body;
  EXPECT_EQ(Get("/v1/trace/req%2D2").status, 200);  // percent-decoded: req-2
  EXPECT_EQ(Get("/v1/trace/nope").status, 404);
  EXPECT_EQ(Get("/v1/trace/req-1/extra").status, 404);
}

// A trace id (OTLP's) finds its logs like a request id.
TEST_F(RouteQueryTest, TraceByTraceId) {
  HttpResponse r = Get("/v1/trace?trace_id=4bf92f3577b34da6a3ce929d0e0e4736");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"events\":["), 0u)
      << r.body;
  EXPECT_NE(r.body.find("\"msg\":\"GET / 200\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("req-1"), std::string::npos) << r.body;
  EXPECT_EQ(Get("/v1/trace?trace_id=0000").status, 404);
}

TEST_F(RouteQueryTest, TooManyConcurrentQueriesIs503) {
  delay_ms_ = 200;
  std::vector<std::thread> threads;
  std::atomic<int> overloaded{0}, ok{0};
  for (int i = 0; i < limits::kMaxConcurrentQueries + 3; ++i) {
    threads.emplace_back([&, i] {
      HttpRequest req;
      req.method = "GET";
      req.path = "/v1/query";
      req.query = "q=*";
      std::string key = "key-" + std::to_string(i);  // each its own key: the server's limit
      req.headers.emplace_back("Authorization", key);
      HttpResponse resp;
      router_.Dispatch(req, &resp);
      if (resp.status == 503) {
        EXPECT_NE(resp.body.find("\"code\":\"overloaded\""), std::string::npos) << resp.body;
        EXPECT_EQ(resp.Header("Retry-After"), "1");
      }
      (resp.status == 503 ? overloaded : ok).fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), limits::kMaxConcurrentQueries);
  EXPECT_EQ(overloaded.load(), 3);
}

// One key gets its share of the query slots (429 past it), another key still runs.
TEST_F(RouteQueryTest, OneKeyCannotTakeEveryQuerySlot) {
  delay_ms_ = 500;
  std::vector<std::thread> threads;
  std::atomic<int> limited{0}, ok{0}, other_ok{0};
  for (int i = 0; i < limits::kMaxConcurrentQueriesPerKey + 2; ++i) {
    threads.emplace_back([&] {
      HttpRequest req;
      req.method = "GET";
      req.path = "/v1/query";
      req.query = "q=*";
      req.headers.emplace_back("Authorization", "dashboard");
      HttpResponse resp;
      router_.Dispatch(req, &resp);
      if (resp.status == 429) {
        EXPECT_NE(resp.body.find("\"code\":\"rate_limited\""), std::string::npos) << resp.body;
        EXPECT_NE(resp.body.find("query.max_concurrent_per_key"), std::string::npos);
        EXPECT_EQ(resp.Header("Retry-After"), "1");
      }
      (resp.status == 429 ? limited : ok).fetch_add(1);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the dashboard's run
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/query";
  req.query = "q=*";
  req.headers.emplace_back("Authorization", "someone-else");
  HttpResponse resp;
  router_.Dispatch(req, &resp);
  if (resp.status == 200) other_ok.fetch_add(1);
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), limits::kMaxConcurrentQueriesPerKey);
  EXPECT_EQ(limited.load(), 2);
  EXPECT_EQ(key_refused_.value(), 2u);
  EXPECT_EQ(other_ok.load(), 1) << resp.status << " " << resp.body;
  // Slots are given back: the dashboard runs again.
  delay_ms_ = 0;
  EXPECT_EQ(Get("/v1/query?q=*").status, 200);
}

TEST_F(RouteQueryTest, OverTheGroupLimitIs422NotRetryable) {
  Router router;
  QueryRouteOptions opt;
  opt.max_groups = 1;
  router.SetAuthenticator(
      [](const HttpRequest&) -> Result<Principal> { return OpenModePrincipal(); });
  AddQueryRoutes(&router, backend_.get(), opt);
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/query";
  req.query = "q=*+%7C+stats+count()+by+(request_id)";
  HttpResponse resp;
  router.Dispatch(req, &resp);
  EXPECT_EQ(resp.status, 422) << resp.body;
  EXPECT_NE(resp.body.find("\"code\":\"query_too_large\""), std::string::npos) << resp.body;
  EXPECT_EQ(resp.Header("Retry-After"), "");
}

QueryRecord Row(int64_t n) {
  QueryRecord r;
  r.cols.emplace_back("n", OwnedValue::Int(n));
  return r;
}

TEST(QueryBody, JsonPiecesMakeTheWholeDocument) {
  QueryBody body(/*json=*/true, /*limit=*/2);
  std::string out = body.Begin();
  body.AddRows({Row(1)}, &out);
  body.AddRows({Row(2), Row(3)}, &out);  // the third row only says "truncated"
  EXPECT_TRUE(body.truncated());
  QueryStats stats;
  stats.rows_scanned = 9;
  out += body.End(stats, 1.5);
  EXPECT_EQ(out,
            "{\"rows\":[{\"n\":1},{\"n\":2}],\"truncated\":true,\"partial\":false,\"stats\":{"
            "\"rows_scanned\":9,"
            "\"rows_matched\":0,\"blocks_total\":0,\"blocks_read\":0,\"blocks_skipped\":0,"
            "\"bytes_read\":0,\"elapsed_ms\":1.5}}");
}

TEST(QueryBody, ALateErrorEndsTheBodyAsARecord) {
  QueryBody json(true, 0);
  std::string out = json.Begin();
  json.AddRows({Row(1)}, &out);
  out += json.EndWithError(Status::DeadlineExceeded("query timed out"));
  EXPECT_EQ(out,
            "{\"rows\":[{\"n\":1}],\"error\":{\"code\":\"request_timeout\",\"message\":"
            "\"query timed out\"}}");
  QueryBody nd(false, 0);
  std::string lines = nd.Begin();
  nd.AddRows({Row(1), Row(2)}, &lines);
  lines += nd.EndWithError(Status::ResourceExhausted("too big"));
  EXPECT_EQ(lines,
            "{\"n\":1}\n{\"n\":2}\n{\"error\":{\"code\":\"query_too_large\",\"message\":\"too "
            "big\"}}\n");
}

TEST(WriteAll, WaitsForTheReaderAndStopsWhenClosedOrLate) {
  ResponseStream stream(/*max_buffered_bytes=*/1000);
  std::string received;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    std::string chunk;
    while (!stop) {
      stream.Take(&chunk);
      received += chunk;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::string data(300'000, 'x');
  EXPECT_TRUE(WriteAll(&stream, data, std::nullopt).ok());
  stop = true;
  reader.join();
  std::string rest;
  stream.Take(&rest);
  EXPECT_EQ((received + rest).size(), data.size());

  ResponseStream full(10);
  ASSERT_EQ(full.Write("0123456789"), ResponseStream::WriteResult::kOk);
  Status late = WriteAll(&full, "more", std::chrono::steady_clock::now());
  EXPECT_EQ(late.code(), StatusCode::kDeadlineExceeded) << late.ToString();
  full.CloseFromTransport(ResponseStream::CloseReason::kClientGone);
  EXPECT_EQ(WriteAll(&full, "more", std::nullopt).code(), StatusCode::kUnavailable);
}

TEST(JobThreads, DestructionWaitsForRunningJobs) {
  std::atomic<int> finished{0};
  {
    JobThreads jobs;
    for (int i = 0; i < 3; ++i) {
      jobs.Start([&finished] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        finished.fetch_add(1);
      });
    }
  }
  EXPECT_EQ(finished.load(), 3);
}

TEST(PercentDecode, Decodes) { EXPECT_EQ(PercentDecode("a+b%20c%7C%zz%4"), "a b c|%zz%4"); }

}  // namespace
}  // namespace vigia
