// The Sentry routes in a real server: DSN-key authentication (X-Sentry-Auth, ?sentry_key=,
// a wrong key 401, a read key 403), a tenant-bound key's events under its tenant, gzip
// bodies, the legacy store endpoint, malformed envelopes 400 and oversized events 413 with
// nothing stored, and the events grouped by the errors module.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include "common/limits.h"
#include "server/server_route_fixture.h"

namespace vigia {
namespace {

std::string Gzip(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Envelope(std::string_view event) {
  return "{\"event_id\":\"e0\",\"sent_at\":\"2026-12-02T10:00:00Z\"}\n{\"type\":\"event\","
         "\"length\":" +
         std::to_string(event.size()) + "}\n" + std::string(event) + "\n";
}

constexpr std::string_view kEvent =
    R"({"event_id":"aaaabbbbccccddddeeeeffff00001111","platform":"node","release":"1.0","tags":{"service":"shop"},"user":{"id":"u1"},"exception":{"values":[{"type":"Error","value":"boom 7","stacktrace":{"frames":[{"filename":"/app/a.js","function":"handler","lineno":3,"colno":1,"in_app":true}]}}]}})";

class SentryRouteTest : public testing::ServerRouteFixture {
 protected:
  // Creates a stored key (ends open mode) and returns it.
  std::string CreateKey(std::string_view tenant, std::string_view role,
                        std::string_view admin_key = "") {
    std::string auth = "Bearer " + std::string(admin_key);
    std::vector<std::pair<std::string_view, std::string_view>> h;
    if (!admin_key.empty()) h.emplace_back("Authorization", auth);
    HttpResponse r = Call(
        "POST", "/v1/admin/keys",
        "{\"tenant\":\"" + std::string(tenant) + "\",\"role\":\"" + std::string(role) + "\"}", h);
    EXPECT_EQ(r.status, 201) << r.body;
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(r.body).get(e), simdjson::SUCCESS);
    return std::string(std::string_view(e["key"]));
  }
  HttpResponse Send(std::string target, std::string body, std::string_view key,
                    std::string_view encoding = "") {
    std::string auth =
        "Sentry sentry_version=7, sentry_client=sentry.javascript.node/8.55.0, sentry_key=" +
        std::string(key);
    std::vector<std::pair<std::string_view, std::string_view>> h = {
        {"Content-Type", "application/x-sentry-envelope"}};
    if (!key.empty()) h.emplace_back("X-Sentry-Auth", auth);
    if (!encoding.empty()) h.emplace_back("Content-Encoding", encoding);
    return Call("POST", target, std::move(body), h);
  }
  simdjson::dom::parser parser_;
};

TEST_F(SentryRouteTest, AuthenticatesByDsnKeyAndGroups) {
  Start();
  const std::string admin = CreateKey("", "admin");
  const std::string ingest = CreateKey("acme", "ingest", admin);
  const std::string reader = CreateKey("acme", "read", admin);

  HttpResponse ok = Send("/api/7/envelope/", Envelope(kEvent), ingest);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, R"({"id":"aaaabbbbccccddddeeeeffff00001111"})");
  // The browser SDKs' query-parameter form, gzip, and the legacy store endpoint.
  ASSERT_EQ(Call("POST", "/api/7/envelope/?sentry_key=" + ingest + "&sentry_version=7",
                 Envelope(kEvent), {{"Content-Type", "text/plain;charset=UTF-8"}})
                .status,
            200);
  ASSERT_EQ(Send("/api/7/envelope/", Gzip(Envelope(kEvent)), ingest, "gzip").status, 200);
  ASSERT_EQ(Send("/api/7/store/", std::string(kEvent), ingest).status, 200);

  EXPECT_EQ(
      Send("/api/7/envelope/", Envelope(kEvent), "vk_0000000000000000_" + std::string(64, '0'))
          .status,
      401);
  EXPECT_EQ(Send("/api/7/envelope/", Envelope(kEvent), "").status, 401);
  EXPECT_EQ(Send("/api/7/envelope/", Envelope(kEvent), reader).status, 403);
  // ?sentry_key= is honoured on the Sentry routes only.
  EXPECT_EQ(Call("GET", "/v1/errors?sentry_key=" + reader).status, 401);

  // Bad input: named, and nothing stored.
  HttpResponse bad = Send("/api/7/envelope/", "{\"event_id\":1\n{\"length\":2}\n{}\n", ingest);
  EXPECT_EQ(bad.status, 400) << bad.body;
  bad = Send("/api/7/envelope/", "{}\n{\"type\":\"event\",\"length\":500}\n{}\n", ingest);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("runs past the end"), std::string::npos) << bad.body;
  std::string big = "{\"message\":\"" + std::string(limits::kMaxSentryEventBytes, 'x') + "\"}";
  EXPECT_EQ(Send("/api/7/envelope/", Envelope(big), ingest).status, 413);
  EXPECT_EQ(Send("/api/7/store/", big, ingest).status, 413);
  EXPECT_EQ(Send("/api/7/envelope/", Envelope("[1]"), ingest).status, 400);
  EXPECT_EQ(Send("/api/bad%20id/envelope/", Envelope(kEvent), ingest).status, 400);
  EXPECT_EQ(Send("/api/7/envelope/", "\x1f\x8b garbage", ingest, "gzip").status, 400);

  // Four events, one group, in tenant acme only.
  const std::string bearer = "Bearer " + reader;
  HttpResponse list = Call("GET", "/v1/errors", "", {{"Authorization", bearer}});
  ASSERT_EQ(list.status, 200) << list.body;
  simdjson::dom::element l;
  ASSERT_EQ(parser_.parse(list.body).get(l), simdjson::SUCCESS);
  ASSERT_EQ(uint64_t(l["total"]), 1u) << list.body;
  EXPECT_EQ(uint64_t(l["errors"].at(0)["count"]), 4u);
  EXPECT_EQ(std::string_view(l["errors"].at(0)["tenant"]), "acme");
  EXPECT_EQ(std::string_view(l["errors"].at(0)["title"]), "Error: boom 7");
  EXPECT_EQ(std::string_view(l["errors"].at(0)["culprit"]), "handler (a.js)");
  const std::string fp(std::string_view(l["errors"].at(0)["fingerprint"]));
  HttpResponse q =
      Call("GET", "/v1/query?q=fingerprint:" + fp + "%20%7C%20stats%20count()%20as%20n", "",
           {{"Authorization", bearer}});
  EXPECT_NE(q.body.find("\"n\":4"), std::string::npos) << q.body;
  // Another tenant's read key sees nothing; its PATCH is refused (admin only).
  const std::string other = CreateKey("globex", "read", admin);
  const std::string other_bearer = "Bearer " + other;
  ASSERT_EQ(
      parser_.parse(Call("GET", "/v1/errors", "", {{"Authorization", other_bearer}}).body).get(l),
      simdjson::SUCCESS);
  EXPECT_EQ(uint64_t(l["total"]), 0u);
  EXPECT_EQ(Call("GET", "/v1/errors/" + fp, "", {{"Authorization", other_bearer}}).status, 404);
  EXPECT_EQ(Call("GET", "/v1/errors?tenant=acme", "", {{"Authorization", other_bearer}}).status,
            403);
  EXPECT_EQ(
      Call("PATCH", "/v1/errors/" + fp, R"({"status":"resolved"})", {{"Authorization", bearer}})
          .status,
      403);
  const std::string admin_bearer = "Bearer " + admin;
  HttpResponse patch = Call("PATCH", "/v1/errors/" + fp, R"({"status":"resolved"})",
                            {{"Authorization", admin_bearer}});
  EXPECT_EQ(patch.status, 200) << patch.body;
  // The audit event is in the group's tenant, by the admin key.
  q = Call("GET", "/v1/query?q=kind:audit%20action:error.resolved%20%7C%20stats%20count()%20as%20n",
           "", {{"Authorization", bearer}});
  EXPECT_NE(q.body.find("\"n\":1"), std::string::npos) << q.body;
}

}  // namespace
}  // namespace vigia
