#include "server/router.h"

#include <gtest/gtest.h>

#include "server/http_errors.h"

namespace vigia {
namespace {

TEST(RouterTest, DispatchesByMethodAndPath) {
  Router r;
  r.Add("GET", "/a", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"get a\""); });
  r.Add("POST", "/a", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(201, "\"post a\""); });
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
  r.Add("GET", "/a", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "{}"); });
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

TEST(RouterTest, RoutesRequireTheirAccessAndFailClosed) {
  Router r;
  int calls = 0;
  auto ok = [&](HttpRequest& req, HttpResponse* resp) {
    ++calls;
    resp->SetJson(200, "\"" + req.principal.key_id + "\"");
  };
  r.Add("GET", "/v1/x", Access::kRead, ok);
  r.Add("POST", "/v1/admin", Access::kAdmin, ok);
  r.Add("GET", "/health", Access::kPublic, ok);
  auto call = [&](std::string_view method, std::string_view path, std::string_view auth) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    if (!auth.empty()) req.headers = {{"Authorization", auth}};
    HttpResponse resp;
    r.Dispatch(req, &resp);
    return resp;
  };
  // No authenticator: every non-public route is refused.
  EXPECT_EQ(call("GET", "/v1/x", "").status, 401);
  EXPECT_EQ(call("GET", "/health", "").status, 200);
  EXPECT_EQ(calls, 1);
  r.SetAuthenticator([](const HttpRequest& req) -> Result<Principal> {
    Principal p;
    p.key_id = std::string(req.Header("Authorization"));
    if (p.key_id == "reader") {
      p.role = Role::kRead;
    } else if (p.key_id == "admin") {
      p.role = Role::kAdmin;
    } else {
      return Status::Unauthenticated("invalid API key");
    }
    p.authenticated = true;
    return p;
  });
  HttpResponse denied = call("GET", "/v1/x", "nobody");
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.Header("WWW-Authenticate"), "Bearer realm=\"vigia\"");
  EXPECT_EQ(call("GET", "/v1/x", "reader").body, "\"reader\"");
  HttpResponse forbidden = call("POST", "/v1/admin", "reader");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_NE(forbidden.body.find("\"forbidden\""), std::string::npos);
  EXPECT_EQ(call("POST", "/v1/admin", "admin").status, 200);
  EXPECT_EQ(call("GET", "/v1/x", "admin").status, 200);
  // 404s are not guarded: they reveal nothing.
  EXPECT_EQ(call("GET", "/v1/none", "").status, 404);
  EXPECT_EQ(r.RouteTable(), (std::vector<std::string>{"GET /v1/x read", "POST /v1/admin admin",
                                                      "GET /health public"}));
}

TEST(RouterTest, FallbackTakesUnmatchedGetsOnly) {
  Router r;
  r.Add("GET", "/v1/query", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"q\""); });
  r.Add("POST", "/v1/events", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "{}"); });
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
  r.SetFallback(Access::kPublic, [&served](HttpRequest& req, HttpResponse* resp) {
    served.emplace_back(req.path);
    resp->status = 200;
    resp->content_type = "text/html";
    resp->body = "<html></html>";
  });
  HttpResponse page = call("GET", "/index.html");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html");
  EXPECT_EQ(call("HEAD", "/app/alerts").status, 200);
  EXPECT_EQ(call("GET", "/v1/query").body, "\"q\"");   // routes still win
  EXPECT_EQ(call("GET", "/v1/events").status, 405);    // a known path keeps its 405
  EXPECT_EQ(call("POST", "/index.html").status, 404);  // only GET and HEAD fall back
  EXPECT_EQ(served, (std::vector<std::string>{"/index.html", "/app/alerts"}));
}

TEST(RouterTest, ConditionalRouteLeavesOtherRequestsToTheFallback) {
  Router r;
  r.AddWhen(
      "GET", "/", Access::kPublic,
      [](const HttpRequest& req) { return req.Header("Accept") != "text/html"; },
      [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"api\""); });
  r.SetFallback(Access::kPublic,
                [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"static\""); });
  HttpRequest req;
  req.method = "GET";
  req.path = "/";
  HttpResponse api;
  r.Dispatch(req, &api);
  EXPECT_EQ(api.body, "\"api\"");
  req.headers = {{"Accept", "text/html"}};
  HttpResponse page;
  r.Dispatch(req, &page);
  EXPECT_EQ(page.body, "\"static\"");
}

TEST(RouterTest, CorsPreflightAndHeadersOnlyForConfiguredOrigins) {
  Result<CorsPolicy> policy = CorsPolicy::Parse(" https://app.example.com ,http://localhost:3000");
  ASSERT_TRUE(policy.ok());
  Router r;
  HttpHandler handler = [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "{}"); };
  r.Add("POST", "/v1/events", Access::kIngest, handler);
  r.Add("POST", "/{index}/_bulk", Access::kIngest, handler);
  r.Add("GET", "/v1/query", Access::kRead, handler);
  r.SetAuthenticator([](const HttpRequest& req) -> Result<Principal> {
    if (req.Header("Authorization") != "Bearer k") return Status::Unauthenticated("no key");
    Principal p;
    p.role = Role::kAdmin;
    p.authenticated = true;
    return p;
  });
  r.AddCors("/v1/events", &*policy);
  r.AddCors("/{index}/_bulk", &*policy);

  HttpRequest pre;
  pre.method = "OPTIONS";
  pre.path = "/v1/events";
  pre.headers = {{"Origin", "https://app.example.com"},
                 {"Access-Control-Request-Method", "POST"},
                 {"Access-Control-Request-Headers", "content-type, x-weird\r\nInjected: 1, x-app"}};
  HttpResponse ok;
  r.Dispatch(pre, &ok);  // no key needed for a preflight
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.Header("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(ok.Header("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(ok.Header("Access-Control-Allow-Headers"),
            "Authorization, Content-Type, Content-Encoding, content-type, x-app");
  EXPECT_EQ(ok.Header("Vary"), "Origin");

  pre.headers[0].second = "https://evil.example";
  HttpResponse evil;
  r.Dispatch(pre, &evil);
  EXPECT_EQ(evil.status, 204);
  EXPECT_EQ(evil.Header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(evil.Header("Access-Control-Allow-Credentials"), "");

  // The actual request: headers for the configured origin, on errors too.
  HttpRequest post;
  post.method = "POST";
  post.path = "/v1/events";
  post.headers = {{"Origin", "http://localhost:3000"}};
  HttpResponse unauth;
  r.Dispatch(post, &unauth);
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(unauth.Header("Access-Control-Allow-Origin"), "http://localhost:3000");
  post.headers.emplace_back("Authorization", "Bearer k");
  HttpResponse stored;
  r.Dispatch(post, &stored);
  EXPECT_EQ(stored.status, 200);
  EXPECT_EQ(stored.Header("Access-Control-Allow-Origin"), "http://localhost:3000");
  post.headers[0].second = "http://localhost:3001";
  HttpResponse other;
  r.Dispatch(post, &other);
  EXPECT_EQ(other.Header("Access-Control-Allow-Origin"), "");

  HttpRequest bulk;
  bulk.method = "OPTIONS";
  bulk.path = "/logs/_bulk";
  bulk.headers = {{"Origin", "https://APP.example.com"}};
  HttpResponse bulk_pre;
  r.Dispatch(bulk, &bulk_pre);
  EXPECT_EQ(bulk_pre.Header("Access-Control-Allow-Origin"), "https://APP.example.com");
  // Routes without CORS are unchanged: OPTIONS is 405 there.
  HttpRequest query;
  query.method = "OPTIONS";
  query.path = "/v1/query";
  query.headers = {{"Origin", "https://app.example.com"}};
  HttpResponse q;
  r.Dispatch(query, &q);
  EXPECT_EQ(q.status, 405);
  EXPECT_EQ(q.Header("Access-Control-Allow-Origin"), "");
}

TEST(CorsPolicyTest, WildcardNeverSendsCredentialsAndBadOriginsAreRefused) {
  Result<CorsPolicy> any = CorsPolicy::Parse("*");
  ASSERT_TRUE(any.ok());
  HttpRequest req;
  req.headers = {{"Origin", "https://whoever.example"}};
  HttpResponse resp;
  any->Preflight(req, &resp);
  EXPECT_EQ(resp.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(resp.Header("Access-Control-Allow-Credentials"), "");
  EXPECT_FALSE(CorsPolicy::Parse("app.example.com").ok());
  EXPECT_FALSE(CorsPolicy::Parse("https://app.example.com/path").ok());
  EXPECT_FALSE(CorsPolicy::Parse("").value().enabled());
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
  r.Add("GET", "/v1/trace/{request_id}", Access::kPublic,
        [&](HttpRequest& req, HttpResponse* resp) {
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

TEST(PercentDecodeTest, QueryValuesAndPathSegments) {
  EXPECT_EQ(PercentDecode("kind:audit%20%7C%20stats+count()"), "kind:audit | stats count()");
  EXPECT_EQ(PercentDecode("a%2fb%2Fc"), "a/b/c");  // either case
  EXPECT_EQ(PercentDecode("a+b", PlusIs::kPlus), "a+b");
  EXPECT_EQ(PercentDecode("a%2Bb", PlusIs::kPlus), "a+b");
  // Malformed or truncated escapes stay as they are, byte for byte.
  for (const char* s : {"%", "%4", "x%", "%G1", "%4G", "100%"}) {
    EXPECT_EQ(PercentDecode(s, PlusIs::kPlus), s) << s;
  }
  EXPECT_EQ(PercentDecode("%%41", PlusIs::kPlus), "%A");  // the second '%' starts the escape
  EXPECT_EQ(PercentDecode("%41"), "A");                   // an escape that ends the string
  EXPECT_EQ(PercentDecode("%00", PlusIs::kPlus), std::string(1, '\0'));
}

TEST(RouterTest, LiteralRouteWinsOverPatternAndAllowListsBoth) {
  Router r;
  r.Add("GET", "/items/{id}", Access::kPublic, [](HttpRequest& req, HttpResponse* resp) {
    resp->SetJson(200, "\"item " + std::string(req.PathParam("id")) + "\"");
  });
  r.Add("GET", "/items/new", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(200, "\"new\""); });
  r.Add("DELETE", "/items/{id}", Access::kPublic,
        [](HttpRequest&, HttpResponse* resp) { resp->SetJson(204, ""); });
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
