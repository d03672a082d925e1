#include "query/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace vigia {
namespace {

// The exact nearest-rank quantile of `v` (copied).
double Exact(std::vector<double> v, double q) {
  size_t idx = QuantileSketch::Rank(q, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

void ExpectWithinHalfPercent(const std::vector<double>& values) {
  QuantileSketch s;
  for (double x : values) s.Add(x);
  for (double q : {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    double exact = Exact(values, q);
    double got = s.Quantile(q);
    // The documented bound is 1%; the construction gives (1.01-1)/(1.01+1) < 0.5%.
    EXPECT_LE(std::fabs(got - exact), 0.005 * std::fabs(exact)) << "q=" << q << " exact=" << exact;
  }
}

TEST(QuantileSketch, LogNormalLatencies) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> d(3.0, 1.2);
  std::vector<double> v(200'000);
  for (double& x : v) x = std::round(d(rng) * 100) / 100;
  ExpectWithinHalfPercent(v);
}

TEST(QuantileSketch, UniformIntegersNegativesAndZeros) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int> d(-1'000'000, 1'000'000);
  std::vector<double> v(150'000);
  for (double& x : v) x = d(rng);
  for (size_t i = 0; i < v.size(); i += 7) v[i] = 0;
  ExpectWithinHalfPercent(v);
}

TEST(QuantileSketch, HugeTinyAndSubnormalMagnitudes) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exp(-320, 308);
  std::vector<double> v(100'000);
  for (double& x : v) x = (rng() & 1 ? 1 : -1) * std::pow(10.0, exp(rng));
  v.push_back(std::numeric_limits<double>::max());
  v.push_back(-std::numeric_limits<double>::denorm_min());
  ExpectWithinHalfPercent(v);
}

TEST(QuantileSketch, BucketsAreNarrowerThanOnePercent) {
  for (double x : {1e-300, 3e-5, 0.5, 1.0, 1.99999, 2.0, 3.0, 1234.5, 9.0e15, 1.7e308}) {
    int32_t i = QuantileSketch::Index(x);
    double lo = QuantileSketch::BucketLow(i), hi = QuantileSketch::BucketHigh(i);
    EXPECT_LE(lo * (1 - 1e-15), x) << x;
    EXPECT_LT(x, hi * (1 + 1e-15)) << x;
    EXPECT_LE(hi / lo, 1.01 + 1e-12) << x;
  }
  // Monotone across a binade boundary.
  EXPECT_LT(QuantileSketch::Index(std::nextafter(2.0, 0.0)), QuantileSketch::Index(2.0));
  EXPECT_LT(QuantileSketch::Index(std::numeric_limits<double>::denorm_min()),
            QuantileSketch::Index(std::numeric_limits<double>::min()));
}

TEST(QuantileSketch, MinAndMaxAreExact) {
  QuantileSketch s;
  for (double x : {1.2345678, 5.0, 7.0, 987654.321}) s.Add(x);
  EXPECT_EQ(s.Quantile(0), 1.2345678);
  EXPECT_EQ(s.Quantile(1), 987654.321);
}

TEST(QuantileSketch, SmallIntegersAreExact) {
  QuantileSketch s;
  std::vector<double> v;
  for (int i = -127; i <= 127; ++i) {
    for (int k = 0; k < 3; ++k) {
      s.Add(i);
      v.push_back(i);
    }
  }
  for (int p = 1; p < 100; ++p) {
    double q = p / 100.0;
    EXPECT_EQ(s.QuantileInt(q), static_cast<int64_t>(Exact(v, q))) << q;
  }
}

TEST(QuantileSketch, MergeEqualsSketchOfUnionBucketForBucket) {
  std::mt19937_64 rng(4);
  std::lognormal_distribution<double> d(0, 4);
  QuantileSketch a, b, all;
  for (int i = 0; i < 50'000; ++i) {
    double x = (i % 3 == 0 ? -1 : 1) * d(rng);
    if (i % 11 == 0) x = 0;
    (i % 2 ? a : b).Add(x);
    all.Add(x);
  }
  a.Merge(b);
  ASSERT_EQ(a.count(), all.count());
  for (int32_t i = QuantileSketch::Index(1e-40); i <= QuantileSketch::Index(1e40); ++i) {
    ASSERT_EQ(a.BucketCount(i, false), all.BucketCount(i, false)) << i;
    ASSERT_EQ(a.BucketCount(i, true), all.BucketCount(i, true)) << i;
  }
  for (double q : {0.0, 0.1, 0.33, 0.5, 0.9, 0.99, 1.0}) EXPECT_EQ(a.Quantile(q), all.Quantile(q));
}

// AddMany leaves the state value-by-value Adds leave, on its fast path (positive normal
// finite batches) and off it (zeros, negatives, subnormals, infinities, NaNs skipped), into
// an empty sketch and one already holding values on either side of the batch.
TEST(QuantileSketch, AddManyEqualsAddingOneByOne) {
  std::mt19937_64 rng(9);
  std::lognormal_distribution<double> d(2, 1.5);
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::vector<double>> specials = {{},    {0.0}, {-3.5},      {5e-320},
                                                     {inf}, {nan}, {nan, -inf}, {1e300, 1e-300}};
  for (size_t prior : {0, 1, 2}) {
    for (const std::vector<double>& extra : specials) {
      SCOPED_TRACE(::testing::Message() << "prior " << prior << " extras " << extra.size());
      QuantileSketch many, one;
      if (prior > 0) {  // values far below and above the batch: it lands inside the histogram
        for (double x : {1e-9, 1e12}) {
          many.Add(x);
          one.Add(x);
        }
      }
      if (prior > 1) {
        many.Add(7.0);
        one.Add(7.0);
      }
      std::vector<double> batch;
      for (int i = 0; i < 5000; ++i) batch.push_back(d(rng));
      batch.insert(batch.begin() + 17, extra.begin(), extra.end());
      uint64_t want = 0;
      for (double x : batch) {
        if (std::isnan(x)) continue;
        one.Add(x);
        ++want;
      }
      EXPECT_EQ(many.AddMany(batch), want);
      EXPECT_EQ(many.AddMany({}), 0u);
      ASSERT_EQ(many.count(), one.count());
      for (int32_t i = QuantileSketch::kMinIndex; i <= QuantileSketch::kMaxIndex; i += 1) {
        if (many.BucketCount(i, false) != one.BucketCount(i, false) ||
            many.BucketCount(i, true) != one.BucketCount(i, true)) {
          FAIL() << "bucket " << i;
        }
      }
      for (double q : {0.0, 0.01, 0.5, 0.95, 0.999, 1.0}) {
        EXPECT_EQ(many.Quantile(q), one.Quantile(q)) << q;
      }
    }
  }
}

TEST(QuantileSketch, MemoryIsBoundedByTheMagnitudeRange) {
  QuantileSketch latencies;
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> d(3.0, 1.2);
  for (int i = 0; i < 300'000; ++i) latencies.Add(d(rng));
  // ~15 binades of 100 buckets, 8 bytes each, whatever the count.
  EXPECT_LT(latencies.MemoryBytes(), 32u << 10);

  QuantileSketch extreme;
  for (int e = -1074; e <= 1023; ++e) extreme.Add(std::ldexp(1.0, e));
  extreme.Add(-std::numeric_limits<double>::max());
  extreme.Add(std::numeric_limits<double>::infinity());
  EXPECT_LT(extreme.MemoryBytes(), 4u << 20);
}

}  // namespace
}  // namespace vigia
