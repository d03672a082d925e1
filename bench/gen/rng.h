// Rng: the deterministic pseudo-random source of the dataset generator.
//
// xoshiro256** seeded through splitmix64, plus the few distributions the generator needs,
// all implemented here rather than with <random>'s distributions: the standard leaves
// their algorithms to the library, so the same seed could give different datasets on
// another compiler, and golden data must be byte-identical everywhere.
//
// Thread-safety: externally synchronized (one Rng per generating thread).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

namespace vigia::bench {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& s : s_) s = SplitMix64(&x);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n). REQUIRES: n > 0. Lemire's multiply-shift; the tiny bias for huge n
  // does not matter for synthetic data and keeps it branch-free.
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  bool Chance(double p) { return Unit() < p; }

  // Standard normal via Box-Muller (one value per call; the pair's twin is discarded so
  // that the stream position does not depend on call history).
  double Normal() {
    double u1 = Unit();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = Unit();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  // Log-normal with the given median and sigma of the underlying normal.
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

  // Index drawn with probability proportional to cumulative weights `cum` (ascending,
  // last element = total). REQUIRES: !cum.empty() and cum.back() > 0.
  size_t Pick(std::span<const uint32_t> cum) {
    const uint64_t r = Uniform(cum.back());
    size_t lo = 0, hi = cum.size() - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (cum[mid] > r) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  // A Zipf-like skewed index in [0, n): a few values are very frequent, most are rare
  // (client IPs, users). Uses the inverse of a continuous power law with exponent ~1.
  uint64_t Skewed(uint64_t n) {
    const double x = std::exp(Unit() * std::log(static_cast<double>(n) + 1.0)) - 1.0;
    const uint64_t v = static_cast<uint64_t>(x);
    return v < n ? v : n - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

}  // namespace vigia::bench
