#include "server/rate_limiter.h"

#include <gtest/gtest.h>

#include "server/http_errors.h"
#include "server/router.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(TokenBuckets, BurstThenRateThenRefill) {
  TokenBuckets b(10, 3, 100);
  int64_t t = 5 * kSec;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.Take("k", t), 0) << i;  // the burst
  EXPECT_EQ(b.Take("k", t), 1);                                   // empty: retry in 1 s
  EXPECT_EQ(b.Take("other", t), 0);                               // buckets are per client
  t += kSec / 10;                                                 // one token back
  EXPECT_EQ(b.Take("k", t), 0);
  EXPECT_EQ(b.Take("k", t), 1);
  t += 10 * kSec;  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.Take("k", t), 0) << i;
  EXPECT_EQ(b.Take("k", t), 1);
}

TEST(TokenBuckets, RetryAfterIsTheWaitForOneToken) {
  TokenBuckets slow(1, 1, 100);  // one request a second
  EXPECT_EQ(slow.Take("k", 0), 0);
  EXPECT_EQ(slow.Take("k", 0), 1);
  TokenBuckets slower(0, 1, 100);  // 0: off
  for (int i = 0; i < 100; ++i) EXPECT_EQ(slower.Take("k", 0), 0);
}

TEST(TokenBuckets, BoundedMemoryIdleBucketsGoFirstThenOverflowIsShared) {
  TokenBuckets b(1, 2, 3);
  EXPECT_EQ(b.Take("a", 0), 0);
  EXPECT_EQ(b.Take("b", 0), 0);
  EXPECT_EQ(b.Take("c", 0), 0);
  EXPECT_EQ(b.size(), 3u);
  // Full and none idle: new clients share one overflow bucket (burst 2).
  EXPECT_EQ(b.Take("d", 0), 0);
  EXPECT_EQ(b.Take("e", 0), 0);
  EXPECT_EQ(b.Take("f", 0), 1);
  EXPECT_EQ(b.size(), 3u);
  // Two seconds later every bucket has refilled: they are dropped to make room.
  EXPECT_EQ(b.Take("g", 3 * kSec), 0);
  EXPECT_EQ(b.size(), 1u);
}

class RouterRateLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RateLimitOptions o;
    o.ip_per_sec = 1;
    o.ip_burst = 5;
    o.key_ingest_per_sec = 1;
    o.key_ingest_burst = 2;
    o.key_query_per_sec = 1;
    o.key_query_burst = 1;
    limiter_ = std::make_unique<RateLimiter>(o, &metrics_, [this] { return now_; });
    router_.SetAuthenticator([](const HttpRequest& req) -> Result<Principal> {
      if (req.Header("Authorization").empty()) return Status::Unauthenticated("missing key");
      Principal p;
      p.key_id = std::string(req.Header("Authorization"));
      p.role = Role::kAdmin;
      p.all_tenants = true;
      p.authenticated = true;
      return p;
    });
    router_.SetRateLimiter(limiter_.get());
    auto ok = [](HttpRequest&, HttpResponse* r) { r->SetJson(200, "{}"); };
    router_.Add("POST", "/v1/events", Access::kIngest, ok);
    router_.Add("GET", "/v1/query", Access::kRead, ok);
    router_.Add("GET", "/health/live", Access::kPublic, ok);
  }
  HttpResponse Call(std::string_view method, std::string_view path, std::string_view key,
                    std::string ip = "203.0.113.7") {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.remote_ip = std::move(ip);
    if (!key.empty()) req.headers.emplace_back("Authorization", key);
    HttpResponse resp;
    router_.Dispatch(req, &resp);
    return resp;
  }
  uint64_t Limited(const std::string& limit) {
    return metrics_.GetCounter("vigia_rate_limited_total", "", {"limit"}, {limit})->value();
  }

  int64_t now_ = 100 * kSec;
  MetricRegistry metrics_;
  std::unique_ptr<RateLimiter> limiter_;
  Router router_;
};

TEST_F(RouterRateLimitTest, PerKeyBucketsByAccessWith429AndRetryAfter) {
  EXPECT_EQ(Call("POST", "/v1/events", "k1").status, 200);
  EXPECT_EQ(Call("POST", "/v1/events", "k1").status, 200);
  HttpResponse r = Call("POST", "/v1/events", "k1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_NE(r.body.find("\"code\":\"rate_limited\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("key_ingest_per_sec"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("k1"), std::string::npos);  // the key is never echoed
  // Queries have their own bucket; another key its own.
  EXPECT_EQ(Call("GET", "/v1/query", "k1").status, 200);
  EXPECT_EQ(Call("GET", "/v1/query", "k1").status, 429);
  EXPECT_EQ(Call("POST", "/v1/events", "k2", "198.51.100.1").status, 200);
  EXPECT_EQ(Limited("key_ingest"), 1u);
  EXPECT_EQ(Limited("key_query"), 1u);
  now_ += kSec;  // a token back
  EXPECT_EQ(Call("POST", "/v1/events", "k1", "198.51.100.2").status, 200);
}

TEST_F(RouterRateLimitTest, PerIpBucketCountsBeforeTheKeyIsCheckedPublicRoutesAreFree) {
  // Five attempts with no key (401) use the address's burst; the sixth is 429.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Call("GET", "/v1/query", "").status, 401) << i;
  HttpResponse r = Call("GET", "/v1/query", "k9");
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("ip_per_sec"), std::string::npos) << r.body;
  EXPECT_EQ(Limited("ip"), 1u);
  EXPECT_EQ(Call("GET", "/v1/query", "k9", "192.0.2.9").status, 200);  // another address
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Call("GET", "/health/live", "").status, 200);
}

}  // namespace
}  // namespace vigia
