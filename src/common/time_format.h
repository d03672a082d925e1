// Time formatting and parsing shared by the normalizer, the logger and query output.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigia {

// "2026-11-22T10:01:02.123456Z" with `frac_digits` (0..9) fractional digits, UTC.
std::string FormatRfc3339(int64_t ts_ns, int frac_digits = 9);

// Parses an RFC 3339 / ISO 8601 timestamp ("2026-11-22T10:01:02.5Z", "+02:00" offsets,
// a space instead of 'T', no zone = UTC) into ns since the epoch.
std::optional<int64_t> ParseRfc3339(std::string_view s);

// Interprets an integer timestamp by magnitude: seconds, ms, µs or ns since the epoch.
int64_t EpochToNanos(int64_t v);

}  // namespace vigia
