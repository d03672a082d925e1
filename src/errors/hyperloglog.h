// HyperLogLog: an estimate of how many distinct values (users affected by an error group)
// were added, in a fixed 2^precision bytes whatever the count. Values are hashed with XXH3;
// the estimate uses the original HLL formula with the small-range (linear counting)
// correction, so small counts — the common case of a bug seen by a handful of users — are
// close to exact. Registers serialize as text for the error-group table file: sparse
// ("index:rank,..." in hex) while few are set — most groups have a handful of users — else
// every register as two hex digits.
//
// Thread-safety: a value type; externally synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia::errors {

class HyperLogLog {
 public:
  // REQUIRES: 4 <= precision <= 16.
  explicit HyperLogLog(int precision);

  void Add(std::string_view value);
  // Estimated number of distinct values added (0 when nothing was).
  uint64_t Estimate() const;
  bool empty() const;

  // The registers as text (see above); "" while empty (groups without user_id).
  std::string ToHex() const;
  // Corruption unless `hex` is what ToHex() of an HLL with the same precision wrote.
  Status FromHex(std::string_view hex);

 private:
  int precision_;
  std::vector<uint8_t> registers_;  // empty until the first Add (2^precision after)
};

}  // namespace vigia::errors
