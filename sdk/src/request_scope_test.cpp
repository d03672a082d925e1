#include "vigia/request_scope.h"

#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace vigia::sdk {
namespace {

using testing::contains;
using namespace std::chrono_literals;

struct Headers {
  std::map<std::string, std::string> m;
  std::string_view operator()(std::string_view name) const {
    for (const auto& [k, v] : m)
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    return {};
  }
};

TEST(RequestScope, RequestIdSanitizing) {
  EXPECT_TRUE(RequestScope::valid_request_id("abc-123_X.y:z"));
  EXPECT_FALSE(RequestScope::valid_request_id(""));
  EXPECT_FALSE(RequestScope::valid_request_id("has space"));
  EXPECT_FALSE(RequestScope::valid_request_id("<script>"));
  EXPECT_FALSE(RequestScope::valid_request_id(std::string(65, 'a')));
  EXPECT_EQ(RequestScope::trace_id_from_traceparent(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(RequestScope::trace_id_from_traceparent(
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
            "");
  EXPECT_EQ(RequestScope::trace_id_from_traceparent("garbage"), "");
}

TEST(RequestScope, ClientIpPrecedence) {
  Headers h;
  EXPECT_EQ(RequestScope::client_ip_from(h, "10.0.0.9"), "10.0.0.9");
  h.m["X-Cluster-Client-IP"] = "5.5.5.5";
  EXPECT_EQ(RequestScope::client_ip_from(h, "10.0.0.9"), "5.5.5.5");
  h.m["X-Forwarded"] = "for=4.4.4.4";
  EXPECT_EQ(RequestScope::client_ip_from(h, "10.0.0.9"), "4.4.4.4");
  h.m["X-Real-IP"] = "3.3.3.3";
  EXPECT_EQ(RequestScope::client_ip_from(h, "10.0.0.9"), "3.3.3.3");
  h.m["X-Forwarded-For"] = "1.1.1.1, 2.2.2.2";
  EXPECT_EQ(RequestScope::client_ip_from(h, "10.0.0.9"), "1.1.1.1");
  h.m["X-Forwarded-For"] = "not an ip";
  EXPECT_EQ(RequestScope::client_ip_from(h, "10.0.0.9"), "3.3.3.3");
}

TEST(RequestScope, UuidV7IsTimeOrderedAndVersioned) {
  char a[36], b[36];
  new_uuid_v7(a);
  std::this_thread::sleep_for(2ms);
  new_uuid_v7(b);
  std::string sa(a, 36), sb(b, 36);
  EXPECT_EQ(sa[14], '7');
  EXPECT_TRUE(sa[19] == '8' || sa[19] == '9' || sa[19] == 'a' || sa[19] == 'b');
  EXPECT_LT(sa, sb);
}

TEST(RequestScope, EmitsRequestEventAndResponseHeaders) {
  std::string dir = testing::make_temp_dir();
  Config c;
  c.file_path = dir + "/out.ndjson";
  c.metrics_interval = 0ms;
  auto log = Logger::create(c);
  ASSERT_TRUE(log.ok());
  RequestOptions opts;
  opts.slow_threshold = 5ms;
  Headers h;
  h.m["X-Request-ID"] = "client-id-1";
  h.m["User-Agent"] = "Mozilla/5.0";
  h.m["X-Forwarded-For"] = "203.0.113.7";
  {
    RequestScope rs(**log, "POST", "/sales/{id}/pay", "/sales/9/pay", "10.0.0.1", h, opts);
    EXPECT_EQ(rs.request_id(), "client-id-1");
    (*log)->info("inside");
    std::this_thread::sleep_for(6ms);
    const auto& hdrs = rs.finish(201, 42, 10);
    EXPECT_EQ(hdrs[0].first, "X-Request-ID");
    EXPECT_EQ(hdrs[0].second, "client-id-1");
    EXPECT_TRUE(hdrs[1].second.ends_with("ms"));
  }
  Headers bad;
  bad.m["X-Request-ID"] = "bad id with spaces";
  { RequestScope rs(**log, "GET", "/health/live", "/health/live", "10.0.0.1", bad, opts); }
  {
    RequestScope rs(**log, "GET", "/x", "/x", "10.0.0.1", bad, opts);
    EXPECT_EQ(rs.request_id().size(), 36u);  // replaced by a UUIDv7
  }                                          // destroyed unfinished: recorded as a 500
  ASSERT_TRUE((*log)->flush().ok());
  auto lines = testing::read_lines(c.file_path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(contains(lines[0], "\"msg\":\"inside\"") &&
              contains(lines[0], "\"request_id\":\"client-id-1\""));
  const std::string& r = lines[1];
  EXPECT_TRUE(contains(r, "\"kind\":\"request\"")) << r;
  EXPECT_TRUE(contains(r, "\"route\":\"/sales/{id}/pay\"")) << r;
  EXPECT_TRUE(contains(r, "\"method\":\"POST\",\"path\":\"/sales/9/pay\",\"status\":201")) << r;
  EXPECT_TRUE(
      contains(r, "\"ip\":\"203.0.113.7\",\"ua\":\"Mozilla/5.0\",\"bytes_out\":42,\"bytes_in\":10"))
      << r;
  EXPECT_TRUE(contains(lines[2], "slow request")) << lines[2];
  EXPECT_TRUE(contains(lines[3], "\"status\":500") && contains(lines[3], "\"level\":\"error\""))
      << lines[3];
}

TEST(RequestScope, BotsSkippedWhenAsked) {
  EXPECT_TRUE(RequestScope::is_bot("Googlebot/2.1"));
  EXPECT_TRUE(RequestScope::is_bot("curl/8.0"));
  EXPECT_FALSE(RequestScope::is_bot("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"));
}

}  // namespace
}  // namespace vigia::sdk
