// The Elasticsearch-compatible routes as `vigia serve` wires them: a real Server (store on a
// temp dir), called through its router without sockets.
#include "server/route_elasticsearch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/server_route_fixture.h"

namespace vigia {
namespace {

class ElasticsearchRoutesTest : public testing::ServerRouteFixture {
 protected:
  static bool Contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
  }
};

TEST_F(ElasticsearchRoutesTest, BulkStoresIndexAndCreateAndAnswersPerItem) {
  ASSERT_TRUE(ParseIndexServices(" web-* = web ,pharmacy-*=pharmacy",
                                 &config_.ingest.elasticsearch.index_services)
                  .ok());
  Start();
  HttpResponse r = Call("POST", "/web-2024/_bulk",
                        "{\"index\":{}}\n{\"message\":\"one\",\"log.level\":\"warn\"}\n"
                        "{\"delete\":{\"_id\":\"1\"}}\n"
                        "{\"create\":{\"_index\":\"pharmacy-x\"}}\n{\"message\":\"two\"}\n",
                        {{"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("X-Elastic-Product"), "Elasticsearch");
  EXPECT_TRUE(Contains(r.body, "\"errors\":true,\"items\":[{\"index\":{\"_index\":\"web-2024\""))
      << r.body;
  EXPECT_TRUE(Contains(r.body, "{\"delete\":{\"_index\":\"web-2024\",\"_id\":\"1\",\"status\":400"))
      << r.body;
  EXPECT_TRUE(Contains(r.body, "{\"create\":{\"_index\":\"pharmacy-x\"")) << r.body;

  HttpResponse q = Call("GET", "/v1/query?q=*+%7C+sort+by+msg&format=ndjson");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_TRUE(Contains(q.body, "\"level\":\"warn\",\"service\":\"web\"")) << q.body;
  EXPECT_TRUE(Contains(q.body, "\"service\":\"pharmacy\"")) << q.body;
  EXPECT_TRUE(Contains(q.body, "\"index\":\"pharmacy-x\"")) << q.body;

  HttpResponse m = Call("GET", "/metrics");
  EXPECT_TRUE(Contains(
      m.body, "vigia_ingest_records_total{protocol=\"elasticsearch\",result=\"accepted\"} 2\n"))
      << m.body;
  EXPECT_TRUE(Contains(
      m.body, "vigia_ingest_records_total{protocol=\"elasticsearch\",result=\"rejected\"} 1\n"));
  EXPECT_TRUE(Contains(
      m.body,
      "vigia_ingest_rejections_total{protocol=\"elasticsearch\",reason=\"unsupported\"} 1\n"))
      << m.body;

  // No error: "errors":false.
  r = Call("PUT", "/_bulk", "{\"index\":{\"_index\":\"a\"}}\n{\"message\":\"three\"}\n");
  EXPECT_TRUE(Contains(r.body, "\"errors\":false")) << r.body;
  EXPECT_EQ(Call("POST", "/_bulk", "x", {{"Content-Type", "image/png"}}).status, 400);
}

TEST_F(ElasticsearchRoutesTest, HandshakeForApiClientsAndNotForBrowsers) {
  config_.ingest.elasticsearch.version = "8.5.1";
  Start();
  HttpResponse root = Call("GET", "/", "", {{"Accept", "application/json"}});
  ASSERT_EQ(root.status, 200);
  EXPECT_TRUE(Contains(root.body, "\"version\":{\"number\":\"8.5.1\"")) << root.body;
  EXPECT_EQ(root.Header("X-Elastic-Product"), "Elasticsearch");
  EXPECT_EQ(root.Header("Vary"), "Accept");
  EXPECT_EQ(Call("HEAD", "/").status, 200);
  // Clients that refuse HTML or accept anything are API clients too.
  for (std::string_view accept :
       {"*/*", "text/html;q=0", "text/*", "application/vnd.elasticsearch+json"}) {
    HttpResponse r = Call("GET", "/", "", {{"Accept", accept}});
    EXPECT_EQ(r.Header("X-Elastic-Product"), "Elasticsearch") << accept;
  }
  // A browser's GET / is not the handshake: it is the dashboard (the router's fallback).
  HttpResponse browser =
      Call("GET", "/", "", {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_EQ(browser.status, 200);
  EXPECT_EQ(browser.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(browser.Header("X-Elastic-Product").empty());
  EXPECT_EQ(Call("GET", "/_license").status, 200);
  EXPECT_EQ(Call("GET", "/_nodes/_all/http").status, 200);
  EXPECT_EQ(Call("GET", "/_cat/indices?format=json").body, "[]");
  EXPECT_EQ(Call("GET", "/_cluster/health").status, 200);
  EXPECT_EQ(Call("HEAD", "/_index_template/filebeat-8").status, 200);
  EXPECT_TRUE(Contains(Call("PUT", "/_index_template/filebeat-8", "{}").body, "acknowledged"));
  EXPECT_TRUE(Contains(Call("PUT", "/logs-x", "{}").body, "\"index\":\"logs-x\""));
}

TEST_F(ElasticsearchRoutesTest, CredentialsAsBasicPasswordApiKeyOrBearer) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "keys") << "s3cret\n";
  config_.api_keys_file = (dir_ / "keys").string();
  Start();
  const std::string body = "{\"index\":{\"_index\":\"a\"}}\n{\"message\":\"x\"}\n";
  HttpResponse none = Call("POST", "/_bulk", body);
  EXPECT_EQ(none.status, 401);
  // "elastic:s3cret", "elastic:wrong", "id:s3cret"
  EXPECT_EQ(Call("POST", "/_bulk", body, {{"Authorization", "Basic ZWxhc3RpYzpzM2NyZXQ="}}).status,
            200);
  EXPECT_EQ(Call("POST", "/_bulk", body, {{"Authorization", "Basic ZWxhc3RpYzp3cm9uZw=="}}).status,
            401);
  EXPECT_EQ(Call("POST", "/_bulk", body, {{"Authorization", "ApiKey aWQ6czNjcmV0"}}).status, 200);
  EXPECT_EQ(Call("POST", "/_bulk", body, {{"Authorization", "ApiKey s3cret"}}).status, 200);
  EXPECT_EQ(Call("POST", "/_bulk", body, {{"Authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(Call("GET", "/").status, 401);
}

TEST(ParseIndexServicesTest, RejectsItemsWithoutService) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_FALSE(ParseIndexServices("web-*", &out).ok());
  EXPECT_FALSE(ParseIndexServices("=web", &out).ok());
  ASSERT_TRUE(ParseIndexServices("", &out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vigia
