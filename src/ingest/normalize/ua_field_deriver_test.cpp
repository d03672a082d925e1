#include "ingest/normalize/ua_field_deriver.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/limits.h"
#include "ingest/normalize/normalizer_fixture.h"

namespace vigia {
namespace {

const UaFieldDeriver& Deriver() {
  static const UaFieldDeriver* d = [] {
    // The repository's pinned uap-core (third_party/uap-core; CMake passes its path).
    auto loaded = UaFieldDeriver::LoadFile(std::string(VIGIA_UAP_CORE_DIR) + "/regexes.yaml");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status().ToString();
      std::abort();
    }
    return loaded.value().release();
  }();
  return *d;
}

struct Case {
  const char* ua;
  const char* browser;
  const char* browser_version;
  const char* os;
  const char* os_version;
  const char* device;
};

const Case kCases[] = {
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36",
     "Chrome", "119.0", "Windows", "10", "desktop"},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Safari/605.1.15",
     "Safari", "17.1", "Mac OS X", "10.15", "desktop"},
    {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36",
     "Chrome", "119.0", "Chrome OS", "14541.0", "desktop"},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
     "Mobile Safari", "17.1", "iOS", "17.1", "mobile"},
    {"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/16.6 Mobile/15E148 Safari/604.1",
     "Mobile Safari", "16.6", "iOS", "16.6", "tablet"},
    {"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36",
     "Chrome", "119.0", "Android", "13", "tablet"},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Mobile Safari/537.36",
     "Chrome Mobile", "119.0", "Android", "10", "mobile"},
    {"Luminary/70 CFNetwork/978.0.7 Darwin/18.5.0", "Luminary", "70", "iOS", "12.2", "mobile"},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "2.1",
     "Other", "", "bot"},
    {"curl/7.88.1", "curl", "7.88", "Other", "", "bot"},
    {"python-requests/2.31.0", "Python Requests", "2.31", "Other", "", "bot"},
    {"kube-probe/1.27", "Other", "", "Other", "", "bot"},
    {"Dart/3.1 (dart:io)", "Other", "", "Other", "", "other"},
};

TEST(DerivedFields, BrowserOsDeviceClassOfRealUserAgents) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.ua);
    UaFields f = Deriver().Derive(c.ua);
    EXPECT_EQ(f.browser, c.browser);
    EXPECT_EQ(f.browser_version, c.browser_version);
    EXPECT_EQ(f.os, c.os);
    EXPECT_EQ(f.os_version, c.os_version);
    EXPECT_EQ(f.device, c.device);
  }
}

TEST(DerivedFields, VersionText) {
  EXPECT_EQ(VersionText("119", "0"), "119.0");
  EXPECT_EQ(VersionText("70", ""), "70");
  EXPECT_EQ(VersionText("", "3"), "");
}

TEST(DerivedFields, ClassifyMatchesDeriveAndSkipsEmpty) {
  UserAgentInfo info;
  EXPECT_FALSE(Deriver().Classify("", &info));
  for (int round = 0; round < 2; ++round) {  // the second round is served by the cache
    for (const Case& c : kCases) {
      ASSERT_TRUE(Deriver().Classify(c.ua, &info));
      EXPECT_EQ(info.browser, c.browser);
      EXPECT_EQ(info.browser_version, c.browser_version);
      EXPECT_EQ(info.os_version, c.os_version);
      EXPECT_EQ(info.device, c.device);
    }
  }
}

TEST(DerivedFields, LongUserAgentIsParsedByItsPrefix) {
  std::string ua = "curl/8.1.2 ";
  ua.append(limits::kMaxUaParseBytes * 4, 'x');
  UserAgentInfo info;
  ASSERT_TRUE(Deriver().Classify(ua, &info));
  EXPECT_EQ(info.browser, "curl");
  EXPECT_EQ(info.browser_version, "8.1");
}

// More distinct UAs than the cache holds: entries rotate out and come back right.
TEST(DerivedFields, CacheStaysCorrectPastItsCapacity) {
  const size_t n = limits::kUaCacheEntriesPerThread * 2 + 100;
  UserAgentInfo info;
  for (size_t i = 0; i < n; ++i) {
    std::string ua = "curl/" + std::to_string(i) + ".1";
    ASSERT_TRUE(Deriver().Classify(ua, &info));
    ASSERT_EQ(info.browser_version, std::to_string(i) + ".1");
  }
  for (size_t i : {size_t{0}, n / 2, n - 1}) {
    std::string ua = "curl/" + std::to_string(i) + ".1";
    ASSERT_TRUE(Deriver().Classify(ua, &info));
    EXPECT_EQ(info.browser_version, std::to_string(i) + ".1");
  }
}

TEST(DerivedFieldsConcurrent, ThreadsShareOneDeriver) {
  std::vector<UaFields> expected;
  for (const Case& c : kCases) expected.push_back(Deriver().Derive(c.ua));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      UserAgentInfo info;
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < std::size(kCases); ++i) {
          if (!Deriver().Classify(kCases[(i + t) % std::size(kCases)].ua, &info) ||
              info.browser != expected[(i + t) % std::size(kCases)].browser ||
              info.device != expected[(i + t) % std::size(kCases)].device) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

std::string RegexesPath() { return std::string(VIGIA_UAP_CORE_DIR) + "/regexes.yaml"; }

TEST(DerivedFieldsLoading, BackgroundLoadServesTheSameAnswers) {
  std::unique_ptr<UaFieldDeriver> d = UaFieldDeriver::LoadFileInBackground(RegexesPath());
  UserAgentInfo info;
  ASSERT_TRUE(d->Classify(kCases[0].ua, &info));  // waits for the load
  EXPECT_EQ(info.browser, kCases[0].browser);
  EXPECT_EQ(info.device, kCases[0].device);
  EXPECT_TRUE(d->WaitLoaded().ok());
}

TEST(DerivedFieldsLoading, FailedLoadAddsNothing) {
  std::unique_ptr<UaFieldDeriver> d = UaFieldDeriver::LoadFileInBackground("/nonexistent.yaml");
  EXPECT_EQ(d->WaitLoaded().code(), StatusCode::kIOError);
  UserAgentInfo info;
  EXPECT_FALSE(d->Classify("curl/7.88.1", &info));
  EXPECT_EQ(d->Derive("curl/7.88.1").browser, "");
}

TEST(DerivedFieldsLoading, DestroyingDuringTheLoadCancelsIt) {
  // Joins the loader thread; sanitizers check the hand-over.
  std::unique_ptr<UaFieldDeriver> d = UaFieldDeriver::LoadFileInBackground(RegexesPath());
  d.reset();
  EXPECT_EQ(d, nullptr);
}

TEST(DerivedFieldsLoading, RegexesPathSetting) {
  EXPECT_EQ(UaFieldDeriver::ResolveRegexesPath("off"), "");
  EXPECT_EQ(UaFieldDeriver::ResolveRegexesPath("/etc/my.yaml"), "/etc/my.yaml");
  std::string automatic = UaFieldDeriver::ResolveRegexesPath("");
  if (!automatic.empty()) {  // the build's copy or Debian's uap-core, when present
    EXPECT_NE(automatic.find("regexes.yaml"), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_regular_file(automatic)) << automatic;
  }
}

// The normalizer hook: derived fields are added, never override what the line sent.
class DerivedFieldsNormalizer : public NormalizerFixture {
 protected:
  DerivedFieldsNormalizer() {
    NormalizerOptions o;
    o.derivers.push_back(&Deriver());
    normalizer_with_ua_ = std::make_unique<Normalizer>(o);
  }
  Status NormUa(std::string_view line) {
    batch_ = EventBatch();
    return normalizer_with_ua_->Normalize(line, kRecv, &batch_);
  }
  std::unique_ptr<Normalizer> normalizer_with_ua_;
};

TEST_F(DerivedFieldsNormalizer, EventsGetBrowserOsDeviceAndPerfClass) {
  ASSERT_TRUE(NormUa(R"({"kind":"request","user_agent":"curl/7.88.1","duration_ms":120})").ok());
  EXPECT_EQ(Get("ua"), S("curl/7.88.1"));
  EXPECT_EQ(Get("browser"), S("curl"));
  EXPECT_EQ(Get("browser_version"), S("7.88"));
  EXPECT_EQ(Get("os"), S("Other"));
  EXPECT_FALSE(Has("os_version"));
  EXPECT_EQ(Get("device"), S("bot"));
  EXPECT_EQ(Get("perf_class"), S("good"));
}

TEST_F(DerivedFieldsNormalizer, FieldsTheLineSentWin) {
  ASSERT_TRUE(NormUa(R"({"ua":"curl/7.88.1","browser":"MyCurl","device":"server"})").ok());
  EXPECT_EQ(Get("browser"), S("MyCurl"));
  EXPECT_EQ(Get("device"), S("server"));
  EXPECT_EQ(Get("browser_version"), S("7.88"));  // not sent: derived
}

TEST_F(DerivedFieldsNormalizer, NoUaNoDerivedFields) {
  ASSERT_TRUE(NormUa(R"({"msg":"hello"})").ok());
  EXPECT_FALSE(Has("browser"));
  EXPECT_FALSE(Has("device"));
  EXPECT_FALSE(Has("perf_class"));
}

}  // namespace
}  // namespace vigia
