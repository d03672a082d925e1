#include "server/request_id.h"

#include <chrono>
#include <cstdint>
#include <random>

#include "common/limits.h"

namespace vigia {

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > limits::kMaxRequestIdBytes) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewUuidV7() {
  // Thread-local so that generation never contends; seeded once per thread from the OS.
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  uint64_t r1 = rng();
  uint64_t r2 = rng();
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | ((r1 >> 8) & 0x0f));  // version 7
  b[7] = static_cast<uint8_t>(r1);
  b[8] = static_cast<uint8_t>(0x80 | ((r1 >> 16) & 0x3f));  // variant 10
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(r2 >> (8 * (i - 9)));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

std::string ChooseRequestId(std::string_view client_id) {
  if (IsSaneRequestId(client_id)) return std::string(client_id);
  return NewUuidV7();
}

}  // namespace vigia
