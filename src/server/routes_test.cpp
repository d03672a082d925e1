// The route handlers with the real store and decoder, without sockets: what each endpoint
// answers, including the store-failure path (503) that is hard to provoke over HTTP.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "server/auth_check.h"
#include "server/health_routes.h"
#include "server/ingest_routes.h"
#include "server/router.h"

namespace vigia {
namespace {

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_routes_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    StoreOptions so;
    so.data_dir = dir_.string();
    Result<std::unique_ptr<Store>> store = Store::Open(so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Result<ApiKeys> keys = ApiKeys::Load("", "");
    ASSERT_TRUE(keys.ok());
    keys_ = std::move(*keys);
    ctx_.store = store_.get();
    ctx_.api_keys = &keys_;
    ctx_.data_dir = dir_.string();
    ctx_.start_monotonic_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count();
    router_.AddGuard("/v1/", [this](const HttpRequest& req, HttpResponse* resp) {
      return RequireApiKey(keys_, req, resp);
    });
    AddHealthRoutes(&ctx_, &router_);
    AddIngestRoutes(&ctx_, &router_);
  }
  void TearDown() override {
    if (store_) (void)store_->Close();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "",
                    std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.receive_ts_ns = 1'700'000'000'000'000'000;
    HttpResponse resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  ApiKeys keys_;
  ServerContext ctx_;
  Router router_;
};

TEST_F(RoutesTest, IngestCountsEachLine) {
  HttpResponse r = Call("POST", "/v1/events",
                        "{\"msg\":\"one\",\"service\":\"a\"}\nnot json\n{\"msg\":\"two\"}\n",
                        {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("{\"accepted\":2,\"rejected\":1,\"errors\":[{\"line\":2,"), 0u) << r.body;
  EXPECT_EQ(store_->Stats().events, 2u);
}

TEST_F(RoutesTest, MediaTypes) {
  EXPECT_TRUE(IsIngestMediaType(""));
  EXPECT_TRUE(IsIngestMediaType("application/x-ndjson"));
  EXPECT_TRUE(IsIngestMediaType("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(IsIngestMediaType("text/plain;charset=UTF-8"));
  EXPECT_FALSE(IsIngestMediaType("application/xml"));
  EXPECT_FALSE(IsIngestMediaType("multipart/form-data; boundary=x"));
  HttpResponse r = Call("POST", "/v1/events", "{}", {{"Content-Type", "image/png"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unsupported_media_type"), std::string::npos);
  EXPECT_EQ(store_->Stats().events, 0u);
}

TEST_F(RoutesTest, StoreFailureIs503AndNothingIsAcknowledged) {
  ASSERT_TRUE(store_->Close().ok());
  HttpResponse r = Call("POST", "/v1/events", "{\"msg\":\"x\"}\n");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"code\":\"store_unavailable\""), std::string::npos) << r.body;
}

TEST_F(RoutesTest, EmptyBodyAcceptsNothing) {
  HttpResponse r = Call("POST", "/v1/events", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"accepted\":0,\"rejected\":0,\"errors\":[]}");
}

TEST_F(RoutesTest, Health) {
  HttpResponse live = Call("GET", "/health/live");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, "{\"status\":\"ok\",\"uptime_sec\":0}");
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "{\"status\":\"ok\",\"store\":\"ok\",\"uptime_sec\":0}");
  // A closed store cannot take writes: not ready, with the reason.
  ASSERT_TRUE(store_->Close().ok());
  HttpResponse down = Call("GET", "/health/ready");
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.body.find("{\"status\":\"unavailable\",\"store\":\""), 0u) << down.body;
}

TEST_F(RoutesTest, ApiKeysGuardIngest) {
  Result<ApiKeys> keys = ApiKeys::Load("secret", "");
  ASSERT_TRUE(keys.ok());
  keys_ = std::move(*keys);
  EXPECT_EQ(Call("POST", "/v1/events", "{}").status, 401);
  EXPECT_EQ(Call("POST", "/v1/events", "{}", {{"Authorization", "Bearer secret"}}).status, 200);
  EXPECT_EQ(Call("GET", "/health/live").status, 200);
}

}  // namespace
}  // namespace vigia
