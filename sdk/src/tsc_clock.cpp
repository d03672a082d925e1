#include "tsc_clock.h"

namespace vigia::sdk::internal {

void TscClock::init() {
  tsc0_ = now();
  ns0_ = realtime_ns();
#if defined(__x86_64__)
  int64_t ns;
  uint64_t t;
  do {
    t = now();
    ns = realtime_ns();
  } while (ns - ns0_ < 2000000);
  ns_per_tick_ = static_cast<double>(ns - ns0_) / static_cast<double>(t - tsc0_);
#endif
}

void TscClock::recalibrate() {
#if defined(__x86_64__)
  uint64_t t = now();
  int64_t ns = realtime_ns();
  if (t > tsc0_ && ns > ns0_)
    ns_per_tick_ = static_cast<double>(ns - ns0_) / static_cast<double>(t - tsc0_);
#endif
}

int64_t TscClock::to_ns(uint64_t ticks) const {
#if defined(__x86_64__)
  // Signed difference: a tick read on another core may precede the baseline by a hair.
  return ns0_ + static_cast<int64_t>(static_cast<double>(static_cast<int64_t>(ticks - tsc0_)) *
                                     ns_per_tick_);
#else
  return static_cast<int64_t>(ticks);
#endif
}

}  // namespace vigia::sdk::internal
