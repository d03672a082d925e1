// Bloom filters and the tokenizer.
#include <gtest/gtest.h>

#include <random>

#include "store/format/bloom.h"

namespace vigia {
namespace {

TEST(Tokenizer, SplitsOnPunctuationKeepsUtf8) {
  std::vector<std::string> toks;
  ForEachToken("Login failed for user_42 at /sales/{id}: ação 日本!",
               [&](std::string_view t) { toks.emplace_back(t); });
  EXPECT_EQ(toks, (std::vector<std::string>{"Login", "failed", "for", "user_42", "at", "sales",
                                            "id", "ação", "日本"}));
  EXPECT_TRUE(ContainsToken("Connection REFUSED by peer", "refused"));
  EXPECT_FALSE(ContainsToken("Connection refusedx", "refused"));
  EXPECT_FALSE(ContainsToken("", "a"));
}

TEST(Bloom, NoFalseNegativesAndFewFalsePositives) {
  std::mt19937_64 rng(9);
  BloomBuilder b;
  std::vector<uint64_t> in;
  for (int i = 0; i < 20000; ++i) {
    in.push_back(rng());
    b.AddHash(in.back());
  }
  std::string f = b.Finish(10);
  for (uint64_t h : in) ASSERT_TRUE(BloomMayContain(f, h));
  int fp = 0;
  for (int i = 0; i < 100000; ++i) fp += BloomMayContain(f, rng());
  EXPECT_LT(fp, 2000);  // < 2% (expected ~0.8%)
  EXPECT_GT(fp, 0);     // a filter that always says no would be useless
}

TEST(Bloom, TokenHashIgnoresAsciiCase) {
  EXPECT_EQ(BloomTokenHash("Refused"), BloomTokenHash("refused"));
  EXPECT_NE(BloomValueHash("Refused"), BloomValueHash("refused"));
  EXPECT_TRUE(BloomMayContain("", 123));  // malformed filter never prunes
}

}  // namespace
}  // namespace vigia
