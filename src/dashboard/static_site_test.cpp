// StaticSite over the real embedded dashboard files: every file is served with its type,
// the shell answers `/` and client-side routes, missing files and non-UI paths are JSON 404s,
// ETags revalidate to 304, gzip decodes to the file, and the security headers are there.
#include "dashboard/static_site.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "dashboard/embedded_files.h"

namespace vigia::dashboard {
namespace {

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  HttpResponse Get(std::string_view path,
                   std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    HttpRequest req;
    req.method = "GET";
    req.target = path;
    req.path = path;
    req.headers = std::move(headers);
    HttpResponse resp;
    site_.Serve(req, &resp);
    return resp;
  }
  StaticSite site_{EmbeddedFiles()};
};

std::string FileText(std::string_view path) {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path == path)
      return std::string(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
  }
  return "";
}

// index.html with @ASSETS@ replaced by this version's asset path.
std::string Shell(const StaticSite& site) {
  std::string text = FileText("index.html");
  const std::string base = "/ui/assets/" + site.version();
  for (size_t at; (at = text.find("@ASSETS@")) != std::string::npos;) {
    text.replace(at, 8, base);
  }
  return text;
}

TEST_F(StaticSiteTest, RootIsTheShellWithSecurityHeaders) {
  HttpResponse r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, Shell(site_));
  EXPECT_EQ(r.body.find("@ASSETS@"), std::string::npos);
  EXPECT_NE(r.body.find(R"(<script type="module" src="/ui/assets/)" + site_.version() +
                        R"(/js/app.js">)"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.Header("Content-Security-Policy"), kContentSecurityPolicy);
  EXPECT_NE(r.Header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  EXPECT_FALSE(r.Header("ETag").empty());
}

TEST_F(StaticSiteTest, VersionIsAHashOfEveryFile) {
  EXPECT_EQ(site_.version().size(), 16u);
  EXPECT_EQ(site_.version().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(StaticSite(EmbeddedFiles()).version(), site_.version());
  // One byte more in one file: another version.
  std::vector<EmbeddedFile> files(EmbeddedFiles().begin(), EmbeddedFiles().end());
  std::string css = FileText("app.css") + " ";
  for (EmbeddedFile& f : files) {
    if (f.path == "app.css") {
      f.bytes = {reinterpret_cast<const unsigned char*>(css.data()), css.size()};
    }
  }
  StaticSite changed(files);
  EXPECT_NE(changed.version(), site_.version());
  EXPECT_EQ(changed.AssetUrl("app.css"), "/ui/assets/" + changed.version() + "/app.css");
}

TEST_F(StaticSiteTest, EveryFileIsServedAtItsVersionedUrlForAYear) {
  ASSERT_GE(site_.file_count(), 3u);
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path == "index.html") continue;
    if (f.path.ends_with(".br")) {
      // The build's brotli of a file is sent for the file (below), not at a URL of its own.
      EXPECT_EQ(Get(site_.AssetUrl(f.path)).status, 404) << f.path;
      continue;
    }
    HttpResponse r = Get(site_.AssetUrl(f.path));
    EXPECT_EQ(r.status, 200) << f.path;
    EXPECT_NE(r.content_type, "application/octet-stream") << f.path;
    EXPECT_EQ(r.body, FileText(f.path)) << f.path;
    EXPECT_EQ(r.Header("Cache-Control"), "public, max-age=31536000, immutable") << f.path;
    EXPECT_EQ(r.Header("Content-Security-Policy"), kContentSecurityPolicy) << f.path;
    // The unversioned URL is not the file.
    EXPECT_EQ(Get("/ui/" + std::string(f.path)).status, 404) << f.path;
  }
  EXPECT_EQ(Get(site_.AssetUrl("js/app.js")).content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get(site_.AssetUrl("app.css")).content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get(site_.AssetUrl("favicon.svg")).content_type, "image/svg+xml");
  // The template itself is not a file of the site.
  EXPECT_EQ(Get(site_.AssetUrl("index.html")).status, 404);
}

TEST_F(StaticSiteTest, AnotherVersionsUrlIsA404AskingForAReload) {
  std::string other = "/ui/assets/0123456789abcdef/js/app.js";
  if (site_.version() == "0123456789abcdef") other = "/ui/assets/fedcba9876543210/js/app.js";
  HttpResponse r = Get(other);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find("reload the page"), std::string::npos) << r.body;
  for (const char* path : {"/ui/assets", "/ui/assets/", "/ui/assets/js/app.js"}) {
    EXPECT_EQ(Get(path).status, 404) << path;
  }
  EXPECT_EQ(Get("/ui/assets/" + site_.version() + "/js/missing.js").status, 404);
  EXPECT_EQ(Get("/ui/assets/" + site_.version() + "/../index.html").status, 404);
}

TEST_F(StaticSiteTest, ClientRoutesGetTheShellOtherPathsA404) {
  const std::string shell = Shell(site_);
  for (const char* route :
       {"/ui", "/ui/", "/ui/search", "/ui/tail", "/ui/trace/r-1", "/ui/errors/abc"}) {
    HttpResponse r = Get(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.body, shell) << route;
    EXPECT_EQ(r.Header("Cache-Control"), "no-cache") << route;
  }
  for (const char* path : {"/ui/missing.js", "/ui/js/nope.css", "/v1/nope", "/index.html",
                           "/ui/../index.html", "/uix/search", "/ui/index.html"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/json") << path;
    EXPECT_NE(r.body.find(R"("code":"not_found")"), std::string::npos) << path;
  }
}

TEST_F(StaticSiteTest, EtagRevalidatesTo304) {
  const std::string app = site_.AssetUrl("js/app.js");
  HttpResponse first = Get(app);
  std::string etag(first.Header("ETag"));
  ASSERT_EQ(etag.front(), '"');
  HttpResponse again = Get(app, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(app, {{"If-None-Match", "\"0000\""}}).status, 200);
  EXPECT_NE(Get(site_.AssetUrl("app.css")).Header("ETag"), etag);
  // The shell revalidates the same way (it is no-cache).
  std::string shell_etag(Get("/").Header("ETag"));
  EXPECT_EQ(Get("/ui/search", {{"If-None-Match", shell_etag}}).status, 304);
}

TEST_F(StaticSiteTest, GzipWhenAcceptedAndItDecodesToTheFile) {
  const std::string app = site_.AssetUrl("js/app.js");
  HttpResponse plain = Get(app);
  EXPECT_TRUE(plain.Header("Content-Encoding").empty());
  HttpResponse gz = Get(app, {{"Accept-Encoding", "gzip, deflate"}});
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.Header("Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size());
  EXPECT_EQ(Gunzip(gz.body), plain.body);
  EXPECT_EQ(Get(app, {{"Accept-Encoding", "br;q=0, gzip"}}).Header("Content-Encoding"), "gzip");
  EXPECT_TRUE(Get(app, {{"Accept-Encoding", "gzip;q=0"}}).Header("Content-Encoding").empty());
  EXPECT_TRUE(
      Get(app, {{"Accept-Encoding", "gzip;q=0, br;q=0, *"}}).Header("Content-Encoding").empty());
  EXPECT_TRUE(Get(app, {{"Accept-Encoding", "deflate"}}).Header("Content-Encoding").empty());
}

TEST_F(StaticSiteTest, TheBuildsBrotliWhenAcceptedInPreferenceToGzip) {
  // js/app.js.br is the dashboard build's brotli of js/app.js (src/dashboard/web/build.mjs
  // checks that it decodes to the file); the site sends it as is.
  const std::string app = site_.AssetUrl("js/app.js");
  HttpResponse br = Get(app, {{"Accept-Encoding", "gzip, deflate, br, zstd"}});
  EXPECT_EQ(br.Header("Content-Encoding"), "br");
  EXPECT_EQ(br.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(br.body, FileText("js/app.js.br"));
  EXPECT_LT(br.body.size(), Get(app, {{"Accept-Encoding", "gzip"}}).body.size());
  EXPECT_EQ(Get(app, {{"Accept-Encoding", "br"}}).Header("Content-Encoding"), "br");
  EXPECT_EQ(Get(app, {{"Accept-Encoding", "*"}}).Header("Content-Encoding"), "br");
  EXPECT_EQ(Get(app, {{"Accept-Encoding", "gzip;q=0, *"}}).Header("Content-Encoding"), "br");
  // A 304 is the same with or without br.
  std::string etag(br.Header("ETag"));
  EXPECT_EQ(Get(app, {{"Accept-Encoding", "br"}, {"If-None-Match", etag}}).status, 304);
  // The shell (filled in at start) and files the build did not compress have gzip only.
  EXPECT_EQ(Get("/ui/search", {{"Accept-Encoding", "br, gzip"}}).Header("Content-Encoding"),
            "gzip");
}

TEST_F(StaticSiteTest, IfNoneMatchListsWeakTagsAndStar) {
  const std::string app = site_.AssetUrl("js/app.js");
  std::string etag(Get(app).Header("ETag"));
  EXPECT_EQ(Get(app, {{"If-None-Match", "\"x\", W/" + etag}}).status, 304);
  EXPECT_EQ(Get(app, {{"If-None-Match", "*"}}).status, 304);
  EXPECT_EQ(Get(app, {{"If-None-Match", "\"x\", \"y\""}}).status, 200);
  // A tag that merely contains ours is another tag.
  EXPECT_EQ(Get(app, {{"If-None-Match", "\"a" + etag.substr(1)}}).status, 200);
}

TEST_F(StaticSiteTest, RootVariesByAcceptForTheElasticsearchHandshake) {
  // `/` is the shell only for browsers (the router sends API clients to the handshake), so
  // a cache must key it by Accept too.
  EXPECT_EQ(Get("/").Header("Vary"), "Accept, Accept-Encoding");
  EXPECT_EQ(Get("/ui/search").Header("Vary"), "Accept-Encoding");
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(ContentTypeFor("a/b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace vigia::dashboard
