#include "redact/secret_redactor.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "redact/field_name_cache.h"

namespace vigia::redact {
namespace {

std::vector<std::string> Lines(const std::string& file) {
  std::ifstream in(std::string(VIGIA_REDACT_TESTDATA) + "/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

std::string Unescape(std::string s) {
  for (size_t p; (p = s.find("\\n")) != std::string::npos;) s.replace(p, 2, "\n");
  return s;
}

std::unique_ptr<SecretRedactor> Make(RedactOptions o = {}, MetricRegistry* m = nullptr) {
  auto r = SecretRedactor::Make(std::move(o), m);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

TEST(SecretRedactorTest, EveryPlantedSecretIsGoneAndNamed) {
  auto r = Make();
  std::set<std::string> detectors_covered;
  for (const std::string& line : Lines("planted.tsv")) {
    std::istringstream cols(line);
    std::string detector, text, secret;
    std::getline(cols, detector, '\t');
    std::getline(cols, text, '\t');
    std::getline(cols, secret, '\t');
    text = Unescape(text);
    std::vector<std::string> hits;
    std::string out = r->RedactText(text, &hits);
    EXPECT_EQ(out.find(secret), std::string::npos) << detector << ": " << out;
    EXPECT_NE(std::find(hits.begin(), hits.end(), detector), hits.end())
        << detector << " did not fire on: " << text << " → " << out;
    detectors_covered.insert(detector);
  }
  // Every built-in non-opt-in detector has planted lines.
  for (const Detector& d : BuiltinDetectors()) {
    if (!d.opt_in) {
      EXPECT_EQ(detectors_covered.count(d.name), 1u) << d.name;
    }
  }
}

TEST(SecretRedactorTest, CleanCorpusFalseRedactionsAtMostOnePercent) {
  auto r = Make();
  std::vector<std::string> lines = Lines("clean.txt");
  ASSERT_GE(lines.size(), 500u);
  size_t changed = 0;
  for (const std::string& line : lines) {
    if (r->RedactText(line, nullptr) != line) {
      ++changed;
      std::printf("false redaction: %s\n", line.c_str());
    }
  }
  EXPECT_LE(changed * 100, lines.size()) << changed << " of " << lines.size();
}

TEST(SecretRedactorTest, OptInPersonalData) {
  std::string text = "contact maria.silva@example.com.br or (11) 98765-4321";
  EXPECT_EQ(Make()->RedactText(text, nullptr), text);
  RedactOptions o;
  o.emails = true;
  o.phones = true;
  std::string out = Make(o)->RedactText(text, nullptr);
  EXPECT_EQ(out.find("maria.silva"), std::string::npos) << out;
  EXPECT_EQ(out.find("98765-4321"), std::string::npos) << out;
}

TEST(SecretRedactorTest, ValidatorsRejectLookAlikes) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid("0000000000000000"));
  EXPECT_TRUE(CpfValid("529.982.247-25"));
  EXPECT_FALSE(CpfValid("529.982.247-26"));
  EXPECT_FALSE(CpfValid("111.111.111-11"));
  EXPECT_TRUE(CnpjValid("11.222.333/0001-81"));
  EXPECT_FALSE(CnpjValid("11.222.333/0001-82"));
  auto r = Make();
  EXPECT_EQ(r->RedactText("order 4111111111111112 shipped", nullptr),
            "order 4111111111111112 shipped");
}

class BatchTest : public ::testing::Test {
 protected:
  EventBatch batch_;
  void Event(std::vector<std::pair<std::string, std::string>> fields) {
    batch_.BeginEvent(1);
    for (auto& [k, v] : fields) {
      batch_.AddField(batch_.arena().Copy(k), Value::String(batch_.arena().Copy(v)));
    }
  }
  std::string Get(size_t i, std::string_view name) {
    const Value* v = batch_.Find(batch_.events()[i], name);
    if (v == nullptr) return "<absent>";
    return v->type == ValueType::kString ? std::string(v->s) : "<non-string>";
  }
};

TEST_F(BatchTest, FieldsAndTextRedactedMarkedAndCounted) {
  MetricRegistry metrics;
  auto r = Make({}, &metrics);
  Event({{"service", "sales-api"}, {"msg", "login password=hunter2x ok"}, {"Password", "p4ss"}});
  Event({{"service", "sales-api"},
         {"msg", "all fine"},
         {"headers.Authorization", "Bearer abcdefgh12345"}});
  Event({{"service", "sales-api"}, {"msg", "nothing to see"}, {"request_id", "52998224725"}});
  r->Redact("", &batch_);
  EXPECT_EQ(Get(0, "msg"), "login password=[redacted:kv_secret] ok");
  EXPECT_EQ(Get(0, "Password"), "[redacted:secret_field]");
  EXPECT_EQ(Get(0, "redacted"), "kv_secret,secret_field");
  EXPECT_EQ(Get(1, "headers.Authorization"), "[redacted:secret_field]");
  EXPECT_EQ(Get(1, "redacted"), "secret_field");
  EXPECT_EQ(Get(2, "redacted"), "<absent>");
  EXPECT_EQ(Get(2, "request_id"), "52998224725");  // ids are not scanned
  std::string text = metrics.Exposition();
  EXPECT_NE(
      text.find(
          R"(vigia_redactions_total{detector="kv_secret",service="sales-api",field="msg"} 1)"),
      std::string::npos)
      << text;
}

TEST_F(BatchTest, HashKeepsEqualValuesJoinableAndDropRemoves) {
  RedactOptions o;
  o.action = RedactAction::kHash;
  EXPECT_FALSE(SecretRedactor::Make(o, nullptr).ok());  // hash needs a key
  o.hmac_key = "test-key";
  auto r = Make(o);
  Event({{"msg", "token=abcdef123"}, {"token", "abcdef123"}});
  Event({{"msg", "token=abcdef123"}, {"token", "other-value"}});
  r->Redact("", &batch_);
  EXPECT_EQ(Get(0, "msg"), Get(1, "msg"));
  EXPECT_EQ(Get(0, "msg").find("abcdef123"), std::string::npos);
  EXPECT_NE(Get(0, "token"), Get(1, "token"));
  EXPECT_EQ(Get(0, "token").substr(0, 6), "[hmac:");

  RedactOptions d;
  d.action = RedactAction::kDrop;
  EventBatch b2;
  batch_ = std::move(b2);
  Event({{"msg", "key AKIAIOSFODNN7EXAMPLE here"}, {"secret", "x"}});
  Make(d)->Redact("", &batch_);
  EXPECT_EQ(Get(0, "msg"), "key  here");
  EXPECT_EQ(Get(0, "secret"), "<non-string>");
}

}  // namespace
}  // namespace vigia::redact

namespace vigia::redact {
namespace {

// The prefilter may only skip values no detector matches: every planted line (and its
// secret alone) passes it; plain words, ids, short numbers and ':' / '=' / '@' after words
// that are not secret names do not.
TEST(SecretRedactorTest, PrefilterKeepsEveryPlantedSecret) {
  for (const std::string& line : Lines("planted.tsv")) {
    std::istringstream cols(line);
    std::string detector, text, secret;
    std::getline(cols, detector, '\t');
    std::getline(cols, text, '\t');
    EXPECT_TRUE(MayHoldSecret(Unescape(text), false)) << detector << ": " << text;
  }
  for (const char* s :
       {"Bearer abcdefgh12345", "BASIC dXNlcjpwYXNz", "ghp_x", "sk_live_", "eyJhbGci",
        "AKIAABCDEFGHIJKLMNOP", "123.456.789-09", "token=v", "x?code=abc", "Password : x",
        "{\"api_key\": \"k\"}", "API-KEY=x", "reset\t= x", "session_token='x'", "SIG=1",
        "redis://u:p@h", "pa\xc5\xbfsword=x",
        "to\xe2\x84\xaa"
        "en=x"}) {
    EXPECT_TRUE(MayHoldSecret(s, false)) << s;
  }
  EXPECT_TRUE(MayHoldSecret("a@b.co", true));
  for (const char* s :
       {"request completed", "u-1842", "order 12345 shipped", "Login failed for user",
        "checkout step 7", "build 2026.11.22", "Audit: user.login completed",
        "Database operation: select", "k=v", "amount=100 items=7", "i***@outlook.com",
        "https://example.com/a", "Login failed: Invalid credentials", "a@b.co"}) {
    EXPECT_FALSE(MayHoldSecret(s, false)) << s;
  }
}

// The prefilter changes no answer: every line of both corpora (and variants of the planted
// ones with their key's case and spacing changed) redacts exactly as the RE2::Set alone
// decides, i.e. a line the prefilter skips is one no detector matches.
TEST(SecretRedactorTest, PrefilterSkipsOnlyLinesNoDetectorMatches) {
  RedactOptions o;
  o.emails = true;
  o.phones = true;
  std::vector<std::string> lines = Lines("clean.txt");
  for (const std::string& line : Lines("planted.tsv")) {
    std::istringstream cols(line);
    std::string detector, text;
    std::getline(cols, detector, '\t');
    std::getline(cols, text, '\t');
    lines.push_back(Unescape(text));
  }
  for (const Detector& d : BuiltinDetectors()) {
    RE2 re(d.pattern);
    ASSERT_TRUE(re.ok()) << d.name;
    for (const std::string& line : lines) {
      if (RE2::PartialMatch(line, re)) {
        EXPECT_TRUE(MayHoldSecret(line, true)) << d.name << ": " << line;
        if (d.name != "email") {
          EXPECT_TRUE(MayHoldSecret(line, false)) << d.name << ": " << line;
        }
      }
    }
  }
}

// The same on generated text: values assembled from the pieces detectors and the prefilter
// look at (secret words in any case, separators, quotes, anchors, digit runs, the non-ASCII
// letters RE2 folds to s and k, random bytes). Every value a detector's regex matches must
// pass the prefilter (with e-mails on; without them, for every other detector). The seed is
// fixed: a failure names its value and repeats.
TEST(SecretRedactorTest, PrefilterPassesEveryGeneratedValueADetectorMatches) {
  static const char* const kPieces[] = {"password",
                                        "PassWord",
                                        "passwd",
                                        "pwd",
                                        "senha",
                                        "secret",
                                        "client_secret",
                                        "token",
                                        "access_token",
                                        "TOKEN",
                                        "api_key",
                                        "api-key",
                                        "ApiKey",
                                        "reset",
                                        "private_key",
                                        "signature",
                                        "sig",
                                        "code",
                                        "key",
                                        "x",
                                        "user",
                                        "=",
                                        ":",
                                        " : ",
                                        " ",
                                        "\t",
                                        "\"",
                                        "'",
                                        "?",
                                        "&",
                                        "://",
                                        "postgres",
                                        "@",
                                        "host.io",
                                        ".",
                                        "-",
                                        "/",
                                        "_",
                                        "eyJ",
                                        "eyJhbGciOi",
                                        "AKIA",
                                        "ASIA",
                                        "AIza",
                                        "ghp_",
                                        "gho_",
                                        "github_pat_",
                                        "sk_",
                                        "rk_",
                                        "live_",
                                        "test_",
                                        "-----BEGIN ",
                                        "RSA PRIVATE KEY-----",
                                        "-----",
                                        "bearer ",
                                        "Basic ",
                                        "BEARER\t",
                                        "+55 ",
                                        "(11) ",
                                        "9",
                                        "1234",
                                        "56789",
                                        "0",
                                        "-09",
                                        "\xc5\xbf",
                                        "\xe2\x84\xaa",
                                        "\xc3\xa9",
                                        "ABCDEFGHIJKLMNOP",
                                        "abcdefghij0123456789",
                                        "Zz9",
                                        "\n"};
  std::vector<std::unique_ptr<RE2>> regexes;
  std::vector<bool> email;
  for (const Detector& d : BuiltinDetectors()) {
    regexes.push_back(std::make_unique<RE2>(d.pattern));
    ASSERT_TRUE(regexes.back()->ok()) << d.name;
    email.push_back(d.name == "email");
  }
  std::mt19937 rng(20261203);
  constexpr size_t kPieceCount = sizeof(kPieces) / sizeof(kPieces[0]);
  size_t matched = 0, skipped = 0;
  for (int n = 0; n < 40'000; ++n) {
    std::string v;
    const int parts = 1 + static_cast<int>(rng() % 12);
    for (int p = 0; p < parts; ++p) {
      if (rng() % 8 == 0) {
        v.push_back(static_cast<char>(rng() % 256));
      } else {
        v += kPieces[rng() % kPieceCount];
      }
    }
    const bool may = MayHoldSecret(v, true);
    const bool may_no_email = MayHoldSecret(v, false);
    if (!may) ++skipped;
    for (size_t i = 0; i < regexes.size(); ++i) {
      if (!RE2::PartialMatch(v, *regexes[i])) continue;
      ++matched;
      ASSERT_TRUE(may) << BuiltinDetectors()[i].name << ": " << v;
      if (!email[i]) {
        ASSERT_TRUE(may_no_email) << BuiltinDetectors()[i].name << ": " << v;
      }
    }
  }
  // The generator exercises both sides: many matches, and many values the prefilter skips.
  EXPECT_GT(matched, 2'000u);
  EXPECT_GT(skipped, 5'000u);
}

// The vector pass answers as the byte-at-a-time scan on every value: generated values of
// every length around the 16-byte blocks, with the candidates (and the digits that add up to
// 11) at every offset, the block boundary included.
TEST(SecretRedactorTest, PrefilterVectorPassAnswersAsTheScalarScan) {
  static const char* const kPieces[] = {
      "password=", "token:", "x=",          ": ",  "://",   "@",     "eyJ",     "AKIA",     "ASIA",
      "AIza",      "ghp_",   "github_pat_", "sk_", "rk_",   "-----", "bearer ", "BASIC ",   "bE",
      "Ba",        "e",      "s",           "r",   "g",     "A",     "b",       "-",        "k",
      "y",         "_",      "1",           "12",  "12345", " ",     "abc",     "\xc5\xbf", "\xff"};
  constexpr size_t kPieceCount = sizeof(kPieces) / sizeof(kPieces[0]);
  std::mt19937 rng(17);
  size_t yes = 0, no = 0;
  for (int n = 0; n < 200'000; ++n) {
    std::string v(rng() % 40, 'x');  // filler, then pieces at random offsets
    for (int k = static_cast<int>(rng() % 4); k > 0; --k) {
      std::string piece = kPieces[rng() % kPieceCount];
      v.insert(rng() % (v.size() + 1), piece);
    }
    for (bool emails : {false, true}) {
      const bool want = MayHoldSecretScalar(v, emails);
      ASSERT_EQ(MayHoldSecret(v, emails), want) << "emails=" << emails << ": " << v;
      (want ? yes : no)++;
    }
  }
  EXPECT_GT(yes, 50'000u);
  EXPECT_GT(no, 50'000u);
}

// The field-name cache never confuses two names: names that share their first and last
// bytes, of every length around the 4-, 8- and 16-byte keys, each get their own class, in
// any order, from fresh copies (new addresses) and from the same copy.
TEST(FieldNameCacheTest, EveryNameGetsItsOwnClass) {
  std::vector<std::string> names;
  for (size_t len = 0; len <= 40; ++len) {
    for (char mid : {'a', 'b', 'c'}) {
      std::string s(len, 'n');
      if (len > 0) s[len / 2] = mid;
      if (len > 2) s[len / 2 - 1] = mid;
      names.push_back(s);
    }
  }
  auto class_of = [](std::string_view s) {
    return static_cast<uint32_t>(std::hash<std::string_view>{}(s));
  };
  std::mt19937 rng(5);
  FieldNameCache<uint32_t> cache;
  std::vector<std::string> copies;
  copies.reserve(names.size() * 20);
  // The bytes at an address stay put during one Redact (the arena only grows): the names are
  // visited in a new order each round, never moved.
  std::vector<size_t> order(names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int round = 0; round < 20; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      const std::string& n = names[i];
      copies.push_back(n);  // a new address, as a per-event arena copy
      ASSERT_EQ(cache.Get(copies.back(), class_of), class_of(n)) << n.size() << " " << n;
      ASSERT_EQ(cache.Get(n, class_of), class_of(n)) << n.size() << " " << n;
    }
  }
}

}  // namespace
}  // namespace vigia::redact
