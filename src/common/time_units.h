// The time units as multiples of a nanosecond: every timestamp and duration in vigia is an
// int64 count of nanoseconds since the Unix epoch (docs/storage-format.md), and the code that
// converts to and from seconds, minutes and days names the factor here instead of writing
// its own constant.
//
// Thread-safety: constants only.
#pragma once

#include <cstdint>

namespace vigia {

inline constexpr int64_t kNanosPerMicro = 1'000;
inline constexpr int64_t kNanosPerMs = 1'000'000;
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
inline constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;

}  // namespace vigia
