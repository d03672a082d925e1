// FakeClockEnv: an Env for tests whose clocks only move when the test moves them; files go
// to a base Env. Both clocks advance together (Advance), or the wall clock alone (SetNow), so
// a test decides what "now" is for retention by day and for periodic work (Scheduler).
// Constructed with kRealMonotonic, only the wall clock is fake and the monotonic clock is the
// base Env's: for tests of code with real timers (WAL sync, flush age) that move the date.
//
// Thread-safety: thread-safe (the clocks are atomic; the files follow the base Env's
// contract).
#pragma once

#include <atomic>
#include <cstdint>

#include "common/env_wrapper.h"

namespace vigia::testing {

class FakeClockEnv final : public EnvWrapper {
 public:
  static constexpr int64_t kRealMonotonic = INT64_MIN;

  // REQUIRES: base outlives this object.
  FakeClockEnv(Env* base, int64_t wall_ns, int64_t monotonic_ns = 0)
      : EnvWrapper(base), wall_ns_(wall_ns), monotonic_ns_(monotonic_ns) {}

  // Moves both clocks forward by `ns` (the wall clock only with kRealMonotonic).
  void Advance(int64_t ns) {
    wall_ns_.fetch_add(ns);
    if (monotonic_ns_.load() != kRealMonotonic) monotonic_ns_.fetch_add(ns);
  }
  // Sets the wall clock only (the monotonic clock never goes back).
  void SetNow(int64_t wall_ns) { wall_ns_.store(wall_ns); }

  int64_t NowNanos() override { return wall_ns_.load(); }
  int64_t MonotonicNanos() override {
    int64_t m = monotonic_ns_.load();
    return m == kRealMonotonic ? target()->MonotonicNanos() : m;
  }

 private:
  std::atomic<int64_t> wall_ns_;
  std::atomic<int64_t> monotonic_ns_;
};

}  // namespace vigia::testing
