// TscClock: wall-clock timestamps for the hot path at the cost of one rdtsc (~7 ns) instead of
// clock_gettime (~20 ns, a third of the whole call budget). Producers store raw ticks; the
// background thread converts them with a tick rate it keeps recalibrating against
// CLOCK_REALTIME over an ever longer baseline. Off x86-64 ticks are nanoseconds.
//
// Thread-safety: now() is thread-safe; to_ns() and recalibrate() belong to one thread (the
// logger's background thread).
#pragma once

#include <cstdint>
#include <ctime>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace vigia::sdk::internal {

inline int64_t realtime_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

class TscClock {
 public:
  static uint64_t now() {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return static_cast<uint64_t>(realtime_ns());
#endif
  }
  // Takes the baseline (spins ~2 ms on x86-64 for an initial rate).
  void init();
  void recalibrate();
  int64_t to_ns(uint64_t ticks) const;

 private:
  uint64_t tsc0_ = 0;
  int64_t ns0_ = 0;
  double ns_per_tick_ = 1.0;
};

}  // namespace vigia::sdk::internal
