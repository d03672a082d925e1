#include "query/stats_aggregator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>

#include "common/limits.h"
#include "query/quantile_sketch.h"
#include "query/result_format.h"
#include "query/value_buffer_pool.h"
#include "vql/vql_parser.h"

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

// A key looked up as views (the columnar engine's blocks) finds the group a key of owned
// values made, and a new group keeps a copy: the block's memory the views pointed into is
// reused for the next block, and the group's key must not change with it.
TEST(StatsAggregator, KeysOfViewsFindTheSameGroupsAndAreCopiedWhenNew) {
  auto q = ParseVql("* | stats count() by (ip, _time:1m)");
  ASSERT_TRUE(q.ok());
  auto a = StatsAggregator::Create(q->pipes[0], 0, {}, {});
  ASSERT_TRUE(a.ok());
  std::string block = "10.0.0.1";  // stands for a block's string column
  const Value key[] = {Value::String(block), Value::Int(60'000'000'000)};
  auto g1 = (*a)->GroupIndexOf(std::span<const Value>(key));
  ASSERT_TRUE(g1.ok());
  auto owned = (*a)->GroupIndex({OwnedValue::String("10.0.0.1"), OwnedValue::Int(60'000'000'000)});
  ASSERT_TRUE(owned.ok());
  EXPECT_EQ(*owned, *g1);
  (*a)->AddCount(*g1, 0, 2);
  block = "10.0.0.2";  // the next block overwrites the memory
  const Value key2[] = {Value::String(block), Value::Int(60'000'000'000)};
  auto g2 = (*a)->GroupIndexOf(std::span<const Value>(key2));
  ASSERT_TRUE(g2.ok());
  EXPECT_NE(*g2, *g1);
  (*a)->AddCount(*g2, 0, 1);
  // Same bytes, another type: a different group (200 and "200" are two keys).
  const Value as_int[] = {Value::Int(200), Value::Int(0)};
  const Value as_string[] = {Value::String("200"), Value::Int(0)};
  auto gi = (*a)->GroupIndexOf(std::span<const Value>(as_int));
  auto gs = (*a)->GroupIndexOf(std::span<const Value>(as_string));
  ASSERT_TRUE(gi.ok() && gs.ok());
  EXPECT_NE(*gi, *gs);
  EXPECT_EQ(FormatRows((*a)->Finish(), OutputFormat::kCsv),
            "ip,_time,count()\r\n"
            "200,1970-01-01T00:00:00Z,0\r\n"
            "10.0.0.1,1970-01-01T00:01:00Z,2\r\n"
            "10.0.0.2,1970-01-01T00:01:00Z,1\r\n"
            "200,1970-01-01T00:00:00Z,0\r\n");
}

// The max_groups limit holds for keys of views as for owned keys.
TEST(StatsAggregator, KeysOfViewsRespectTheGroupLimit) {
  auto q = ParseVql("* | stats count() by (k)");
  ASSERT_TRUE(q.ok());
  auto a = StatsAggregator::Create(q->pipes[0], 0, {}, {.max_groups = 2});
  ASSERT_TRUE(a.ok());
  for (const char* k : {"a", "b", "a", "b"}) {
    const Value key = Value::String(k);
    EXPECT_TRUE((*a)->GroupIndexOf(std::span<const Value>(&key, 1)).ok()) << k;
  }
  const Value third = Value::String("c");
  auto g = (*a)->GroupIndexOf(std::span<const Value>(&third, 1));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kResourceExhausted);
}

// AddFloats (a block's values of one group at once) answers as AddFloat one value at a
// time: below the exact limit, across the switch to the sketch within one call, and into a
// sketch; NaNs are skipped in each, and count() is not affected by the quantile's adds.
TEST(StatsAggregator, BulkFloatAddsMatchOneAtATime) {
  auto q = ParseVql("* | stats p50(x), p95(x), p99(x) by (k)");
  ASSERT_TRUE(q.ok());
  auto bulk = StatsAggregator::Create(q->pipes[0], 0, {}, {});
  auto single = StatsAggregator::Create(q->pipes[0], 0, {}, {});
  ASSERT_TRUE(bulk.ok() && single.ok());
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(3.0, 1.0);
  const size_t limit = limits::kMaxExactQuantileValues;
  // Group sizes: well below the limit, exactly at it, one past it, and far past it.
  const size_t sizes[] = {1000, limit, limit + 1, 3 * limit + 17};
  for (size_t gi = 0; gi < std::size(sizes); ++gi) {
    const std::string key = "g" + std::to_string(gi);
    auto gb = (*bulk)->GroupIndex({OwnedValue::String(key)});
    auto gs = (*single)->GroupIndex({OwnedValue::String(key)});
    ASSERT_TRUE(gb.ok() && gs.ok());
    std::vector<double> block;
    for (size_t i = 0; i < sizes[gi]; ++i) {
      block.push_back(i % 997 == 5 ? std::nan("") : std::round(latency(rng) * 1000) / 1000);
      // Blocks of 32,768 values, as a part block hands them over.
      if (block.size() == 32768 || i + 1 == sizes[gi]) {
        for (size_t agg = 0; agg < 3; ++agg) {
          (*bulk)->AddFloats(*gb, agg, block);
          for (double x : block) (*single)->AddFloat(*gs, agg, x);
        }
        block.clear();
      }
    }
  }
  EXPECT_EQ(FormatRows((*bulk)->Finish(), OutputFormat::kCsv),
            FormatRows((*single)->Finish(), OutputFormat::kCsv));
}

TEST(StatsAggregator, QuantilesAreExactWithRepeatsAndUpToTheExactLimit) {
  // Repeated values and kMaxExactQuantileValues distinct ones (the most kept exactly), fed in
  // a scrambled order, in two aggregators merged as worker threads are.
  constexpr auto kN = static_cast<int64_t>(limits::kMaxExactQuantileValues);
  static_assert(kN % 2 == 0);
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
    // wide: 1..kN, each once, in a multiplicative order (7919 is prime, kN a power of two).
    for (int64_t i = 0; i < kN; ++i) {
      int64_t v = (i * 7919) % kN + 1;
      if (v % 3) {
        (*a)->AddInt(ad, agg, v);
      } else {
        (*b)->AddInt(bd, agg, v);
      }
    }
  }
  ASSERT_TRUE((*a)->Merge(std::move(**b)).ok());
  auto rank = [&](double q) { return std::to_string(static_cast<int64_t>(std::ceil(q * kN))); };
  EXPECT_EQ(FormatRows((*a)->Finish(), OutputFormat::kCsv),
            "k,p50(x),p90(x),p99(x),\"quantile(0, x)\"\r\n"
            "rep,1.25,2.5,7.75,1.25\r\n"
            "wide," +
                rank(0.5) + "," + rank(0.9) + "," + rank(0.99) + ",1\r\n");
}

// The quantiles of `xs` (one group) from `parts` aggregators, value i going to i % parts,
// merged into the first; as CSV.
std::string SplitQuantiles(const std::vector<double>& xs, size_t parts, bool as_int) {
  auto q = ParseVql("* | stats quantile(0, x), quantile(0.01, x), p50(x), p95(x), p99(x), max(x)");
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return "";
  std::vector<std::unique_ptr<StatsAggregator>> aggs;
  for (size_t p = 0; p < parts; ++p) {
    aggs.push_back(std::move(*StatsAggregator::Create(q->pipes[0], 0, {}, {})));
    EXPECT_EQ(*aggs.back()->GroupIndex({}), 0u);
  }
  for (size_t i = 0; i < xs.size(); ++i) {
    for (size_t agg = 0; agg < 6; ++agg) {
      if (as_int) {
        aggs[i % parts]->AddInt(0, agg, static_cast<int64_t>(xs[i]));
      } else {
        aggs[i % parts]->AddFloat(0, agg, xs[i]);
      }
    }
  }
  for (size_t p = 1; p < parts; ++p) EXPECT_TRUE(aggs[0]->Merge(std::move(*aggs[p])).ok());
  return FormatRows(aggs[0]->Finish(), OutputFormat::kCsv);
}

std::vector<double> CsvNumbers(const std::string& csv) {
  std::vector<double> out;
  std::string row = csv.substr(csv.find('\n') + 1);
  size_t at = 0;
  while (at < row.size()) {
    size_t end = row.find_first_of(",\r", at);
    out.push_back(std::stod(row.substr(at, end - at)));
    at = end + 1;
    if (row[end] == '\r') break;
  }
  return out;
}

double ExactRank(std::vector<double> v, double q) {
  size_t idx = QuantileSketch::Rank(q, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

TEST(StatsAggregator, PastTheExactLimitQuantilesAreWithinOnePercent) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(3.0, 1.0);
  std::vector<double> xs(3 * limits::kMaxExactQuantileValues);
  for (double& x : xs) x = std::round(latency(rng) * 100) / 100;
  for (size_t i = 0; i < xs.size(); i += 5) xs[i] = 0;
  xs[12346] = -40.5;  // one negative
  for (size_t parts : {1, 2, 3}) {
    std::string csv = SplitQuantiles(xs, parts, false);
    std::vector<double> got = CsvNumbers(csv);
    ASSERT_EQ(got.size(), 6u) << csv;
    const double qs[] = {0, 0.01, 0.5, 0.95, 0.99, 1};
    for (size_t i = 0; i < 6; ++i) {
      double exact = ExactRank(xs, qs[i]);
      EXPECT_LE(std::fabs(got[i] - exact), 0.01 * std::fabs(exact)) << qs[i] << " " << csv;
    }
    EXPECT_EQ(got[0], -40.5);  // p0 and max() stay exact
    EXPECT_EQ(got[5], *std::max_element(xs.begin(), xs.end()));
    // The answer does not depend on how the rows were split between workers.
    EXPECT_EQ(csv, SplitQuantiles(xs, 1, false));
  }
}

TEST(StatsAggregator, QuantilesSwitchToTheSketchOnlyPastTheLimitInEveryMerge) {
  // Values 1e6 + 7·i: distinct, so a sketch answer (a bucket's representative) differs from
  // the exact one.
  auto values = [](size_t n) {
    std::vector<double> xs(n);
    for (size_t i = 0; i < n; ++i) xs[(i * 7919) % n] = 1e6 + 7.0 * static_cast<double>(i);
    return xs;
  };
  constexpr size_t kN = limits::kMaxExactQuantileValues;
  std::vector<double> at = values(kN);
  std::string exact = "\"quantile(0, x)\",\"quantile(0.01, x)\",p50(x),p95(x),p99(x),max(x)\r\n";
  for (double q : {0.0, 0.01, 0.5, 0.95, 0.99, 1.0}) {
    exact += std::to_string(static_cast<int64_t>(ExactRank(at, q))) + (q < 1 ? "," : "\r\n");
  }
  // At the limit: exact, however split (each part is below the limit, their union at it).
  EXPECT_EQ(SplitQuantiles(at, 1, true), exact);
  EXPECT_EQ(SplitQuantiles(at, 2, true), exact);
  EXPECT_EQ(SplitQuantiles(at, 3, true), exact);

  // One value more: a sketch, the same however split, integers still, within 1%.
  std::vector<double> past = values(kN + 1);
  std::string sketched = SplitQuantiles(past, 1, true);
  EXPECT_EQ(SplitQuantiles(past, 2, true), sketched);
  EXPECT_EQ(SplitQuantiles(past, 3, true), sketched);
  EXPECT_EQ(sketched.find('.', sketched.find('\n')), std::string::npos) << sketched;
  std::vector<double> got = CsvNumbers(sketched);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_NE(got[2], ExactRank(past, 0.5)) << "p50 should come from the sketch";
  const double qs[] = {0, 0.01, 0.5, 0.95, 0.99, 1};
  for (size_t i = 0; i < 6; ++i) {
    double e = ExactRank(past, qs[i]);
    EXPECT_LE(std::fabs(got[i] - e), 0.01 * e) << qs[i];
  }
  EXPECT_EQ(got[0], 1e6);
  EXPECT_EQ(got[5], 1e6 + 7.0 * kN);
}

TEST(StatsAggregator, QuantileMemoryStaysBoundedPastTheLimit) {
  // 2M values kept exactly would need 16 MB; the sketch holds a few KB.
  auto q = ParseVql("* | stats p99(x)");
  ASSERT_TRUE(q.ok());
  AggregatorLimits limits;
  limits.max_memory_bytes = 2u << 20;
  auto a = StatsAggregator::Create(q->pipes[0], 0, {}, limits);
  ASSERT_TRUE(a.ok());
  size_t g = *(*a)->GroupIndex({});
  for (int i = 0; i < 2'000'000; ++i) (*a)->AddFloat(g, 0, 1 + i % 1000 * 0.5);
  EXPECT_TRUE((*a)->CheckMemory().ok());
  // Exact kept values still count against the limit.
  auto small =
      StatsAggregator::Create(q->pipes[0], 0, {}, {.max_groups = 0, .max_memory_bytes = 1024});
  ASSERT_TRUE(small.ok());
  size_t sg = *(*small)->GroupIndex({});
  for (int i = 0; i < 1000; ++i) (*small)->AddFloat(sg, 0, i);
  EXPECT_FALSE((*small)->CheckMemory().ok());
}

// Percentile states past limits::kQuantilePooledFromValues values hold pooled buffers
// (value_buffer_pool.h), given back when the aggregator is done: a second query reuses them,
// and the answers are the exact nearest-rank values either way, split over workers or not,
// integers and floats mixed.
TEST(StatsAggregator, PercentileBuffersAreRecycledAndAnswersStayExact) {
  std::mt19937_64 rng(11);
  std::vector<double> xs(limits::kQuantilePooledFromValues * 3 + 17);
  for (double& x : xs) x = static_cast<double>(rng() % 100000) / 8.0;
  auto exact = [&] {
    std::string row;
    for (double q : {0.0, 0.01, 0.5, 0.95, 0.99}) {
      std::ostringstream o;
      o << ExactRank(xs, q);
      row += o.str() + ",";
    }
    return row;
  };
  const std::string want = exact();
  for (size_t parts : {1, 2, 3}) {
    std::vector<double> got = CsvNumbers(SplitQuantiles(xs, parts, false));
    ASSERT_EQ(got.size(), 6u);
    std::string row;
    for (size_t i = 0; i < 5; ++i) {
      std::ostringstream o;
      o << got[i];
      row += o.str() + ",";
    }
    EXPECT_EQ(row, want) << parts << " parts";
  }
  // Every pooled buffer came back: with 3 parts each of the 5 percentile states of each part
  // held one (each part's share is past kQuantilePooledFromValues).
  EXPECT_GE(ValueBufferPool<double>::Default().idle(), 15u);
  const size_t idle_after = ValueBufferPool<double>::Default().idle();
  SplitQuantiles(xs, 2, false);
  EXPECT_EQ(ValueBufferPool<double>::Default().idle(), idle_after);  // taken, given back

  ValueBufferPool<int64_t> small(ValueBufferPool<int64_t>::kCapacity * sizeof(int64_t));
  std::vector<int64_t> a = small.Take(), b = small.Take(), tiny(10);
  EXPECT_GE(a.capacity(), ValueBufferPool<int64_t>::kCapacity);
  small.Give(a);
  small.Give(b);     // over the bound: freed
  small.Give(tiny);  // not pooled-size: freed
  EXPECT_EQ(small.idle(), 1u);
  EXPECT_EQ(a.capacity(), 0u);
}

}  // namespace
}  // namespace vigia
