#include "query/stats_aggregator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "query/result_format.h"
#include "query/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t k2p53 = int64_t{1} << 53;

// Runs `vql`'s first pipe over one value per row of the field `x` (null = absent) and
// returns the result as CSV.
std::string Stats(std::string_view vql, const std::vector<OwnedValue>& xs) {
  auto q = ParseVql(vql);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return "";
  auto agg = StatsAggregator::Create(q->pipes[0], 0, {}, {});
  EXPECT_TRUE(agg.ok()) << agg.status().ToString();
  for (const OwnedValue& x : xs) {
    QueryRecord r;
    r.Set("x", x);
    Status st = (*agg)->Add(RecordAccessor(r));
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return FormatRows((*agg)->Finish(), OutputFormat::kCsv);
}

TEST(StatsAggregator, MinMaxOfIntegersStayExactBeyondTwoToThe53) {
  // As doubles, INT64_MAX rounds to 2^63 (its cast back is undefined) and 2^53 + 1 to 2^53.
  EXPECT_EQ(Stats("* | stats max(x), min(x), sum(x)",
                  {OwnedValue::Int(kMax), OwnedValue::Int(k2p53 + 1)}),
            "max(x),min(x),sum(x)\r\n9223372036854775807,9007199254740993,9232379236109516800"
            "\r\n");
  EXPECT_EQ(Stats("* | stats max(x), min(x)", {OwnedValue::Int(kMin), OwnedValue::Int(kMin + 1)}),
            "max(x),min(x)\r\n-9223372036854775807,-9223372036854775808\r\n");
}

TEST(StatsAggregator, QuantilesOfIntegersAreExactIntegers) {
  std::vector<OwnedValue> xs;
  for (int64_t d : {5, 1, 4, 2, 3}) xs.push_back(OwnedValue::Int(kMax - d));
  // Nearest rank over {max-5 .. max-1}: p50 = 3rd = max-3, p90 = 5th = max-1, p0 = max-5.
  EXPECT_EQ(Stats("* | stats p50(x), p90(x), quantile(0, x)", xs),
            "p50(x),p90(x),\"quantile(0, x)\"\r\n9223372036854775804,9223372036854775806,"
            "9223372036854775802\r\n");
  EXPECT_EQ(Stats("* | stats median(x)", {OwnedValue::Int(k2p53 + 1), OwnedValue::Int(k2p53 + 3),
                                          OwnedValue::Int(k2p53 + 2)}),
            "median(x)\r\n9007199254740994\r\n");
}

TEST(StatsAggregator, MixedIntegersAndFloatsGiveFloats) {
  EXPECT_EQ(Stats("* | stats min(x), max(x), p50(x)",
                  {OwnedValue::Int(3), OwnedValue::Float(1.5), OwnedValue::Int(10),
                   OwnedValue::String("2.5"), OwnedValue::String("n/a"), OwnedValue{}}),
            "min(x),max(x),p50(x)\r\n1.5,10,2.5\r\n");
  // The min and max of the double path, not the integer one, when floats are smaller/larger.
  EXPECT_EQ(Stats("* | stats min(x), max(x)",
                  {OwnedValue::Int(3), OwnedValue::Float(-0.5), OwnedValue::Float(7.25)}),
            "min(x),max(x)\r\n-0.5,7.25\r\n");
  EXPECT_EQ(Stats("* | stats min(x), p50(x)", {OwnedValue::Float(std::nan(""))}),
            "min(x),p50(x)\r\n,\r\n");
}

TEST(StatsAggregator, TypedAddsAndMergeMatchAddNumber) {
  auto q = ParseVql("* | stats min(x), max(x), p50(x), sum(x), avg(x) by (k)");
  ASSERT_TRUE(q.ok());
  const Pipe& p = q->pipes[0];
  auto a = StatsAggregator::Create(p, 0, {}, {});
  auto b = StatsAggregator::Create(p, 0, {}, {});
  ASSERT_TRUE(a.ok() && b.ok());
  auto group = [](StatsAggregator& s, const char* k) {
    auto g = s.GroupIndex({OwnedValue::String(k)});
    EXPECT_TRUE(g.ok());
    return *g;
  };
  // Group "i": integers only, split across the two aggregators (worker threads).
  size_t ai = group(**a, "i"), bi = group(**b, "i");
  for (size_t agg = 0; agg < 5; ++agg) {
    (*a)->AddInt(ai, agg, kMax);
    (*a)->AddNumber(ai, agg, Value::Int(7));
    (*b)->AddInt(bi, agg, kMin);
    (*b)->AddInt(bi, agg, k2p53 + 1);
  }
  // Group "f": an integer in one, a float in the other: the merged state is not all-int.
  size_t af = group(**a, "f"), bf = group(**b, "f");
  for (size_t agg = 0; agg < 5; ++agg) {
    (*a)->AddInt(af, agg, 4);
    (*b)->AddFloat(bf, agg, 0.5);
    (*b)->AddFloat(bf, agg, std::nan(""));
  }
  ASSERT_TRUE((*a)->Merge(std::move(**b)).ok());
  // Group "i" sums past INT64_MAX: the integer sum overflows, so sum() is a float.
  EXPECT_EQ(FormatRows((*a)->Finish(), OutputFormat::kCsv),
            "k,min(x),max(x),p50(x),sum(x),avg(x)\r\n"
            "f,0.5,4,0.5,4.5,2.25\r\n"
            "i,-9223372036854775808,9223372036854775807,7,9007199254741000,2251799813685250\r\n");
}

TEST(StatsAggregator, QuantilesAreExactWithRepeatsAndPastTheCountedBound) {
  // Repeated values (kept as counts) and 200,000 distinct ones (past the counted bound, kept
  // as a list), fed in a scrambled order, in two aggregators merged as worker threads are.
  auto q = ParseVql("* | stats p50(x), p90(x), p99(x), quantile(0, x) by (k)");
  ASSERT_TRUE(q.ok());
  auto a = StatsAggregator::Create(q->pipes[0], 0, {}, {});
  auto b = StatsAggregator::Create(q->pipes[0], 0, {}, {});
  ASSERT_TRUE(a.ok() && b.ok());
  size_t ar = *(*a)->GroupIndex({OwnedValue::String("rep")});
  size_t br = *(*b)->GroupIndex({OwnedValue::String("rep")});
  size_t ad = *(*a)->GroupIndex({OwnedValue::String("wide")});
  size_t bd = *(*b)->GroupIndex({OwnedValue::String("wide")});
  for (size_t agg = 0; agg < 4; ++agg) {
    // rep: 1.25 x 50, 2.5 x 40, 7.75 x 10 (p50 = 1.25, p90 = 2.5, p99 = 7.75).
    for (int i = 0; i < 50; ++i) (*(i % 2 ? a : b))->AddFloat(i % 2 ? ar : br, agg, 1.25);
    for (int i = 0; i < 40; ++i) (*(i % 2 ? a : b))->AddFloat(i % 2 ? ar : br, agg, 2.5);
    for (int i = 0; i < 10; ++i) (*a)->AddFloat(ar, agg, 7.75);
    // wide: 1..200000, each once, in a multiplicative order.
    for (int64_t i = 0; i < 200000; ++i) {
      int64_t v = (i * 7919) % 200000 + 1;
      if (v % 3) {
        (*a)->AddInt(ad, agg, v);
      } else {
        (*b)->AddInt(bd, agg, v);
      }
    }
  }
  ASSERT_TRUE((*a)->Merge(std::move(**b)).ok());
  EXPECT_EQ(FormatRows((*a)->Finish(), OutputFormat::kCsv),
            "k,p50(x),p90(x),p99(x),\"quantile(0, x)\"\r\n"
            "rep,1.25,2.5,7.75,1.25\r\n"
            "wide,100000,180000,198000,1\r\n");
}

}  // namespace
}  // namespace vigia
