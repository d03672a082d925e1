// TestRng: a tiny deterministic generator for the query library's randomized tests (oracle
// comparisons over random ranges, masks and blocks), so a failure reproduces from its seed.
// Not for production use: a 64-bit LCG, high bits only.
//
// Thread-safety: value type; one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia {

struct TestRng {
  uint64_t s;
  uint64_t Next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return s >> 33;
  }
  // REQUIRES: n > 0.
  size_t Pick(size_t n) { return Next() % n; }
};

}  // namespace vigia
