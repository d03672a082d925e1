#include "query/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vigia {

namespace {

constexpr int kB = QuantileSketch::kBucketsPerBinade;
// Buckets added beyond the needed range when a histogram grows, so values creeping
// outward one bucket at a time do not reallocate every time.
constexpr int32_t kGrowSlack = 64;

int32_t FloorDiv(int32_t a, int32_t b) {
  int32_t d = a / b;
  return (a % b != 0 && a < 0) ? d - 1 : d;
}

// The value a bucket answers with: the harmonic mean of its bounds 2^e·(1 + k/B) and
// 2^e·(1 + (k+1)/B), whose relative distance to any point of the bucket is at most
// (r-1)/(r+1) for r = hi/lo ≤ 1 + 1/B.
double Representative(int32_t index) {
  int32_t e = FloorDiv(index, kB);
  int32_t k = index - e * kB;
  double a = 1 + static_cast<double>(k) / kB;
  double b = 1 + static_cast<double>(k + 1) / kB;
  return std::ldexp(2 * a * b / (a + b), e);
}

}  // namespace

int32_t QuantileSketch::IndexOfExtreme(double x) {
  if (std::isinf(x)) return kMaxIndex;
  if (x == 0) return kMinIndex;  // not a magnitude the sketch stores; keeps this total
  // A subnormal scaled by 2^64 is normal; its index is then shifted back 64 binades.
  return Index(x * 0x1p64) - 64 * kB;
}

double QuantileSketch::BucketLow(int32_t index) {
  int32_t e = FloorDiv(index, kB);
  int32_t k = index - e * kB;
  return std::ldexp(1 + static_cast<double>(k) / kB, e);
}

void QuantileSketch::Histogram::Grow(int32_t lo, int32_t hi) {
  if (counts.empty()) {
    offset = std::max(kMinIndex, lo - kGrowSlack / 2);
    counts.assign(static_cast<size_t>(std::min(kMaxIndex, hi + kGrowSlack / 2) - offset + 1), 0);
    return;
  }
  int32_t cur_hi = offset + static_cast<int32_t>(counts.size()) - 1;
  int32_t new_lo = lo < offset ? std::max(kMinIndex, lo - kGrowSlack) : offset;
  int32_t new_hi = hi > cur_hi ? std::min(kMaxIndex, hi + kGrowSlack) : cur_hi;
  std::vector<uint64_t> grown(static_cast<size_t>(new_hi - new_lo + 1), 0);
  std::copy(counts.begin(), counts.end(), grown.begin() + (offset - new_lo));
  counts = std::move(grown);
  offset = new_lo;
}

uint64_t QuantileSketch::AddMany(std::span<const double> xs) {
  if (xs.empty()) return 0;
  double lo = xs[0], hi = xs[0];
  bool nan = false;
  for (double x : xs) {
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
    nan |= x != x;
  }
  if (nan || !(lo >= std::numeric_limits<double>::min()) ||
      !(hi <= std::numeric_limits<double>::max())) {
    uint64_t added = 0;
    for (double x : xs) {
      if (std::isnan(x)) continue;
      Add(x);
      ++added;
    }
    return added;
  }
  // Every value positive, normal and finite: Index is monotonic there, so [Index(lo),
  // Index(hi)] holds every bucket, and no value needs a range or an extreme-value check.
  if (count_ == 0 || lo < min_) min_ = lo;
  if (count_ == 0 || hi > max_) max_ = hi;
  count_ += xs.size();
  const int32_t first = Index(lo), last = Index(hi);
  if (pos_.counts.empty() || first < pos_.offset ||
      last >= pos_.offset + static_cast<int32_t>(pos_.counts.size())) {
    pos_.Grow(first, last);
  }
  uint64_t* counts = pos_.counts.data();
  const int32_t offset = pos_.offset;
  for (double x : xs) ++counts[IndexOfNormal(std::bit_cast<uint64_t>(x)) - offset];
  return xs.size();
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  zeros_ += other.zeros_;
  for (auto [to, from] : {std::pair{&pos_, &other.pos_}, std::pair{&neg_, &other.neg_}}) {
    if (from->counts.empty()) continue;
    int32_t lo = from->offset;
    int32_t hi = lo + static_cast<int32_t>(from->counts.size()) - 1;
    if (to->counts.empty() || lo < to->offset ||
        hi >= to->offset + static_cast<int32_t>(to->counts.size())) {
      to->Grow(lo, hi);
    }
    size_t at = static_cast<size_t>(lo - to->offset);
    for (size_t i = 0; i < from->counts.size(); ++i) to->counts[at + i] += from->counts[i];
  }
}

uint64_t QuantileSketch::BucketCount(int32_t index, bool negative) const {
  const Histogram& h = negative ? neg_ : pos_;
  auto rel = static_cast<uint32_t>(index - h.offset);
  return rel < h.counts.size() ? h.counts[rel] : 0;
}

uint64_t QuantileSketch::Rank(double q, uint64_t n) {
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
  return std::clamp<uint64_t>(rank, 1, n);
}

QuantileSketch::Located QuantileSketch::Locate(uint64_t rank) const {
  uint64_t seen = 0;
  // Negative values ascend as their magnitude descends.
  for (size_t i = neg_.counts.size(); i-- > 0;) {
    seen += neg_.counts[i];
    if (seen >= rank) return {false, true, neg_.offset + static_cast<int32_t>(i)};
  }
  seen += zeros_;
  if (seen >= rank) return {true, false, 0};
  for (size_t i = 0; i < pos_.counts.size(); ++i) {
    seen += pos_.counts[i];
    if (seen >= rank) return {false, false, pos_.offset + static_cast<int32_t>(i)};
  }
  return {false, false, pos_.offset + static_cast<int32_t>(pos_.counts.size()) - 1};
}

double QuantileSketch::Quantile(double q) const {
  uint64_t rank = Rank(q, count_);
  if (rank == 1) return min_;
  if (rank == count_) return max_;
  Located at = Locate(rank);
  if (at.zero) return 0;
  double v = Representative(at.index);
  return std::clamp(at.negative ? -v : v, min_, max_);
}

int64_t QuantileSketch::QuantileInt(double q) const {
  uint64_t rank = Rank(q, count_);
  Located at = Locate(rank);
  if (at.zero) return 0;
  double rep = Representative(at.index);
  // An integer of the bucket is within one of `rep` (buckets narrower than 1); when exactly
  // one of the two neighbours lies in the bucket, it is the answer.
  double lo = std::floor(rep);
  bool lo_in = lo > 0 && Index(lo) == at.index;
  bool hi_in = Index(lo + 1) == at.index;
  double v = lo_in != hi_in ? (lo_in ? lo : lo + 1) : std::nearbyint(rep);
  if (at.negative) v = -v;
  // 2^63 is the first double past INT64_MAX.
  if (v >= 0x1p63) return std::numeric_limits<int64_t>::max();
  if (v < -0x1p63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

}  // namespace vigia
