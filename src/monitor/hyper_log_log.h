// HyperLogLog: an approximate count of distinct values in fixed memory (Flajolet et al.
// 2007, with Ertl's 2017 improved estimator: unbiased over the whole range) — the unique
// client IPs of the live traffic statistics (traffic_stats.h). 2^14 one-byte registers
// (16 KiB, allocated at the first value): standard error 1.04 / sqrt(16384) = 0.81 %, so an
// estimate is within the
// issue's 2 % in ~99 % of cases; sketches of different minutes merge by taking each
// register's maximum, so a window's estimate is the union of its minutes'.
//
// Thread-safety: a plain value; callers synchronize.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace vigia {

class HyperLogLog {
 public:
  static constexpr int kPrecision = 14;
  static constexpr size_t kRegisters = size_t{1} << kPrecision;
  // 1.04 / sqrt(kRegisters).
  static constexpr double kStandardError = 0.008125;

  HyperLogLog() = default;
  HyperLogLog(HyperLogLog&&) = default;
  HyperLogLog& operator=(HyperLogLog&&) = default;

  void Add(std::string_view value) { AddHash(Hash(value)); }
  void AddHash(uint64_t h);
  void Merge(const HyperLogLog& other);
  uint64_t Estimate() const;
  bool empty() const { return registers_ == nullptr; }

  // 64-bit hash of a value (FNV-1a mixed by the murmur3 finalizer: every output bit depends
  // on every input byte, which the register index and the leading-zero count need).
  static uint64_t Hash(std::string_view s);

 private:
  std::unique_ptr<std::array<uint8_t, kRegisters>> registers_;  // null until a value
};

}  // namespace vigia
