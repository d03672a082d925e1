#include "errors/hyperloglog.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/ascii.h"

namespace vigia::errors {

HyperLogLog::HyperLogLog(int precision) : precision_(precision) {}

void HyperLogLog::Add(std::string_view value) {
  if (registers_.empty()) registers_.assign(size_t{1} << precision_, 0);
  const uint64_t h = XXH3_64bits(value.data(), value.size());
  const size_t index = static_cast<size_t>(h >> (64 - precision_));
  // The rank is the position of the first 1 bit in the remaining 64-p bits (1-based); a
  // sentinel bit bounds it when they are all zero.
  const uint64_t rest = (h << precision_) | (uint64_t{1} << (precision_ - 1));
  const uint8_t rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

bool HyperLogLog::empty() const { return registers_.empty(); }

uint64_t HyperLogLog::Estimate() const {
  if (registers_.empty()) return 0;
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros != 0) e = m * std::log(m / static_cast<double>(zeros));
  return static_cast<uint64_t>(std::llround(e));
}

std::string HyperLogLog::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  size_t set = 0;
  for (uint8_t r : registers_) set += r != 0;
  if (set * 8 < registers_.size()) {
    char buf[32];
    for (size_t i = 0; i < registers_.size(); ++i) {
      if (registers_[i] == 0) continue;
      if (!out.empty()) out += ',';
      std::snprintf(buf, sizeof buf, "%zx:%x", i, registers_[i]);
      out += buf;
    }
    return out.empty() ? std::string(",") : out;
  }
  out.reserve(registers_.size() * 2);
  for (uint8_t r : registers_) {
    out += kDigits[r >> 4];
    out += kDigits[r & 15];
  }
  return out;
}

Status HyperLogLog::FromHex(std::string_view hex) {
  if (hex.empty()) {
    registers_.clear();
    return Status::Ok();
  }
  const size_t m = size_t{1} << precision_;
  const unsigned max_rank = static_cast<unsigned>(65 - precision_);
  std::vector<uint8_t> regs(m);
  if (hex.find(':') != std::string_view::npos || hex == ",") {
    size_t pos = hex == "," ? hex.size() : 0;
    while (pos < hex.size()) {
      size_t end = std::min(hex.find(',', pos), hex.size());
      std::string_view item = hex.substr(pos, end - pos);
      size_t colon = item.find(':');
      unsigned long index = 0, rank = 0;
      auto [p1, e1] = std::from_chars(
          item.data(), item.data() + (colon == std::string_view::npos ? 0 : colon), index, 16);
      auto [p2, e2] =
          colon == std::string_view::npos
              ? std::from_chars_result{item.data(), std::errc::invalid_argument}
              : std::from_chars(item.data() + colon + 1, item.data() + item.size(), rank, 16);
      if (e1 != std::errc() || e2 != std::errc() || p1 != item.data() + colon ||
          p2 != item.data() + item.size() || index >= m || rank == 0 || rank > max_rank) {
        return Status::Corruption("users HLL: bad sparse register");
      }
      regs[index] = static_cast<uint8_t>(rank);
      pos = end + 1;
    }
    registers_ = std::move(regs);
    return Status::Ok();
  }
  if (hex.size() != 2 * m) {
    return Status::Corruption("users HLL: expected " + std::to_string(2 * m) + " hex digits");
  }
  for (size_t i = 0; i < m; ++i) {
    int hi = ascii::LowerHexValue(hex[2 * i]), lo = ascii::LowerHexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::Corruption("users HLL: not hex");
    regs[i] = static_cast<uint8_t>(hi << 4 | lo);
    if (regs[i] > max_rank) return Status::Corruption("users HLL: register out of range");
  }
  registers_ = std::move(regs);
  return Status::Ok();
}

}  // namespace vigia::errors
