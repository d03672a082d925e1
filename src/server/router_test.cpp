#include "server/router.h"

#include <gtest/gtest.h>

#include "server/http_errors.h"

namespace vigia {
namespace {

TEST(RouterTest, DispatchesByMethodAndPath) {
  Router r;
  r.Add("GET", "/a", [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"get a\""); });
  r.Add("POST", "/a", [](HttpRequest&, HttpResponse* resp) { resp->SetJson(201, "\"post a\""); });
  HttpRequest req;
  req.method = "POST";
  req.path = "/a";
  HttpResponse resp;
  r.Dispatch(req, &resp);
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, "\"post a\"");

  req.method = "HEAD";
  HttpResponse head;
  r.Dispatch(req, &head);
  EXPECT_EQ(head.status, 200);
}

TEST(RouterTest, NotFoundAndMethodNotAllowedAreJson) {
  Router r;
  r.Add("GET", "/a", [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "{}"); });
  HttpRequest req;
  req.method = "GET";
  req.path = "/b";
  HttpResponse nf;
  r.Dispatch(req, &nf);
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, R"({"error":{"code":"not_found","message":"no route for /b"}})");

  req.method = "DELETE";
  req.path = "/a";
  HttpResponse na;
  r.Dispatch(req, &na);
  EXPECT_EQ(na.status, 405);
  EXPECT_NE(na.body.find("\"method_not_allowed\""), std::string::npos);
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0].first, "Allow");
  EXPECT_EQ(na.headers[0].second, "GET");
}

TEST(RouterTest, GuardsRunBeforeMatchingRoutesOnly) {
  Router r;
  int calls = 0;
  r.Add("GET", "/v1/x", [&](HttpRequest&, HttpResponse* resp) {
    ++calls;
    resp->SetJson(200, "{}");
  });
  r.Add("GET", "/health", [&](HttpRequest&, HttpResponse* resp) {
    ++calls;
    resp->SetJson(200, "{}");
  });
  r.AddGuard("/v1/", [](const HttpRequest& req, HttpResponse* resp) {
    if (req.Header("Authorization") == "ok") return true;
    SetError(resp, error_code::kUnauthenticated, "no");
    return false;
  });
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/x";
  HttpResponse denied;
  r.Dispatch(req, &denied);
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(calls, 0);
  req.headers = {{"Authorization", "ok"}};
  HttpResponse allowed;
  r.Dispatch(req, &allowed);
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(calls, 1);
  HttpRequest health;
  health.method = "GET";
  health.path = "/health";
  HttpResponse h;
  r.Dispatch(health, &h);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(calls, 2);
  // 404s are not guarded: they reveal nothing.
  req.path = "/v1/none";
  req.headers.clear();
  HttpResponse nf;
  r.Dispatch(req, &nf);
  EXPECT_EQ(nf.status, 404);
}

TEST(RouterTest, FallbackTakesUnmatchedGetsOnly) {
  Router r;
  r.Add("GET", "/v1/query", [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"q\""); });
  r.Add("POST", "/v1/events", [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "{}"); });
  auto call = [&r](std::string_view method, std::string_view path) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    HttpResponse resp;
    r.Dispatch(req, &resp);
    return resp;
  };
  // Without a fallback an unknown path is a 404.
  EXPECT_EQ(call("GET", "/index.html").status, 404);

  std::vector<std::string> served;
  r.SetFallback([&served](HttpRequest& req, HttpResponse* resp) {
    served.emplace_back(req.path);
    resp->status = 200;
    resp->content_type = "text/html";
    resp->body = "<html></html>";
  });
  r.AddGuard("/private/", [](const HttpRequest&, HttpResponse* resp) {
    SetError(resp, error_code::kUnauthenticated, "no key");
    return false;
  });
  HttpResponse page = call("GET", "/index.html");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html");
  EXPECT_EQ(call("HEAD", "/app/alerts").status, 200);
  EXPECT_EQ(call("GET", "/v1/query").body, "\"q\"");   // routes still win
  EXPECT_EQ(call("GET", "/v1/events").status, 405);    // a known path keeps its 405
  EXPECT_EQ(call("POST", "/index.html").status, 404);  // only GET and HEAD fall back
  EXPECT_EQ(call("GET", "/private/x").status, 401);    // guards run before the fallback
  EXPECT_EQ(served, (std::vector<std::string>{"/index.html", "/app/alerts"}));
}

TEST(HttpMessageTest, HeadersAndQuery) {
  HttpRequest req;
  req.headers = {{"Content-Type", "text/plain"}, {"X-Request-ID", "r1"}};
  req.query = "limit=10&x&y=2";
  EXPECT_EQ(req.Header("content-type"), "text/plain");
  EXPECT_EQ(req.Header("x-request-id"), "r1");
  EXPECT_EQ(req.Header("missing"), "");
  EXPECT_EQ(req.QueryParam("limit"), "10");
  EXPECT_EQ(req.QueryParam("y"), "2");
  EXPECT_EQ(req.QueryParam("x"), "");
  EXPECT_EQ(req.QueryParam("z"), "");
}

TEST(HttpErrorsTest, ErrorJsonEscapes) {
  EXPECT_EQ(ErrorJson(error_code::kBadRequest, "a \"quoted\" thing"),
            R"({"error":{"code":"bad_request","message":"a \"quoted\" thing"}})");
}

TEST(HttpErrorsTest, EveryServiceUnavailableCarriesRetryAfter) {
  for (ErrorCode code :
       {error_code::kOverloaded, error_code::kStoreUnavailable, error_code::kShuttingDown}) {
    HttpResponse resp;
    SetError(&resp, code, "later");
    EXPECT_EQ(resp.status, 503);
    EXPECT_EQ(resp.Header("Retry-After"), "1") << code.name;
  }
  HttpResponse tail;
  SetError(&tail, error_code::kOverloaded, "too many tails", /*retry_after_sec=*/5);
  EXPECT_EQ(tail.Header("retry-after"), "5");
  HttpResponse bad;
  SetError(&bad, error_code::kQueryTooLarge, "too many groups");
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(bad.headers.empty());
}

TEST(HttpErrorsTest, StatusCodesMapToOneErrorCodeEach) {
  auto code_of = [](const Status& st) { return std::string(ErrorForStatus(st).name); };
  EXPECT_EQ(code_of(Status::InvalidArgument("x")), "bad_request");
  EXPECT_EQ(code_of(Status::NotFound("x")), "not_found");
  EXPECT_EQ(code_of(Status::ResourceExhausted("x")), "query_too_large");
  EXPECT_EQ(code_of(Status::Corruption("x")), "data_corrupt");
  EXPECT_EQ(code_of(Status::Internal("x")), "internal");
  EXPECT_EQ(code_of(Status::Unavailable("x")), "overloaded");
  EXPECT_EQ(code_of(Status::DeadlineExceeded("x")), "request_timeout");
  EXPECT_EQ(code_of(Status::IOError("x")), "store_unavailable");
  EXPECT_EQ(code_of(Status::Unauthenticated("x")), "unauthenticated");
  EXPECT_EQ(ErrorForStatus(Status::Corruption("x")).http_status, 500);
  HttpResponse resp;
  SetStatusError(&resp, Status::Corruption("part p1: checksum mismatch"));
  EXPECT_EQ(resp.body,
            R"({"error":{"code":"data_corrupt","message":"part p1: checksum mismatch"}})");
}

TEST(RouterTest, PathParametersMatchOneDecodedSegment) {
  Router r;
  std::string seen;
  r.Add("GET", "/v1/trace/{request_id}", [&](HttpRequest& req, HttpResponse* resp) {
    seen = std::string(req.PathParam("request_id"));
    resp->SetJson(200, "{}");
  });
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/trace/r%2F1+x%20y";
  HttpResponse ok;
  r.Dispatch(req, &ok);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(seen, "r/1+x y");  // %XX decoded, '+' is literal in a path
  EXPECT_EQ(req.PathParam("other"), "");

  for (const char* path : {"/v1/trace/", "/v1/trace", "/v1/trace/a/b", "/v1/tracex/a"}) {
    HttpRequest miss;
    miss.method = "GET";
    miss.path = path;
    HttpResponse nf;
    r.Dispatch(miss, &nf);
    EXPECT_EQ(nf.status, 404) << path;
  }

  req.method = "POST";
  HttpResponse na;
  r.Dispatch(req, &na);
  EXPECT_EQ(na.status, 405);
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0].second, "GET");
}

TEST(RouterTest, LiteralRouteWinsOverPatternAndAllowListsBoth) {
  Router r;
  r.Add("GET", "/items/{id}", [](HttpRequest& req, HttpResponse* resp) {
    resp->SetJson(200, "\"item " + std::string(req.PathParam("id")) + "\"");
  });
  r.Add("GET", "/items/new",
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"new\""); });
  r.Add("DELETE", "/items/{id}", [](HttpRequest&, HttpResponse* resp) { resp->SetJson(204, ""); });
  HttpRequest req;
  req.method = "GET";
  req.path = "/items/new";
  HttpResponse lit;
  r.Dispatch(req, &lit);
  EXPECT_EQ(lit.body, "\"new\"");
  EXPECT_TRUE(req.path_params.empty());

  req.path = "/items/7";
  HttpResponse pat;
  r.Dispatch(req, &pat);
  EXPECT_EQ(pat.body, "\"item 7\"");

  req.method = "PUT";
  HttpResponse na;
  r.Dispatch(req, &na);
  EXPECT_EQ(na.status, 405);
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0].second, "GET, DELETE");
}

}  // namespace
}  // namespace vigia
