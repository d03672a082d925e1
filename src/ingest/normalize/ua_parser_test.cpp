#include "ingest/normalize/ua_parser.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace vigia {
namespace {

// The repository's pinned uap-core (third_party/uap-core; CMake passes its path).
std::string UapDir() { return VIGIA_UAP_CORE_DIR; }

const UaParser& RealParser() {
  static const UaParser* parser = [] {
    auto p = UaParser::LoadFile(UapDir() + "/regexes.yaml");
    if (!p.ok()) {
      ADD_FAILURE() << p.status().ToString();
      std::abort();
    }
    return p.value().release();
  }();
  return *parser;
}

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }

// Runs `check` over every case of a uap-core test file and returns the share that agree.
double Agreement(const std::string& file, const std::function<bool(const YAML::Node&)>& check,
                 size_t* total) {
  YAML::Node root = YAML::LoadFile(UapDir() + "/" + file);
  size_t ok = 0, n = 0, printed = 0;
  for (const YAML::Node& c : root["test_cases"]) {
    ++n;
    if (check(c)) {
      ++ok;
    } else if (printed++ < 5) {
      std::printf("  %s disagrees: %s\n", file.c_str(), Str(c["user_agent_string"]).c_str());
    }
  }
  *total = n;
  return n == 0 ? 0 : static_cast<double>(ok) / static_cast<double>(n);
}

TEST(UaParserCorpus, RulesCompileWithRe2) {
  const UaParser& p = RealParser();
  std::printf("rules compiled %zu, skipped %zu\n", p.rule_count(), p.skipped_rules());
  EXPECT_GT(p.rule_count(), 1200u);
  EXPECT_LE(p.skipped_rules(), 5u);
}

TEST(UaParserCorpus, UserAgentsAgreeWithUapCore) {
  const UaParser& p = RealParser();
  size_t n = 0;
  double share = Agreement(
      "test_ua.yaml",
      [&](const YAML::Node& c) {
        UaAgent a = p.ParseAgent(Str(c["user_agent_string"]));
        return a.family == Str(c["family"]) && a.major == Str(c["major"]) &&
               a.minor == Str(c["minor"]) && a.patch == Str(c["patch"]);
      },
      &n);
  std::printf("test_ua.yaml: %zu cases, %.2f%% agree\n", n, share * 100);
  EXPECT_GT(n, 1000u);
  EXPECT_GE(share, 0.99);
}

TEST(UaParserCorpus, OsesAgreeWithUapCore) {
  const UaParser& p = RealParser();
  size_t n = 0;
  double share = Agreement(
      "test_os.yaml",
      [&](const YAML::Node& c) {
        UaOs o = p.ParseOs(Str(c["user_agent_string"]));
        return o.family == Str(c["family"]) && o.major == Str(c["major"]) &&
               o.minor == Str(c["minor"]) && o.patch == Str(c["patch"]) &&
               o.patch_minor == Str(c["patch_minor"]);
      },
      &n);
  std::printf("test_os.yaml: %zu cases, %.2f%% agree\n", n, share * 100);
  EXPECT_GT(n, 400u);
  EXPECT_GE(share, 0.99);
}

TEST(UaParserCorpus, DevicesAgreeWithUapCore) {
  const UaParser& p = RealParser();
  size_t n = 0;
  double share = Agreement(
      "test_device.yaml",
      [&](const YAML::Node& c) {
        UaDevice d = p.ParseDevice(Str(c["user_agent_string"]));
        return d.family == Str(c["family"]) && d.brand == Str(c["brand"]) &&
               d.model == Str(c["model"]);
      },
      &n);
  std::printf("test_device.yaml: %zu cases, %.2f%% agree\n", n, share * 100);
  EXPECT_GT(n, 10000u);
  EXPECT_GE(share, 0.99);
}

// A tiny rules file exercising each semantic rule on its own.
constexpr const char* kRules = R"(
user_agent_parsers:
  - regex: '(MyApp)/(\d+)\.(\d+)'
    family_replacement: '$1 Pro'
  - regex: 'Zed (\d+)'
    family_replacement: 'Zed'
    v1_replacement: '$1'
    v2_replacement: '7'
  - regex: '(Plain)/(\d+)(?:\.(\d+)|)'
os_parsers:
  - regex: 'Never(?=Matches)'
  - regex: '(OtherOS) (\d+)'
    os_replacement: '  Spaced $1  '
device_parsers:
  - regex: 'PHONE-(\w+)'
    regex_flag: 'i'
    device_replacement: 'Phone $1'
    brand_replacement: 'Acme'
  - regex: '(Gadget)'
)";

TEST(UaParserRules, ReplacementsGroupsAndFlags) {
  auto loaded = UaParser::LoadYaml(kRules);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const UaParser& p = *loaded.value();
  EXPECT_EQ(p.skipped_rules(), 1u);  // the look-ahead, which RE2 rejects

  UaAgent a = p.ParseAgent("x MyApp/3.4 y");
  EXPECT_EQ(a.family, "MyApp Pro");
  EXPECT_EQ(a.major, "3");  // no v1_replacement: group 2
  EXPECT_EQ(a.minor, "4");
  EXPECT_EQ(a.patch, "");

  a = p.ParseAgent("Zed 12");
  EXPECT_EQ(a.family, "Zed");
  EXPECT_EQ(a.major, "12");
  EXPECT_EQ(a.minor, "7");

  a = p.ParseAgent("Plain/5");
  EXPECT_EQ(a.family, "Plain");
  EXPECT_EQ(a.major, "5");
  EXPECT_EQ(a.minor, "");  // the optional group did not take part

  a = p.ParseAgent("nothing known");
  EXPECT_EQ(a.family, "Other");
  EXPECT_EQ(a.major, "");

  UaOs o = p.ParseOs("OtherOS 9");
  EXPECT_EQ(o.family, "Spaced OtherOS");  // trimmed
  EXPECT_EQ(o.major, "9");
  EXPECT_EQ(p.ParseOs("NeverMatches").family, "Other");

  UaDevice d = p.ParseDevice("phone-x1");  // regex_flag i
  EXPECT_EQ(d.family, "Phone x1");
  EXPECT_EQ(d.brand, "Acme");
  EXPECT_EQ(d.model, "x1");  // no model_replacement: group 1
  d = p.ParseDevice("a Gadget");
  EXPECT_EQ(d.family, "Gadget");
  EXPECT_EQ(d.brand, "");
  EXPECT_EQ(p.ParseDevice("PHONE").family, "Other");
}

TEST(UaParserRules, FirstMatchingRuleWins) {
  auto loaded = UaParser::LoadYaml(R"(
user_agent_parsers:
  - regex: 'Special (\d+)'
    family_replacement: 'First'
  - regex: '(Special)'
os_parsers: []
device_parsers: []
)");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded.value()->ParseAgent("Special 1").family, "First");
  EXPECT_EQ(loaded.value()->ParseAgent("Special x").family, "Special");
}

TEST(UaParserRules, BadInputsAreErrors) {
  EXPECT_EQ(UaParser::LoadYaml("user_agent_parsers: [").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(UaParser::LoadYaml("os_parsers: []\ndevice_parsers: []").status().code(),
            StatusCode::kInvalidArgument);
  auto no_regex = UaParser::LoadYaml(
      "user_agent_parsers:\n  - family_replacement: x\nos_parsers: []\ndevice_parsers: []");
  ASSERT_FALSE(no_regex.ok());
  EXPECT_NE(no_regex.status().message().find("user_agent_parsers[0]"), std::string::npos);
  EXPECT_EQ(UaParser::LoadFile("/nonexistent/regexes.yaml").status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace vigia
