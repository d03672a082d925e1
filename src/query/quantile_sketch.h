// QuantileSketch: a DDSketch-style log-bucket histogram of doubles for percentiles over
// more values than a stats group keeps exactly (limits::kMaxExactQuantileValues).
//
// Each binade [2^e, 2^(e+1)) is cut into kBucketsPerBinade equal slices, indexed straight
// from the exponent and mantissa bits (no log call per value). Neighbouring bucket bounds
// differ by at most a factor 1 + 1/kBucketsPerBinade = 1.01, and a bucket answers with the
// harmonic mean of its bounds, so an answer is within (r-1)/(r+1) < 0.5% of the true
// nearest-rank value (documented as ≤ 1%). Negative values live in a mirrored histogram of
// |x|, zeros in a counter; min and max are exact, so p0 and p100 are exact.
//
// Memory is bounded: a histogram is one dense count array spanning the buckets between the
// smallest and the largest magnitude seen, at most ~2100 binades × 100 buckets (1.7 MB) even
// for values spread from 1e-308 to 1e308, typically a few KB (latencies span ~10 binades).
// Merging adds counts bucket by bucket, so the sketch of a union does not depend on how the
// values were split between workers.
//
// Thread-safety: externally synchronized.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vigia {

class QuantileSketch {
 public:
  static constexpr int kBucketsPerBinade = 100;

  // Adds one value. REQUIRES: x is not NaN (infinities are clamped into the largest bucket;
  // min/max still report them exactly).
  void Add(double x) {
    if (count_ == 0 || x < min_) min_ = x;
    if (count_ == 0 || x > max_) max_ = x;
    ++count_;
    if (x > 0) {
      pos_.Add(Index(x));
    } else if (x < 0) {
      neg_.Add(Index(-x));
    } else {
      ++zeros_;
    }
  }
  // Adds every value of xs that is not NaN, leaving the sketch as Add would value by value
  // (the same counts in the same buckets, min, max and count); returns how many it added.
  // Values all positive, normal and finite (latencies, sizes) grow the histogram once and
  // then cost a bucket increment each, without Add's per-value range checks.
  uint64_t AddMany(std::span<const double> xs);
  void Merge(const QuantileSketch& other);

  uint64_t count() const { return count_; }
  // The nearest-rank q-quantile (the smallest value with at least q·n values ≤ it), within
  // 0.5% relative. REQUIRES: count() > 0, 0 ≤ q ≤ 1.
  double Quantile(double q) const;
  // The same for integer inputs: the integer nearest the estimate, exact when the answer's
  // bucket holds a single integer (every |x| < 128). Not clamped to min/max: the caller
  // holds them exactly as integers. REQUIRES: every value added was an integer.
  int64_t QuantileInt(double q) const;
  // The nearest rank (1-based) of quantile q among n > 0 values: ceil(q·n) within [1, n].
  static uint64_t Rank(double q, uint64_t n);
  // Approximate heap bytes held.
  size_t MemoryBytes() const { return (pos_.counts.capacity() + neg_.counts.capacity()) * 8; }

  // The bucket of a positive magnitude (infinity goes to the largest bucket), and its
  // bounds [lo, hi).
  static int32_t Index(double x) {
    auto bits = std::bit_cast<uint64_t>(x);
    auto biased = static_cast<int32_t>(bits >> 52);  // the sign bit is 0
    if (biased == 0 || biased == 0x7ff) [[unlikely]]
      return IndexOfExtreme(x);
    return IndexOfNormal(bits);
  }
  // Index() of a positive normal finite magnitude, from its bits.
  static int32_t IndexOfNormal(uint64_t bits) {
    auto biased = static_cast<int32_t>(bits >> 52);
    // (mantissa · B) >> 52 is the slice of the binade, in exact integer arithmetic.
    auto slice = static_cast<int32_t>(((bits & kMantissaMask) * kBucketsPerBinade) >> 52);
    return (biased - 1023) * kBucketsPerBinade + slice;
  }
  static double BucketLow(int32_t index);
  static double BucketHigh(int32_t index) { return BucketLow(index + 1); }

  static constexpr uint64_t kMantissaMask = (uint64_t{1} << 52) - 1;
  static constexpr int32_t kMinIndex = -1074 * kBucketsPerBinade;
  static constexpr int32_t kMaxIndex = 1024 * kBucketsPerBinade - 1;

  // Test access: the count in bucket `index` of the positive (or negative) histogram.
  uint64_t BucketCount(int32_t index, bool negative) const;

 private:
  // Dense counts for buckets [offset, offset + counts.size()).
  struct Histogram {
    int32_t offset = 0;
    std::vector<uint64_t> counts;
    void Add(int32_t index) {
      auto rel = static_cast<uint32_t>(index - offset);
      if (rel >= counts.size()) {
        Grow(index, index);
        rel = static_cast<uint32_t>(index - offset);
      }
      ++counts[rel];
    }
    void Grow(int32_t lo, int32_t hi);
  };
  // Where the value of rank `rank` (1-based, ascending) lies: among the zeros, or in bucket
  // `index` of the negative or positive histogram.
  struct Located {
    bool zero = false;
    bool negative = false;
    int32_t index = 0;
  };
  Located Locate(uint64_t rank) const;
  // Index() of a subnormal or infinite magnitude.
  static int32_t IndexOfExtreme(double x);

  uint64_t count_ = 0;
  uint64_t zeros_ = 0;
  double min_ = 0, max_ = 0;
  Histogram pos_, neg_;
};

}  // namespace vigia
