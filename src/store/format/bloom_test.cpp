// Bloom filters and the tokenizer.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(Bloom, SizedByDistinctHashesWhateverTheCount) {
  // Below and above the count where Finish switches from std::sort to bucketed sorting:
  // the filter is sized for the distinct hashes (duplicates and skewed top bits included)
  // and holds every one.
  for (size_t n : {100u, 20000u, 300000u}) {
    std::mt19937_64 rng(n);
    BloomBuilder b;
    std::vector<uint64_t> in;
    for (size_t i = 0; i < n; ++i) {
      uint64_t h = rng();
      if (i % 3 == 0) h >>= 20;  // many hashes in the lowest buckets
      in.push_back(h);
      b.AddHash(h);
      if (i % 4 == 0) b.AddHash(h);  // duplicates
    }
    std::sort(in.begin(), in.end());
    const size_t distinct = static_cast<size_t>(std::unique(in.begin(), in.end()) - in.begin());
    std::string f = b.Finish(10);
    EXPECT_EQ(f.size(), 1 + (std::max<size_t>(64, distinct * 10) + 7) / 8) << n;
    for (size_t i = 0; i < distinct; ++i) ASSERT_TRUE(BloomMayContain(f, in[i])) << n;
  }
}

TEST(Bloom, TokenHashIgnoresAsciiCase) {
  EXPECT_EQ(BloomTokenHash("Refused"), BloomTokenHash("refused"));
  EXPECT_NE(BloomValueHash("Refused"), BloomValueHash("refused"));
  EXPECT_TRUE(BloomMayContain("", 123));  // malformed filter never prunes
}

}  // namespace
}  // namespace vigia
