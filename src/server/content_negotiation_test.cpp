// ContentNegotiation: Accept and Accept-Encoding as browsers, shippers and curl send them —
// q=0 refuses, an explicit coding decides over "*", the most specific media range decides,
// and a browser's navigation is told from an API client's request.
#include "server/content_negotiation.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

HttpRequest WithHeader(std::string_view name, std::string_view value) {
  HttpRequest req;
  req.method = "GET";
  req.path = "/";
  req.headers.emplace_back(name, value);
  return req;
}

TEST(ParseWeightedListTest, ItemsWeightsAndParameters) {
  auto items = ParseWeightedList(" gzip;q=0.8 , br,, identity ; q=0 ,text/html;level=1;q=0.5");
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].value, "gzip");
  EXPECT_DOUBLE_EQ(items[0].q, 0.8);
  EXPECT_EQ(items[1].value, "br");
  EXPECT_DOUBLE_EQ(items[1].q, 1.0);
  EXPECT_EQ(items[2].value, "identity");
  EXPECT_DOUBLE_EQ(items[2].q, 0.0);
  EXPECT_EQ(items[3].value, "text/html");
  EXPECT_DOUBLE_EQ(items[3].q, 0.5);
  // Malformed weights refuse; weights above 1 are 1.
  EXPECT_DOUBLE_EQ(ParseWeightedList("gzip;q=abc")[0].q, 0.0);
  EXPECT_DOUBLE_EQ(ParseWeightedList("gzip;q=")[0].q, 0.0);
  EXPECT_DOUBLE_EQ(ParseWeightedList("gzip;q=1.2.3")[0].q, 0.0);
  EXPECT_DOUBLE_EQ(ParseWeightedList("gzip;Q=7")[0].q, 1.0);
  EXPECT_TRUE(ParseWeightedList("").empty());
  EXPECT_TRUE(ParseWeightedList(" , ;q=1").empty());
}

TEST(AcceptedEncodingsTest, QZeroRefusesAndExplicitBeatsStar) {
  EXPECT_TRUE(AcceptedEncodings("gzip, deflate, br").Accepts("gzip"));
  EXPECT_TRUE(AcceptedEncodings("GZIP").Accepts("gzip"));
  EXPECT_TRUE(AcceptedEncodings("x-gzip").Accepts("gzip"));
  EXPECT_TRUE(AcceptedEncodings("gzip;q=0.001").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("gzip;q=0").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("gzip;q=0.000").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("gzip;q=0, *").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("*, gzip;q=0").Accepts("gzip"));
  EXPECT_TRUE(AcceptedEncodings("*").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("*;q=0").Accepts("gzip"));
  EXPECT_TRUE(AcceptedEncodings("*;q=0, gzip").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("br, deflate").Accepts("gzip"));
  EXPECT_FALSE(AcceptedEncodings("gzipx").Accepts("gzip"));
  // No header: no content coding (curl without --compressed).
  EXPECT_FALSE(AcceptedEncodings("").Accepts("gzip"));
  EXPECT_TRUE(AcceptsGzip(WithHeader("accept-encoding", "gzip")));
  EXPECT_FALSE(AcceptsGzip(WithHeader("Accept-Encoding", "gzip;q=0, *")));
  EXPECT_FALSE(AcceptsGzip(HttpRequest{}));
}

TEST(AcceptedMediaTypesTest, MostSpecificRangeDecides) {
  AcceptedMediaTypes browser("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
  EXPECT_DOUBLE_EQ(browser.Quality("text/html"), 1.0);
  EXPECT_DOUBLE_EQ(browser.Quality("application/json"), 0.8);
  AcceptedMediaTypes picky("text/*;q=0.3, text/html;q=0, */*;q=0.5");
  EXPECT_DOUBLE_EQ(picky.Quality("text/html"), 0.0);
  EXPECT_DOUBLE_EQ(picky.Quality("text/plain"), 0.3);
  EXPECT_DOUBLE_EQ(picky.Quality("image/png"), 0.5);
  EXPECT_DOUBLE_EQ(AcceptedMediaTypes("application/json").Quality("text/html"), 0.0);
  EXPECT_DOUBLE_EQ(AcceptedMediaTypes("").Quality("text/html"), 1.0);  // absent: anything
  EXPECT_DOUBLE_EQ(AcceptedMediaTypes("TEXT/HTML").Quality("text/html"), 1.0);
  EXPECT_DOUBLE_EQ(AcceptedMediaTypes("textx/*").Quality("text/html"), 0.0);
}

TEST(AcceptedMediaTypesTest, BrowserNavigationNamesHtmlExplicitly) {
  // Chromium's and Firefox's navigations.
  EXPECT_TRUE(IsBrowserNavigation(WithHeader(
      "Accept",
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")));
  EXPECT_TRUE(IsBrowserNavigation(WithHeader("Accept", "Text/HTML")));
  // Shippers, client libraries and curl: the Elasticsearch handshake.
  for (std::string_view accept :
       {"", "*/*", "application/json", "application/vnd.elasticsearch+json; compatible-with=8",
        "text/*", "text/html;q=0", "text/html;q=0, */*", "text/htmlx", "application/text/html"}) {
    EXPECT_FALSE(IsBrowserNavigation(WithHeader("Accept", accept))) << accept;
  }
  EXPECT_FALSE(IsBrowserNavigation(HttpRequest{}));
  EXPECT_TRUE(AcceptedMediaTypes("text/event-stream").NamesExplicitly("text/event-stream"));
  EXPECT_FALSE(AcceptedMediaTypes("*/*").NamesExplicitly("text/event-stream"));
}

}  // namespace
}  // namespace vigia
